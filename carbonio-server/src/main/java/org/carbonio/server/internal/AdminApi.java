package org.carbonio.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.carbonio.directory.Account;
import org.carbonio.directory.AccountStatus;
import org.carbonio.directory.ClassOfService;
import org.carbonio.directory.Directory;
import org.carbonio.directory.DirectoryException;
import org.carbonio.directory.DistributionList;
import org.carbonio.directory.DkimKey;
import org.carbonio.directory.Domain;
import org.carbonio.directory.Provisioning;
import org.carbonio.directory.Role;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.mailauth.DkimKeys;
import org.carbonio.smtp.queue.MailQueue;
import org.carbonio.smtp.queue.QueueId;
import org.carbonio.smtp.queue.QueuedMessage;
import org.carbonio.smtp.queue.RecipientStatus;
import org.carbonio.store.MailStore;
import org.carbonio.store.StoreException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.URIUtil;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local admin API: JSON over HTTP, HTTP Basic authentication with an account that is a global
 * admin or holds a delegated {@link Role}. Every directory call goes through {@link Provisioning}
 * for the authenticated account, so a domain admin manages only its own domains and a help desk
 * only what {@link Provisioning} lets it. Thread-safe.
 *
 * <pre>
 * GET    /admin/v1/domains                          list the domains the caller may see
 * POST   /admin/v1/domains          {"name"[,"aliasOf"]}  create a domain or an alias domain
 * DELETE /admin/v1/domains/D                        delete an empty domain
 * GET    /admin/v1/accounts[?domain=D]              list accounts
 * POST   /admin/v1/accounts         {"address","password"}  create (and its mailbox)
 * GET    /admin/v1/accounts/A                       show one account
 * DELETE /admin/v1/accounts/A                       delete the account and its mailbox
 * PUT    /admin/v1/accounts/A/password      {"password"}
 * PUT    /admin/v1/accounts/A/display-name  {"displayName"}     "" clears
 * PUT    /admin/v1/accounts/A/quota         {"bytes"}           null clears
 * PUT    /admin/v1/accounts/A/cos           {"cos"}
 * PUT    /admin/v1/accounts/A/mail-host     {"host"}            null clears
 * PUT    /admin/v1/accounts/A/status        {"status"}          active|locked|maintenance|closed
 * PUT    /admin/v1/accounts/A/admin         {"admin"}           true|false
 * POST   /admin/v1/accounts/A/aliases       {"alias"}
 * DELETE /admin/v1/aliases/ALIAS
 * POST   /admin/v1/accounts/A/roles         {"kind","domain"}   domain-admin|help-desk
 * DELETE /admin/v1/accounts/A/roles/KIND/D
 * GET    /admin/v1/lists?domain=D
 * POST   /admin/v1/lists            {"address"[,"displayName"]}
 * GET    /admin/v1/lists/L
 * DELETE /admin/v1/lists/L
 * POST   /admin/v1/lists/L/members  {"member"}
 * DELETE /admin/v1/lists/L/members/M
 * GET    /admin/v1/cos
 * POST   /admin/v1/cos              {"name"[,"quotaBytes","features","passwordMinLength"]}
 * GET    /admin/v1/cos/NAME
 * PUT    /admin/v1/cos/NAME         {["quotaBytes","features","passwordMinLength"]}
 * DELETE /admin/v1/cos/NAME
 * GET    /admin/v1/domains/D/dkim                   the domain's DKIM keys (never a private key)
 * POST   /admin/v1/domains/D/dkim   {["selector","algorithm","activate"]}  generate a key
 * POST   /admin/v1/domains/D/dkim/S/activate        make key S the one that signs
 * DELETE /admin/v1/domains/D/dkim/S                 remove key S
 * GET    /admin/v1/queue                            the mail queue (global admins only)
 * GET    /admin/v1/queue/ID                         one message, with its header section
 * POST   /admin/v1/queue/ID/retry                   attempt it now
 * POST   /admin/v1/queue/retry                      attempt every message not on hold now
 * POST   /admin/v1/queue/ID/hold    {["reason"]}    put on hold
 * POST   /admin/v1/queue/ID/release                 release from hold (and attempt now)
 * DELETE /admin/v1/queue/ID                         remove, without any DSN
 * </pre>
 *
 * DKIM keys are generated here, in the server: an answer carries the selector, algorithm, state,
 * creation time and the TXT record to publish ({@code selector._domainkey.domain}), never the
 * private key. The queue spans every domain, so only global admins see or change it.
 *
 * <p>Path segments are percent-decoded one by one, so an address may contain any character that
 * {@code %}-encoding carries, {@code /} included. Errors are {@code {"error":
 * "not_found|conflict|unknown_domain|invalid|forbidden|unauthorized|...", "message": "..."}} with
 * status 400, 401, 403, 404, 409, 413 or 500.
 */
