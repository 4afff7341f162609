/**
 * carbonio-imap's mailbox SPI over carbonio-store: {@link
 * org.carbonio.imap.store.StoreMailboxBackend} serves IMAP and POP3 from a {@link
 * org.carbonio.store.MailStore}, one IMAP mailbox per store folder, IMAP user = store account id;
 * {@link org.carbonio.imap.store.AccountLookup} maps account ids to the addresses shown in the
 * shared namespace and in ACLs.
 *
 * {@snippet :
 * try (MailStore store = MailStore.open(dir);
 *     ImapServer imap =
 *         ImapServer.builder()
 *             .authenticator(authenticator)
 *             .backend(new StoreMailboxBackend(store))
 *             .build()
 *             .start()) {
 *   // IMAP user "alice@example.org" sees the store account "alice@example.org"
 * }
 * }
 */
package org.carbonio.imap.store;
