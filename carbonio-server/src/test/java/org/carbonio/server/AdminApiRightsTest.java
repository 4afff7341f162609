package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.carbonio.directory.Directory;
import org.carbonio.directory.Role;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every provisioning endpoint of the admin API over real HTTP, as each kind of caller: a domain
 * admin manages only its own domains, a help desk gets 403 where {@code Provisioning} says, a plain
 * account gets 403 everywhere and a wrong password 401. The HTTP twin of the directory's {@code
 * ProvisioningRightsTest}.
 */
class AdminApiRightsTest {

  private static final String PW = "pw-Secret-1";

  @RegisterExtension final ServerExtension carbonio = new ServerExtension();

  private CarbonioServer server;
  private Directory directory;
  private HttpClient http;
  private URI base;
  private String adminPassword;
  private int n;

  @BeforeEach
  void start() throws Exception {
    server = carbonio.server();
    directory = server.directory();
    adminPassword = Files.readString(carbonio.dataDir().resolve("admin-password")).strip();
    http = HttpClient.newHttpClient();
    base = URI.create("http://127.0.0.1:" + server.port(Listener.Kind.HTTP) + "/admin/v1/");
    for (String d : List.of("mine.com", "theirs.com")) {
      directory.createDomain(d);
      directory.createAccount("user@" + d, PW);
      directory.createList("list@" + d, "");
    }
    directory.createAliasDomain("mine.net", "mine.com");
    directory.createAccount("dadmin@mine.com", PW);
    directory.grantRole("dadmin@mine.com", new Role(Role.Kind.DOMAIN_ADMIN, "mine.com"));
    directory.createAccount("helper@mine.com", PW);
    directory.grantRole("helper@mine.com", new Role(Role.Kind.HELP_DESK, "mine.com"));
    directory.createAccount("plain@mine.com", PW);
  }

  /** One request; its setup (through the directory, as the system) runs just before it. */
  record Req(String method, String path, String body) {}

  @FunctionalInterface
  interface Call {
    Req prepare() throws Exception;
  }

  /** Each provisioning endpoint aimed at domain {@code d}; fresh names on every use. */
  private Map<String, Call> domainCalls(String d) {
    Map<String, Call> calls = new LinkedHashMap<>();
    String user = "accounts/user@" + d;
    calls.put(
        "create account",
        () -> new Req("POST", "accounts", body("address", "new" + n++ + "@" + d, "password", PW)));
    calls.put("show account", () -> new Req("GET", user, null));
    calls.put("list accounts", () -> new Req("GET", "accounts?domain=" + d, null));
    calls.put("set password", () -> new Req("PUT", user + "/password", body("password", PW)));
    calls.put(
        "set status locked", () -> new Req("PUT", user + "/status", body("status", "locked")));
    calls.put(
        "set status active", () -> new Req("PUT", user + "/status", body("status", "active")));
    calls.put(
        "set status closed", () -> new Req("PUT", user + "/status", body("status", "closed")));
    calls.put(
        "set display name",
        () -> new Req("PUT", user + "/display-name", body("displayName", "User")));
    calls.put("set quota", () -> new Req("PUT", user + "/quota", "{\"bytes\":1000}"));
    calls.put("set cos", () -> new Req("PUT", user + "/cos", body("cos", "default")));
    calls.put(
        "add alias",
        () -> new Req("POST", user + "/aliases", body("alias", "alias" + n++ + "@" + d)));
    calls.put(
        "remove alias",
        () -> {
          String alias = "gone" + n++ + "@" + real(d);
          directory.addAlias("user@" + real(d), alias);
          return new Req("DELETE", "aliases/" + alias.replace(real(d), d), null);
        });
    calls.put(
        "create list", () -> new Req("POST", "lists", body("address", "newlist" + n++ + "@" + d)));
    calls.put("show list", () -> new Req("GET", "lists/list@" + d, null));
    calls.put("list lists", () -> new Req("GET", "lists?domain=" + d, null));
    calls.put(
        "add list member",
        () ->
            new Req("POST", "lists/list@" + d + "/members", body("member", "m" + n++ + "@x.org")));
    calls.put(
        "remove list member",
        () -> {
          String m = "r" + n++ + "@x.org";
          directory.addListMember("list@" + real(d), m);
          return new Req("DELETE", "lists/list@" + d + "/members/" + m, null);
        });
    calls.put(
        "delete list",
        () -> {
          String l = "tmp" + n++ + "@" + real(d);
          directory.createList(l, "");
          return new Req("DELETE", "lists/" + l.replace(real(d), d), null);
        });
    calls.put(
        "delete account",
        () -> {
          String v = "victim" + n++ + "@" + real(d);
          directory.createAccount(v, PW);
          return new Req("DELETE", "accounts/" + v.replace(real(d), d), null);
        });
    return calls;
  }

