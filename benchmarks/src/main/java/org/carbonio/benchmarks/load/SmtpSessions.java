package org.carbonio.benchmarks.load;

import static org.carbonio.benchmarks.load.LoadSupport.arg;
import static org.carbonio.benchmarks.load.LoadSupport.deleteTree;
import static org.carbonio.benchmarks.load.LoadSupport.intArg;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.carbonio.smtp.SmtpLimits;
import org.carbonio.smtp.SmtpServer;

/**
 * Memory per held SMTP session: opens {@code sessions} connections one after the other and keeps
 * them open, each either after EHLO ({@code --state ehlo}) or in the middle of a transaction after
 * MAIL and RCPT ({@code --state mail}); then measures the heap after a full GC ({@code jcmd
 * GC.run}, {@code GC.heap_info}), the resident set and the thread count of the server process,
 * checks every held session still answers NOOP, and closes them. Two targets:
 *
 * <ul>
 *   <li>{@code server}: the server jar as operators run it, with its default SMTP limits (so a
 *       limit below {@code sessions} shows up as refused connections);
 *   <li>{@code engine}: carbonio-smtp's {@code SmtpServer} alone in a child JVM with the same JVM
 *       options and {@code maxConnections} raised to {@code sessions}, messages discarded.
 * </ul>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.carbonio.benchmarks.load.SmtpSessions \
 *     [--sessions 1000] [--state ehlo|mail] [--target server|engine|both] \
 *     [--work /var/tmp/smtp-sessions] [--server-jvm "-Xmx1g"] [--server-jar carbonio-server/target/carbonio-server.jar]
 * </pre>
 */
public final class SmtpSessions {
  private SmtpSessions() {}

  /** Where a held session stops. */
  enum State {
    EHLO,
    MAIL
  }

  /** What one target did with {@code requested} sessions. */
  record Result(
      String target,
      State state,
      int requested,
      int held,
      int refused,
      String refusal,
      long heapBefore,
      long heapAfter,
      long rssBefore,
      long rssAfter,
      int threadsBefore,
      int threadsAfter) {
    double heapPerSession() {
      return held == 0 ? 0 : (heapAfter - heapBefore) / (double) held;
    }

    double rssPerSession() {
      return held == 0 ? 0 : (rssAfter - rssBefore) / (double) held;
    }
  }

  public static void main(String[] args) throws Exception {
    int sessions = intArg(args, "--sessions", 1000);
    State state = State.valueOf(arg(args, "--state", "ehlo").toUpperCase(Locale.ROOT));
    String target = arg(args, "--target", "both");
    Path work = Path.of(arg(args, "--work", "target/smtp-sessions")).toAbsolutePath();
    Path jar = Path.of(arg(args, "--server-jar", "carbonio-server/target/carbonio-server.jar"));
    List<String> jvm = List.of(arg(args, "--server-jvm", "-Xmx1g").split(" "));
    System.out.printf(
        Locale.ROOT,
        "load average before: %s%n",
        Files.readString(Path.of("/proc/loadavg")).strip());
    List<Result> results = new ArrayList<>();
    if (!target.equals("engine")) {
      results.add(server(jar, work, sessions, state, jvm));
    }
    if (!target.equals("server")) {
      results.add(engine(sessions, state, jvm));
    }
    System.out.println();
    System.out.print(table(results));
  }

