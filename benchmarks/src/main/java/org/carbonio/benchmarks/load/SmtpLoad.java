package org.carbonio.benchmarks.load;

import static org.carbonio.benchmarks.load.LoadSupport.arg;
import static org.carbonio.benchmarks.load.LoadSupport.deleteTree;
import static org.carbonio.benchmarks.load.LoadSupport.intArg;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.carbonio.smtp.testkit.PostfixServer;

/**
 * SMTP messages per second and CPU per message, carbonio's server against Postfix, side by side in
 * one run with the same load: Postfix's own {@code smtp-source} with {@code sessions} parallel
 * sessions sending {@code messages} messages of {@code size} bytes (payload, plus smtp-source's
 * From/To/Date/Message-Id headers) to one mailbox, one message per connection as smtp-source does
 * by default ({@code --reuse}: all over kept connections, its {@code -d}). carbonio (the server jar
 * as operators run it, embedded data) stores each message in the account's INBOX before it answers
 * 250; Postfix (a private instance, Debian's 3.7) queues it durably, answers 250, and its {@code
 * virtual(8)} agent then writes it to a maildir. The two take turns, {@code rounds} each.
 *
 * <p>Each round reports the rate at which smtp-source got its 250s ("accepted") and the rate until
 * every message was in its mailbox ("stored"; for Postfix, until the maildir holds them all and the
 * queue is empty). CPU is read once the side has settled after the round (no CPU used for 0.3 s),
 * so work done after the 250 (Postfix's delivery, anything asynchronous in the JVM) is counted: for
 * carbonio the JVM's utime+stime; for Postfix the master's utime+stime, its {@code cutime/cstime}
 * (every service process it forked and reaped: smtpd, cleanup, trivial-rewrite, qmgr, virtual,
 * postlogd...) and those of its live children (ProcessCpu). At the end the program checks that each
 * side stored exactly what it acknowledged: Postfix's maildir file count, carbonio's INBOX EXISTS
 * count over IMAP.
 *
 * <pre>
 * ./carbonio build
 * java -cp benchmarks/target/benchmarks.jar org.carbonio.benchmarks.load.SmtpLoad \
 *     [--warmup 2000] [--messages 5000] [--sessions 20] [--size 5120] [--rounds 2] [--reuse] \
 *     [--work /var/tmp/smtp-load] [--server-jvm "-Xmx1g"] [--server-jar carbonio-server/target/carbonio-server.jar]
 * </pre>
 *
 * <p>Needs root and Debian's postfix (smtp-source comes with it). The work directory must be on the
 * disk under test (not tmpfs) and searchable by the user postfix.
 */
public final class SmtpLoad {
  private SmtpLoad() {}

  static final String DOMAIN = "bench.test";
  static final String MAILBOX = "user1@" + DOMAIN;
  private static final String PASSWORD = "load-pw-1234";

  /** The load of one run. */
  record Options(
      Path work,
      Path serverJar,
      int warmup,
      int messages,
      int sessions,
      int size,
      int rounds,
      boolean reuse,
      List<String> serverJvm) {
    Options {
      serverJvm = List.copyOf(serverJvm);
    }
  }

  /** One round's outcome. */
  record Result(
      String server,
      int round,
      long messages,
      double acceptSeconds,
      double storeSeconds,
      ProcessCpu.Cpu cpu,
      long rssBytes) {
    double acceptedPerSecond() {
      return messages / acceptSeconds;
    }

    double storedPerSecond() {
      return messages / storeSeconds;
    }

    double cpuMicrosPerMessage() {
      return cpu.total() * 1e6 / messages;
    }

    double systemShare() {
      return cpu.system() / cpu.total();
    }
  }

  /** Every round, and what each side had stored at the end. */
  record Outcome(List<Result> rounds, long carbonioStored, long postfixStored, long acknowledged) {
    Outcome {
      rounds = List.copyOf(rounds);
    }
  }

