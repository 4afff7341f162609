package org.carbonio.benchmarks.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private Dovecot 2.3 LMTP server (Debian's dovecot-lmtpd) on 127.0.0.1 delivering to one maildir
 * per user under {@code dir}, with Dovecot's default durability ({@code mail_fsync = optimized}: a
 * delivered file is fsynced before it is renamed into {@code new/}). Not thread-safe.
 */
final class DovecotLmtp implements AutoCloseable {
  private final Path dir;
  private final Process master;
  private final int port;

  private DovecotLmtp(Path dir, Process master, int port) {
    this.dir = dir;
    this.master = master;
    this.port = port;
  }

  static DovecotLmtp start(Path dir, List<String> users) throws IOException, InterruptedException {
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
        chown(home, user, group);
      }
      passwd.append(u).append(":{PLAIN}unused::::").append(home).append('\n');
    }
    if (root) {
      chown(homes, user, group);
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
            "protocols = lmtp",
            "listen = 127.0.0.1",
            "base_dir = " + dir.resolve("run"),
            "state_dir = " + dir.resolve("state"),
            "log_path = " + dir.resolve("dovecot.log"),
            "ssl = no",
            "hostname = bench.test",
            "postmaster_address = postmaster@bench.test",
            "default_internal_user = " + user,
            "default_internal_group = " + group,
            "default_login_user = " + (root ? "dovenull" : user),
            "first_valid_uid = 1",
            "first_valid_gid = 1",
            "mail_uid = " + user,
            "mail_gid = " + group,
            "mail_location = maildir:~/Maildir",
            "mail_fsync = optimized",
            "passdb {",
            "  driver = passwd-file",
            "  args = " + dir.resolve("passwd"),
            "}",
            "userdb {",
            "  driver = passwd-file",
            "  args = " + dir.resolve("passwd"),
            "}",
            "service lmtp {",
            "  inet_listener lmtp {",
            "    address = 127.0.0.1",
            "    port = " + port,
            "  }",
            "}",
            ""));
    Process master =
        new ProcessBuilder(binary("dovecot"), "-F", "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("master.out").toFile())
            .start();
    DovecotLmtp d = new DovecotLmtp(dir, master, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!accepts(port)) {
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

  /** Delivered message files (maildir new/ and cur/). */
  long deliveredFiles() throws IOException {
    try (Stream<Path> s = Files.walk(dir.resolve("home"))) {
      return s.filter(
              p -> {
                Path parent = p.getParent();
                String name = parent == null ? "" : parent.getFileName().toString();
                return (name.equals("new") || name.equals("cur")) && Files.isRegularFile(p);
              })
          .count();
    }
  }

  static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static void chown(Path p, String user, String group) throws IOException {
    UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    view.setOwner(lookup.lookupPrincipalByName(user));
    view.setGroup(lookup.lookupPrincipalByGroupName(group));
  }

  static String binary(String name) throws IOException {
    List<Path> candidates = new ArrayList<>();
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty()) {
        candidates.add(Path.of(d, name));
      }
    }
    candidates.add(Path.of("/usr/sbin", name));
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IOException(name + " not found: install Debian's dovecot-lmtpd");
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
