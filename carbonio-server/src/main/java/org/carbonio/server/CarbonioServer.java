package org.carbonio.server;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import org.carbonio.directory.Account;
import org.carbonio.directory.Directory;
import org.carbonio.directory.DirectoryException;
import org.carbonio.directory.EmbeddedDirectory;
import org.carbonio.directory.ExternalDirectory;
import org.carbonio.imap.ImapServer;
import org.carbonio.imap.pop3.Pop3Server;
import org.carbonio.imap.pop3.protocol.MaildropLocks;
import org.carbonio.imap.store.AccountLookup;
import org.carbonio.imap.store.StoreMailboxBackend;
import org.carbonio.server.internal.AdminApi;
import org.carbonio.server.internal.DirectoryAuthenticator;
import org.carbonio.server.internal.DkimSigning;
import org.carbonio.server.internal.DurableFiles;
import org.carbonio.server.internal.LocalDelivery;
import org.carbonio.server.internal.MailRouter;
import org.carbonio.server.internal.QueueAgent;
import org.carbonio.server.internal.TlsMaterial;
import org.carbonio.smtp.ListenerPolicy;
import org.carbonio.smtp.SmtpMode;
import org.carbonio.smtp.SmtpServer;
import org.carbonio.smtp.abuse.AuthLimits;
import org.carbonio.smtp.abuse.AuthThrottle;
import org.carbonio.smtp.abuse.Cidr;
import org.carbonio.smtp.abuse.ClientLimiter;
import org.carbonio.smtp.abuse.ClientLimits;
import org.carbonio.smtp.abuse.Greylist;
import org.carbonio.smtp.dns.DnsResolver;
import org.carbonio.smtp.dns.DnsjavaResolver;
import org.carbonio.smtp.filter.ClamdClient;
import org.carbonio.smtp.filter.ContentFilter;
import org.carbonio.smtp.filter.FilterPolicy;
import org.carbonio.smtp.filter.SpamdClient;
import org.carbonio.smtp.mailauth.MailAuthenticator;
import org.carbonio.smtp.outbound.OutboundConfig;
import org.carbonio.smtp.outbound.OutboundDelivery;
import org.carbonio.smtp.outbound.Smarthost;
import org.carbonio.smtp.queue.MailQueue;
import org.carbonio.smtp.queue.QueueConfig;
import org.carbonio.smtp.spi.Authenticator;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.carbonio.smtp.spi.SessionInfo;
import org.carbonio.store.MailStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference server: one directory, one store, and the SMTP, IMAP, POP3, LDAP and HTTP admin
 * listeners over them. Thread-safe.
 *
 * {@snippet :
 * try (CarbonioServer server = CarbonioServer.start(ServerConfig.defaults(dir).withEphemeralPorts())) {
 *   int imapPort = server.port(Listener.Kind.IMAP);
 * }
 * }
 */
