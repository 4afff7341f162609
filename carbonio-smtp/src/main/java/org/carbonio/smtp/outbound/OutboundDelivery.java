package org.carbonio.smtp.outbound;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.IDN;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.carbonio.smtp.DsnNotify;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.RecipientOutcome.Status;
import org.carbonio.smtp.dns.DnsException;
import org.carbonio.smtp.dns.DnsResolver;
import org.carbonio.smtp.dns.DnsResult;
import org.carbonio.smtp.dns.MxRecord;
import org.carbonio.smtp.dns.TlsaRecord;
import org.carbonio.smtp.protocol.BodyType;
import org.carbonio.smtp.spi.DeliveryAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers messages over SMTP to the recipients' MX hosts, or to a smarthost. Thread-safe: the
 * queue may call {@link #deliver} from many threads at once.
 *
 * <p>Per call, recipients are grouped by domain and each domain is tried on its own virtual thread:
 * MX hosts in preference order, equal preferences shuffled, the domain itself when it has no MX
 * (RFC 5321 §5.1), a null MX refused with 5.1.10 (RFC 7505). Each host's addresses are tried in
 * turn until one gives a verdict; a refused connection, a greeting other than 2xx, a TLS failure or
 * a lost connection move on to the next address. STARTTLS is used whenever offered (RFC 3207); a
 * failed handshake is retried in plaintext unless MTA-STS (RFC 8461) or DANE (RFC 7672) requires
 * TLS. A message with REQUIRETLS (RFC 8689) goes only to hosts whose certificate is checked by
 * MTA-STS or DANE (or a verified smarthost) and that offer REQUIRETLS.
 *
 * <p>After a message the connection stays open for {@link OutboundConfig#idleTimeout()} for the
 * next message to the same host under the same TLS policy, which starts with RSET.
 *
 * {@snippet :
 * DnsResolver dns = DnsjavaResolver.of(List.of(new InetSocketAddress("127.0.0.1", 53)), Duration.ofSeconds(5));
 * try (OutboundDelivery out = OutboundDelivery.create(
 *     OutboundConfig.builder().heloName("mail.example.com").build(), dns)) {
 *   List<RecipientOutcome> outcomes = out.deliver(envelope, envelope.recipients(), content);
 * }
 * }
 */
public final class OutboundDelivery implements DeliveryAgent, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OutboundDelivery.class);
  private static final int PIPELINE_BATCH = 100;

  /**
   * The most characters of reply text an outcome carries (remote replies may hold up to {@code
   * maxReplyLines} lines of {@code maxReplyLineLength}); the queue logs and bounces it.
   */
  static final int MAX_TEXT = 1024;

  /** The size of one BDAT chunk (RFC 3030 §2). */
  private static final int BDAT_CHUNK = 256 * 1024;

  private final OutboundConfig config;
  private final DnsResolver dns;
  private final MtaSts mtaSts;
  private final ConnectionPool pool;
  private final ScheduledThreadPoolExecutor watchdog;
  private final SSLContext trustAll = CertificateChecks.trustAll();
  private final Map<String, Slot> destinations = new HashMap<>();
  private volatile boolean closed;

  private static final class Slot {
    final Semaphore permits;
    int users;

    Slot(int n) {
      permits = new Semaphore(n, true);
    }
  }

  /** Why a host gave no verdict, or a verdict reached without the remote host. */
  private record Failure(Status status, int code, String enhanced, String text, String remoteMta) {
    static Failure temporary(int code, String enhanced, String text, String remoteMta) {
      return new Failure(Status.TEMPORARY, code, enhanced, text, remoteMta);
    }

    static Failure permanent(int code, String enhanced, String text, String remoteMta) {
      return new Failure(Status.PERMANENT, code, enhanced, text, remoteMta);
    }

    static Failure of(Reply r, String prefix, String host) {
      Status s = r.isClass(5) ? Status.PERMANENT : Status.TEMPORARY;
      int code = r.isClass(5) || r.isClass(4) ? r.code() : 451;
      String enhanced = code == r.code() ? r.enhancedOrDefault() : "4.5.0";
      return new Failure(s, code, enhanced, prefix + r.code() + " " + r.text(), host);
    }

    RecipientOutcome to(String recipient) {
      return new RecipientOutcome(recipient, status, code, enhanced, cap(text), remoteMta);
    }
  }

  /** One next hop: a host with its addresses and TLS requirement. */
  private record Hop(
      String name, List<InetAddress> addresses, TlsPolicy policy, boolean implicitTls, int port) {}

  /** Where a domain's mail goes, or why it cannot go anywhere. */
  private record Route(List<Hop> hops, Failure failure) {}

  private sealed interface Attempt {}

  private record Done(List<RecipientOutcome> outcomes) implements Attempt {}

  private record Failed(Failure failure) implements Attempt {}

  private OutboundDelivery(OutboundConfig config, DnsResolver dns, Clock clock) {
    this.config = config;
    this.dns = dns;
    this.mtaSts =
        new MtaSts(dns, config.trust(), config.mtaStsPort(), config.mtaStsTimeout(), clock);
    this.pool =
        new ConnectionPool(
            config.idleTimeout(), config.maxIdleConnections(), Duration.ofSeconds(2));
    this.watchdog =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "smtp-outbound-watchdog");
              t.setDaemon(true);
              return t;
            });
    watchdog.setRemoveOnCancelPolicy(true);
    if (!config.idleTimeout().isZero()) {
      long period = Math.max(100, config.idleTimeout().toMillis() / 2);
      watchdog.scheduleAtFixedRate(
          () -> Thread.ofVirtual().start(pool::reap), period, period, TimeUnit.MILLISECONDS);
    }
  }

  /** An agent with {@code config}, resolving through {@code dns}. */
  public static OutboundDelivery create(OutboundConfig config, DnsResolver dns) {
    return create(config, dns, Clock.systemUTC());
  }

  /** An agent whose MTA-STS cache runs on {@code clock}. */
  public static OutboundDelivery create(OutboundConfig config, DnsResolver dns, Clock clock) {
    return new OutboundDelivery(
        requireNonNull(config, "config"),
        requireNonNull(dns, "dns"),
        requireNonNull(clock, "clock"));
  }

  /** The configuration. */
  public OutboundConfig config() {
    return config;
  }

  /** How many connections wait for reuse now. */
  public int idleConnections() {
    return pool.size();
  }

  @Override
  public List<RecipientOutcome> deliver(
      Envelope envelope, List<EnvelopeRecipient> recipients, MessageContent content)
      throws InterruptedException {
    return deliver(envelope, recipients, content, o -> {});
  }

  /**
   * Delivers to each destination on its own virtual thread and reports a destination's outcomes
   * through {@code progress} as soon as that destination is done, so a slow destination does not
   * hold back the record of the others. A destination that takes longer than {@link
   * OutboundConfig#destinationTimeout()} is interrupted and its recipients deferred with 4.4.1.
   */
  @Override
  public List<RecipientOutcome> deliver(
      Envelope envelope,
      List<EnvelopeRecipient> recipients,
      MessageContent content,
      Consumer<RecipientOutcome> progress)
      throws InterruptedException {
    requireNonNull(envelope, "envelope");
    requireNonNull(content, "content");
    requireNonNull(progress, "progress");
    if (closed) {
      throw new IllegalStateException("outbound delivery is closed");
    }
    List<RecipientOutcome> outcomes = new ArrayList<>();
    Map<String, List<EnvelopeRecipient>> groups = new LinkedHashMap<>();
    for (EnvelopeRecipient r : recipients) {
      String destination = destination(r.address());
      if (destination == null) {
        outcomes.add(
            RecipientOutcome.permanent(
                r.address(), 553, "5.1.3", "Bad recipient address syntax: no domain"));
      } else {
        groups.computeIfAbsent(destination, k -> new ArrayList<>()).add(r);
      }
    }
    report(progress, outcomes);
    long deadline = System.nanoTime() + config.destinationTimeout().toNanos();
    ExecutorService exec =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("smtp-out-", 0).factory());
    Map<String, Future<List<RecipientOutcome>>> futures = new LinkedHashMap<>();
    Set<String> abandoned = ConcurrentHashMap.newKeySet();
    try {
      groups.forEach(
          (d, rs) ->
              futures.put(
                  d,
                  exec.submit(
                      () -> {
                        List<RecipientOutcome> done = deliverTo(d, envelope, rs, content);
                        // after the deadline only what is final still counts (a 250 that came
                        // late is true); the caller has deferred the rest already
                        report(
                            progress,
                            abandoned.contains(d)
                                ? done.stream().filter(o -> o.status() != Status.TEMPORARY).toList()
                                : done);
                        return done;
                      })));
      for (Map.Entry<String, Future<List<RecipientOutcome>>> f : futures.entrySet()) {
        long left = Math.max(0, deadline - System.nanoTime());
        try {
          outcomes.addAll(f.getValue().get(left, TimeUnit.NANOSECONDS));
        } catch (ExecutionException e) {
          log.warn("delivery to {} failed", f.getKey(), e.getCause());
          for (EnvelopeRecipient r : groups.get(f.getKey())) {
            outcomes.add(
                RecipientOutcome.temporary(
                    r.address(), 451, "4.3.0", cap("Internal error: " + e.getCause())));
          }
        } catch (TimeoutException e) {
          abandoned.add(f.getKey());
          f.getValue().cancel(true); // interrupts its socket I/O
          for (EnvelopeRecipient r : groups.get(f.getKey())) {
            outcomes.add(
                RecipientOutcome.temporary(
                    r.address(),
                    451,
                    "4.4.1",
                    "Delivery to "
                        + f.getKey()
                        + " took longer than "
                        + config.destinationTimeout()));
          }
        }
      }
    } catch (InterruptedException e) {
      abandoned.addAll(futures.keySet());
      futures.values().forEach(f -> f.cancel(true));
      throw e;
    } finally {
      // no waiting for destinations cancelled above: an interrupted socket closes at once
      exec.shutdownNow();
    }
    return outcomes;
  }

  private static void report(Consumer<RecipientOutcome> progress, List<RecipientOutcome> done) {
    for (RecipientOutcome o : done) {
      try {
        progress.accept(o);
      } catch (RuntimeException e) {
        log.warn("progress callback failed for <{}>", o.recipient(), e);
      }
    }
  }

  /** Reply text carried in an outcome: at most {@value #MAX_TEXT} characters. */
  static String cap(String text) {
    return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT - 3) + "...";
  }

  /** The domain (lower case, A-labels) or the smarthost key; null for an address without domain. */
  private String destination(String address) {
    int at = address.lastIndexOf('@');
    if (at <= 0 || at == address.length() - 1) {
      return null;
    }
    if (config.smarthost().isPresent()) {
      return "smarthost";
    }
    String domain = address.substring(at + 1);
    if (domain.startsWith("[")) {
      return domain.toLowerCase(Locale.ROOT);
    }
    try {
      return IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return domain.toLowerCase(Locale.ROOT);
    }
  }

  private List<RecipientOutcome> deliverTo(
      String destination, Envelope envelope, List<EnvelopeRecipient> rcpts, MessageContent content)
      throws InterruptedException {
    Slot slot;
    synchronized (destinations) {
      slot =
          destinations.computeIfAbsent(
              destination, k -> new Slot(config.maxConnectionsPerDestination()));
      slot.users++;
    }
    try {
      if (!slot.permits.tryAcquire(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        Failure f =
            Failure.temporary(451, "4.4.5", "Too many concurrent deliveries to " + destination, "");
        return rcpts.stream().map(r -> f.to(r.address())).toList();
      }
      try {
        List<RecipientOutcome> result = attempt(destination, envelope, rcpts, content);
        if (log.isDebugEnabled()) {
          for (RecipientOutcome o : result) {
            log.debug(
                "{} -> {}: {} {} {} {}",
                envelope.sender(),
                o.recipient(),
                o.status(),
                o.code(),
                o.enhancedStatus(),
                o.remoteMta());
          }
        }
        return result;
      } finally {
        slot.permits.release();
      }
    } finally {
      synchronized (destinations) {
        if (--slot.users == 0) {
          destinations.remove(destination);
        }
      }
    }
  }

  private List<RecipientOutcome> attempt(
      String destination,
      Envelope envelope,
      List<EnvelopeRecipient> rcpts,
      MessageContent content) {
    Route route = config.smarthost().isPresent() ? smarthostRoute() : mxRoute(destination);
    Failure last = route.failure();
    for (Hop hop : route.hops()) {
      if (envelope.requireTls() && !hop.policy().authenticated()) {
        // RFC 8689 §4.2.1: only to a host whose certificate MTA-STS or DANE lets us check
        last =
            Failure.permanent(
                550,
                "5.7.10",
                "REQUIRETLS: no MTA-STS or DANE policy authenticates " + hop.name(),
                "");
        continue;
      }
      for (InetAddress address : hop.addresses()) {
        Attempt a = tryAddress(hop, address, envelope, rcpts, content);
        if (a instanceof Done d) {
          return d.outcomes();
        }
        last = ((Failed) a).failure();
        log.debug("{} [{}]: {}", hop.name(), address.getHostAddress(), last.text());
      }
    }
    Failure f =
        last != null ? last : Failure.temporary(451, "4.4.4", "No route to " + destination, "");
    return rcpts.stream().map(r -> f.to(r.address())).toList();
  }

  private Route smarthostRoute() {
    Smarthost s = config.smarthost().orElseThrow();
    List<InetAddress> addresses;
    try {
      addresses = addresses(s.host());
    } catch (DnsException e) {
      return new Route(
          List.of(),
          Failure.temporary(
              451, "4.4.3", "DNS failure for smarthost " + s.host() + ": " + e.getMessage(), ""));
    }
    if (addresses.isEmpty()) {
      return new Route(
          List.of(), Failure.temporary(451, "4.4.4", "No address for smarthost " + s.host(), ""));
    }
    TlsPolicy policy =
        switch (s.tls()) {
          case IMPLICIT, STARTTLS ->
              new TlsPolicy(TlsPolicy.Level.VERIFIED, List.of(), s.host(), "smarthost");
          case OPPORTUNISTIC ->
              config.starttls() ? TlsPolicy.opportunistic(s.host()) : TlsPolicy.none(s.host());
        };
    return new Route(
        List.of(new Hop(s.host(), addresses, policy, s.tls() == Smarthost.Tls.IMPLICIT, s.port())),
        null);
  }

  private List<InetAddress> addresses(String host) throws DnsException {
    String literal =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (literal.regionMatches(true, 0, "IPv6:", 0, 5)) {
      literal = literal.substring(5);
    }
    if (literal.matches("[0-9.]+") || literal.contains(":")) {
      try {
        return List.of(InetAddress.getByName(literal)); // a literal: no lookup
      } catch (UnknownHostException e) {
        return List.of();
      }
    }
    List<InetAddress> all = new ArrayList<>();
    DnsException failure = null;
    try {
      all.addAll(dns.a(host).records());
    } catch (DnsException e) {
      failure = e;
    }
    try {
      all.addAll(dns.aaaa(host).records());
    } catch (DnsException e) {
      failure = e;
    }
    if (all.isEmpty() && failure != null) {
      throw failure;
    }
    return all;
  }

  private Route mxRoute(String domain) {
    if (domain.startsWith("[")) {
      // RFC 5321 §4.1.3: an address literal is the host itself
      try {
        List<InetAddress> a = addresses(domain);
        if (!a.isEmpty()) {
          return new Route(
              List.of(new Hop(domain, a, policyWithoutDns(domain), false, config.port())), null);
        }
      } catch (DnsException e) {
        // not reached for literals
      }
      return new Route(
          List.of(), Failure.permanent(550, "5.1.2", "Bad address literal " + domain, ""));
    }
    DnsResult<MxRecord> mx;
    try {
      mx = dns.mx(domain);
    } catch (DnsException e) {
      return new Route(
          List.of(),
          Failure.temporary(
              451, "4.4.3", "DNS failure for MX of " + domain + ": " + e.getMessage(), ""));
    }
    if (mx.rcode() == DnsResult.Rcode.NXDOMAIN) {
      return new Route(
          List.of(), Failure.permanent(550, "5.1.2", "Domain " + domain + " does not exist", ""));
    }
    List<MxRecord> records = mx.records();
    if (records.size() == 1 && records.getFirst().isNull()) {
      // RFC 7505 §4.1: the domain accepts no mail
      return new Route(
          List.of(),
          Failure.permanent(556, "5.1.10", "Domain " + domain + " accepts no mail (null MX)", ""));
    }
    boolean implicit = records.stream().allMatch(MxRecord::isNull);
    List<String> hosts = implicit ? List.of(domain) : order(records);
    if (hosts.size() > config.maxMxHosts()) {
      hosts = hosts.subList(0, config.maxMxHosts());
    }
    MtaStsPolicy sts = null;
    if (config.mtaSts()) {
      sts = mtaSts.policy(domain).orElse(null);
    }
    List<Hop> hops = new ArrayList<>();
    Failure failure = null;
    for (String host : hosts) {
      if (sts != null && sts.mode() != MtaStsPolicy.Mode.NONE && !sts.matches(host)) {
        if (sts.mode() == MtaStsPolicy.Mode.ENFORCE) {
          // RFC 8461 §4.1: deliver only to MX hosts the policy names
          failure =
              Failure.temporary(
                  451,
                  "4.7.5",
                  "MX " + host + " does not match the MTA-STS policy of " + domain,
                  "");
          continue;
        }
        log.info("MTA-STS (testing) of {}: MX {} does not match the policy", domain, host);
      }
      List<InetAddress> addresses;
      try {
        addresses = addresses(host);
      } catch (DnsException e) {
        failure =
            Failure.temporary(451, "4.4.3", "DNS failure for " + host + ": " + e.getMessage(), "");
        continue;
      }
      if (addresses.isEmpty()) {
        failure =
            implicit
                ? Failure.permanent(
                    550, "5.1.2", "Domain " + domain + " has no MX and no address", "")
                : Failure.temporary(451, "4.4.4", "No address for MX " + host, "");
        continue;
      }
      TlsPolicy policy = config.starttls() ? TlsPolicy.opportunistic(host) : TlsPolicy.none(host);
      if (sts != null && sts.mode() == MtaStsPolicy.Mode.ENFORCE) {
        policy = new TlsPolicy(TlsPolicy.Level.VERIFIED, List.of(), host, "MTA-STS");
      }
      if (config.dane() && mx.authenticated()) {
        DnsResult<TlsaRecord> tlsa;
        try {
          tlsa = dns.tlsa("_25._tcp." + host);
        } catch (DnsException e) {
          // RFC 7672 §2.2: a TLSA lookup that fails (not NXDOMAIN/NODATA) makes the host unusable
          failure =
              Failure.temporary(
                  451, "4.7.5", "TLSA lookup for " + host + " failed: " + e.getMessage(), "");
          continue;
        }
        if (tlsa.authenticated() && !tlsa.isEmpty()) {
          List<TlsaRecord> usable =
              tlsa.records().stream()
                  .filter(
                      t ->
                          (t.usage() == 2 || t.usage() == 3)
                              && t.selector() <= 1
                              && t.matchingType() <= 2)
                  .toList();
          policy =
              usable.isEmpty()
                  ? new TlsPolicy(
                      TlsPolicy.Level.ENCRYPTED, List.of(), host, "DANE (no usable TLSA)")
                  : new TlsPolicy(TlsPolicy.Level.DANE, usable, host, "DANE");
        }
      }
      hops.add(new Hop(host, addresses, policy, false, config.port()));
    }
    return new Route(hops, failure);
  }

  private TlsPolicy policyWithoutDns(String host) {
    return config.starttls() ? TlsPolicy.opportunistic(host) : TlsPolicy.none(host);
  }

  /** RFC 5321 §5.1: lowest preference first, equal preferences in random order. */
  private static List<String> order(List<MxRecord> records) {
    Map<Integer, List<String>> byPreference = new java.util.TreeMap<>();
    for (MxRecord r : records) {
      if (!r.isNull()) {
        byPreference.computeIfAbsent(r.preference(), k -> new ArrayList<>()).add(r.host());
      }
    }
    List<String> hosts = new ArrayList<>();
    for (List<String> same : byPreference.values()) {
      Collections.shuffle(same, ThreadLocalRandom.current());
      for (String h : same) {
        if (!hosts.contains(h)) {
          hosts.add(h);
        }
      }
    }
    return hosts;
  }

  private Attempt tryAddress(
      Hop hop,
      InetAddress address,
      Envelope envelope,
      List<EnvelopeRecipient> rcpts,
      MessageContent content) {
    InetSocketAddress target = new InetSocketAddress(address, hop.port());
    String key = hop.name() + "|" + target + "|" + hop.policy().key();
    ClientConnection c = pool.take(key);
    if (c != null) {
      try {
        Reply r = c.command("RSET", config.commandTimeout());
        if (!r.isClass(2)) {
          c.quit(config.commandTimeout());
          c = null;
        }
      } catch (IOException e) {
        c.close();
        c = null;
      }
    }
    if (c == null) {
      Object opened = open(hop, target, hop.policy());
      if (opened instanceof Failure f) {
        return new Failed(f);
      }
      c = (ClientConnection) opened;
    }
    Failure refused = checkCapabilities(c, envelope, rcpts, content);
    if (refused != null) {
      pool.give(key, c);
      return new Failed(refused);
    }
    try {
      List<RecipientOutcome> outcomes = transaction(c, envelope, rcpts, content);
      pool.give(key, c);
      return new Done(outcomes);
    } catch (IOException e) {
      c.close();
      return new Failed(
          Failure.temporary(
              451, "4.4.2", "Connection to " + c + " failed: " + e.getMessage(), hop.name()));
    }
  }

  private static boolean needsUtf8(Envelope envelope, List<EnvelopeRecipient> rcpts) {
    if (envelope.smtputf8() || !isAscii(envelope.sender())) {
      return true;
    }
    return rcpts.stream().anyMatch(r -> !isAscii(r.address()));
  }

  private static boolean isAscii(String s) {
    return s.chars().allMatch(ch -> ch < 0x80);
  }

  private Failure checkCapabilities(
      ClientConnection c,
      Envelope envelope,
      List<EnvelopeRecipient> rcpts,
      MessageContent content) {
    Ehlo e = c.ehlo();
    String host = c.host();
    if (needsUtf8(envelope, rcpts) && !e.has("SMTPUTF8")) {
      // RFC 6531 §3.2: such a message must not be sent to a server without SMTPUTF8
      return Failure.permanent(
          553, "5.6.7", host + " does not support SMTPUTF8, which the message needs", host);
    }
    if (envelope.body() == BodyType.BINARY_MIME && !(e.has("CHUNKING") && e.has("BINARYMIME"))) {
      // RFC 3030 §3: a BINARYMIME message goes only to a server offering BINARYMIME (with BDAT);
      // we do not convert it to 7bit, so it fails with "conversion required and prohibited"
      return Failure.permanent(
          554,
          "5.6.3",
          host + " does not support CHUNKING and BINARYMIME, which the binary message needs",
          host);
    }
    if (envelope.requireTls() && !e.has("REQUIRETLS")) {
      // RFC 8689 §4.2.1, §5: 5.7.30 REQUIRETLS support required
      return Failure.permanent(550, "5.7.30", host + " does not support REQUIRETLS", host);
    }
    long max = e.maxSize();
    if (max > 0 && content.size() > max) {
      return Failure.permanent(
          552,
          "5.3.4",
          "Message size " + content.size() + " exceeds the limit " + max + " of " + host,
          host);
    }
    return null;
  }

  /** Connects, greets, negotiates TLS and authenticates: a ready connection or why not. */
  private Object open(Hop hop, InetSocketAddress target, TlsPolicy policy) {
    String host = hop.name();
    ClientConnection c;
    try {
      c =
          ClientConnection.connect(
              host,
              target,
              config.connectTimeout(),
              watchdog,
              config.maxReplyLineLength(),
              config.maxReplyLines());
    } catch (IOException e) {
      return Failure.temporary(
          451,
          "4.4.1",
          "Connect to "
              + host
              + "["
              + target.getAddress().getHostAddress()
              + "]:"
              + target.getPort()
              + " failed: "
              + e.getMessage(),
          "");
    }
    try {
      if (hop.implicitTls()) {
        try {
          c.startTls(config.trust(), true, config.commandTimeout());
        } catch (IOException e) {
          c.close();
          return Failure.temporary(
              451, "4.7.5", "TLS with " + host + " failed: " + e.getMessage(), host);
        }
      }
      Reply greeting = c.read(config.greetingTimeout());
      if (!greeting.isClass(2)) {
        c.quit(config.commandTimeout());
        return Failure.of(greeting, "Greeting from " + host + ": ", host);
      }
      Failure f = hello(c);
      if (f != null) {
        return f;
      }
      if (!c.tls() && policy.level() != TlsPolicy.Level.NONE) {
        if (c.ehlo().has("STARTTLS")) {
          Reply r = c.command("STARTTLS", config.commandTimeout());
          if (r.code() == 220) {
            try {
              c.startTls(
                  contextFor(policy),
                  policy.level() == TlsPolicy.Level.VERIFIED,
                  config.commandTimeout());
            } catch (IOException e) {
              c.close();
              if (!policy.requiresTls()) {
                // RFC 7435 §4: opportunistic TLS falls back to plaintext
                log.debug("TLS with {} failed, retrying in plaintext: {}", host, e.toString());
                return open(hop, target, policy.plaintextFallback());
              }
              return Failure.temporary(
                  451,
                  "4.7.5",
                  "TLS with " + host + " failed (" + policy.source() + "): " + e.getMessage(),
                  host);
            }
            f = hello(c);
            if (f != null) {
              return f;
            }
          } else if (policy.requiresTls()) {
            c.quit(config.commandTimeout());
            return Failure.temporary(
                451,
                "4.7.10",
                host + " refused STARTTLS (" + r.code() + "), required by " + policy.source(),
                host);
          }
        } else if (policy.requiresTls()) {
          c.quit(config.commandTimeout());
          return Failure.temporary(
              451,
              "4.7.10",
              host + " does not offer STARTTLS, required by " + policy.source(),
              host);
        }
      }
      c.policy(policy);
      Optional<Smarthost> relay = config.smarthost();
      if (relay.isPresent() && relay.get().authenticates()) {
        f = authenticate(c, relay.get());
        if (f != null) {
          c.quit(config.commandTimeout());
          return f;
        }
      }
      return c;
    } catch (IOException e) {
      c.close();
      return Failure.temporary(
          451, "4.4.2", "Connection to " + c + " failed: " + e.getMessage(), host);
    }
  }

  private SSLContext contextFor(TlsPolicy policy) {
    return switch (policy.level()) {
      case VERIFIED -> config.trust();
      case DANE -> CertificateChecks.dane(policy.tlsa(), List.of(policy.peerName()));
      default -> trustAll;
    };
  }

  /** EHLO, or HELO when EHLO is refused with 5xx (RFC 5321 §4.1.4). */
  private Failure hello(ClientConnection c) throws IOException {
    Reply r = c.command("EHLO " + config.heloName(), config.commandTimeout());
    if (r.isClass(2)) {
      c.ehlo(Ehlo.parse(r));
      return null;
    }
    if (r.isClass(5)) {
      Reply h = c.command("HELO " + config.heloName(), config.commandTimeout());
      if (h.isClass(2)) {
        c.ehlo(Ehlo.NONE);
        return null;
      }
      r = h;
    }
    c.quit(config.commandTimeout());
    return Failure.of(r, "HELO to " + c.host() + ": ", c.host());
  }

  /** AUTH PLAIN or LOGIN (RFC 4954), only over TLS. */
  private Failure authenticate(ClientConnection c, Smarthost relay) throws IOException {
    String host = c.host();
    if (!c.tls()) {
      return Failure.temporary(
          451, "4.7.10", "Not sending credentials to " + host + " without TLS", host);
    }
    Base64.Encoder b64 = Base64.getEncoder();
    Reply r;
    if (c.ehlo().authMechanisms().contains("PLAIN")) {
      String token = "\0" + relay.username() + "\0" + relay.password();
      r =
          c.commandSecret(
              "AUTH PLAIN " + b64.encodeToString(token.getBytes(UTF_8)), config.commandTimeout());
    } else if (c.ehlo().authMechanisms().contains("LOGIN")) {
      r = c.command("AUTH LOGIN", config.commandTimeout());
      if (r.code() == 334) {
        r =
            c.commandSecret(
                b64.encodeToString(relay.username().getBytes(UTF_8)), config.commandTimeout());
      }
      if (r.code() == 334) {
        r =
            c.commandSecret(
                b64.encodeToString(relay.password().getBytes(UTF_8)), config.commandTimeout());
      }
    } else {
      return Failure.temporary(451, "4.7.8", host + " offers neither AUTH PLAIN nor LOGIN", host);
    }
    if (r.code() == 235) {
      return null;
    }
    // a refused login is the operator's to fix: defer rather than bounce
    return Failure.temporary(
        454, "4.7.0", "AUTH at " + host + " failed: " + r.code() + " " + r.text(), host);
  }

  private List<RecipientOutcome> transaction(
      ClientConnection c, Envelope envelope, List<EnvelopeRecipient> rcpts, MessageContent content)
      throws IOException {
    Ehlo e = c.ehlo();
    String host = c.host();
    String mail = mailCommand(e, envelope, rcpts, content);
    // RFC 3030 §2: BDAT sends the body as is; used for BINARYMIME, which DATA cannot carry
    boolean bdat = envelope.body() == BodyType.BINARY_MIME && e.has("CHUNKING");
    List<String> commands = new ArrayList<>();
    commands.add(mail);
    for (EnvelopeRecipient r : rcpts) {
      commands.add(rcptCommand(e, r));
    }
    if (!bdat) {
      commands.add("DATA");
    }
    List<Reply> replies = new ArrayList<>();
    if (config.pipelining() && e.has("PIPELINING")) {
      // RFC 2920 §3.1: MAIL, RCPT and DATA may be sent together; batches avoid a deadlock (§3.2)
      for (int i = 0; i < commands.size(); i += PIPELINE_BATCH) {
        List<String> batch = commands.subList(i, Math.min(commands.size(), i + PIPELINE_BATCH));
        c.sendAll(batch, config.commandTimeout());
        for (int j = 0; j < batch.size(); j++) {
          boolean data = !bdat && i + j == commands.size() - 1;
          replies.add(c.read(data ? config.dataInitTimeout() : config.commandTimeout()));
        }
      }
    } else {
      replies.add(c.command(mail, config.commandTimeout()));
      if (replies.getFirst().isClass(2)) {
        boolean any = false;
        for (int i = 1; i <= rcpts.size(); i++) {
          Reply r = c.command(commands.get(i), config.commandTimeout());
          replies.add(r);
          any |= r.isClass(2);
        }
        if (any && !bdat) {
          replies.add(c.command("DATA", config.dataInitTimeout()));
        }
      }
    }
    Reply mailReply = replies.getFirst();
    Map<String, RecipientOutcome> outcomes = new LinkedHashMap<>();
    List<EnvelopeRecipient> accepted = new ArrayList<>();
    if (!mailReply.isClass(2)) {
      Failure f = Failure.of(mailReply, "MAIL FROM refused by " + host + ": ", host);
      rcpts.forEach(r -> outcomes.put(r.address(), f.to(r.address())));
    } else {
      for (int i = 0; i < rcpts.size(); i++) {
        EnvelopeRecipient r = rcpts.get(i);
        Reply reply = replies.get(i + 1);
        if (reply.isClass(2)) {
          accepted.add(r);
        } else {
          outcomes.put(r.address(), Failure.of(reply, "", host).to(r.address()));
        }
      }
    }
    if (bdat) {
      if (!accepted.isEmpty()) {
        Reply done;
        try (InputStream body = content.open()) {
          done =
              c.writeChunks(body, BDAT_CHUNK, config.dataBlockTimeout(), config.dataDoneTimeout());
        }
        for (EnvelopeRecipient r : accepted) {
          outcomes.put(r.address(), outcome(r.address(), done, host));
        }
      }
      // a transaction left open without recipients is reset by the next use (RSET)
      return order(rcpts, outcomes);
    }
    Reply dataReply = replies.size() == rcpts.size() + 2 ? replies.getLast() : null;
    if (accepted.isEmpty()) {
      if (dataReply != null && dataReply.code() == 354) {
        // RFC 2920 §3.1: DATA accepted although no recipient was: send an empty message's end
        c.write(".\r\n".getBytes(UTF_8), 0, 3, config.dataBlockTimeout());
        c.read(config.dataDoneTimeout());
      }
      return order(rcpts, outcomes);
    }
    if (dataReply == null || dataReply.code() != 354) {
      Failure f =
          dataReply == null
              ? Failure.temporary(451, "4.5.0", "No reply to DATA from " + host, host)
              : Failure.of(
                  dataReply.isClass(2)
                      ? Reply.of(451, List.of("unexpected " + dataReply))
                      : dataReply,
                  "DATA refused by " + host + ": ",
                  host);
      accepted.forEach(r -> outcomes.put(r.address(), f.to(r.address())));
      return order(rcpts, outcomes);
    }
    try (InputStream body = content.open()) {
      c.writeBody(body, config.dataBlockTimeout());
    }
    Reply done = c.read(config.dataDoneTimeout());
    for (EnvelopeRecipient r : accepted) {
      outcomes.put(r.address(), outcome(r.address(), done, host));
    }
    return order(rcpts, outcomes);
  }

  private static RecipientOutcome outcome(String rcpt, Reply reply, String host) {
    if (reply.isClass(2)) {
      return new RecipientOutcome(
          rcpt, Status.DELIVERED, reply.code(), reply.enhancedOrDefault(), cap(reply.text()), host);
    }
    return Failure.of(reply, "", host).to(rcpt);
  }

  private static List<RecipientOutcome> order(
      List<EnvelopeRecipient> rcpts, Map<String, RecipientOutcome> outcomes) {
    List<RecipientOutcome> list = new ArrayList<>();
    for (EnvelopeRecipient r : rcpts) {
      RecipientOutcome o = outcomes.remove(r.address());
      if (o != null) {
        list.add(o);
      }
    }
    return list;
  }

  private String mailCommand(
      Ehlo e, Envelope envelope, List<EnvelopeRecipient> rcpts, MessageContent content) {
    StringBuilder sb = new StringBuilder("MAIL FROM:<").append(envelope.sender()).append('>');
    if (e.has("SIZE")) {
      sb.append(" SIZE=").append(content.size()); // RFC 1870 §6
    }
    if (envelope.body() == BodyType.BINARY_MIME) {
      sb.append(" BODY=BINARYMIME"); // RFC 3030 §3, only sent when offered (checkCapabilities)
    } else if (e.has("8BITMIME")) {
      // without 8BITMIME an 8-bit body is sent as is, as Postfix does (RFC 6152 §3 would have it
      // converted or bounced); most servers take it
      if (envelope.body() == BodyType.EIGHT_BIT_MIME) {
        sb.append(" BODY=8BITMIME"); // RFC 6152
      } else if (envelope.body() == BodyType.SEVEN_BIT) {
        sb.append(" BODY=7BIT");
      }
    }
    if (needsUtf8(envelope, rcpts)) {
      sb.append(" SMTPUTF8"); // RFC 6531 §3.4
    }
    if (envelope.requireTls()) {
      sb.append(" REQUIRETLS"); // RFC 8689 §4.1
    }
    if (e.has("DSN")) {
      if (envelope.ret() != null) {
        sb.append(" RET=").append(envelope.ret().name()); // RFC 3461 §4.3
      }
      if (!envelope.envelopeId().isEmpty()) {
        sb.append(" ENVID=").append(xtext(envelope.envelopeId())); // RFC 3461 §4.4
      }
    }
    return sb.toString();
  }

  private static String rcptCommand(Ehlo e, EnvelopeRecipient r) {
    StringBuilder sb = new StringBuilder("RCPT TO:<").append(r.address()).append('>');
    if (e.has("DSN")) {
      if (!r.notifyOn().isEmpty()) {
        // RFC 3461 §4.1
        sb.append(" NOTIFY=")
            .append(
                r.notifyOn().stream()
                    .sorted()
                    .map(DsnNotify::name)
                    .collect(Collectors.joining(",")));
      }
      String orcpt = r.originalRecipient();
      int semi = orcpt.indexOf(';');
      if (semi > 0) {
        // RFC 3461 §4.2: addr-type ";" xtext
        sb.append(" ORCPT=").append(orcpt, 0, semi + 1).append(xtext(orcpt.substring(semi + 1)));
      }
    }
    return sb.toString();
  }

  /** RFC 3461 §4: "+" followed by two upper-case hex digits for '+', '=' and outside 33..126. */
  static String xtext(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(UTF_8)) {
      int c = b & 0xFF;
      if (c < 33 || c > 126 || c == '+' || c == '=') {
        sb.append('+').append(String.format("%02X", c));
      } else {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  /** Closes idle connections (with QUIT) and stops the timers; deliveries in progress finish. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    pool.close();
    watchdog.shutdown();
  }
}
