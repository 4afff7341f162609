/**
 * Test support for the store: {@link org.carbonio.store.testkit.MailStoreContract}, the test suite
 * every store backend passes, and {@link org.carbonio.store.testkit.PostgresExtension}, a private
 * PostgreSQL server for JUnit 5 tests.
 */
package org.carbonio.store.testkit;