public final class AdminApi implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
  private static final String PREFIX = "/admin/v1/";
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** Largest request body accepted. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  private final Server jetty;
  private final ServerConnector connector;

  private AdminApi(Server jetty, ServerConnector connector) {
    this.jetty = jetty;
    this.connector = connector;
  }

  /** The JSON mapper shared by the server and the {@code prov} client. */
  public static ObjectMapper json() {
    return JSON;
  }

  public static AdminApi start(
      InetSocketAddress bind, Directory directory, MailStore store, MailQueue queue)
      throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("admin-http");
    Server jetty = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    // Addresses may hold '/' and '%' (RFC 5322 §3.2.3 atext): they arrive as %2F and %25 inside
    // one path segment, which this handler decodes itself, segment by segment.
    http.setUriCompliance(
        UriCompliance.DEFAULT.with(
            "carbonio-admin",
            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
            UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
    ServerConnector connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
    connector.setHost(bind.getAddress().getHostAddress());
    connector.setPort(bind.getPort());
    jetty.addConnector(connector);
    jetty.setHandler(new ApiHandler(directory, store, queue));
    try {
      jetty.start();
    } catch (Exception e) {
      try {
        jetty.stop();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new IOException("cannot start the admin API on " + bind + ": " + e.getMessage(), e);
    }
    return new AdminApi(jetty, connector);
  }

  public InetSocketAddress localAddress() {
    return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
  }

  /** Stops the HTTP server (Jetty drains for its stop timeout, then forces). Idempotent. */
  @Override
  public void close() {
    try {
      jetty.stop();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("error while stopping the admin API", e);
    }
  }

  /** A request's outcome: status and a JSON body. */
  private record Reply(int status, Object body) {
    static Reply ok(Object body) {
      return new Reply(HttpStatus.OK_200, body);
    }

    static Reply error(int status, String error, String message) {
      return new Reply(status, Map.of("error", error, "message", message));
    }
  }

  /** A request body over {@link #MAX_BODY_BYTES}: answered 413. */
  private static final class BodyTooLarge extends IOException {
    BodyTooLarge() {
      super("request body too large", null);
    }
  }

  // ---- JSON views: the API's stable shapes, independent of the model records ----

  static Map<String, Object> view(Domain d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", d.name());
    m.put("aliasOf", d.aliasOf().orElse(null));
    return m;
  }

  static Map<String, Object> view(Role r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", r.kind().name());
    m.put("domain", r.domain());
    return m;
  }

  static Map<String, Object> view(Account a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("address", a.address());
    m.put("id", a.id());
    m.put("domain", a.domain());
    m.put("admin", a.admin());
    m.put("status", a.status().name());
    m.put("displayName", a.displayName());
    m.put("quotaBytes", a.quotaBytes().isPresent() ? a.quotaBytes().getAsLong() : null);
    m.put("cos", a.cos());
    m.put("mailHost", a.mailHost().orElse(null));
    m.put("aliases", a.aliases());
    m.put(
        "roles",
        a.roles().stream().sorted(Comparator.comparing(Role::value)).map(AdminApi::view).toList());
    return m;
  }

  static Map<String, Object> view(DistributionList l) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("address", l.address());
    m.put("id", l.id());
    m.put("displayName", l.displayName());
    m.put("members", l.members());
    return m;
  }

  static Map<String, Object> view(ClassOfService c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", c.name());
    m.put("quotaBytes", c.quotaBytes().isPresent() ? c.quotaBytes().getAsLong() : null);
    m.put("features", c.sortedFeatures());
    m.put("passwordMinLength", c.passwordMinLength());
    return m;
  }

  /** A DKIM key without its private key: what to publish and where it is in its rotation. */
  static Map<String, Object> view(String domain, DkimKey k) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("name", DkimKeys.recordName(k.selector(), domain));
    record.put("type", "TXT");
    record.put("value", k.publicKeyTxt());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("domain", domain);
    m.put("selector", k.selector());
    m.put("algorithm", k.algorithm().tag());
    m.put("state", k.state().name());
    m.put("created", k.created().toString());
    m.put("record", record);
    return m;
  }

  static Map<String, Object> view(QueuedMessage q) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", q.id().value());
    m.put("arrival", q.arrival().toString());
    m.put("sender", q.sender());
    m.put("size", q.size());
    m.put("attempts", q.attempts());
    m.put("nextAttempt", q.nextAttempt() == null ? null : q.nextAttempt().toString());
    m.put("held", q.held());
    m.put("holdReason", q.holdReason());
    m.put("envelopeId", q.envelope().envelopeId());
    m.put("recipients", q.recipients().stream().map(AdminApi::view).toList());
    return m;
  }

  static Map<String, Object> view(RecipientStatus r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("address", r.recipient().address());
    m.put("state", r.state().name());
    RecipientOutcome last = r.lastOutcome();
    m.put(
        "lastReply",
        last == null
            ? null
            : (last.code() + " " + last.enhancedStatus() + " " + last.text()).strip());
    m.put("remoteMta", last == null || last.remoteMta().isEmpty() ? null : last.remoteMta());
    m.put("lastAttempt", r.lastAttempt() == null ? null : r.lastAttempt().toString());
    return m;
  }

  private static final class ApiHandler extends Handler.Abstract {
    private final Directory directory;
    private final MailStore store;
    private final MailQueue queue;

    ApiHandler(Directory directory, MailStore store, MailQueue queue) {
      this.directory = directory;
      this.store = store;
      this.queue = queue;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Reply reply;
      try {
        reply = dispatch(request);
      } catch (JsonProcessingException e) {
        reply =
            Reply.error(
                HttpStatus.BAD_REQUEST_400,
                "invalid",
                "malformed JSON body: " + truncate(e.getOriginalMessage()));
      } catch (DirectoryException e) {
        reply = directoryError(e);
      } catch (BodyTooLarge e) {
        reply =
            Reply.error(
                HttpStatus.PAYLOAD_TOO_LARGE_413,
                "too_large",
                "request body over " + MAX_BODY_BYTES + " bytes");
      } catch (IllegalArgumentException e) {
        // a value the model refused before the directory saw it (e.g. a class of service's
        // password length): the client's mistake, not the server's
        reply = Reply.error(HttpStatus.BAD_REQUEST_400, "invalid", truncate(e.getMessage()));
      } catch (IOException | RuntimeException e) {
        log.error("admin API request {} {} failed", request.getMethod(), request.getHttpURI(), e);
        reply =
            Reply.error(
                HttpStatus.INTERNAL_SERVER_ERROR_500,
                "internal",
                "internal error; the server log has the details");
      }
      int status = reply.status();
      byte[] body;
      try {
        body = JSON.writeValueAsBytes(reply.body());
      } catch (JsonProcessingException e) {
        log.error("admin API answer to {} not serializable", request.getHttpURI(), e);
        status = HttpStatus.INTERNAL_SERVER_ERROR_500;
        body = "{\"error\":\"internal\"}".getBytes(StandardCharsets.UTF_8);
      }
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      if (status == HttpStatus.UNAUTHORIZED_401) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"carbonio\"");
      }
      response.write(true, ByteBuffer.wrap(body), callback);
      return true;
    }

    /** The path after the prefix, split at '/' and each segment percent-decoded on its own. */
    private static List<String> segments(String rawPath) throws DirectoryException {
      List<String> out = new ArrayList<>();
      for (String s : rawPath.substring(PREFIX.length()).split("/", -1)) {
        try {
          out.add(URIUtil.decodePath(s));
        } catch (IllegalArgumentException e) {
          throw new DirectoryException.Invalid("bad percent-encoding in the path");
        }
      }
      return out;
    }

    private Reply dispatch(Request request) throws IOException, DirectoryException {
      // Read the body before any answer: one left unread makes Jetty close the connection after
      // the reply, which a client reusing that connection sees as a reset.
      String body = body(request);
      String path = request.getHttpURI().getPath();
      if (path == null || !path.startsWith(PREFIX)) {
        return Reply.error(HttpStatus.NOT_FOUND_404, "not_found", "no such endpoint: " + path);
      }
      Optional<Account> caller = authenticate(request);
      if (caller.isEmpty()) {
        return Reply.error(HttpStatus.UNAUTHORIZED_401, "unauthorized", "admin credentials needed");
      }
      if (!caller.get().admin() && caller.get().roles().isEmpty()) {
        return Reply.error(HttpStatus.FORBIDDEN_403, "forbidden", "not an admin account");
      }
      Provisioning p =
          new Provisioning(directory, Provisioning.Caller.account(caller.get().address()));
      String method = request.getMethod();
      List<String> parts = segments(path);
      Call call = new Call(p, request, method, parts, body);
      Reply reply =
          switch (parts.get(0)) {
            case "domains" -> domains(call);
            case "accounts" -> accounts(call, caller.get());
            case "aliases" -> aliases(call);
            case "lists" -> lists(call);
            case "cos" -> classesOfService(call);
            case "queue" -> queue(call, caller.get());
            default -> null;
          };
      return reply != null
          ? reply
          : Reply.error(
              HttpStatus.NOT_FOUND_404, "not_found", "no such endpoint: " + method + " " + path);
    }

    // ---- domains ----

    private static Reply domains(Call c) throws IOException, DirectoryException {
      Provisioning p = c.p();
      String method = c.method();
      List<String> parts = c.parts();
      if (parts.size() == 1 && HttpMethod.GET.is(method)) {
        return Reply.ok(Map.of("domains", p.domains().stream().map(AdminApi::view).toList()));
      }
      if (parts.size() == 1 && HttpMethod.POST.is(method)) {
        JsonNode body = c.object();
        String name = text(body, "name");
        Optional<String> aliasOf = optionalText(body, "aliasOf");
        return Reply.ok(
            view(
                aliasOf.isPresent()
                    ? p.createAliasDomain(name, aliasOf.get())
                    : p.createDomain(name)));
      }
      if (parts.size() == 2 && HttpMethod.DELETE.is(method)) {
        p.deleteDomain(parts.get(1));
        return Reply.ok(Map.of("deleted", parts.get(1)));
      }
      if (parts.size() >= 3 && parts.get(2).equals("dkim")) {
        return dkim(c);
      }
      return null;
    }

    // ---- DKIM keys of a domain ----

    private static Reply dkim(Call c) throws IOException, DirectoryException {
      Provisioning p = c.p();
      String method = c.method();
      List<String> parts = c.parts();
      String domain = asciiDomain(parts.get(1));
      if (parts.size() == 3 && HttpMethod.GET.is(method)) {
        List<DkimKey> keys = p.dkimKeys(domain);
        if (keys.isEmpty() && !visible(p, domain)) {
          return Reply.error(
              HttpStatus.NOT_FOUND_404, "unknown_domain", "no such domain: " + domain);
        }
        return Reply.ok(dkimView(domain, keys));
      }
      if (parts.size() == 3 && HttpMethod.POST.is(method)) {
        return generateDkimKey(p, domain, c.body().equals("null") ? null : c.object());
      }
      if (parts.size() == 5 && parts.get(4).equals("activate") && HttpMethod.POST.is(method)) {
        String selector = parts.get(3);
        p.activateDkimKey(domain, selector);
        Map<String, Object> m = dkimView(domain, p.dkimKeys(domain));
        m.put("activated", selector.toLowerCase(Locale.ROOT));
        return Reply.ok(m);
      }
      if (parts.size() == 4 && HttpMethod.DELETE.is(method)) {
        String selector = parts.get(3).toLowerCase(Locale.ROOT);
        Optional<DkimKey> key =
            p.dkimKeys(domain).stream().filter(k -> k.selector().equals(selector)).findFirst();
        p.removeDkimKey(domain, selector);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("domain", domain);
        m.put("removed", selector);
        m.put("state", key.map(k -> k.state().name()).orElse(null));
        return Reply.ok(m);
      }
      return null;
    }

    /**
     * Generates a key pair here and stores it; the answer holds the TXT record, not the private
     * key. A key is created {@code PUBLISHED_NEXT} unless {@code activate} asks otherwise, which
     * only a domain without an active key may (the record of a new key is not published yet: a
     * rotation activates it once it is, with {@code activate}).
     */
    private static Reply generateDkimKey(Provisioning p, String domain, JsonNode body)
        throws DirectoryException {
      // the rights check (and the domain's existing selectors) before the costly RSA generation
      List<DkimKey> keys = p.dkimKeys(domain);
      if (keys.isEmpty() && !visible(p, domain)) {
        return Reply.error(HttpStatus.NOT_FOUND_404, "unknown_domain", "no such domain: " + domain);
      }
      Optional<String> selector = body == null ? Optional.empty() : optionalText(body, "selector");
      String algorithmName = body == null ? "rsa" : optionalText(body, "algorithm").orElse("rsa");
      boolean activate = body != null && body.has("activate") && bool(body, "activate");
      DkimKey.Algorithm algorithm =
          switch (algorithmName.toLowerCase(Locale.ROOT)) {
            case "rsa", "rsa-sha256" -> DkimKey.Algorithm.RSA_SHA256;
            case "ed25519", "ed25519-sha256" -> DkimKey.Algorithm.ED25519_SHA256;
            default ->
                throw new DirectoryException.Invalid(
                    "unknown algorithm: " + truncate(algorithmName) + " (rsa or ed25519)");
          };
      Optional<DkimKey> active =
          keys.stream().filter(k -> k.state() == DkimKey.State.ACTIVE).findFirst();
      if (activate && active.isPresent()) {
        return Reply.error(
            HttpStatus.CONFLICT_409,
            "conflict",
            domain
                + " already signs with "
                + active.get().selector()
                + ": generate without activate, publish the new TXT record, then activate it");
      }
      Instant now = Instant.now();
      String chosen = selector.orElseGet(() -> dateSelector(now, keys));
      if (keys.stream().anyMatch(k -> k.selector().equalsIgnoreCase(chosen))) {
        throw new DirectoryException.Conflict(domain + " has a DKIM key " + chosen + " already");
      }
      KeyPair pair =
          algorithm == DkimKey.Algorithm.RSA_SHA256
              ? DkimKeys.generateRsa()
              : DkimKeys.generateEd25519();
      DkimKey key =
          new DkimKey(
              chosen,
              algorithm,
              pair.getPrivate().getEncoded(),
              DkimKeys.txtRecord(pair.getPublic()),
              now,
              activate ? DkimKey.State.ACTIVE : DkimKey.State.PUBLISHED_NEXT);
      p.addDkimKey(domain, key);
      return Reply.ok(view(domain, key));
    }

    /** The domain as DNS names it (A-labels, lower case), or as given when it is no name. */
    private static String asciiDomain(String domain) {
      try {
        return java.net.IDN.toASCII(domain).toLowerCase(Locale.ROOT);
      } catch (IllegalArgumentException e) {
        return domain; // the directory answers 400
      }
    }

    /** {@code sYYYYMMDD}, with {@code -2}, {@code -3}... when the domain has that one already. */
    static String dateSelector(Instant now, List<DkimKey> taken) {
      String base =
          "s"
              + DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT)
                  .withZone(ZoneOffset.UTC)
                  .format(now);
      String s = base;
      for (int n = 2; n <= DkimKey.MAX_PER_DOMAIN + 1; n++) {
        String candidate = s;
        if (taken.stream().noneMatch(k -> k.selector().equals(candidate))) {
          return s;
        }
        s = base + "-" + n;
      }
      return s; // the directory refuses an eleventh key anyway
    }

    private static Map<String, Object> dkimView(String domain, List<DkimKey> keys) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("domain", domain);
      m.put("keys", keys.stream().map(k -> view(domain, k)).toList());
      return m;
    }

    // ---- the mail queue: global admins only ----

    private Reply queue(Call c, Account caller) throws IOException, DirectoryException {
      if (!caller.admin()) {
        // entries span every domain: no delegated admin sees or changes them
        return Reply.error(
            HttpStatus.FORBIDDEN_403, "forbidden", "not allowed: the mail queue (global admins)");
      }
      if (queue == null) {
        return Reply.error(HttpStatus.NOT_FOUND_404, "not_found", "this server has no mail queue");
      }
      String method = c.method();
      List<String> parts = c.parts();
      if (parts.size() == 1 && HttpMethod.GET.is(method)) {
        List<QueuedMessage> all = queue.list();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("messages", all.size());
        m.put("bytes", all.stream().mapToLong(QueuedMessage::size).sum());
        m.put("queue", all.stream().map(AdminApi::view).toList());
        return Reply.ok(m);
      }
      if (parts.size() == 2 && parts.get(1).equals("retry") && HttpMethod.POST.is(method)) {
        return Reply.ok(Map.of("retried", queue.retryAll()));
      }
      if (parts.size() < 2) {
        return null;
      }
      QueueId id = QueueId.of(parts.get(1)); // a bad id: IllegalArgumentException, 400
      if (parts.size() == 2 && HttpMethod.GET.is(method)) {
        QueuedMessage m = queued(id);
        Map<String, Object> v = view(m);
        v.put("headers", queue.headers(id).orElseThrow(() -> noSuchMessage(id)));
        return Reply.ok(v);
      }
      if (parts.size() == 2 && HttpMethod.DELETE.is(method)) {
        if (!queue.delete(id)) {
          throw noSuchMessage(id);
        }
        return Reply.ok(Map.of("deleted", id.value()));
      }
      if (parts.size() != 3 || !HttpMethod.POST.is(method)) {
        return null;
      }
      switch (parts.get(2)) {
        case "retry" -> {
          if (queued(id).held()) {
            return Reply.error(
                HttpStatus.CONFLICT_409,
                "conflict",
                "message " + id + " is on hold: release it to attempt it");
          }
          if (!queue.retry(id)) {
            throw noSuchMessage(id);
          }
          return Reply.ok(Map.of("retried", id.value()));
        }
        case "hold" -> {
          String reason =
              c.body().equals("null") ? "" : optionalText(c.object(), "reason").orElse("");
          if (reason.length() > 1000 || reason.chars().anyMatch(Character::isISOControl)) {
            throw new DirectoryException.Invalid(
                "the reason must be at most 1000 characters, without control characters");
          }
          if (!queue.hold(id, reason)) {
            throw noSuchMessage(id);
          }
          return Reply.ok(view(queued(id)));
        }
        case "release" -> {
          if (!queued(id).held()) {
            return Reply.error(
                HttpStatus.CONFLICT_409, "conflict", "message " + id + " is not on hold");
          }
          if (!queue.release(id)) {
            throw noSuchMessage(id);
          }
          return Reply.ok(Map.of("released", id.value()));
        }
        default -> {
          return null;
        }
      }
    }

    private QueuedMessage queued(QueueId id) throws DirectoryException {
      return queue.show(id).orElseThrow(() -> noSuchMessage(id));
    }

    private static DirectoryException.NotFound noSuchMessage(QueueId id) {
      return new DirectoryException.NotFound("no such message in the queue: " + id);
    }

    // ---- accounts ----

    private Reply accounts(Call c, Account caller) throws IOException, DirectoryException {
      Provisioning p = c.p();
      Request request = c.request();
      String method = c.method();
      List<String> parts = c.parts();
      if (parts.size() == 1 && HttpMethod.GET.is(method)) {
        String domain = Request.extractQueryParameters(request).getValue("domain");
        List<Account> accounts = p.accounts(Optional.ofNullable(domain));
        if (domain != null && accounts.isEmpty() && !visible(p, domain)) {
          return Reply.error(
              HttpStatus.NOT_FOUND_404, "unknown_domain", "no such domain: " + domain);
        }
        return Reply.ok(Map.of("accounts", accounts.stream().map(AdminApi::view).toList()));
      }
      if (parts.size() == 1 && HttpMethod.POST.is(method)) {
        JsonNode body = c.object();
        Account account = p.createAccount(text(body, "address"), text(body, "password"));
        store.mailbox(account.id());
        return Reply.ok(view(account));
      }
      if (parts.size() < 2) {
        return null;
      }
      String address = parts.get(1);
      if (parts.size() == 2) {
        if (HttpMethod.GET.is(method)) {
          return Reply.ok(view(account(p, address)));
        }
        if (HttpMethod.DELETE.is(method)) {
          return deleteAccount(p, caller, address);
        }
        return null;
      }
      String what = parts.get(2);
      if (parts.size() == 3 && HttpMethod.PUT.is(method)) {
        JsonNode body = c.object();
        switch (what) {
          case "password" -> p.setPassword(address, text(body, "password"));
          case "display-name" -> p.setDisplayName(address, text(body, "displayName", true));
          case "quota" -> p.setQuota(address, optionalBytes(body, "bytes", true));
          case "cos" -> p.setClassOfService(address, text(body, "cos"));
          case "mail-host" -> p.setMailHost(address, nullableText(body, "host"));
          case "status" -> p.setStatus(address, status(text(body, "status")));
          case "admin" -> p.setAdmin(address, bool(body, "admin"));
          default -> {
            return null;
          }
        }
        return Reply.ok(Map.of("updated", address));
      }
      if (what.equals("aliases") && parts.size() == 3 && HttpMethod.POST.is(method)) {
        String alias = text(c.object(), "alias");
        p.addAlias(address, alias);
        return Reply.ok(Map.of("account", address, "alias", alias));
      }
      if (what.equals("roles") && parts.size() == 3 && HttpMethod.POST.is(method)) {
        JsonNode body = c.object();
        Role role = new Role(roleKind(text(body, "kind")), text(body, "domain"));
        p.grantRole(address, role);
        return Reply.ok(Map.of("account", address, "granted", view(role)));
      }
      if (what.equals("roles") && parts.size() == 5 && HttpMethod.DELETE.is(method)) {
        Role role = new Role(roleKind(parts.get(3)), parts.get(4));
        p.revokeRole(address, role);
        return Reply.ok(Map.of("account", address, "revoked", view(role)));
      }
      return null;
    }

    private Reply deleteAccount(Provisioning p, Account caller, String address)
        throws DirectoryException {
      Account account = account(p, address);
      if (account.id().equals(caller.id())) {
        return Reply.error(
            HttpStatus.CONFLICT_409,
            "conflict",
            "refusing to delete the account this request authenticated as: " + address);
      }
      // Directory first: once the account is gone nothing delivers to or logs into the mailbox.
      p.deleteAccount(account.address());
      try {
        store.deleteAccount(account.id());
      } catch (StoreException.NotFound e) {
        // never received mail nor logged in: no mailbox to delete
      }
      return Reply.ok(Map.of("deleted", account.address()));
    }

    private static Account account(Provisioning p, String address) throws DirectoryException {
      return p.findAccount(address)
          .orElseThrow(() -> new DirectoryException.NotFound("no such account: " + address));
    }

    /** Whether the caller sees {@code domain} (after the rights check passed, for the 404). */
    private static boolean visible(Provisioning p, String domain) {
      String d;
      try {
        d = java.net.IDN.toASCII(domain).toLowerCase(Locale.ROOT);
      } catch (IllegalArgumentException e) {
        return false;
      }
      return p.domains().stream().anyMatch(x -> x.name().equals(d));
    }

    // ---- aliases ----

    private static Reply aliases(Call c) throws DirectoryException {
      Provisioning p = c.p();
      String method = c.method();
      List<String> parts = c.parts();
      if (parts.size() == 2 && HttpMethod.DELETE.is(method)) {
        p.removeAlias(parts.get(1));
        return Reply.ok(Map.of("removed", parts.get(1)));
      }
      return null;
    }

    // ---- distribution lists ----

    private static Reply lists(Call c) throws IOException, DirectoryException {
      Provisioning p = c.p();
      Request request = c.request();
      String method = c.method();
      List<String> parts = c.parts();
      if (parts.size() == 1 && HttpMethod.GET.is(method)) {
        String domain = Request.extractQueryParameters(request).getValue("domain");
        if (domain == null || domain.isEmpty()) {
          throw new DirectoryException.Invalid("missing query parameter: domain");
        }
        List<DistributionList> lists = p.lists(domain);
        if (lists.isEmpty() && !visible(p, domain)) {
          return Reply.error(
              HttpStatus.NOT_FOUND_404, "unknown_domain", "no such domain: " + domain);
        }
        return Reply.ok(Map.of("lists", lists.stream().map(AdminApi::view).toList()));
      }
      if (parts.size() == 1 && HttpMethod.POST.is(method)) {
        JsonNode body = c.object();
        return Reply.ok(
            view(
                p.createList(text(body, "address"), optionalText(body, "displayName").orElse(""))));
      }
      if (parts.size() < 2) {
        return null;
      }
      String list = parts.get(1);
      if (parts.size() == 2 && HttpMethod.GET.is(method)) {
        return Reply.ok(
            view(
                p.findList(list)
                    .orElseThrow(() -> new DirectoryException.NotFound("no such list: " + list))));
      }
      if (parts.size() == 2 && HttpMethod.DELETE.is(method)) {
        p.deleteList(list);
        return Reply.ok(Map.of("deleted", list));
      }
      if (parts.get(2).equals("members")) {
        if (parts.size() == 3 && HttpMethod.POST.is(method)) {
          String member = text(c.object(), "member");
          p.addListMember(list, member);
          return Reply.ok(Map.of("list", list, "added", member));
        }
        if (parts.size() == 4 && HttpMethod.DELETE.is(method)) {
          p.removeListMember(list, parts.get(3));
          return Reply.ok(Map.of("list", list, "removed", parts.get(3)));
        }
      }
      return null;
    }

    // ---- classes of service ----

    private static Reply classesOfService(Call c) throws IOException, DirectoryException {
      Provisioning p = c.p();
      String method = c.method();
      List<String> parts = c.parts();
      if (parts.size() == 1 && HttpMethod.GET.is(method)) {
        return Reply.ok(
            Map.of("classes", p.classesOfService().stream().map(AdminApi::view).toList()));
      }
      if (parts.size() == 1 && HttpMethod.POST.is(method)) {
        JsonNode body = c.object();
        ClassOfService cos =
            new ClassOfService(
                text(body, "name"),
                optionalBytes(body, "quotaBytes", false),
                features(body, Map.of()),
                body.has("passwordMinLength") ? integer(body, "passwordMinLength") : 1);
        return Reply.ok(view(p.createClassOfService(cos)));
      }
      if (parts.size() != 2) {
        return null;
      }
      String name = parts.get(1);
      if (HttpMethod.GET.is(method)) {
        return Reply.ok(view(cos(p, name)));
      }
      if (HttpMethod.PUT.is(method)) {
        // fields present replace the class's, absent ones keep it; features given are merged in
        JsonNode body = c.object();
        ClassOfService old = cos(p, name);
        ClassOfService cos =
            new ClassOfService(
                old.name(),
                body.has("quotaBytes") ? optionalBytes(body, "quotaBytes", true) : old.quotaBytes(),
                features(body, old.features()),
                body.has("passwordMinLength")
                    ? integer(body, "passwordMinLength")
                    : old.passwordMinLength());
        p.updateClassOfService(cos);
        return Reply.ok(view(cos));
      }
      if (HttpMethod.DELETE.is(method)) {
        p.deleteClassOfService(name);
        return Reply.ok(Map.of("deleted", name));
      }
      return null;
    }

    private static ClassOfService cos(Provisioning p, String name) throws DirectoryException {
      return p.classesOfService().stream()
          .filter(c -> c.name().equalsIgnoreCase(name))
          .findFirst()
          .orElseThrow(() -> new DirectoryException.NotFound("no such class of service: " + name));
    }

    private static Map<String, Boolean> features(JsonNode body, Map<String, Boolean> base)
        throws DirectoryException {
      JsonNode f = body.get("features");
      if (f == null || f.isNull()) {
        return base;
      }
      if (!f.isObject()) {
        throw new DirectoryException.Invalid(
            "field features must be an object of name: true|false");
      }
      Map<String, Boolean> out = new TreeMap<>(base);
      for (var e : f.properties()) {
        if (!e.getValue().isBoolean()) {
          throw new DirectoryException.Invalid(
              "feature " + truncate(e.getKey()) + " must be true or false");
        }
        out.put(e.getKey(), e.getValue().booleanValue());
      }
      return out;
    }

    // ---- request fields ----

    /** One request, authenticated: the caller's provisioning view and the parsed path. */
    private record Call(
        Provisioning p, Request request, String method, List<String> parts, String body) {
      /** The body as a JSON object; 400 if it is missing, malformed or not an object. */
      JsonNode object() throws IOException, DirectoryException {
        return ApiHandler.object(body);
      }
    }

    private static JsonNode object(String body) throws IOException, DirectoryException {
      JsonNode node = JSON.readTree(body);
      if (node == null || node.isNull() || node.isMissingNode()) {
        throw new DirectoryException.Invalid("missing body: a JSON object is expected");
      }
      if (!node.isObject()) {
        throw new DirectoryException.Invalid("the body must be a JSON object");
      }
      return node;
    }

    private static String text(JsonNode body, String field) throws DirectoryException {
      return text(body, field, false);
    }

    private static String text(JsonNode body, String field, boolean emptyAllowed)
        throws DirectoryException {
      JsonNode v = body.get(field);
      if (v == null || v.isNull()) {
        throw new DirectoryException.Invalid("missing field: " + field);
      }
      if (!v.isTextual()) {
        throw new DirectoryException.Invalid("field " + field + " must be a string");
      }
      if (!emptyAllowed && v.asText().isEmpty()) {
        throw new DirectoryException.Invalid("missing field: " + field);
      }
      return v.asText();
    }

    /** A string field that may be absent (empty result). */
    private static Optional<String> optionalText(JsonNode body, String field)
        throws DirectoryException {
      JsonNode v = body.get(field);
      if (v == null || v.isNull()) {
        return Optional.empty();
      }
      if (!v.isTextual()) {
        throw new DirectoryException.Invalid("field " + field + " must be a string");
      }
      return v.asText().isEmpty() ? Optional.empty() : Optional.of(v.asText());
    }

    /** A field that must be present, as a string or null (null or "" clear). */
    private static Optional<String> nullableText(JsonNode body, String field)
        throws DirectoryException {
      if (!body.has(field)) {
        throw new DirectoryException.Invalid("missing field: " + field + " (null clears it)");
      }
      return optionalText(body, field);
    }

    /** A byte count, or null for none; {@code required}: the field must be there. */
    private static OptionalLong optionalBytes(JsonNode body, String field, boolean required)
        throws DirectoryException {
      JsonNode v = body.get(field);
      if (v == null) {
        if (required) {
          throw new DirectoryException.Invalid("missing field: " + field + " (null clears it)");
        }
        return OptionalLong.empty();
      }
      if (v.isNull()) {
        return OptionalLong.empty();
      }
      if (!v.canConvertToExactIntegral() || !v.canConvertToLong() || v.asLong() < 0) {
        throw new DirectoryException.Invalid(
            "field " + field + " must be a non-negative whole number of bytes, or null");
      }
      return OptionalLong.of(v.asLong());
    }

    private static int integer(JsonNode body, String field) throws DirectoryException {
      JsonNode v = body.get(field);
      if (v == null || !v.canConvertToExactIntegral() || !v.canConvertToInt()) {
        throw new DirectoryException.Invalid("field " + field + " must be a whole number");
      }
      return v.asInt();
    }

    private static boolean bool(JsonNode body, String field) throws DirectoryException {
      JsonNode v = body.get(field);
      if (v == null || !v.isBoolean()) {
        throw new DirectoryException.Invalid("field " + field + " must be true or false");
      }
      return v.booleanValue();
    }

    /** An account status by name, case-insensitively. */
    static AccountStatus status(String name) throws DirectoryException {
      try {
        return AccountStatus.valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new DirectoryException.Invalid(
            "unknown status: " + truncate(name) + " (active, locked, maintenance or closed)");
      }
    }

    /** A role kind: {@code domain-admin} or {@code help-desk}, any case, '-' or '_'. */
    static Role.Kind roleKind(String name) throws DirectoryException {
      try {
        return Role.Kind.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new DirectoryException.Invalid(
            "unknown role: " + truncate(name) + " (domain-admin or help-desk)");
      }
    }

    private static String truncate(String s) {
      if (s == null) {
        return "";
      }
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < s.length() && i < 200; i++) {
        char c = s.charAt(i);
        out.append(Character.isISOControl(c) ? '?' : c);
      }
      return s.length() > 200 ? out + "..." : out.toString();
    }

    private Optional<Account> authenticate(Request request) {
      String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
      if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
        return Optional.empty();
      }
      String decoded;
      try {
        decoded =
            new String(
                Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        return Optional.empty();
      }
      InetSocketAddress remote =
          request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress a
              ? a
              : null;
      return directory.authenticateAccountPassword(
          decoded.substring(0, colon),
          decoded.substring(colon + 1),
          remote == null ? InetAddress.getLoopbackAddress() : remote.getAddress());
    }

    /** The request body, read up to {@link #MAX_BODY_BYTES}. */
    private static String body(Request request) throws IOException {
      if (request.getLength() > MAX_BODY_BYTES) {
        throw new BodyTooLarge();
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      try (InputStream in = Content.Source.asInputStream(request)) {
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          if (body.size() + n > MAX_BODY_BYTES) {
            throw new BodyTooLarge();
          }
          body.write(buffer, 0, n);
        }
      }
      return body.size() == 0 ? "null" : body.toString(StandardCharsets.UTF_8);
    }

    private static Reply directoryError(DirectoryException e) {
      return switch (e) {
        case DirectoryException.NotFound n ->
            Reply.error(HttpStatus.NOT_FOUND_404, "not_found", n.getMessage());
        case DirectoryException.UnknownDomain u ->
            Reply.error(HttpStatus.NOT_FOUND_404, "unknown_domain", u.getMessage());
        case DirectoryException.Conflict c ->
            Reply.error(HttpStatus.CONFLICT_409, "conflict", c.getMessage());
        case DirectoryException.Invalid i ->
            Reply.error(HttpStatus.BAD_REQUEST_400, "invalid", i.getMessage());
        case DirectoryException.Forbidden f ->
            Reply.error(HttpStatus.FORBIDDEN_403, "forbidden", f.getMessage());
        default -> Reply.error(HttpStatus.INTERNAL_SERVER_ERROR_500, "unavailable", e.getMessage());
      };
    }
  }
}
