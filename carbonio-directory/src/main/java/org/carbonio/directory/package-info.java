/**
 * Directory of mail domains and accounts, with password authentication.
 *
 * <p>{@link org.carbonio.directory.Directory} is the API that protocol modules and embedders call;
 * {@link org.carbonio.directory.EmbeddedDirectory} is the single-node implementation on an
 * in-process LDAP server, durable in a data directory and optionally reachable over LDAP.
 */
package org.carbonio.directory;
