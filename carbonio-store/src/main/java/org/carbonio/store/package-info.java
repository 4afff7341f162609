/**
 * The mailbox store API: {@link org.carbonio.store.MailStore} opens a store in a directory, and
 * {@link org.carbonio.store.Mailbox} reads and changes one account's folders and messages; {@link
 * org.carbonio.store.BlobStores} creates the built-in blob backends (filesystem, S3), configured
 * with {@link org.carbonio.store.BlobStoreOptions} (compression at rest) and {@link
 * org.carbonio.store.S3BlobStoreConfig}.
 */
package org.carbonio.store;
