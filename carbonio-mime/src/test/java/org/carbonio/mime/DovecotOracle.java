package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A private Dovecot 2.3 (Debian's dovecot-imapd) on 127.0.0.1 with one user and a maildir in a
 * temporary directory, used as a reference for BODYSTRUCTURE and ENVELOPE. Not thread-safe: one
 * test class owns it.
 *
 * <p>Run as root, Dovecot's own unprivileged users (dovecot, dovenull) serve the login and mail
 * processes; run as anyone else, everything runs as that user.
 */
final class DovecotOracle implements AutoCloseable {

  private static final String USER = "oracle";
  private static final String PASSWORD = "oracle-pw";

  private final Path dir;
  private final Path conf;
  private final int port;
  private final Process master;
  private final String doveadm;

  private DovecotOracle(Path dir, Path conf, int port, Process master, String doveadm) {
    this.dir = dir;
    this.conf = conf;
    this.port = port;
    this.master = master;
    this.doveadm = doveadm;
  }

  /**
   * Starts Dovecot and waits until it accepts connections.
   *
   * @throws IllegalStateException when dovecot is not installed (the launcher's {@code ./carbonio
   *     test} installs it) or does not come up
   */
  static DovecotOracle start() throws IOException {
    String dovecot = binary("dovecot");
    String doveadm = binary("doveadm");
    Path dir = Files.createTempDirectory("dovecot-oracle");
    // Dovecot's unprivileged processes must reach base_dir and the user's home
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.createDirectories(dir.resolve("run"));
    Files.createDirectories(dir.resolve("state"));
    boolean root = "root".equals(System.getProperty("user.name"));
    String internalUser;
    String loginUser;
    String mailUser;
    String mailGroup;
    if (root) {
      internalUser = "dovecot";
      loginUser = "dovenull";
      mailUser = "dovecot";
      mailGroup = "dovecot";
      // passwd-file users may not have UID 0, so the maildir belongs to Dovecot's own user
      UserPrincipalLookupService users = FileSystems.getDefault().getUserPrincipalLookupService();
      PosixFileAttributeView view = Files.getFileAttributeView(home, PosixFileAttributeView.class);
      view.setOwner(users.lookupPrincipalByName(mailUser));
      view.setGroup(users.lookupPrincipalByGroupName(mailGroup));
    } else {
      internalUser = System.getProperty("user.name");
      loginUser = internalUser;
      mailUser = internalUser;
      mailGroup = Files.readAttributes(dir, PosixFileAttributes.class).group().getName();
    }
    Files.writeString(dir.resolve("passwd"), USER + ":{PLAIN}" + PASSWORD + "::::" + home + "\n");
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
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
            "ssl = no",
            "disable_plaintext_auth = no",
            "auth_mechanisms = plain",
            "default_internal_user = " + internalUser,
            "default_internal_group = " + mailGroup,
            "default_login_user = " + loginUser,
            "first_valid_uid = 1",
            "first_valid_gid = 1",
            "mail_uid = " + mailUser,
            "mail_gid = " + mailGroup,
            "mail_location = maildir:~/Maildir",
            "passdb {",
            "  driver = passwd-file",
            "  args = " + dir.resolve("passwd"),
            "}",
            "userdb {",
            "  driver = passwd-file",
            "  args = " + dir.resolve("passwd"),
            "}",
            "service imap-login {",
            "  inet_listener imap {",
            "    address = 127.0.0.1",
            "    port = " + port,
            "  }",
            "  inet_listener imaps {",
            "    port = 0",
            "  }",
            "}",
            ""));
    Process master =
        new ProcessBuilder(dovecot, "-F", "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("master.out").toFile())
            .start();
    DovecotOracle oracle = new DovecotOracle(dir, conf, port, master, doveadm);
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> !master.isAlive() || accepts(port));
      if (!master.isAlive()) {
        throw new IllegalStateException("dovecot exited at start: " + oracle.log());
      }
    } catch (RuntimeException e) {
      oracle.close();
      throw e;
    }
    return oracle;
  }

  private static String binary(String name) {
    List<Path> candidates = new ArrayList<>();
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty()) {
        candidates.add(Path.of(d, name));
      }
    }
    candidates.add(Path.of("/usr/sbin", name));
    candidates.add(Path.of("/usr/bin", name));
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IllegalStateException(
        name
            + " not found: install Debian's dovecot-imapd (./carbonio test installs it), the"
            + " reference for the BODYSTRUCTURE and ENVELOPE comparison");
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  int port() {
    return port;
  }

  /** Opens an authenticated session with INBOX selected. */
  Session login() throws IOException {
    Session s = new Session(new Socket(InetAddress.getLoopbackAddress(), port));
    s.readResponse();
    s.command("LOGIN " + USER + " " + PASSWORD);
    s.command("SELECT INBOX");
    return s;
  }

  String log() {
    StringBuilder b = new StringBuilder();
    for (String f : List.of("master.out", "dovecot.log")) {
      try {
        b.append(Files.readString(dir.resolve(f), ISO_8859_1));
      } catch (IOException e) {
        b.append("(no ").append(f).append(")");
      }
    }
    return b.toString();
  }

  @Override
  public void close() throws IOException {
    try {
      if (master.isAlive()) {
        Process stop =
            new ProcessBuilder(doveadm, "-c", conf.toString(), "stop")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!stop.waitFor(10, TimeUnit.SECONDS)) {
          stop.destroyForcibly();
        }
      }
      master.destroy();
      if (!master.waitFor(10, TimeUnit.SECONDS)) {
        master.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** A minimal IMAP client: tagged commands, literals in responses. Not thread-safe. */
  static final class Session implements AutoCloseable {
    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)\\+?}$");
    private static final Pattern APPENDUID = Pattern.compile("\\[APPENDUID \\d+ (\\d+)]");

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int tag;

    private Session(Socket socket) throws IOException {
      this.socket = socket;
      socket.setSoTimeout(30_000);
      this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
      this.out = socket.getOutputStream();
    }

    /** Sends a command and returns its untagged responses; throws unless the reply is OK. */
    List<String> command(String line) throws IOException {
      String t = "t" + ++tag;
      out.write((t + " " + line + "\r\n").getBytes(US_ASCII));
      out.flush();
      return untilTagged(t);
    }

    /** APPENDs the message (LITERAL+) and returns its UID, or -1 when Dovecot refuses it. */
    long append(byte[] message) throws IOException {
      String t = "t" + ++tag;
      out.write((t + " APPEND INBOX {" + message.length + "+}\r\n").getBytes(US_ASCII));
      out.write(message);
      out.write("\r\n".getBytes(US_ASCII));
      out.flush();
      List<String> lines = new ArrayList<>();
      String done = collect(t, lines);
      Matcher m = APPENDUID.matcher(done);
      return done.startsWith(t + " OK") && m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private List<String> untilTagged(String t) throws IOException {
      List<String> lines = new ArrayList<>();
      String done = collect(t, lines);
      if (!done.startsWith(t + " OK")) {
        throw new IOException("dovecot: " + done);
      }
      return lines;
    }

    private String collect(String t, List<String> untagged) throws IOException {
      while (true) {
        String r = readResponse();
        if (r.startsWith(t + " ")) {
          return r;
        }
        untagged.add(r);
      }
    }

    /** One response, literals included ({n}CRLF then n octets), one char per octet. */
    private String readResponse() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      while (true) {
        int start = b.size();
        int c;
        int prev = -1;
        while ((c = in.read()) != -1) {
          b.write(c);
          if (prev == '\r' && c == '\n') {
            break;
          }
          prev = c;
        }
        if (c == -1) {
          throw new IOException("dovecot closed the connection");
        }
        String line = new String(b.toByteArray(), start, b.size() - start - 2, ISO_8859_1);
        Matcher m = LITERAL.matcher(line);
        if (!m.find()) {
          byte[] all = b.toByteArray();
          return new String(all, 0, all.length - 2, ISO_8859_1);
        }
        b.write(in.readNBytes(Integer.parseInt(m.group(1))));
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