  public static void main(String[] args) throws Exception {
    Options o =
        new Options(
            Path.of(arg(args, "--work", "target/smtp-load")).toAbsolutePath(),
            Path.of(arg(args, "--server-jar", "carbonio-server/target/carbonio-server.jar")),
            intArg(args, "--warmup", 2000),
            intArg(args, "--messages", 5000),
            intArg(args, "--sessions", 20),
            intArg(args, "--size", 5120),
            intArg(args, "--rounds", 2),
            Arrays.asList(args).contains("--reuse"),
            List.of(arg(args, "--server-jvm", "-Xmx1g").split(" ")));
    System.out.printf(
        Locale.ROOT,
        "load average before: %s%n",
        Files.readString(Path.of("/proc/loadavg")).strip());
    Outcome out = run(o);
    System.out.println();
    System.out.print(table(out));
  }

  /** The results as a Markdown table, then the ratios of each round pair. */
  static String table(Outcome out) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| server | round | accepted/s | stored/s | CPU µs per message | of it in kernel | RSS MB"
            + " at end |\n|---|---|---|---|---|---|---|\n");
    for (Result r : out.rounds()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %.0f | %.0f | %.0f | %.0f %% | %.0f |%n",
              r.server(),
              r.round(),
              r.acceptedPerSecond(),
              r.storedPerSecond(),
              r.cpuMicrosPerMessage(),
              r.systemShare() * 100,
              r.rssBytes() / 1e6));
    }
    List<Result> rs = out.rounds();
    for (int i = 0; i + 1 < rs.size(); i += 2) {
      Result c = rs.get(i);
      Result p = rs.get(i + 1);
      sb.append(
          String.format(
              Locale.ROOT,
              "round %d: carbonio/postfix stored per second %.2fx (accepted %.2fx), CPU per"
                  + " message %.3f of Postfix's%n",
              c.round(),
              c.storedPerSecond() / p.storedPerSecond(),
              c.acceptedPerSecond() / p.acceptedPerSecond(),
              c.cpuMicrosPerMessage() / p.cpuMicrosPerMessage()));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "acknowledged %d per side; stored: carbonio %d, postfix %d%n",
            out.acknowledged(),
            out.carbonioStored(),
            out.postfixStored()));
    return sb.toString();
  }

  /** Runs the comparison: rounds alternate carbonio, Postfix. */
  static Outcome run(Options o) throws Exception {
    deleteTree(o.work());
    Files.createDirectories(o.work());
    // Postfix's unprivileged processes must reach its directory under the work directory.
    Files.setPosixFilePermissions(o.work(), PosixFilePermissions.fromString("rwxr-xr-x"));
    List<Result> results = new ArrayList<>();
    Path data = o.work().resolve("carbonio");
    try (CarbonioProcess carbonio =
            CarbonioProcess.start(o.serverJar(), data, DOMAIN, o.serverJvm());
        PostfixServer postfix =
            PostfixServer.builder()
                .mailbox(MAILBOX)
                .hostname("mx." + DOMAIN)
                .parentDirectory(o.work())
                .start()) {
      carbonio.createAccounts(List.of(MAILBOX));
      int smtp = carbonio.port("smtp");
      long master = postfix.masterPid();
      // Warm-up, not counted: the JIT compiles the SMTP and delivery paths; Postfix forks its
      // smtpd, cleanup and virtual processes and fills its caches.
      long acked = 0;
      if (o.warmup() > 0) {
        load(o, "carbonio", 0, smtp, carbonio.pid(), o.warmup(), null, 0);
        acked += o.warmup();
        load(o, "postfix", 0, postfix.port(), master, o.warmup(), postfix, acked);
      }
      for (int round = 1; round <= o.rounds(); round++) {
        results.add(load(o, "carbonio", round, smtp, carbonio.pid(), o.messages(), null, 0));
        acked += o.messages();
        results.add(
            load(o, "postfix", round, postfix.port(), master, o.messages(), postfix, acked));
      }
      long postfixStored = postfix.deliveredCount();
      long carbonioStored = inboxCount(data, carbonio.port("imaps"));
      if (postfixStored != acked || postfix.queuedCount() != 0) {
        throw new IllegalStateException(
            "postfix acknowledged " + acked + " but stored " + postfixStored);
      }
      if (carbonioStored != acked) {
        throw new IllegalStateException(
            "carbonio acknowledged " + acked + " but stored " + carbonioStored);
      }
      return new Outcome(results, carbonioStored, postfixStored, acked);
    }
  }

  /**
   * One round: smtp-source sends {@code messages}; for Postfix, then waits until its maildir holds
   * {@code expectedTotal} messages and its queue is empty; then waits until the side is idle and
   * reads its CPU.
   */
  private static Result load(
      Options o,
      String name,
      int round,
      int port,
      long pid,
      int messages,
      PostfixServer postfix,
      long expectedTotal)
      throws Exception {
    ProcessCpu.Cpu cpu0 = settledCpu(pid);
    long t0 = System.nanoTime();
    smtpSource(o, port, messages);
    long t1 = System.nanoTime();
    if (postfix != null) {
      long deadline = t1 + TimeUnit.MINUTES.toNanos(10);
      while (postfix.deliveredCount() < expectedTotal || postfix.queuedCount() > 0) {
        if (System.nanoTime() > deadline) {
          throw new IOException("postfix did not store " + expectedTotal + " messages in time");
        }
        LockSupport.parkNanos(2_000_000L);
      }
    }
    long t2 = System.nanoTime();
    ProcessCpu.Cpu cpu = settledCpu(pid).minus(cpu0);
    return new Result(
        name, round, messages, (t1 - t0) / 1e9, (t2 - t0) / 1e9, cpu, ProcessCpu.rssBytes(pid));
  }

  /**
   * The CPU of {@code pid}'s tree once it has stopped working: read until two readings 0.3 s apart
   * differ by at most one clock tick per core (at most 10 s), so that work after the last reply is
   * counted and the next round's starts from rest.
   */
  private static ProcessCpu.Cpu settledCpu(long pid) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    ProcessCpu.Cpu last = ProcessCpu.cpu(pid);
    while (true) {
      LockSupport.parkNanos(300_000_000L);
      ProcessCpu.Cpu now = ProcessCpu.cpu(pid);
      if (now.total() - last.total() <= 0.02 || System.nanoTime() > deadline) {
        return now;
      }
      last = now;
    }
  }

  /** Runs smtp-source to completion; it exits non-zero at the first reply that is not 2xx/3xx. */
  private static void smtpSource(Options o, int port, int messages) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(smtpSourceBinary());
    if (o.reuse()) {
      cmd.add("-d");
    }
    cmd.addAll(
        List.of(
            "-s",
            Integer.toString(o.sessions()),
            "-m",
            Integer.toString(messages),
            "-l",
            Integer.toString(o.size()),
            "-M",
            "client.load.test",
            "-f",
            "load@load.test",
            "-t",
            MAILBOX,
            "127.0.0.1:" + port));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException("smtp-source did not finish");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException("smtp-source exited with " + p.exitValue() + ": " + out.strip());
    }
  }

  private static String smtpSourceBinary() throws IOException {
    for (String d : List.of("/usr/sbin", "/usr/bin")) {
      Path p = Path.of(d, "smtp-source");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IOException("smtp-source not found: install Debian's postfix");
  }

  private static final Pattern EXISTS = Pattern.compile("^\\* (\\d+) EXISTS");

  /** The INBOX message count of {@link #MAILBOX}, over IMAPS. */
  static long inboxCount(Path data, int imapsPort) throws Exception {
    SSLContext tls = ImapProbe.trusting(data.resolve("tls").resolve("cert.pem"));
    try (ImapProbe imap = new ImapProbe(tls, imapsPort)) {
      ImapProbe.Reply login = imap.command("LOGIN " + MAILBOX + " " + PASSWORD, false);
      if (!login.tagged().contains(" OK")) {
        throw new IOException("IMAP login: " + login.tagged());
      }
      ImapProbe.Reply select = imap.command("SELECT INBOX", true);
      for (String line : select.untagged()) {
        Matcher m = EXISTS.matcher(line);
        if (m.find()) {
          imap.command("LOGOUT", false);
          return Long.parseLong(m.group(1));
        }
      }
      throw new IOException("no EXISTS in " + select.untagged());
    }
  }
}
