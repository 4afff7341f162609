/**
 * The mailbox store API: {@link org.carbonio.store.MailStore} opens a store in a directory, and
 * {@link org.carbonio.store.Mailbox} reads and changes one account's folders and messages; {@link
 * org.carbonio.store.BlobStores} creates the built-in blob backends (filesystem, S3).
 */
package org.carbonio.store;