public final class CarbonioServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CarbonioServer.class);

  /** The admin account's local part; the account is {@code admin@<domain>}. */
  public static final String ADMIN_LOCAL_PART = "admin";

  private final ServerConfig config;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<Listener> listeners = new ArrayList<>();
  private final ReentrantLock closeLock = new ReentrantLock();
  private Directory directory;
  private MailStore store;
  private MailQueue queue;
  private String adminAddress;
  private boolean closed;

  private CarbonioServer(ServerConfig config) {
    this.config = config;
  }

  /**
   * Opens the data directory, creates the admin account on first start and opens every listener.
   */
  public static CarbonioServer start(ServerConfig config) throws IOException {
    requireNonNull(config, "config");
    CarbonioServer server = new CarbonioServer(config);
    try {
      server.open();
      return server;
    } catch (IOException | RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  private void open() throws IOException {
    Path dataDir = config.dataDir();
    Files.createDirectories(dataDir);
    String adminPassword = adminPassword(dataDir);

    if (config.directory().external().isPresent()) {
      // An organization's directory, read-only: accounts are provisioned there, not here.
      DirectoryBackend.External external = config.directory().external().get();
      directory = ExternalDirectory.open(external.config(config.domain()));
      resources.add(directory);
      adminAddress = external.postmaster();
    } else {
      EmbeddedDirectory embedded =
          EmbeddedDirectory.builder()
              .dataDir(dataDir.resolve("directory"))
              .ldapListener(address(Listener.Kind.LDAP))
              .ldapAdminPassword(adminPassword)
              .build();
      directory = embedded;
      resources.add(directory);
      embedded.ldapAddress().ifPresent(a -> listeners.add(new Listener(Listener.Kind.LDAP, a)));
      adminAddress = ADMIN_LOCAL_PART + "@" + config.domain();
      ensureAdminAccount(adminPassword);
    }

    // Store account ids are the directory's account ids; the limit is the account's or its
    // class of service's.
    Directory dir = directory;
    StoreBackends.OpenedStore opened =
        config
            .store()
            .open(
                dataDir.resolve("store"),
                id ->
                    dir.findAccountById(id)
                        .map(a -> dir.effectiveQuota(a.address()))
                        .orElse(OptionalLong.empty()));
    resources.add(opened);
    store = opened.store();

    SSLContext tls =
        TlsMaterial.load(dataDir, config.tlsCertificate(), config.tlsKey(), config.hostname());

    Path spool = cleanSpoolDirectory(dataDir);
    openMta(tls, spool);

    StoreMailboxBackend backend = new StoreMailboxBackend(store, AccountLookup.of(directory));
    DirectoryAuthenticator authenticator = DirectoryAuthenticator.withScram(directory, dataDir);
    for (Listener.Kind kind : List.of(Listener.Kind.IMAP, Listener.Kind.IMAPS)) {
      ImapServer imap =
          ImapServer.builder()
              .bind(address(kind))
              .tls(tls)
              .implicitTls(kind == Listener.Kind.IMAPS)
              .hostname(config.hostname())
              .spoolDirectory(spool)
              .authenticator(authenticator)
              .backend(backend)
              .build()
              .start();
      resources.add(imap);
      listeners.add(new Listener(kind, imap.localAddress()));
    }
    MaildropLocks maildrops = new MaildropLocks(); // one POP3 session per maildrop, on both ports
    for (Listener.Kind kind : List.of(Listener.Kind.POP3, Listener.Kind.POP3S)) {
      Pop3Server pop3 =
          Pop3Server.builder()
              .bind(address(kind))
              .tls(tls)
              .implicitTls(kind == Listener.Kind.POP3S)
              .locks(maildrops)
              .authenticator(authenticator)
              .backend(backend)
              .build()
              .start();
      resources.add(pop3);
      listeners.add(new Listener(kind, pop3.localAddress()));
    }

    AdminApi admin = AdminApi.start(address(Listener.Kind.HTTP), directory, store, queue);
    resources.add(admin);
    listeners.add(new Listener(Listener.Kind.HTTP, admin.localAddress()));
    listeners.sort((a, b) -> a.kind().compareTo(b.kind()));

    writeServerJson();
    log.info("carbonio started on {} with data in {}", config.bind(), dataDir.toAbsolutePath());
  }

  /**
   * The MTA: the queue and its delivery (local, or SMTP to MX hosts or the smarthost), then the MX,
   * submission and LMTP listeners, each with its router. Resources are closed in reverse order, so
   * the listeners stop before the queue, and the queue before outbound delivery.
   */
  private void openMta(SSLContext tls, Path spool) throws IOException {
    MtaConfig mta = config.mta();
    DnsResolver dns = dnsResolver(mta);
    OutboundDelivery outbound = OutboundDelivery.create(outboundConfig(mta), dns);
    resources.add(outbound);
    LocalDelivery local = new LocalDelivery(directory, store, adminAddress);
    queue =
        MailQueue.builder()
            .directory(config.dataDir().resolve("queue"))
            .config(QueueConfig.DEFAULTS.withHostname(config.hostname()))
            .build();
    resources.add(queue);
    queue.start(new QueueAgent(local, outbound));

    List<Cidr> relayNetworks = mta.relayNetworks().stream().map(Cidr::parse).toList();
    // Like policyd-spf's skip_addresses: mail from this host itself is not checked.
    List<Cidr> unchecked = new ArrayList<>(relayNetworks);
    unchecked.addAll(List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("::1/128")));
    Optional<MailAuthenticator> mailAuth =
        Optional.of(MailAuthenticator.builder(dns).hostname(config.hostname()).build());
    Optional<ContentFilter> filter = contentFilter(mta);
    DkimSigning signing = new DkimSigning(directory);
    MailRouter mx =
        new MailRouter(
            MailRouter.Role.MX,
            directory,
            local,
            queue,
            relayNetworks,
            mailAuth,
            filter,
            signing,
            unchecked,
            config.hostname(),
            spool);
    MailRouter submission =
        new MailRouter(
            MailRouter.Role.SUBMISSION,
            directory,
            local,
            queue,
            relayNetworks,
            Optional.empty(),
            filter,
            signing,
            unchecked,
            config.hostname(),
            spool);
    MailRouter lmtpRouter =
        new MailRouter(
            MailRouter.Role.LMTP,
            directory,
            local,
            queue,
            List.of(),
            Optional.empty(),
            Optional.empty(),
            signing,
            unchecked,
            config.hostname(),
            spool);

    RecipientPolicy mxPolicy = mx;
    if (mta.greylisting()) {
      Greylist greylist =
          Greylist.builder(mx)
              .persistence(config.dataDir().resolve("greylist"))
              .exemptNetworks(unchecked)
              .exempt(SessionInfo::isAuthenticated)
              .build();
      resources.add(greylist);
      mxPolicy = greylist;
    }
    Authenticator login =
        AuthThrottle.wrap(
            (session, authzid, user, password) ->
                directory
                    .authenticate(user, password, session.remote().getAddress())
                    .map(Account::address),
            AuthLimits.DEFAULTS);
    ClientLimiter limiter = ClientLimiter.create(ClientLimits.DEFAULTS);

    SmtpServer smtp =
        SmtpServer.builder()
            .bind(address(Listener.Kind.SMTP))
            .hostname(config.hostname())
            .limits(mta.smtpLimits())
            .tls(tls)
            .spoolDirectory(spool)
            .clientLimiter(limiter)
            .recipientPolicy(mxPolicy)
            .deliveryHandler(mx)
            .build()
            .start();
    resources.add(smtp);
    listeners.add(new Listener(Listener.Kind.SMTP, smtp.localAddress()));

    for (Listener.Kind kind : List.of(Listener.Kind.SUBMISSION, Listener.Kind.SUBMISSIONS)) {
      SmtpServer server =
          smtp.toBuilder()
              .bind(address(kind))
              .listenerPolicy(
                  kind == Listener.Kind.SUBMISSION
                      ? ListenerPolicy.SUBMISSION
                      : ListenerPolicy.SUBMISSIONS)
              .authenticator(login)
              .recipientPolicy(submission)
              .deliveryHandler(submission)
              .build()
              .start();
      resources.add(server);
      listeners.add(new Listener(kind, server.localAddress()));
    }

    // RFC 2033: local delivery from an MTA in front (Postfix, another node's MTA); internal, so it
    // binds the admin address like the other internal listeners.
    SmtpServer lmtp =
        smtp.toBuilder()
            .bind(address(Listener.Kind.LMTP))
            .mode(SmtpMode.LMTP)
            .clientLimiter(ClientLimiter.create(ClientLimits.NONE))
            .recipientPolicy(lmtpRouter)
            .deliveryHandler(lmtpRouter)
            .build()
            .start();
    resources.add(lmtp);
    listeners.add(new Listener(Listener.Kind.LMTP, lmtp.localAddress()));
  }

  private static DnsResolver dnsResolver(MtaConfig mta) {
    DnsjavaResolver.Builder dns = DnsjavaResolver.builder();
    if (!mta.dnsServers().isEmpty()) {
      dns.servers(
          mta.dnsServers().stream()
              .map(a -> new InetSocketAddress(a.getHostString(), a.getPort()))
              .toList());
    }
    return dns.build();
  }

  private OutboundConfig outboundConfig(MtaConfig mta) throws IOException {
    OutboundConfig.Builder out =
        OutboundConfig.builder().heloName(config.hostname()).port(mta.outboundPort());
    if (mta.smarthost().isPresent()) {
      MtaConfig.Smarthost relay = mta.smarthost().get();
      Smarthost smarthost =
          Smarthost.of(
              relay.address().getHostString(),
              relay.address().getPort(),
              relay.implicitTls() ? Smarthost.Tls.IMPLICIT : Smarthost.Tls.STARTTLS);
      if (!relay.user().isEmpty()) {
        String password =
            Files.readString(relay.passwordFile().orElseThrow(), StandardCharsets.UTF_8).strip();
        smarthost = smarthost.withCredentials(relay.user(), password);
      }
      out.smarthost(smarthost);
    }
    return out.build();
  }

  private static Optional<ContentFilter> contentFilter(MtaConfig mta) {
    if (mta.clamd().isEmpty() && mta.spamd().isEmpty()) {
      return Optional.empty();
    }
    ContentFilter.Builder filter = ContentFilter.builder();
    mta.clamd().ifPresent(a -> filter.virusScanner(ClamdClient.builder(resolved(a)).build()));
    mta.spamd().ifPresent(a -> filter.spamScanner(SpamdClient.builder(resolved(a)).build()));
    FilterPolicy fallback = mta.filterPolicies().getOrDefault("*", FilterPolicy.DEFAULTS);
    FilterPolicy defaults =
        fallback.withScanVirus(mta.clamd().isPresent()).withScanSpam(mta.spamd().isPresent());
    filter.defaultPolicy(defaults);
    mta.filterPolicies()
        .forEach(
            (domain, policy) -> {
              if (!domain.equals("*")) {
                filter.domainPolicy(
                    domain,
                    policy
                        .withScanVirus(mta.clamd().isPresent())
                        .withScanSpam(mta.spamd().isPresent()));
              }
            });
    return Optional.of(filter.build());
  }

  private static InetSocketAddress resolved(InetSocketAddress address) {
    return new InetSocketAddress(address.getHostString(), address.getPort());
  }

  private InetSocketAddress address(Listener.Kind kind) {
    return config.address(kind);
  }

  /** DIR/tmp holds messages in transit; what a crash left there was never acknowledged. */
  private static Path cleanSpoolDirectory(Path dataDir) throws IOException {
    Path spool = Files.createDirectories(dataDir.resolve("tmp"));
    try (var leftovers = Files.list(spool)) {
      for (Path file : (Iterable<Path>) leftovers::iterator) {
        Files.deleteIfExists(file);
      }
    }
    return spool;
  }

  /** Reads DIR/admin-password, or creates it (mode 0600) with a new random password. */
  private static String adminPassword(Path dataDir) throws IOException {
    Path file = dataDir.resolve("admin-password");
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
    String password = randomPassword();
    DurableFiles.writeAtomically(file, (password + "\n").getBytes(StandardCharsets.UTF_8), true);
    return password;
  }

  private static String randomPassword() {
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    SecureRandom random = new SecureRandom();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 24; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  /** First start (or a start after a crash during the first one): domain and admin account. */
  private void ensureAdminAccount(String password) throws IOException {
    try {
      if (!directory.isLocalDomain(config.domain())) {
        directory.createDomain(config.domain());
      }
      if (directory.findAccount(adminAddress).isEmpty()) {
        directory.createAccount(adminAddress, password);
        log.info("created the admin account {}", adminAddress);
      }
      Account admin = directory.findAccount(adminAddress).orElseThrow();
      if (!admin.admin()) {
        directory.setAdmin(adminAddress, true);
      }
    } catch (DirectoryException e) {
      throw new IOException("cannot create the admin account " + adminAddress + ": " + e, e);
    }
  }

  /** DIR/server.json tells {@code carbonio prov} where the admin API is and who the admin is. */
  private void writeServerJson() throws IOException {
    Map<String, Object> json = new TreeMap<>();
    json.put("pid", ProcessHandle.current().pid());
    json.put("admin", adminAddress);
    Map<String, String> addresses = new TreeMap<>();
    for (Listener listener : listeners) {
      addresses.put(
          listener.kind().label(),
          listener.address().getAddress().getHostAddress() + ":" + listener.address().getPort());
    }
    json.put("listeners", addresses);
    DurableFiles.writeAtomically(
        serverJson(config.dataDir()),
        AdminApi.json().writerWithDefaultPrettyPrinter().writeValueAsBytes(json),
        true);
  }

  /** Where a running server describes itself. */
  public static Path serverJson(Path dataDir) {
    return dataDir.resolve("server.json");
  }

  public ServerConfig config() {
    return config;
  }

  /** The listeners in startup order, with their real addresses. */
  public List<Listener> listeners() {
    return List.copyOf(listeners);
  }

  public Optional<Listener> listener(Listener.Kind kind) {
    return listeners.stream().filter(l -> l.kind() == kind).findFirst();
  }

  /**
   * The port the listener of this kind got (the real one, also when port 0 was asked for).
   *
   * @throws IllegalStateException if the server has no such listener
   */
  public int port(Listener.Kind kind) {
    return listener(kind)
        .orElseThrow(() -> new IllegalStateException("no " + kind.label() + " listener"))
        .address()
        .getPort();
  }

  /** The admin account's address ({@code admin@<domain>}). */
  public String adminAddress() {
    return adminAddress;
  }

  public Directory directory() {
    return directory;
  }

  public MailStore store() {
    return store;
  }

  /** The MTA's queue. */
  public MailQueue queue() {
    return queue;
  }

  /** Closes every listener, then the store and the directory. Idempotent. */
  @Override
  public void close() {
    closeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (int i = resources.size() - 1; i >= 0; i--) {
        try {
          resources.get(i).close();
        } catch (Exception e) {
          log.warn("error while closing {}", resources.get(i), e);
        }
      }
      try {
        Files.deleteIfExists(serverJson(config.dataDir()));
      } catch (IOException e) {
        log.warn("cannot remove {}", serverJson(config.dataDir()), e);
      }
    } finally {
      closeLock.unlock();
    }
  }
}
