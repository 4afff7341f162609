package org.carbonio.benchmarks.load;

import static org.carbonio.benchmarks.load.LoadSupport.arg;
import static org.carbonio.benchmarks.load.LoadSupport.deleteTree;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import javax.net.ssl.SSLContext;
import org.carbonio.store.FolderStatus;
import org.carbonio.store.ImportMessage;
import org.carbonio.store.MailStore;
import org.carbonio.store.Mailbox;

/**
 * One IMAP mailbox of a million messages served by the reference server: imports the messages
 * through the store API ({@link Mailbox#importMessages}, the server stopped), then starts the
 * server with a fixed heap and measures over a real IMAP socket (implicit TLS) LOGIN, SELECT INBOX,
 * {@code FETCH 1:* (FLAGS)} and {@code UID FETCH} of 100 consecutive UIDs in the middle (metadata,
 * and {@code BODY.PEEK[HEADER]}), each repeated, with the server's heap after a full GC while the
 * mailbox is selected. It does this at each size of {@code --counts}, growing the one mailbox. Each
 * server start is followed by two uncounted warm-up rounds of the same commands.
 *
 * <pre>
 * ./carbonio build
 * java -cp benchmarks/target/benchmarks.jar org.carbonio.benchmarks.load.BigMailboxLoad \
 *     [--counts 10000,100000,1000000] [--repeat 5] [--xmx 256m] [--work target/bigbox-load] \
 *     [--server-jar carbonio-server/target/carbonio-server.jar] [--jvm "-XX:..."] [--reuse]
 * </pre>
 *
 * <p>{@code --reuse} measures the mailbox a previous run left (its size is the first count).
 *
 * <p>The messages: 1,000 distinct ones of about 2 KB, cycled, with flag and keyword patterns that
 * vary per message (90% seen). Needs {@code jcmd} next to {@code java}.
 *
 * <p>Not thread-safe: a command-line program.
 */
public final class BigMailboxLoad {
  private BigMailboxLoad() {}

  /** Medians in milliseconds at one mailbox size, and heap figures in bytes. */
  record Result(
      long messages,
      double importSeconds,
      double select,
      double fetchAllFlags,
      double uidFetchMeta,
      double uidFetchHeader,
      long heapIdle,
      long heapSelected,
      long heapTwoSessions,
      double[] cpu) {}

  public static void main(String[] args) throws Exception {
    long[] counts =
        Arrays.stream(arg(args, "--counts", "10000,100000,1000000").split(","))
            .mapToLong(Long::parseLong)
            .sorted()
            .toArray();
    int repeat = Integer.parseInt(arg(args, "--repeat", "5"));
    String xmx = arg(args, "--xmx", "256m");
    Path work = Path.of(arg(args, "--work", "target/bigbox-load")).toAbsolutePath();
    Path jar = Path.of(arg(args, "--server-jar", "carbonio-server/target/carbonio-server.jar"));
    String extra = arg(args, "--jvm", "");
    List<String> jvm = new ArrayList<>(List.of("-Xmx" + xmx, "-Xms" + xmx));
    if (!extra.isEmpty()) jvm.addAll(List.of(extra.split(" ")));
    List<Result> results =
        args.length > 0 && Arrays.asList(args).contains("--reuse")
            ? List.of(measure(jar, work.resolve("data"), counts[0], repeat, jvm, 0))
            : run(work, jar, counts, repeat, jvm);
    System.out.println();
    System.out.println(
        "Wall-clock medians in ms over a real IMAP socket; in parentheses the server's CPU ms per"
            + " command (mean, from /proc, 10 ms ticks).");
    System.out.println(
        "| messages | import s | SELECT ms | FETCH 1:* (FLAGS) ms | UID FETCH 100 meta ms"
            + " | UID FETCH 100 BODY.PEEK[HEADER] ms | heap idle MB | heap 1 session MB"
            + " | heap 2 sessions MB |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (Result r : results) {
      System.out.printf(
          Locale.ROOT,
          "| %,d | %.0f | %.0f (%.0f) | %.0f (%.0f) | %.1f (%.1f) | %.1f (%.1f) | %.1f | %.1f | %.1f"
              + " |%n",
          r.messages(),
          r.importSeconds(),
          r.select(),
          r.cpu()[0],
          r.fetchAllFlags(),
          r.cpu()[1],
          r.uidFetchMeta(),
          r.cpu()[2],
          r.uidFetchHeader(),
          r.cpu()[3],
          r.heapIdle() / 1e6,
          r.heapSelected() / 1e6,
          r.heapTwoSessions() / 1e6);
    }
  }

