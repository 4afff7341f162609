package org.carbonio.directory.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.SearchResultEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlapdServerTest {
  @TempDir Path dir;

  @Test
  void startShouldServeOrganizationSuffixWhenSuffixIsO() throws Exception {
    try (SlapdServer slapd = SlapdServer.start(dir, "o=carbonio")) {
      assertThat(slapd.url()).isEqualTo("ldap://127.0.0.1:" + slapd.port() + "/");
      assertThat(slapd.host()).isEqualTo("127.0.0.1");
      assertThat(slapd.rootDn()).isEqualTo("cn=admin,o=carbonio");
      assertThat(slapd.rootPassword()).isEqualTo(SlapdServer.DEFAULT_ROOT_PASSWORD);
      try (LDAPConnection c = slapd.connection()) {
        SearchResultEntry e = c.getEntry("o=carbonio");
        assertThat(e).isNotNull();
        assertThat(e.getObjectClassValues()).contains("organization");
      }
    }
  }

  @Test
  void startShouldServeDomainSuffixWhenSuffixIsDomainComponents() throws Exception {
    try (SlapdServer slapd = SlapdServer.start(dir, "dc=example,dc=org")) {
      assertThat(slapd.suffix()).isEqualTo("dc=example,dc=org");
      assertThat(slapd.rootDn()).isEqualTo("cn=admin,dc=example,dc=org");
      try (LDAPConnection c = slapd.connection()) {
        SearchResultEntry e = c.getEntry("dc=example,dc=org");
        assertThat(e.getObjectClassValues()).contains("dcObject", "organization");
        assertThat(e.getAttributeValue("dc")).isEqualTo("example");
      }
    }
  }

  @Test
  void stopShouldLeaveNoProcessWhenServerRan() throws Exception {
    SlapdServer slapd = SlapdServer.start(dir, "o=carbonio");
    long pid = slapd.pid();
    assertThat(Files.readString(dir.resolve("slapd.pid")).strip()).isEqualTo(Long.toString(pid));
    assertThat(ProcessHandle.of(pid)).map(ProcessHandle::isAlive).contains(true);

    slapd.stop();
    slapd.stop(); // idempotent

    Optional<ProcessHandle> after = ProcessHandle.of(pid);
    assertThat(after.isEmpty() || !after.get().isAlive()).as("slapd %d gone", pid).isTrue();
    assertThat(slapd.isAlive()).isFalse();
    assertThat(dir.resolve("slapd.pid")).doesNotExist();
    assertThatThrownBy(slapd::connection).isInstanceOf(Exception.class);
  }

  @Test
  void startShouldKeepEntriesWhenRestartedOnSameDirectory() throws Exception {
    try (SlapdServer slapd =
        SlapdServer.builder(dir, "o=carbonio").rootPassword("other-secret").durable(true).start()) {
      try (LDAPConnection c = slapd.connection()) {
        c.add("dn: ou=kept,o=carbonio", "objectClass: organizationalUnit", "ou: kept");
      }
    }
    try (SlapdServer again =
        SlapdServer.builder(dir, "o=carbonio").rootPassword("other-secret").start()) {
      try (LDAPConnection c = again.connection()) {
        assertThat(c.getEntry("ou=kept,o=carbonio")).isNotNull();
      }
    }
  }

  @Test
  void startShouldLeaveDatabaseEmptyWhenSuffixEntryDisabled() throws Exception {
    try (SlapdServer slapd = SlapdServer.builder(dir, "cn=tree").suffixEntry(false).start();
        LDAPConnection c = slapd.connection()) {
      assertThat(c.getEntry("cn=tree")).isNull();
      c.add("dn: cn=tree", "objectClass: device", "cn: tree");
      assertThat(c.getEntry("cn=tree")).isNotNull();
    }
  }

  @Test
  void startShouldRejectSuffixWhenNoEntryCanBeMade() {
    assertThatThrownBy(() -> SlapdServer.start(dir, "cn=tree"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("suffixEntry(false)");
    assertThat(dir.resolve("slapd.d")).doesNotExist();
  }

  @Test
  void startShouldNameMissingBinaryWhenSlapdNotInstalled() {
    String before = System.getProperty(SlapdServer.BIN_PROPERTY);
    System.setProperty(SlapdServer.BIN_PROPERTY, dir.resolve("nowhere").toString());
    try {
      assertThatThrownBy(() -> SlapdServer.start(dir, "o=carbonio"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(dir.resolve("nowhere").resolve("slapd").toString())
          .hasMessageContaining("apt-get install slapd");
    } finally {
      if (before == null) {
        System.clearProperty(SlapdServer.BIN_PROPERTY);
      } else {
        System.setProperty(SlapdServer.BIN_PROPERTY, before);
      }
    }
  }

  @Test
  void startShouldLoadExtraSchemaWhenGiven() throws Exception {
    try (SlapdServer slapd =
            SlapdServer.builder(dir, "dc=example,dc=org")
                .schema(SlapdServer.SCHEMA_DIR.resolve("msuser.ldif"))
                .start();
        LDAPConnection c = slapd.connection()) {
      c.add(
          "dn: cn=bob,dc=example,dc=org",
          "objectClass: inetOrgPerson",
          "objectClass: extensibleObject",
          "cn: bob",
          "sn: bob",
          "sAMAccountName: bob",
          "userPrincipalName: bob@example.org");
      assertThat(c.getEntry("cn=bob,dc=example,dc=org").getAttributeValue("sAMAccountName"))
          .isEqualTo("bob");
    }
  }
}