  static String table(List<Result> results) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| target | state | requested | held | refused | heap after GC, MB: idle → held |"
            + " heap per session | RSS MB: idle → held | RSS per session | threads |\n"
            + "|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %d | %d | %.1f → %.1f | %.1f KB | %.0f → %.0f | %.1f KB | %d → %d"
                  + " |%n",
              r.target(),
              r.state().name().toLowerCase(Locale.ROOT),
              r.requested(),
              r.held(),
              r.refused(),
              r.heapBefore() / 1e6,
              r.heapAfter() / 1e6,
              r.heapPerSession() / 1e3,
              r.rssBefore() / 1e6,
              r.rssAfter() / 1e6,
              r.rssPerSession() / 1e3,
              r.threadsBefore(),
              r.threadsAfter()));
    }
    for (Result r : results) {
      if (r.refused() > 0) {
        sb.append(r.target()).append(" refused with: ").append(r.refusal()).append('\n');
      }
    }
    return sb.toString();
  }

  /** Against the server jar, default limits, one account to write to. */
  static Result server(Path jar, Path work, int sessions, State state, List<String> jvm)
      throws Exception {
    deleteTree(work);
    Files.createDirectories(work);
    try (CarbonioProcess carbonio =
        CarbonioProcess.start(jar, work.resolve("carbonio"), SmtpLoad.DOMAIN, jvm)) {
      carbonio.createAccounts(List.of(SmtpLoad.MAILBOX));
      return hold("server", carbonio.pid(), carbonio.port("smtp"), sessions, state);
    }
  }

  /** Against carbonio-smtp's engine alone, in a child JVM, with maxConnections = sessions. */
  static Result engine(int sessions, State state, List<String> jvm) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvm);
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            Engine.class.getName(),
            Integer.toString(sessions)));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
      String line = out.readLine();
      if (line == null || !line.startsWith("port ")) {
        throw new IOException("engine did not start: " + line);
      }
      return hold("engine", p.pid(), Integer.parseInt(line.substring(5)), sessions, state);
    } finally {
      p.getOutputStream().close(); // the child stops at end of input
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    }
  }

  /** The child JVM of the {@code engine} target. */
  static final class Engine {
    private Engine() {}

    public static void main(String[] args) throws IOException {
      int max = Integer.parseInt(args[0]);
      try (SmtpServer server =
          SmtpServer.builder()
              .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
              .hostname("engine.bench.test")
              .limits(SmtpLimits.DEFAULTS.withMaxConnections(max))
              .deliveryHandler(delivery -> {})
              .build()
              .start()) {
        System.out.println("port " + server.localAddress().getPort());
        System.out.flush();
        while (System.in.read() >= 0) {
          // run until the parent closes our input
        }
      }
    }
  }

  /** One held client session. */
  private record Held(Socket socket, BufferedReader in, OutputStream out) {}

  private static Result hold(String target, long pid, int port, int sessions, State state)
      throws Exception {
    // a full GC first, so "before" is the idle live set
    long heapBefore = BigMailboxLoad.heapAfterGc(pid);
    long rssBefore = ProcessCpu.rssBytes(pid);
    int threadsBefore = threads(pid);
    List<Held> held = new ArrayList<>();
    int refused = 0;
    String refusal = "";
    try {
      for (int i = 0; i < sessions; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
        s.setSoTimeout(30_000);
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII), 512);
        Held h = new Held(s, in, s.getOutputStream());
        String greeting = reply(in);
        if (!greeting.startsWith("220")) {
          refused++;
          refusal = greeting;
          s.close();
          continue;
        }
        expect(h, "EHLO client" + i + ".load.test", "250");
        if (state == State.MAIL) {
          expect(h, "MAIL FROM:<load" + i + "@load.test>", "250");
          expect(h, "RCPT TO:<" + SmtpLoad.MAILBOX + ">", "250");
        }
        held.add(h);
      }
      long heapAfter = BigMailboxLoad.heapAfterGc(pid);
      long rssAfter = ProcessCpu.rssBytes(pid);
      int threadsAfter = threads(pid);
      for (Held h : held) { // every session is still there
        expect(h, "NOOP", "250");
      }
      return new Result(
          target,
          state,
          sessions,
          held.size(),
          refused,
          refusal,
          heapBefore,
          heapAfter,
          rssBefore,
          rssAfter,
          threadsBefore,
          threadsAfter);
    } finally {
      for (Held h : held) {
        try {
          h.out().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          // closing anyway
        }
        try {
          h.socket().close();
        } catch (IOException e) {
          // nothing left to do
        }
      }
    }
  }

  private static void expect(Held h, String command, String code) throws IOException {
    h.out().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
    h.out().flush();
    String r = reply(h.in());
    if (!r.startsWith(code)) {
      throw new IOException(command + " got " + r);
    }
  }

  /** The last line of a reply (RFC 5321 §4.2.1: continuation lines have '-' after the code). */
  private static String reply(BufferedReader in) throws IOException {
    String line = in.readLine();
    while (line != null && line.length() > 3 && line.charAt(3) == '-') {
      line = in.readLine();
    }
    if (line == null) {
      throw new IOException("connection closed");
    }
    return line;
  }

  private static int threads(long pid) throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (l.startsWith("Threads:")) {
        return Integer.parseInt(l.substring(8).strip());
      }
    }
    return -1;
  }
}