  /** Message {@code i} of the generated mailbox. */
  static ImportMessage message(long i) {
    int body = (int) (i % 1000);
    StringBuilder sb = new StringBuilder(2200);
    sb.append("From: Sender ")
        .append(body)
        .append(" <sender")
        .append(body)
        .append("@example.org>\r\n")
        .append("To: big@bigbox.test\r\n")
        .append("Subject: message body ")
        .append(body)
        .append("\r\nDate: Mon, 2 Jan 2006 15:04:05 +0000\r\n")
        .append("Message-ID: <")
        .append(body)
        .append("@example.org>\r\n\r\n");
    while (sb.length() < 2048) {
      sb.append("Line of text number ").append(sb.length()).append(" of body ").append(body);
      sb.append("\r\n");
    }
    Set<String> flags = new TreeSet<>();
    if (i % 10 != 0) flags.add("\\Seen");
    if (i % 7 == 0) flags.add("\\Answered");
    if (i % 17 == 0) flags.add("\\Flagged");
    if (i % 13 == 0) flags.add("$Label1");
    if (i % 29 == 0) flags.add("$Work");
    return new ImportMessage(
        new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.US_ASCII)),
        flags,
        Instant.ofEpochSecond(1_600_000_000L + i * 60));
  }

  /** Messages {@code from} (inclusive) to {@code to} (exclusive). */
  static Iterator<ImportMessage> messages(long from, long to) {
    return LongStream.range(from, to).mapToObj(BigMailboxLoad::message).iterator();
  }

  static List<Result> run(Path work, Path jar, long[] counts, int repeat, List<String> jvm)
      throws Exception {
    deleteTree(work);
    Path data = work.resolve("data");
    String id;
    try (CarbonioProcess server = CarbonioProcess.start(jar, data, "bigbox.test", jvm)) {
      id = server.createAccount("big@bigbox.test", "big-Secret-123");
    }
    List<Result> results = new ArrayList<>();
    long have = 0;
    for (long n : counts) {
      long start = System.nanoTime();
      try (MailStore store = MailStore.open(data.resolve("store"))) {
        Mailbox box = store.mailbox(id);
        box.importMessages("INBOX", messages(have, n));
        FolderStatus st = box.status("INBOX");
        if (st.messages() != n) throw new IllegalStateException("imported " + st.messages());
      }
      double importSeconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "imported %,d messages in %.0f s%n", n - have, importSeconds);
      have = n;
      results.add(measure(jar, data, n, repeat, jvm, importSeconds));
    }
    return results;
  }

  private static Result measure(
      Path jar, Path data, long n, int repeat, List<String> jvm, double importSeconds)
      throws Exception {
    try (CarbonioProcess server = CarbonioProcess.start(jar, data, "bigbox.test", jvm)) {
      SSLContext tls = ImapProbe.trusting(data.resolve("tls").resolve("cert.pem"));
      long heapIdle = heapAfterGc(server.pid());
      double[] select = new double[repeat];
      double[] all = new double[repeat];
      double[] meta = new double[repeat];
      double[] header = new double[repeat];
      double[] cpu = new double[4];
      long heapSelected;
      long heapTwo;
      try (ImapProbe imap = new ImapProbe(tls, server.port("imaps"))) {
        expectOk(imap.command("LOGIN big@bigbox.test big-Secret-123", false));
        long mid = n / 2;
        String range = mid + ":" + (mid + 99);
        for (int w = 0; w < WARMUP; w++) { // JIT warm-up, not counted
          expectOk(imap.command("SELECT INBOX", false));
          expectOk(imap.command("FETCH 1:* (FLAGS)", false));
          expectOk(imap.command("UID FETCH 1:1000 (FLAGS UID RFC822.SIZE INTERNALDATE)", false));
          expectOk(imap.command("UID FETCH 1:1000 (BODY.PEEK[HEADER])", false));
        }
        for (int r = 0; r < repeat; r++) {
          double c0 = ProcessCpu.cpu(server.pid()).total();
          ImapProbe.Reply s = expectOk(imap.command("SELECT INBOX", true));
          double c1 = ProcessCpu.cpu(server.pid()).total();
          if (s.count("* " + n + " EXISTS") != 1)
            throw new IllegalStateException(String.valueOf(s.untagged()));
          select[r] = s.nanos() / 1e6;
          ImapProbe.Reply f = expectOk(imap.command("FETCH 1:* (FLAGS)", false));
          double c2 = ProcessCpu.cpu(server.pid()).total();
          if (f.fetches() != n) throw new IllegalStateException("FETCH gave " + f);
          all[r] = f.nanos() / 1e6;
          ImapProbe.Reply u =
              expectOk(
                  imap.command(
                      "UID FETCH " + range + " (FLAGS UID RFC822.SIZE INTERNALDATE)", false));
          if (u.fetches() != 100) throw new IllegalStateException("UID FETCH gave " + u);
          meta[r] = u.nanos() / 1e6;
          double c3 = ProcessCpu.cpu(server.pid()).total();
          ImapProbe.Reply h =
              expectOk(imap.command("UID FETCH " + range + " (BODY.PEEK[HEADER])", false));
          if (h.fetches() != 100) throw new IllegalStateException("HEADER gave " + h);
          header[r] = h.nanos() / 1e6;
          double c4 = ProcessCpu.cpu(server.pid()).total();
          cpu[0] += (c1 - c0) * 1000 / repeat;
          cpu[1] += (c2 - c1) * 1000 / repeat;
          cpu[2] += (c3 - c2) * 1000 / repeat;
          cpu[3] += (c4 - c3) * 1000 / repeat;
        }
        heapSelected = heapAfterGc(server.pid()); // the session still has INBOX selected
        try (ImapProbe second = new ImapProbe(tls, server.port("imaps"))) {
          expectOk(second.command("LOGIN big@bigbox.test big-Secret-123", false));
          expectOk(second.command("SELECT INBOX", false));
          heapTwo = heapAfterGc(server.pid()); // two sessions with INBOX selected
          second.command("LOGOUT", false);
        }
        imap.command("LOGOUT", false);
      }
      return new Result(
          n,
          importSeconds,
          median(select),
          median(all),
          median(meta),
          median(header),
          heapIdle,
          heapSelected,
          heapTwo,
          cpu);
    }
  }

  private static ImapProbe.Reply expectOk(ImapProbe.Reply r) {
    if (!r.tagged().contains(" OK")) throw new IllegalStateException(r.tagged());
    return r;
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** Rounds of the measured commands run first and not counted (the server's JIT warms up). */
  private static final int WARMUP = 2;

  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  /** Heap in use after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}). */
  static long heapAfterGc(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = USED.matcher(info);
    if (!m.find()) throw new IOException("no heap figure in " + info);
    return Long.parseLong(m.group(1)) * 1024;
  }

  static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("jcmd " + command + " failed: " + out);
    }
    return out;
  }
}
