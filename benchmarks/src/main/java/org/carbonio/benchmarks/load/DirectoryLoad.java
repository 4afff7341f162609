package org.carbonio.benchmarks.load;

import static org.carbonio.benchmarks.load.LoadSupport.arg;
import static org.carbonio.benchmarks.load.LoadSupport.deleteTree;
import static org.carbonio.benchmarks.load.LoadSupport.intArg;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldif.LDIFException;
import com.unboundid.ldif.LDIFReader;
import com.unboundid.ldif.LDIFWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.carbonio.directory.Account;
import org.carbonio.directory.DirectoryLimits;
import org.carbonio.directory.EmbeddedDirectory;
import org.carbonio.directory.internal.LdapLayout;
import org.carbonio.directory.internal.PasswordHasher;
import org.carbonio.directory.internal.SnapshotFile;
import org.carbonio.directory.testkit.SlapdServer;

/**
 * Logins and recipient lookups per second through the directory API ({@link EmbeddedDirectory}),
 * side by side with a private OpenLDAP slapd holding the same accounts, in the same run (issue 5).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.carbonio.benchmarks.load.DirectoryLoad \
 *     [--accounts 10000] [--threads 10] [--warmup 10] [--seconds 10] [--rounds 3]
 *     [--iterations 1000] [--dir target/directory-load]
 * </pre>
 *
 * <p>Setup: accounts {@code user<i>@bench.example} with password {@code Bench-<i>-secret}. The
 * embedded directory gets one account through the API; the others are added to its LDIF snapshot
 * while it is closed (the documented import path), each with its own PBKDF2-SHA512 hash at {@code
 * --iterations} (1,000 by default instead of 210,000, so that setup takes seconds, not half an
 * hour; a cache-hit login runs no PBKDF2 at all). slapd ({@link SlapdServer}, suffix {@code
 * o=carbonio} with the carbonio schema, no fsync) gets the very same entries by LDAP add, except
 * that {@code userPassword} is {@code {SSHA}}, slapd's usual fast scheme.
 *
 * <p>Workloads, each with {@code --threads} threads picking random accounts, each measured for
 * {@code --seconds} in every round, the sides alternating: logins (embedded {@code authenticate}
 * with the verified-login cache warm; slapd search of the DN by {@code mail} then a simple bind, on
 * per-thread persistent connections as a mail server's LDAP authentication does; slapd bind with a
 * known DN), cold logins (embedded, login cache off: one PBKDF2 per login), and recipient lookups
 * (embedded {@code findAccount} with the lookup cache off and warm; slapd equality search {@code
 * (mail=…)} returning the entry).
 *
 * <p>CPU: the embedded directory works on the caller's thread, so its CPU per operation is the
 * worker threads' CPU time; the whole JVM's CPU (with GC and JIT) is shown too. slapd's is its
 * process CPU from {@code /proc/<pid>/stat}; the JVM's CPU on the slapd side is the LDAP client's
 * work. Exits with status 1 if any operation failed or returned a wrong answer; missed targets are
 * only reported.
 *
 * <p>Not thread-safe: one run at a time per work directory.
 */
public final class DirectoryLoad {
  static final String DOMAIN = "bench.example";

  private DirectoryLoad() {}

  /** A side of a workload. */
  enum Side {
    EMBEDDED,
    SLAPD
  }

  /** The workloads, in the order each round runs them. */
  enum Workload {
    LOGIN_CACHED(Side.EMBEDDED, "login, cache hit"),
    LOGIN_SEARCH_BIND(Side.SLAPD, "login, search mail + bind"),
    LOGIN_BIND_DN(Side.SLAPD, "login, bind known DN"),
    LOGIN_COLD(Side.EMBEDDED, "login, cold (PBKDF2)"),
    LOOKUP_COLD(Side.EMBEDDED, "lookup, cache off"),
    LOOKUP_WARM(Side.EMBEDDED, "lookup, cache warm"),
    LOOKUP_SEARCH(Side.SLAPD, "lookup, search (mail=)");

    final Side side;
    final String label;

    Workload(Side side, String label) {
      this.side = side;
      this.label = label;
    }
  }