  /** The local domain behind an alias domain, for setup through the directory. */
  private static String real(String d) {
    return d.equals("mine.net") ? "mine.com" : d;
  }

  /** Endpoints only global admins may use. */
  private Map<String, Call> globalCalls() {
    Map<String, Call> calls = new LinkedHashMap<>();
    calls.put("create domain", () -> new Req("POST", "domains", body("name", "d" + n++ + ".org")));
    calls.put(
        "create alias domain",
        () -> new Req("POST", "domains", body("name", "a" + n++ + ".org", "aliasOf", "mine.com")));
    calls.put("delete domain", () -> new Req("DELETE", "domains/nonexistent.org", null));
    calls.put("create cos", () -> new Req("POST", "cos", body("name", "c" + n++)));
    calls.put("update cos", () -> new Req("PUT", "cos/default", "{\"passwordMinLength\":1}"));
    calls.put("delete cos", () -> new Req("DELETE", "cos/nonexistent", null));
    calls.put(
        "set mail host",
        () -> new Req("PUT", "accounts/user@mine.com/mail-host", body("host", "mail2.mine.com")));
    calls.put(
        "set admin", () -> new Req("PUT", "accounts/user@mine.com/admin", "{\"admin\":false}"));
    calls.put(
        "grant role",
        () ->
            new Req(
                "POST",
                "accounts/user@mine.com/roles",
                body("kind", "help-desk", "domain", "mine.com")));
    calls.put(
        "revoke role",
        () -> new Req("DELETE", "accounts/user@mine.com/roles/help-desk/mine.com", null));
    calls.put("list accounts of every domain", () -> new Req("GET", "accounts", null));
    return calls;
  }

  /** Endpoints every admin role may read. */
  private static Map<String, Call> cosReads() {
    Map<String, Call> calls = new LinkedHashMap<>();
    calls.put("list cos", () -> new Req("GET", "cos", null));
    calls.put("show cos", () -> new Req("GET", "cos/default", null));
    calls.put("list domains", () -> new Req("GET", "domains", null));
    return calls;
  }

