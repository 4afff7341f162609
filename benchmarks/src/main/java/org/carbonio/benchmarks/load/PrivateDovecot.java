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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A private Dovecot 2.3 master process on 127.0.0.1, what {@link DovecotImap} and {@link
 * DovecotLmtp} share: one home per user under {@code dir/home} (mail in {@code ~/Maildir}), users
 * in a passwd-file, a {@code dovecot.conf} under {@code dir} with run, state and log files there,
 * run as the current user (as {@code dovecot}/{@code dovenull} when that is root). Not thread-safe.
 */
final class PrivateDovecot implements AutoCloseable {

  /**
   * What a protocol puts in {@code dovecot.conf} around the shared lines. Immutable.
   *
   * @param protocol the {@code protocols} setting
   * @param head lines after the log path, before the process users
   * @param mail lines after {@code mail_location}, before passdb and userdb
   * @param services the service blocks at the end, for the port to listen on
   */
  record Config(
      String protocol, List<String> head, List<String> mail, IntFunction<List<String>> services) {
    Config {
      head = List.copyOf(head);
      mail = List.copyOf(mail);
    }
  }

  private final Path dir;
  private final Process master;
  private final int port;

  private PrivateDovecot(Path dir, Process master, int port) {
    this.dir = dir;
    this.master = master;
    this.port = port;
  }

  /**
   * Writes the homes, the passwd-file ({@code passwordHash} for every user) and {@code
   * dovecot.conf}, starts Dovecot and waits up to 30 s for its port.
   */
  static PrivateDovecot start(Path dir, List<String> users, String passwordHash, Config config)
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
        chown(home, user, group);
      }
      passwd.append(u).append(':').append(passwordHash).append("::::").append(home).append('\n');
    }
    if (root) {
      chown(homes, user, group);
    }
    Files.writeString(dir.resolve("passwd"), passwd);
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort(); // Dovecot cannot bind port 0; a tiny race, fine for a benchmark
    }
    List<String> lines = new ArrayList<>();
    lines.add("protocols = " + config.protocol());
    lines.add("listen = 127.0.0.1");
    lines.add("base_dir = " + dir.resolve("run"));
    lines.add("state_dir = " + dir.resolve("state"));
    lines.add("log_path = " + dir.resolve("dovecot.log"));
    lines.addAll(config.head());
    lines.add("default_internal_user = " + user);
    lines.add("default_internal_group = " + group);
    lines.add("default_login_user = " + (root ? "dovenull" : user));
    lines.add("first_valid_uid = 1");
    lines.add("first_valid_gid = 1");
    lines.add("mail_uid = " + user);
    lines.add("mail_gid = " + group);
    lines.add("mail_location = maildir:~/Maildir");
    lines.addAll(config.mail());
    for (String db : List.of("passdb", "userdb")) {
      lines.add(db + " {");
      lines.add("  driver = passwd-file");
      lines.add("  args = " + dir.resolve("passwd"));
      lines.add("}");
    }
    lines.addAll(config.services().apply(port));
    lines.add("");
    Path conf = dir.resolve("dovecot.conf");
    Files.writeString(conf, String.join("\n", lines));
    Process master =
        new ProcessBuilder(binary("dovecot"), "-F", "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("master.out").toFile())
            .start();
    PrivateDovecot d = new PrivateDovecot(dir, master, port);
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

  /** The users' homes, one directory per user. */
  Path homes() {
    return dir.resolve("home");
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void chown(Path p, String user, String group) throws IOException {
    UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    view.setOwner(lookup.lookupPrincipalByName(user));
    view.setGroup(lookup.lookupPrincipalByGroupName(group));
  }

  private static String binary(String name) throws IOException {
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

  /** Stops Dovecot (SIGTERM, then SIGKILL after 20 s). */
  @Override
  public void close() {
    LoadSupport.stop(master, Duration.ofSeconds(20));
  }
}
