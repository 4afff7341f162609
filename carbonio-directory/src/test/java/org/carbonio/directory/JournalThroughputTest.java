package org.carbonio.directory;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.LDAPConnection;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures journaled changes per second (one fsync each) through the API and over LDAP, with 1 and
 * 4 writers; prints the figures (README "Durability"). Asserts only a low floor.
 */
class JournalThroughputTest {
  static final String ADMIN_PW = "bench-admin";
  static final int CHANGES = 400;
  // {SSHA} of "secret": stored as given, so LDAP adds measure the journal, not PBKDF2.
  static final String SSHA = "{SSHA}lHFzXul4wnzRItssVcTnvXWRjNgBAgMEBQYHCA==";

  @TempDir Path dir;
  EmbeddedDirectory directory;
  int port;

  @BeforeEach
  void open() throws Exception {
    directory =
        EmbeddedDirectory.builder()
            .dataDir(dir)
            .limits(Fixtures.FAST)
            .ldapListener(new InetSocketAddress(Fixtures.CLIENT, 0))
            .ldapAdminPassword(ADMIN_PW)
            .build();
    port = directory.ldapAddress().orElseThrow().getPort();
    directory.createDomain("example.com");
    for (int t = 0; t < 4; t++) {
      directory.createAccount("w" + t + "@example.com", "pw");
    }
  }

  @AfterEach
  void close() {
    directory.close();
  }

  @Test
  void journalShouldSustainChangesWhenWritersRunConcurrently() throws Exception {
    for (int writers : new int[] {1, 1, 4}) { // the first round warms up
      double api =
          rate(
              writers,
              t -> {
                for (int i = 0; i < CHANGES / writers; i++) {
                  directory.setAdmin("w" + t + "@example.com", i % 2 == 0);
                }
                return null;
              });
      double ldap =
          rate(
              writers,
              t -> {
                try (LDAPConnection c =
                    new LDAPConnection("127.0.0.1", port, "cn=admin,o=carbonio", ADMIN_PW)) {
                  for (int i = 0; i < CHANGES / writers; i++) {
                    String local = "l" + System.identityHashCode(c) + "-" + t + "-" + i;
                    c.add(
                        "uid=" + local + ",ou=people,ou=example.com,ou=domains,o=carbonio",
                        new Attribute("objectClass", "inetOrgPerson", "carbonioAccount"),
                        new Attribute("uid", local),
                        new Attribute("cn", local),
                        new Attribute("sn", local),
                        new Attribute("mail", local + "@example.com"),
                        new Attribute("carbonioId", UUID.randomUUID().toString()),
                        new Attribute("userPassword", SSHA));
                  }
                }
                return null;
              });
      System.out.printf(
          Locale.ROOT,
          "journal throughput, %d writer(s): API modifies %.0f/s, LDAP adds %.0f/s%n",
          writers,
          api,
          ldap);
      assertThat(api).isGreaterThan(10);
      assertThat(ldap).isGreaterThan(10);
    }
    assertThat(directory.accounts(java.util.Optional.of("example.com"))).hasSize(4 + 3 * CHANGES);
  }

  interface Writer {
    Void run(int thread) throws Exception;
  }

  private static double rate(int writers, Writer w) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Callable<Void>> tasks = new ArrayList<>();
      for (int t = 0; t < writers; t++) {
        int thread = t;
        tasks.add(() -> w.run(thread));
      }
      long start = System.nanoTime();
      for (Future<Void> f : pool.invokeAll(tasks)) {
        f.get();
      }
      return CHANGES / ((System.nanoTime() - start) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }
}
