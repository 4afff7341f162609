/**
 * Test support for the directory: {@link org.carbonio.directory.testkit.SlapdServer} and {@link
 * org.carbonio.directory.testkit.SlapdExtension}, a private OpenLDAP slapd with the carbonio schema
 * for JUnit 5 tests and benchmarks, and {@link org.carbonio.directory.testkit.OpenLdapSchema}, the
 * carbonio schema as OpenLDAP {@code cn=config} LDIF.
 */
package org.carbonio.directory.testkit;
