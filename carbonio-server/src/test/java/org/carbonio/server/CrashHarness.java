package org.carbonio.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.carbonio.directory.EmbeddedDirectory;
import org.carbonio.store.CheckOptions;
import org.carbonio.store.CheckReport;
import org.carbonio.store.MailStore;
import org.carbonio.store.Mailbox;
import org.carbonio.store.MessageInfo;

/**
 * SMTP load at a server that is killed with SIGKILL again and again, for the crash tests: {@link
 * CrashSafetyTest} and {@link MtaCrashTest}. The server starts {@code kills + 1} times; each run,
 * {@code senders} virtual threads send through {@link RawSmtp} until a random number of messages is
 * acknowledged, then the server is killed (the last run stops cleanly instead). What the tests vary
 * (the messages, the recipients, the server's flags, what to check) are parameters.
 *
 * <p>Not thread-safe: one per test; {@link #attempted()} and {@link #acknowledged()} are safe to
 * read from the senders.
 */
final class CrashHarness {

  /** The server JVM starts {@code kills + 1} times: C1 only and the serial GC start it faster. */
  private static final List<String> FAST_START =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  /** A message sent (or being sent) and to whom. */
  record Sent(String token, List<String> recipients, byte[] content) {}

  /** Called in each run once its senders have stopped, before the server stops. */
  @FunctionalInterface
  interface AfterRun {
    /**
     * @return more to print in the run's line, e.g. {@code ", 12 at the sink"}, or ""
     */
    String after(int kill, boolean last) throws Exception;
  }

  /** One server run: its SMTP port, and when to kill it. */
  private static final class Run {
    final int port;
    final int killAfter;
    final AtomicInteger acked = new AtomicInteger();
    final CountDownLatch killNow = new CountDownLatch(1);
    final AtomicBoolean over = new AtomicBoolean();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();

    Run(int port, int killAfter) {
      this.port = port;
      this.killAfter = killAfter;
    }
  }

  private final Path data;
  private final int kills;
  private final int senders;
  private final BiFunction<String, Random, Sent> messages;
  private final Map<String, Sent> attempted = new ConcurrentHashMap<>();
  private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

  /**
   * @param data the server's data directory
   * @param messages the message for a token (unique per message), drawn with the sender's random
   */
  CrashHarness(Path data, int kills, int senders, BiFunction<String, Random, Sent> messages) {
    this.data = data;
    this.kills = kills;
    this.senders = senders;
    this.messages = messages;
  }

  /** Every message a sender started to send, by token. */
  Map<String, Sent> attempted() {
    return attempted;
  }

  /** The tokens of the messages the server acknowledged with 250 after DATA. */
  Set<String> acknowledged() {
    return acknowledged;
  }

  /**
   * Creates the domain and its accounts before the first start: no SMTP session here authenticates.
   */
  void createAccounts(String domain, List<String> accounts) throws Exception {
    try (EmbeddedDirectory directory = E2E.cheapDirectory(data)) {
      directory.createDomain(domain);
      for (String account : accounts) {
        directory.createAccount(account, "Secret-" + account);
      }
    }
  }