  /**
   * One timed run of a workload: operations done, failed ones, wall seconds, CPU seconds of the
   * directory (worker threads, or slapd) and of the whole JVM.
   */
  record Result(
      Workload workload,
      long ops,
      long errors,
      double seconds,
      double directoryCpu,
      double jvmCpu,
      String firstError) {
    double perSecond() {
      return ops / seconds;
    }

    double directoryMicrosPerOp() {
      return directoryCpu * 1e6 / Math.max(1, ops);
    }

    double jvmMicrosPerOp() {
      return jvmCpu * 1e6 / Math.max(1, ops);
    }

    Result plus(Result o) {
      return new Result(
          workload,
          ops + o.ops,
          errors + o.errors,
          seconds + o.seconds,
          directoryCpu + o.directoryCpu,
          jvmCpu + o.jvmCpu,
          firstError != null ? firstError : o.firstError);
    }
  }

  /** Options of a run. */
  record Options(
      int accounts, int threads, int warmupSeconds, int seconds, int rounds, int iterations) {}

  public static void main(String[] args) throws Exception {
    Options o =
        new Options(
            intArg(args, "--accounts", 10_000),
            intArg(args, "--threads", 10),
            intArg(args, "--warmup", 10),
            intArg(args, "--seconds", 10),
            intArg(args, "--rounds", 3),
            intArg(args, "--iterations", 1_000));
    Path dir = Path.of(arg(args, "--dir", "target/directory-load")).toAbsolutePath();
    Map<Workload, Result> totals = run(dir, o, System.out);
    long errors = totals.values().stream().mapToLong(Result::errors).sum();
    System.exit(errors == 0 ? 0 : 1);
  }

  static String address(int i) {
    return "user" + i + "@" + DOMAIN;
  }

  static String password(int i) {
    return "Bench-" + i + "-secret";
  }

