/**
 * Test support for carbonio-imap: an in-memory {@link
 * org.carbonio.imap.testkit.InMemoryMailboxBackend}, {@link
 * org.carbonio.imap.testkit.InMemoryAuthenticator} and the JUnit 5 extension {@link
 * org.carbonio.imap.testkit.ImapServerExtension}.
 */
package org.carbonio.imap.testkit;
