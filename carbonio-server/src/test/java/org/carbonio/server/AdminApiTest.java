package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The admin API over real HTTP: authentication, rights, bounds and error answers. */
class AdminApiTest {

  @RegisterExtension
  final ServerExtension carbonio = new ServerExtension().account("user@localhost", "user-Secret-1");

  @TempDir Path tmp;
  private CarbonioServer server;
  private HttpClient http;
  private URI base;
  private String adminPassword;

  @BeforeEach
  void start() throws Exception {
    server = carbonio.server();
    adminPassword = Files.readString(carbonio.dataDir().resolve("admin-password")).strip();
    http = HttpClient.newHttpClient();
    base = URI.create("http://127.0.0.1:" + server.port(Listener.Kind.HTTP) + "/admin/v1/");
  }

  private HttpResponse<String> send(
      String method, String path, String user, String password, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(base.resolve(path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (user != null) {
      request.header("Authorization", basic(user, password));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> asAdmin(String method, String path, String body) throws Exception {
    return send(method, path, server.adminAddress(), adminPassword, body);
  }

  @Test
  void apiShouldRefuseWhenCredentialsMissingWrongOrNotAdmin() throws Exception {
    HttpResponse<String> anonymous = send("GET", "accounts", null, null, null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
        .hasValue("Basic realm=\"carbonio\"");
    assertThat(send("GET", "accounts", server.adminAddress(), "wrong", null).statusCode())
        .isEqualTo(401);
    HttpResponse<String> user = send("GET", "accounts", "user@localhost", "user-Secret-1", null);
    assertThat(user.statusCode()).isEqualTo(403);
    assertThat(user.body()).contains("\"forbidden\"").doesNotContain("user@localhost\"}");
    assertThat(asAdmin("GET", "accounts", null).statusCode()).isEqualTo(200);
  }

  @Test
  void apiShouldAnswerClientErrorsWhenRequestsAreBad() throws Exception {
    assertThat(asAdmin("POST", "accounts", "{not json").statusCode()).isEqualTo(400);
    assertThat(asAdmin("POST", "accounts", "{\"address\":\"x@localhost\"}").statusCode())
        .isEqualTo(400);
    assertThat(asAdmin("GET", "nothing-here", null).statusCode()).isEqualTo(404);
    String huge = "{\"name\":\"" + "a".repeat(200_000) + "\"}";
    // RFC 9110 §10.1.1: with Expect: 100-continue the client waits for the verdict on the length
    // instead of racing the server's 413 and close with a body still being written
    HttpRequest oversized =
        HttpRequest.newBuilder(base.resolve("domains"))
            .expectContinue(true)
            .header("Authorization", basic(server.adminAddress(), adminPassword))
            .POST(HttpRequest.BodyPublishers.ofString(huge))
            .build();
    HttpResponse<String> tooLarge = http.send(oversized, HttpResponse.BodyHandlers.ofString());
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(asAdmin("GET", "domains", null).statusCode()).isEqualTo(200);
  }

  @Test
  void apiShouldAnswer400WithMessageWhenInputIsBad() throws Exception {
    String user = "accounts/user@localhost";
    record Bad(String method, String path, String body, String message) {}
    List<Bad> cases =
        List.of(
            new Bad("POST", "domains", "{\"name\":", "malformed JSON"),
            new Bad("POST", "domains", "[1,2]", "JSON object"),
            new Bad("POST", "domains", null, "missing body"),
            new Bad("POST", "domains", "{}", "missing field: name"),
            new Bad("POST", "domains", "{\"name\":7}", "name must be a string"),
            new Bad("POST", "accounts", "{\"password\":\"x-Secret-1\"}", "address"),
            new Bad("PUT", user + "/status", "{\"status\":\"sleeping\"}", "unknown status"),
            new Bad("PUT", user + "/status", "{}", "missing field: status"),
            new Bad("PUT", user + "/quota", "{}", "missing field: bytes"),
            new Bad("PUT", user + "/quota", "{\"bytes\":-1}", "non-negative"),
            new Bad("PUT", user + "/quota", "{\"bytes\":\"ten\"}", "non-negative"),
            new Bad("PUT", user + "/mail-host", "{}", "missing field: host"),
            new Bad("PUT", user + "/admin", "{\"admin\":\"yes\"}", "true or false"),
            new Bad("PUT", user + "/display-name", "{}", "missing field: displayName"),
            new Bad("POST", user + "/aliases", "{}", "missing field: alias"),
            new Bad(
                "POST",
                user + "/roles",
                "{\"kind\":\"superuser\",\"domain\":\"localhost\"}",
                "unknown role"),
            new Bad("POST", user + "/roles", "{\"kind\":\"help-desk\"}", "missing field: domain"),
            new Bad("DELETE", user + "/roles/overlord/localhost", null, "unknown role"),
            new Bad("GET", "lists", null, "missing query parameter: domain"),
            new Bad("POST", "lists", "{\"displayName\":\"x\"}", "missing field: address"),
            new Bad("POST", "lists/l@localhost/members", "{}", "missing field: member"),
            new Bad("POST", "cos", "{\"name\":\"c\",\"passwordMinLength\":0}", "1 to 1024"),
            new Bad("POST", "cos", "{\"name\":\"c\",\"features\":[1]}", "features"),
            new Bad("POST", "cos", "{\"name\":\"c\",\"features\":{\"imap\":\"no\"}}", "imap"),
            new Bad("PUT", "cos/default", "{\"passwordMinLength\":\"x\"}", "whole number"));
    for (Bad bad : cases) {
      HttpResponse<String> response = asAdmin(bad.method(), bad.path(), bad.body());
      assertThat(response.statusCode())
          .as("%s %s %s: %s", bad.method(), bad.path(), bad.body(), response.body())
          .isEqualTo(400);
      assertThat(response.body()).as(bad.path()).contains("\"invalid\"", bad.message());
    }
  }

  @Test
  void pathSegmentsShouldBeDecodedOneByOneWhenAddressesHoldSlashPlusOrPercent() throws Exception {
    // RFC 5322 §3.2.3: '/', '+' and '%' are atext, so they may appear in a local part
    for (String address : List.of("a/b@localhost", "c+d@localhost", "e%f@localhost")) {
      server.directory().createAccount(address, "pw-Secret-1");
      String segment =
          java.net.URLEncoder.encode(address, StandardCharsets.UTF_8).replace("+", "%20");
      HttpResponse<String> shown = asAdmin("GET", "accounts/" + segment, null);
      assertThat(shown.statusCode()).as(shown.body()).isEqualTo(200);
      assertThat(shown.body()).contains("\"address\":\"" + address + "\"");
    }
  }

  @Test
  void deleteShouldSucceedWhenAccountNeverHadMailboxAndRefuseOwnAccount() throws Exception {
    server.directory().createAccount("fresh@localhost", "fresh-Secret-1");
    HttpResponse<String> deleted = asAdmin("DELETE", "accounts/fresh@localhost", null);
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(server.directory().findAccount("fresh@localhost")).isEmpty();

    HttpResponse<String> self = asAdmin("DELETE", "accounts/" + server.adminAddress(), null);
    assertThat(self.statusCode()).isEqualTo(409);
    assertThat(server.directory().findAccount(server.adminAddress())).isPresent();
  }

  @Test
  void adminListenersShouldStayOnLoopbackWhenMailListenersBindElsewhere() throws Exception {
    ServerConfig config =
        ServerConfig.defaults(tmp).withBind(InetAddress.getByAddress(new byte[] {0, 0, 0, 0}));
    assertThat(config.address(Listener.Kind.SMTP).getAddress().isAnyLocalAddress()).isTrue();
    assertThat(config.address(Listener.Kind.HTTP).getAddress().isLoopbackAddress()).isTrue();
    assertThat(config.address(Listener.Kind.LDAP).getAddress().isLoopbackAddress()).isTrue();
    assertThat(config.withPortOffset(100).address(Listener.Kind.IMAPS).getPort()).isEqualTo(2093);
  }
}
