package org.carbonio.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.carbonio.directory.Account;
import org.carbonio.directory.Directory;
import org.carbonio.directory.DirectoryException;
import org.carbonio.store.MailStore;
import org.carbonio.store.StoreException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local admin API: JSON over HTTP, HTTP Basic authentication with an admin account.
 * Thread-safe.
 *
 * <pre>
 * GET    /admin/v1/domains                      list domains
 * POST   /admin/v1/domains          {"name"}    create a domain
 * GET    /admin/v1/accounts[?domain=D]          list accounts
 * POST   /admin/v1/accounts         {"address","password"}
 * PUT    /admin/v1/accounts/ADDR/password  {"password"}
 * DELETE /admin/v1/accounts/ADDR                delete the account and its mailbox
 * </pre>
 *
 * Errors are {@code {"error": "not_found|conflict|unknown_domain|invalid|...", "message": "..."}}
 * with status 400, 401, 403, 404, 409 or 500.
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

  public static AdminApi start(InetSocketAddress bind, Directory directory, MailStore store)
      throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("admin-http");
    Server jetty = new Server(threads);
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost(bind.getAddress().getHostAddress());
    connector.setPort(bind.getPort());
    jetty.addConnector(connector);
    jetty.setHandler(new ApiHandler(directory, store));
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

  record CreateDomain(String name) {}

  record CreateAccount(String address, String password) {}

  record SetPassword(String password) {}

  private static final class ApiHandler extends Handler.Abstract {
    private final Directory directory;
    private final MailStore store;

    ApiHandler(Directory directory, MailStore store) {
      this.directory = directory;
      this.store = store;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Reply reply;
      try {
        reply = dispatch(request);
      } catch (JsonProcessingException e) {
        reply = Reply.error(HttpStatus.BAD_REQUEST_400, "invalid", "malformed JSON body");
      } catch (DirectoryException e) {
        reply = directoryError(e);
      } catch (BodyTooLarge e) {
        reply =
            Reply.error(
                HttpStatus.PAYLOAD_TOO_LARGE_413,
                "too_large",
                "request body over " + MAX_BODY_BYTES + " bytes");
      } catch (IOException | RuntimeException e) {
        log.error("admin API request {} {} failed", request.getMethod(), request.getHttpURI(), e);
        reply =
            Reply.error(
                HttpStatus.INTERNAL_SERVER_ERROR_500,
                "internal",
                "internal error; the server log has the details");
      }
      byte[] body;
      try {
        body = JSON.writeValueAsBytes(reply.body());
      } catch (JsonProcessingException e) {
        body = "{\"error\":\"internal\"}".getBytes(StandardCharsets.UTF_8);
      }
      response.setStatus(reply.status());
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      if (reply.status() == HttpStatus.UNAUTHORIZED_401) {
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"carbonio\"");
      }
      response.write(true, ByteBuffer.wrap(body), callback);
      return true;
    }

    private Reply dispatch(Request request) throws IOException, DirectoryException {
      String path = request.getHttpURI().getDecodedPath();
      if (!path.startsWith(PREFIX)) {
        return Reply.error(HttpStatus.NOT_FOUND_404, "not_found", "no such endpoint: " + path);
      }
      Optional<Account> caller = authenticate(request);
      if (caller.isEmpty()) {
        return Reply.error(HttpStatus.UNAUTHORIZED_401, "unauthorized", "admin credentials needed");
      }
      if (!caller.get().admin()) {
        return Reply.error(HttpStatus.FORBIDDEN_403, "forbidden", "not an admin account");
      }
      String method = request.getMethod();
      List<String> parts = List.of(path.substring(PREFIX.length()).split("/", -1));
      if (parts.equals(List.of("domains"))) {
        if (HttpMethod.GET.is(method)) {
          return Reply.ok(Map.of("domains", directory.domains()));
        }
        if (HttpMethod.POST.is(method)) {
          CreateDomain body = JSON.readValue(body(request), CreateDomain.class);
          return Reply.ok(
              directory.createDomain(require(body == null ? null : body.name(), "name")));
        }
      } else if (parts.equals(List.of("accounts"))) {
        if (HttpMethod.GET.is(method)) {
          String domain = Request.extractQueryParameters(request).getValue("domain");
          if (domain != null && !directory.isLocalDomain(domain)) {
            return Reply.error(
                HttpStatus.NOT_FOUND_404, "unknown_domain", "no such domain: " + domain);
          }
          return Reply.ok(Map.of("accounts", directory.accounts(Optional.ofNullable(domain))));
        }
        if (HttpMethod.POST.is(method)) {
          CreateAccount body = JSON.readValue(body(request), CreateAccount.class);
          if (body == null) {
            return Reply.error(HttpStatus.BAD_REQUEST_400, "invalid", "missing body");
          }
          Account account =
              directory.createAccount(
                  require(body.address(), "address"), require(body.password(), "password"));
          store.mailbox(account.id());
          return Reply.ok(account);
        }
      } else if (parts.size() >= 2 && parts.get(0).equals("accounts")) {
        String address = parts.get(1);
        if (parts.size() == 2 && HttpMethod.DELETE.is(method)) {
          Account account =
              directory
                  .findAccount(address)
                  .orElseThrow(
                      () -> new DirectoryException.NotFound("no such account: " + address));
          if (account.id().equals(caller.get().id())) {
            return Reply.error(
                HttpStatus.CONFLICT_409,
                "conflict",
                "refusing to delete the account this request authenticated as: " + address);
          }
          // Directory first: once the account is gone nothing delivers to or logs into the mailbox.
          directory.deleteAccount(address);
          try {
            store.deleteAccount(account.id());
          } catch (StoreException.NotFound e) {
            // never received mail nor logged in: no mailbox to delete
          }
          return Reply.ok(Map.of("deleted", account.address()));
        }
        if (parts.size() == 3 && parts.get(2).equals("password") && HttpMethod.PUT.is(method)) {
          SetPassword body = JSON.readValue(body(request), SetPassword.class);
          directory.setPassword(
              address, require(body == null ? null : body.password(), "password"));
          return Reply.ok(Map.of("updated", address));
        }
      }
      return Reply.error(
          HttpStatus.NOT_FOUND_404, "not_found", "no such endpoint: " + method + " " + path);
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
      return directory.authenticate(
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

    private static String require(String value, String field) throws DirectoryException {
      if (value == null || value.isEmpty()) {
        throw new DirectoryException.Invalid("missing field: " + field);
      }
      return value;
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