  /**
   * Starts the server with {@code flags} {@code kills + 1} times under load; all runs but the last
   * end with a SIGKILL, the last one with a clean stop (SIGTERM: the shutdown hook closes the
   * store). At least {@code kills + 10} messages are acknowledged in all.
   */
  void run(long seed, List<String> flags, AfterRun afterRun) throws Exception {
    Random random = new Random(seed);
    long t0 = System.nanoTime();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int kill = 0; kill <= kills; kill++) {
        try (ServerProcess server =
            ServerProcess.start(data, FAST_START, flags.toArray(String[]::new))) {
          boolean last = kill == kills;
          Run run = new Run(server.port("smtp"), last ? 10 : 1 + random.nextInt(40));
          List<Future<?>> running = new ArrayList<>();
          for (int s = 0; s < senders; s++) {
            long senderSeed = random.nextLong();
            String prefix = "t" + kill + "-" + s + "-";
            running.add(
                pool.submit(
                    () -> {
                      try {
                        return send(run, prefix, new Random(senderSeed));
                      } catch (IOException | RuntimeException | Error e) {
                        run.failures.add(e);
                        run.killNow.countDown(); // fail fast instead of waiting for the latch
                        throw e;
                      }
                    }));
          }
          assertThat(run.killNow.await(60, TimeUnit.SECONDS))
              .as("%d acknowledgements in run %d (seed %d)", run.killAfter, kill, seed)
              .isTrue();
          assertThat(run.failures).as("sender failures in run %d (seed %d)", kill, seed).isEmpty();
          if (!last) {
            server.kill(); // SIGKILL, while the other senders are mid-transaction
          }
          run.over.set(true);
          for (Future<?> f : running) {
            f.get(60, TimeUnit.SECONDS);
          }
          String more = afterRun.after(kill, last);
          System.out.printf(
              "run %d: %d acknowledged, %d in total%s, %d ms since the test started%n",
              kill,
              run.acked.get(),
              acknowledged.size(),
              more,
              (System.nanoTime() - t0) / 1_000_000);
        }
      }
    }
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(kills + 10);
  }

  /** Sends messages until the run is over; records each acknowledged one. */
  private Void send(Run run, String prefix, Random random) throws IOException {
    for (int n = 0; !run.over.get(); ) {
      try (RawSmtp smtp = new RawSmtp(run.port)) {
        while (!run.over.get()) {
          Sent sent = messages.apply(prefix + n++, random);
          attempted.put(sent.token(), sent);
          // the 250 after the data: RFC 5321 §4.1.1.4, the message is ours now
          smtp.send("loader@example.org", sent.recipients(), sent.content());
          acknowledged.add(sent.token());
          if (run.acked.incrementAndGet() == run.killAfter) {
            run.killNow.countDown();
          }
        }
        smtp.command("QUIT", "221");
      } catch (IOException e) {
        if (!run.over.get() && run.killNow.getCount() > 0) {
          throw e; // the server is supposed to be up
        }
      }
    }
    return null;
  }

  /**
   * Checks the stopped server's store (content included: no lost blob, no leaked blob, right
   * reference counts) and that each message in an account's INBOX is one this test sent to that
   * account, stored whole.
   *
   * @param token finds a message's token (group 1) in its stored content
   * @return how many copies of each token each account holds: token → account → count
   */
  Map<String, Map<String, Integer>> storedCopies(List<String> accounts, Pattern token, long seed)
      throws Exception {
    Map<String, String> ids = new HashMap<>();
    try (EmbeddedDirectory directory = EmbeddedDirectory.open(data.resolve("directory"))) {
      for (String account : accounts) {
        ids.put(account, directory.findAccount(account).orElseThrow().id());
      }
    }
    try (MailStore store = MailStore.open(data.resolve("store"))) {
      CheckReport report = store.check(CheckOptions.DEFAULTS.withVerifyContent(true));
      assertThat(report.findings()).as("store check (seed %d)", seed).isEmpty();
      Map<String, Map<String, Integer>> copies = new HashMap<>();
      for (String account : accounts) {
        Mailbox box = store.mailbox(ids.get(account));
        for (MessageInfo m : box.snapshot("INBOX").messages()) {
          byte[] stored = box.read("INBOX", m.uid());
          Matcher matcher = token.matcher(new String(stored, ISO_8859_1));
          assertThat(matcher.find()).as("a message this test sent").isTrue();
          String found = matcher.group(1);
          Sent sent = attempted.get(found);
          assertThat(sent).as("token %s was sent", found).isNotNull();
          assertThat(sent.recipients()).as("recipients of %s", found).contains(account);
          E2E.assertStoredAsSent(stored, sent.content()); // never partial
          copies.computeIfAbsent(found, k -> new HashMap<>()).merge(account, 1, Integer::sum);
        }
      }
      return copies;
    }
  }
}