  private static String body(String... fields) {
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < fields.length; i += 2) {
      out.append(i == 0 ? "" : ",")
          .append('"')
          .append(fields[i])
          .append("\":\"")
          .append(fields[i + 1])
          .append('"');
    }
    return out.append('}').toString();
  }

  private HttpResponse<String> send(String user, String password, Req req) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(req.path()))
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
            .method(
                req.method(),
                req.body() == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(req.body()))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The status of each call (never a 5xx); a 401 or 403 carries its error name. */
  private Map<String, Integer> statuses(String user, String password, Map<String, Call> calls)
      throws Exception {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (var e : calls.entrySet()) {
      Req req = e.getValue().prepare();
      HttpResponse<String> response = send(user, password, req);
      String what = user + " " + req.method() + " " + req.path() + ": " + response.body();
      assertThat(response.statusCode()).as(what).isLessThan(500);
      if (response.statusCode() == 403) {
        assertThat(response.body()).as(what).contains("\"forbidden\"");
      } else if (response.statusCode() == 401) {
        assertThat(response.body()).as(what).contains("\"unauthorized\"");
      }
      out.put(e.getKey(), response.statusCode());
    }
    return out;
  }

  /** The calls answered with {@code status}. */
  private List<String> answered(int status, String user, String password, Map<String, Call> calls)
      throws Exception {
    return statuses(user, password, calls).entrySet().stream()
        .filter(e -> e.getValue() == status)
        .map(Map.Entry::getKey)
        .toList();
  }

  private List<String> refused(String user, Map<String, Call> calls) throws Exception {
    return answered(403, user, PW, calls);
  }

  @Test
  void domainAdminShouldManageItsOwnDomainOnlyForEveryEndpoint() throws Exception {
    assertThat(answered(200, "dadmin@mine.com", PW, domainCalls("mine.com")))
        .as("every call succeeds on its own domain")
        .containsExactlyElementsOf(domainCalls("mine.com").keySet());
    assertThat(refused("dadmin@mine.com", domainCalls("mine.net")))
        .as("through the alias domain")
        .isEmpty();
    assertThat(refused("dadmin@mine.com", domainCalls("theirs.com")))
        .containsExactlyElementsOf(domainCalls("theirs.com").keySet());
    assertThat(refused("dadmin@mine.com", globalCalls()))
        .containsExactlyElementsOf(globalCalls().keySet());
    assertThat(refused("dadmin@mine.com", cosReads())).isEmpty();
    assertThat(send("dadmin@mine.com", PW, new Req("GET", "domains", null)).body())
        .contains("\"mine.com\"", "\"mine.net\"")
        .doesNotContain("theirs.com");
    assertThat(directory.findAccount("user@theirs.com").orElseThrow().displayName()).isEmpty();
  }

  @Test
  void helpDeskShouldBeRefusedWhereProvisioningSays() throws Exception {
    Map<String, Integer> own = statuses("helper@mine.com", PW, domainCalls("mine.com"));
    assertThat(own.values()).as("allowed calls succeed").containsOnly(200, 403);
    assertThat(own.entrySet().stream().filter(e -> e.getValue() == 403).map(Map.Entry::getKey))
        .containsExactly(
            "create account",
            "set status closed",
            "set display name",
            "set quota",
            "set cos",
            "add alias",
            "remove alias",
            "create list",
            "add list member",
            "remove list member",
            "delete list",
            "delete account");
    assertThat(refused("helper@mine.com", domainCalls("theirs.com")))
        .containsExactlyElementsOf(domainCalls("theirs.com").keySet());
    assertThat(refused("helper@mine.com", globalCalls()))
        .containsExactlyElementsOf(globalCalls().keySet());
    assertThat(refused("helper@mine.com", cosReads())).isEmpty();
  }

  @Test
  void plainAccountShouldGet403Everywhere() throws Exception {
    for (String d : List.of("mine.com", "theirs.com")) {
      assertThat(refused("plain@mine.com", domainCalls(d)))
          .containsExactlyElementsOf(domainCalls(d).keySet());
    }
    assertThat(refused("plain@mine.com", globalCalls()))
        .containsExactlyElementsOf(globalCalls().keySet());
    assertThat(refused("plain@mine.com", cosReads()))
        .containsExactlyElementsOf(cosReads().keySet());
  }

  @Test
  void globalAdminShouldBeAllowedEverything() throws Exception {
    String admin = server.adminAddress();
    for (String d : List.of("mine.com", "theirs.com")) {
      assertThat(answered(200, admin, adminPassword, domainCalls(d)))
          .containsExactlyElementsOf(domainCalls(d).keySet());
    }
    assertThat(answered(403, admin, adminPassword, globalCalls())).isEmpty();
    assertThat(answered(403, admin, adminPassword, cosReads())).isEmpty();
  }

  @Test
  void wrongPasswordShouldGet401Everywhere() throws Exception {
    Map<String, Call> all = new LinkedHashMap<>(domainCalls("mine.com"));
    all.putAll(globalCalls());
    all.putAll(cosReads());
    assertThat(answered(401, "dadmin@mine.com", "wrong", all))
        .containsExactlyElementsOf(all.keySet());
  }
}