  /**
   * Sets up both directories in {@code dir} (emptied first), runs every workload {@code rounds}
   * times and prints the table.
   *
   * @return the totals over the rounds, per workload
   */
  static Map<Workload, Result> run(Path dir, Options o, PrintStream out) throws Exception {
    deleteTree(dir);
    Files.createDirectories(dir);
    out.printf(
        Locale.ROOT,
        "setup: %,d accounts, PBKDF2-SHA512 at %,d iterations (embedded), {SSHA} (slapd)%n",
        o.accounts(),
        o.iterations());
    long t0 = System.nanoTime();
    List<Entry> entries = buildEmbedded(dir.resolve("embedded"), o);
    // A second data directory with the same entries, for the instance without caches.
    Files.createDirectories(dir.resolve("uncached"));
    Files.copy(
        dir.resolve("embedded").resolve(SnapshotFile.SNAPSHOT),
        dir.resolve("uncached").resolve(SnapshotFile.SNAPSHOT));
    DirectoryLimits base =
        DirectoryLimits.DEFAULTS
            .withPbkdf2Iterations(o.iterations())
            // every login succeeds, but raise the brute-force limits so they can never interfere
            .withMaxFailuresPerAccountAndClient(1_000_000)
            .withMaxFailuresPerAccount(1_000_000)
            .withMaxFailuresPerClient(1_000_000)
            .withMaxTrackedKeys(
                Math.max(DirectoryLimits.DEFAULT_MAX_TRACKED_KEYS, 2 * o.accounts()));
    ExecutorService pool = Executors.newFixedThreadPool(o.threads());
    Path slapdDir = dir.resolve("slapd");
    try (EmbeddedDirectory cached =
            EmbeddedDirectory.builder()
                .dataDir(dir.resolve("embedded"))
                // longer than the run, so that no cached login expires during it
                .limits(base.withLoginCacheTtl(Duration.ofHours(1)))
                .build();
        EmbeddedDirectory uncached =
            EmbeddedDirectory.builder()
                .dataDir(dir.resolve("uncached"))
                .limits(base.withLoginCacheTtl(Duration.ZERO).withLookupCache(false))
                .build();
        SlapdServer slapd = SlapdServer.builder(slapdDir, LdapLayout.BASE).start()) {
      loadSlapd(slapd, entries, o.accounts());
      out.printf(
          Locale.ROOT,
          "setup took %.1f s; slapd %s pid %d%n",
          (System.nanoTime() - t0) / 1e9,
          slapd.url(),
          slapd.pid());
      List<LDAPConnection> searchConns = new ArrayList<>();
      List<LDAPConnection> bindConns = new ArrayList<>();
      try {
        for (int k = 0; k < o.threads(); k++) {
          searchConns.add(slapd.connection()); // bound as the root DN, like a service account
          bindConns.add(new LDAPConnection(slapd.host(), slapd.port()));
        }
        Bench b = new Bench(o, pool, cached, uncached, slapd, searchConns, bindConns);
        b.warm(out);
        Map<Workload, Result> totals = new LinkedHashMap<>();
        for (int r = 1; r <= o.rounds(); r++) {
          for (Workload w : Workload.values()) {
            Result res = b.measure(w, o.seconds());
            totals.merge(w, res, Result::plus);
            out.printf(
                Locale.ROOT,
                "round %d  %-28s %-8s %,12.0f ops/s %9.1f µs CPU/op%s%n",
                r,
                w.label,
                w.side.name().toLowerCase(Locale.ROOT),
                res.perSecond(),
                res.directoryMicrosPerOp(),
                res.errors() == 0 ? "" : "  ERRORS " + res.errors() + ": " + res.firstError());
          }
        }
        print(out, o, totals);
        return totals;
      } finally {
        for (LDAPConnection c : searchConns) {
          c.close();
        }
        for (LDAPConnection c : bindConns) {
          c.close();
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- setup ----

  /**
   * Creates the embedded directory with the domain and {@code user0} through the API, then adds the
   * other accounts to its snapshot while it is closed.
   *
   * @return every entry of the directory, for slapd
   */
  static List<Entry> buildEmbedded(Path data, Options o) throws Exception {
    DirectoryLimits limits = DirectoryLimits.DEFAULTS.withPbkdf2Iterations(o.iterations());
    try (EmbeddedDirectory d = EmbeddedDirectory.builder().dataDir(data).limits(limits).build()) {
      d.createDomain(DOMAIN);
      d.createAccount(address(0), password(0));
    }
    Path snapshot = data.resolve(SnapshotFile.SNAPSHOT);
    List<Entry> entries = readLdif(snapshot);
    Entry template =
        entries.stream()
            .filter(e -> address(0).equals(e.getAttributeValue("mail")))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("user0 not in " + snapshot));
    DN people = template.getParsedDN().getParent();
    PasswordHasher hasher = new PasswordHasher(o.iterations(), o.iterations());
    List<Entry> added =
        IntStream.range(1, o.accounts())
            .parallel()
            .mapToObj(i -> account(template, people, i, hasher.hash(password(i))))
            .toList();
    try (LDIFWriter w =
        new LDIFWriter(Files.newOutputStream(snapshot, StandardOpenOption.APPEND))) {
      for (Entry e : added) {
        w.writeEntry(e);
      }
    }
    List<Entry> all = new ArrayList<>(entries);
    all.addAll(added);
    return all;
  }

  private static Entry account(Entry template, DN people, int i, String hash) {
    Entry e = template.duplicate();
    e.setDN(new DN(new RDN("uid", "user" + i), people));
    e.setAttribute("uid", "user" + i);
    e.setAttribute("sn", "user" + i);
    e.setAttribute("mail", address(i));
    e.setAttribute("cn", address(i));
    e.setAttribute(LdapLayout.AT_PASSWORD, hash);
    e.setAttribute(LdapLayout.AT_ID, UUID.randomUUID().toString());
    return e;
  }

  private static List<Entry> readLdif(Path file) throws IOException {
    List<Entry> out = new ArrayList<>();
    try (LDIFReader r = new LDIFReader(file.toFile())) {
      for (Entry e = r.readEntry(); e != null; e = r.readEntry()) {
        out.add(e);
      }
    } catch (LDIFException e) {
      throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Adds the entries (but the suffix, which the server creates) with {@code {SSHA}} passwords,
   * parents first, the accounts by four connections at once.
   */
  static void loadSlapd(SlapdServer slapd, List<Entry> entries, int accounts) throws Exception {
    SecureRandom random = new SecureRandom();
    List<Entry> ready = new ArrayList<>();
    for (Entry e : entries) {
      if (e.getParsedDN().equals(new DN(LdapLayout.BASE))) {
        continue;
      }
      Entry c = e.duplicate();
      String mail = c.getAttributeValue("mail");
      if (c.hasAttribute(LdapLayout.AT_PASSWORD) && mail != null) {
        int i = Integer.parseInt(mail.substring(4, mail.indexOf('@')));
        byte[] salt = new byte[8];
        random.nextBytes(salt);
        c.setAttribute(LdapLayout.AT_PASSWORD, PasswordHasher.salted("SSHA", password(i), salt));
      }
      ready.add(c);
    }
    ready.sort(Comparator.comparingInt(DirectoryLoad::depth));
    List<Entry> inner = ready.stream().filter(e -> !e.hasAttribute("mail")).toList();
    List<Entry> leaves = ready.stream().filter(e -> e.hasAttribute("mail")).toList();
    try (LDAPConnection c = slapd.connection()) {
      for (Entry e : inner) {
        c.add(e);
      }
    }
    int n = 4;
    ExecutorService loaders = Executors.newFixedThreadPool(n);
    try {
      List<Future<Void>> fs = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        int first = k;
        fs.add(
            loaders.submit(
                () -> {
                  try (LDAPConnection c = slapd.connection()) {
                    for (int j = first; j < leaves.size(); j += n) {
                      c.add(leaves.get(j));
                    }
                  }
                  return null;
                }));
      }
      for (Future<Void> f : fs) {
        f.get();
      }
    } finally {
      loaders.shutdownNow();
    }
    try (LDAPConnection c = slapd.connection()) {
      SearchResult r =
          c.search(LdapLayout.BASE, SearchScope.SUB, "(objectClass=carbonioAccount)", "1.1");
      if (r.getEntryCount() != accounts) {
        throw new IllegalStateException(
            "slapd holds " + r.getEntryCount() + " accounts, expected " + accounts);
      }
    }
  }

  private static int depth(Entry e) {
    try {
      return e.getParsedDN().getRDNs().length;
    } catch (LDAPException x) {
      throw new IllegalArgumentException("bad DN " + e.getDN(), x);
    }
  }

  // ---- measuring ----

  /** One operation by worker {@code k} on account {@code i}; returns null or what went wrong. */
  @FunctionalInterface
  interface Op {
    String run(int k, int i) throws Exception;
  }

  private static final class Bench {
    private final Options o;
    private final ExecutorService pool;
    private final EmbeddedDirectory cached;
    private final EmbeddedDirectory uncached;
    private final SlapdServer slapd;
    private final List<LDAPConnection> searchConns;
    private final List<LDAPConnection> bindConns;
    private final List<InetAddress> clients = new ArrayList<>();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
        ManagementFactory.getPlatformMXBean(com.sun.management.OperatingSystemMXBean.class);

    Bench(
        Options o,
        ExecutorService pool,
        EmbeddedDirectory cached,
        EmbeddedDirectory uncached,
        SlapdServer slapd,
        List<LDAPConnection> searchConns,
        List<LDAPConnection> bindConns)
        throws UnknownHostException {
      this.o = o;
      this.pool = pool;
      this.cached = cached;
      this.uncached = uncached;
      this.slapd = slapd;
      this.searchConns = searchConns;
      this.bindConns = bindConns;
      for (int k = 0; k < o.threads(); k++) {
        // RFC 5737 TEST-NET-1: one client address per worker
        clients.add(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) (k + 1)}));
      }
    }

    /** Fills the caches (every account logs in and is looked up once), then a short warm-up. */
    void warm(PrintStream out) throws Exception {
      long t0 = System.nanoTime();
      Result fill =
          sweep(
              (k, i) -> {
                String a = login(cached, k, i);
                return a != null ? a : lookup(cached, i);
              });
      Result slapdFill = sweep(this::searchAndBind);
      out.printf(
          Locale.ROOT,
          "caches filled (%,d logins and lookups, %,d slapd logins) in %.1f s%n",
          fill.ops(),
          slapdFill.ops(),
          (System.nanoTime() - t0) / 1e9);
      if (fill.errors() + slapdFill.errors() > 0) {
        throw new IllegalStateException(
            "setup check failed: "
                + (fill.firstError() != null ? fill.firstError() : slapdFill.firstError()));
      }
      if (o.warmupSeconds() > 0) {
        for (Workload w : Workload.values()) {
          measure(w, o.warmupSeconds());
        }
      }
    }

    Result measure(Workload w, int seconds) throws Exception {
      Op op =
          switch (w) {
            case LOGIN_CACHED -> (k, i) -> login(cached, k, i);
            case LOGIN_COLD -> (k, i) -> login(uncached, k, i);
            case LOGIN_SEARCH_BIND -> this::searchAndBind;
            case LOGIN_BIND_DN -> this::bindDn;
            case LOOKUP_COLD -> (k, i) -> lookup(uncached, i);
            case LOOKUP_WARM -> (k, i) -> lookup(cached, i);
            case LOOKUP_SEARCH -> this::search;
          };
      return timed(w, op, seconds);
    }

    private String login(EmbeddedDirectory d, int k, int i) {
      Optional<Account> a = d.authenticate(address(i), password(i), clients.get(k));
      if (a.isEmpty() || !a.get().address().equals(address(i))) {
        return "login of " + address(i) + " failed: " + a;
      }
      return null;
    }

    private static String lookup(EmbeddedDirectory d, int i) {
      Optional<Account> a = d.findAccount(address(i));
      if (a.isEmpty() || !a.get().address().equals(address(i))) {
        return "lookup of " + address(i) + " returned " + a;
      }
      return null;
    }

    /** What a mail server does: find the DN by mail (service connection), then bind as it. */
    private String searchAndBind(int k, int i) throws LDAPException {
      SearchResult r =
          searchConns
              .get(k)
              .search(LdapLayout.BASE, SearchScope.SUB, "(mail=" + address(i) + ")", "1.1");
      if (r.getEntryCount() != 1) {
        return "search for " + address(i) + " found " + r.getEntryCount();
      }
      bindConns.get(k).bind(r.getSearchEntries().get(0).getDN(), password(i));
      return null; // a failed bind throws
    }

    private String bindDn(int k, int i) throws LDAPException {
      bindConns
          .get(k)
          .bind(
              "uid=user" + i + ",ou=people,ou=" + DOMAIN + ",ou=domains," + LdapLayout.BASE,
              password(i));
      return null;
    }

    private String search(int k, int i) throws LDAPException {
      SearchResult r =
          searchConns
              .get(k)
              .search(
                  new SearchRequest(
                      LdapLayout.BASE, SearchScope.SUB, "(mail=" + address(i) + ")", "*"));
      List<SearchResultEntry> es = r.getSearchEntries();
      if (es.size() != 1 || !address(i).equals(es.get(0).getAttributeValue("mail"))) {
        return "search for " + address(i) + " found " + es.size();
      }
      Attribute id = es.get(0).getAttribute(LdapLayout.AT_ID);
      return id == null ? "no " + LdapLayout.AT_ID + " in " + es.get(0).getDN() : null;
    }

    /** Every account once, split over the workers. */
    private Result sweep(Op op) throws Exception {
      return runWorkers(
          null,
          k -> {
            long[] c = new long[2];
            String[] first = new String[1];
            for (int i = k; i < o.accounts(); i += o.threads()) {
              count(op, k, i, c, first);
            }
            return new Tally(c[0], c[1], first[0]);
          });
    }

    private Result timed(Workload w, Op op, int seconds) throws Exception {
      long deadline = System.nanoTime() + seconds * 1_000_000_000L;
      return runWorkers(
          w,
          k -> {
            long[] c = new long[2];
            String[] first = new String[1];
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            while (System.nanoTime() < deadline) {
              count(op, k, rnd.nextInt(o.accounts()), c, first);
            }
            return new Tally(c[0], c[1], first[0]);
          });
    }

    private static void count(Op op, int k, int i, long[] c, String[] first) {
      String err;
      try {
        err = op.run(k, i);
      } catch (Exception e) {
        err = e.toString();
      }
      c[0]++;
      if (err != null) {
        c[1]++;
        if (first[0] == null) {
          first[0] = err;
        }
      }
    }

    private record Tally(long ops, long errors, String firstError) {}

    @FunctionalInterface
    private interface Worker {
      Tally work(int k) throws Exception;
    }

    private Result runWorkers(Workload w, Worker worker) throws Exception {
      CountDownLatch ready = new CountDownLatch(o.threads());
      CountDownLatch go = new CountDownLatch(1);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Future<long[]>> fs = new ArrayList<>();
      List<Tally> tallies = new ArrayList<>();
      for (int k = 0; k < o.threads(); k++) {
        int id = k;
        fs.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  long cpu0 = threads.getCurrentThreadCpuTime();
                  Tally t = worker.work(id);
                  long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                  synchronized (tallies) {
                    tallies.add(t);
                  }
                  return new long[] {cpu};
                }));
      }
      ready.await();
      ProcessCpu.Cpu slapd0 = ProcessCpu.cpu(slapd.pid());
      long jvm0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      go.countDown();
      long threadCpu = 0;
      for (Future<long[]> f : fs) {
        try {
          threadCpu += f.get()[0];
        } catch (ExecutionException e) {
          failure.compareAndSet(null, e.getCause());
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      double jvm = (os.getProcessCpuTime() - jvm0) / 1e9;
      double slapdCpu = ProcessCpu.cpu(slapd.pid()).minus(slapd0).total();
      if (failure.get() != null) {
        throw new IllegalStateException("worker failed", failure.get());
      }
      long ops = tallies.stream().mapToLong(Tally::ops).sum();
      long errors = tallies.stream().mapToLong(Tally::errors).sum();
      String first =
          tallies.stream().map(Tally::firstError).filter(e -> e != null).findFirst().orElse(null);
      double dirCpu = w != null && w.side == Side.SLAPD ? slapdCpu : threadCpu / 1e9;
      return new Result(w, ops, errors, seconds, dirCpu, jvm, first);
    }
  }

