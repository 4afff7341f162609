package org.carbonio.benchmarks.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A private Dovecot 2.3 IMAP server (Debian's dovecot-imapd) on 127.0.0.1 with implicit TLS
 * (IMAPS), one maildir per user under {@code dir}, users in a passwd-file with SHA512-CRYPT
 * passwords and Dovecot's auth cache on. Dovecot's defaults otherwise ({@code mail_fsync =
 * optimized}, IDLE woken by inotify), except that {@code performanceMode} selects its documented
 * high-performance process model (imap-login {@code service_count = 0}, {@code process_min_avail =
 * 2}; imap {@code service_count = 100}) instead of the default high-security one (a new imap-login
 * and a new imap process per connection). imap-login terminates TLS and proxies to the imap
 * process. Not thread-safe.
 */
final class DovecotImap implements AutoCloseable {
  private final PrivateDovecot dovecot;

  private DovecotImap(PrivateDovecot dovecot) {
    this.dovecot = dovecot;
  }

  /**
   * Starts Dovecot for {@code users} (addresses) with password {@code password}, serving {@code
   * certPem}/{@code keyPem}.
   */
  static DovecotImap start(
      Path dir,
      List<String> users,
      String passwordHash,
      Path certPem,
      Path keyPem,
      boolean performanceMode)
      throws IOException {
    List<String> head =
        List.of(
            "ssl = required",
            "ssl_cert = <" + certPem,
            "ssl_key = <" + keyPem,
            "hostname = bench.test");
    List<String> mail = List.of("mail_max_userip_connections = 100000", "auth_cache_size = 10M");
    IntFunction<List<String>> services =
        port ->
            List.of(
                // Dovecot's documented high-performance mode: login processes serve many
                // connections (one per CPU kept ready) and an imap process is reused for 100
                // connections; the default (service_count = 1 for both) forks two processes per
                // connection.
                performanceMode ? "service imap {\n  service_count = 100\n}" : "",
                "service imap-login {",
                performanceMode ? "  service_count = 0" : "",
                performanceMode ? "  process_min_avail = 2" : "",
                "  inet_listener imap {",
                "    port = 0",
                "  }",
                "  inet_listener imaps {",
                "    address = 127.0.0.1",
                "    port = " + port,
                "    ssl = yes",
                "  }",
                "}");
    return new DovecotImap(
        PrivateDovecot.start(
            dir, users, passwordHash, new PrivateDovecot.Config("imap", head, mail, services)));
  }

  int port() {
    return dovecot.port();
  }

  long pid() {
    return dovecot.pid();
  }

  @Override
  public void close() {
    dovecot.close();
  }
}
