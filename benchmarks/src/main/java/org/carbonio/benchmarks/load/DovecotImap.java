package org.carbonio.benchmarks.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
  private final Process master;
  private final int port;

  private DovecotImap(Process master, int port) {
    this.master = master;
    this.port = port;
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
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path homes = Files.createDirectories(dir.resolve("home"));
    Files.createDirectories(dir.resolve("run"));
    Files.createDirectories(dir.resolve("state"));
    boolean root = "root".equals(System.getProperty("user.name"));
    String user = root ? "dovecot" : System.getProperty("user.name");
    String group = root ? "dovecot" : user;
    StringBuilder passwd = new StringBuilder();
    for (String u : users) {
      Path home = Files.createDirectories(homes.resolve(u));
      if (root) {
        DovecotLmtp.chown(home, user, group);
      }
      passwd.append(u).append(':').append(passwordHash).append("::::").append(home).append('\n');
    }
    if (root) {
      DovecotLmtp.chown(homes, user, group);
    }
    Files.writeString(dir.resolve("passwd"), passwd);
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort(); // Dovecot cannot bind port 0; a tiny race, fine for a benchmark
    }
    Path conf = dir.resolve("dovecot.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "protocols = imap",
            "listen = 127.0.0.1",
            "base_dir = " + dir.resolve("run"),
            "state_dir = " + dir.resolve("state"),
            "log_path = " + dir.resolve("dovecot.log"),
            "ssl = required",
            "ssl_cert = <" + certPem,
            "ssl_key = <" + keyPem,
            "hostname = bench.test",
            "default_internal_user = " + user,
            "default_internal_group = " + group,
            "default_login_user = " + (root ? "dovenull" : user),
            "first_valid_uid = 1",
            "first_valid_gid = 1",
            "mail_uid = " + user,
            "mail_gid = " + group,
            "mail_location = maildir:~/Maildir",
            "mail_max_userip_connections = 100000",
            "auth_cache_size = 10M",
            "passdb {",
            "  driver = passwd-file",
            "  args = " + dir.resolve("passwd"),
            "}",
            "userdb {",
            "  driver = passwd-file",
            "  args = " + dir.resolve("passwd"),
            "}",
            // Dovecot's documented high-performance mode: login processes serve many connections
            // (one per CPU kept ready) and an imap process is reused for 100 connections; the
            // default (service_count = 1 for both) forks two processes per connection.
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
            "}",
            ""));
    Process master =
        new ProcessBuilder(DovecotLmtp.binary("dovecot"), "-F", "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("master.out").toFile())
            .start();
    DovecotImap d = new DovecotImap(master, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!DovecotLmtp.accepts(port)) {
      if (!master.isAlive() || System.nanoTime() > deadline) {
        d.close();
        throw new IOException("dovecot did not start; see " + dir.resolve("dovecot.log"));
      }
      Thread.onSpinWait();
    }
    return d;
  }

  int port() {
    return port;
  }

  long pid() {
    return master.pid();
  }

  @Override
  public void close() {
    master.destroy();
    try {
      if (!master.waitFor(20, TimeUnit.SECONDS)) {
        master.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      master.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