  // ---- output ----

  static void print(PrintStream out, Options o, Map<Workload, Result> t) {
    out.printf(
        Locale.ROOT,
        "%n%d threads, %,d accounts, %d rounds x %d s per workload; embedded PBKDF2 at %,d"
            + " iterations%n",
        o.threads(),
        o.accounts(),
        o.rounds(),
        o.seconds(),
        o.iterations());
    out.println(
        "| workload | side | ops/s | directory CPU µs/op | JVM CPU µs/op | ops/s vs slapd |");
    out.println("|---|---|---:|---:|---:|---:|");
    for (Workload w : Workload.values()) {
      Result r = t.get(w);
      Result ref =
          w.label.startsWith("login")
              ? t.get(Workload.LOGIN_SEARCH_BIND)
              : t.get(Workload.LOOKUP_SEARCH);
      out.printf(
          Locale.ROOT,
          "| %s | %s | %,.0f | %.1f | %.1f | %s |%n",
          w.label,
          w.side == Side.EMBEDDED ? "embedded" : "slapd",
          r.perSecond(),
          r.directoryMicrosPerOp(),
          r.jvmMicrosPerOp(),
          w.side == Side.SLAPD && w != Workload.LOGIN_BIND_DN
              ? "1.00×"
              : String.format(Locale.ROOT, "%.2f×", r.perSecond() / ref.perSecond()));
    }
    double loginRatio =
        t.get(Workload.LOGIN_CACHED).perSecond() / t.get(Workload.LOGIN_SEARCH_BIND).perSecond();
    double loginVsBind =
        t.get(Workload.LOGIN_CACHED).perSecond() / t.get(Workload.LOGIN_BIND_DN).perSecond();
    double lookupRatio =
        t.get(Workload.LOOKUP_COLD).perSecond() / t.get(Workload.LOOKUP_SEARCH).perSecond();
    out.printf(
        Locale.ROOT,
        "target: cache-hit logins >= 10x slapd: %.1fx search+bind (%s), %.1fx bind by known DN"
            + " (%s)%n",
        loginRatio,
        loginRatio >= 10 ? "met" : "MISSED",
        loginVsBind,
        loginVsBind >= 10 ? "met" : "MISSED");
    out.printf(
        Locale.ROOT,
        "target: cold-cache lookups >= slapd: %.2fx (%s)%n",
        lookupRatio,
        lookupRatio >= 1 ? "met" : "MISSED");
    long errors = t.values().stream().mapToLong(Result::errors).sum();
    out.println(errors == 0 ? "every operation succeeded" : errors + " operations FAILED");
  }
}
