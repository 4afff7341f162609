package org.carbonio.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code carbonio prov}: provisioning through the running server's admin API, with the admin
 * credentials found in the data directory, or those of another admin ({@code --admin} with {@code
 * --admin-password-file}), whose roles the server checks at every call.
 *
 * <p>Exit codes: 0 done, 1 refused by the server (bad input, not found, conflict), 2 bad command
 * line, 3 server not running, 4 credentials refused, 5 not allowed for the caller's roles.
 *
 * <p>Not thread-safe: one instance per command-line run.
 */
@Command(
    name = "prov",
    mixinStandardHelpOptions = true,
    description =
        "Provision domains, accounts, aliases, lists, classes of service, roles and DKIM keys"
            + " on the running server.",
    subcommands = {
      ProvCommand.CreateDomain.class,
      ProvCommand.CreateAliasDomain.class,
      ProvCommand.DeleteDomain.class,
      ProvCommand.ListDomains.class,
      ProvCommand.CreateAccount.class,
      ProvCommand.ShowAccount.class,
      ProvCommand.SetPassword.class,
      ProvCommand.SetDisplayName.class,
      ProvCommand.SetQuota.class,
      ProvCommand.SetCos.class,
      ProvCommand.SetMailHost.class,
      ProvCommand.SetStatus.class,
      ProvCommand.SetAdmin.class,
      ProvCommand.DeleteAccount.class,
      ProvCommand.ListAccounts.class,
      ProvCommand.AddAlias.class,
      ProvCommand.RemoveAlias.class,
      ProvCommand.CreateList.class,
      ProvCommand.DeleteList.class,
      ProvCommand.AddListMember.class,
      ProvCommand.RemoveListMember.class,
      ProvCommand.ShowList.class,
      ProvCommand.ListLists.class,
      ProvCommand.CreateCos.class,
      ProvCommand.UpdateCos.class,
      ProvCommand.DeleteCos.class,
      ProvCommand.ShowCos.class,
      ProvCommand.ListCos.class,
      ProvCommand.GrantRole.class,
      ProvCommand.RevokeRole.class,
      ProvDkim.Generate.class,
      ProvDkim.ListKeys.class,
      ProvDkim.Activate.class,
      ProvDkim.Remove.class
    })
final class ProvCommand {

  @Option(
      names = "--data",
      defaultValue = "data",
      scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "Data directory of the running server (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(
      names = "--json",
      scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "Print the server's JSON answer.")
  boolean json;

  @Option(
      names = "--admin",
      paramLabel = "ADDRESS",
      scope = picocli.CommandLine.ScopeType.INHERIT,
      description =
          "Act as this admin account (a global admin, domain admin or help desk) instead of the"
              + " server's own admin; needs --admin-password-file.")
  String admin;

  @Option(
      names = "--admin-password-file",
      paramLabel = "FILE",
      scope = picocli.CommandLine.ScopeType.INHERIT,
      description = "File whose first line is the password of --admin.")
  Path adminPasswordFile;

  /** A failure that ends the command with a message and an exit code. */
  static final class ProvFailure extends Exception {
    final int exitCode;

    ProvFailure(int exitCode, String message) {
      super(message, null, false, false);
      this.exitCode = exitCode;
    }
  }

  /** Common plumbing of the subcommands: find the server, call it, print the outcome. */
  abstract static class Sub implements Callable<Integer> {
    @ParentCommand ProvCommand parent;
    @Spec CommandSpec spec;

    abstract JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException;

    abstract void print(PrintWriter out, JsonNode answer);

    @Override
    public Integer call() throws Exception {
      return AdminClient.callAndPrint(
          "carbonio prov",
          spec,
          parent.data,
          Optional.ofNullable(parent.admin),
          Optional.ofNullable(parent.adminPasswordFile),
          parent.json,
          this::run,
          this::print);
    }
  }

  @Command(name = "create-domain", description = "Create a mail domain.")
  static final class CreateDomain extends Sub {
    @Parameters(paramLabel = "DOMAIN")
    String domain;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("POST", "domains", Map.of("name", domain));
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println("created domain " + answer.path("name").asText());
    }
  }

  @Command(name = "list-domains", description = "List the mail domains.")
  static final class ListDomains extends Sub {
    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("GET", "domains", null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      answer
          .path("domains")
          .forEach(
              d ->
                  out.println(
                      d.path("name").asText()
                          + (d.path("aliasOf").isTextual()
                              ? " (alias of " + d.path("aliasOf").asText() + ")"
                              : "")));
    }
  }

  @Command(
      name = "create-alias-domain",
      description = "Create an alias domain: every ALIAS address reaches the same one in TARGET.")
  static final class CreateAliasDomain extends Sub {
    @Parameters(index = "0", paramLabel = "ALIAS")
    String alias;

    @Parameters(index = "1", paramLabel = "TARGET")
    String target;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("POST", "domains", Map.of("name", alias, "aliasOf", target));
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println(
          "created alias domain "
              + answer.path("name").asText()
              + " of "
              + answer.path("aliasOf").asText());
    }
  }

  @Command(name = "delete-domain", description = "Delete a domain that has no accounts.")
  static final class DeleteDomain extends Sub {
    @Parameters(paramLabel = "DOMAIN")
    String domain;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("DELETE", "domains/" + AdminClient.segment(domain), null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println("deleted domain " + answer.path("deleted").asText());
    }
  }

  @Command(
      name = "create-account",
      description = "Create an account in an existing domain. PASSWORD - reads it from stdin.")
  static final class CreateAccount extends Sub {
    @Parameters(index = "0", paramLabel = "ADDRESS")
    String address;

    @Parameters(index = "1", paramLabel = "PASSWORD")
    String password;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call(
          "POST", "accounts", Map.of("address", address, "password", password(password)));
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println("created account " + answer.path("address").asText());
    }
  }

  @Command(
      name = "set-password",
      description = "Change an account's password. PASSWORD - reads it from stdin.")
  static final class SetPassword extends Sub {
    @Parameters(index = "0", paramLabel = "ADDRESS")
    String address;

    @Parameters(index = "1", paramLabel = "PASSWORD")
    String password;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call(
          "PUT",
          "accounts/" + AdminClient.segment(address) + "/password",
          Map.of("password", password(password)));
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println("password changed for " + answer.path("updated").asText());
    }
  }

  @Command(name = "delete-account", description = "Delete an account and its mailbox.")
  static final class DeleteAccount extends Sub {
    @Parameters(paramLabel = "ADDRESS")
    String address;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("DELETE", "accounts/" + AdminClient.segment(address), null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println("deleted account " + answer.path("deleted").asText());
    }
  }

  @Command(name = "list-accounts", description = "List accounts, of one domain or of all.")
  static final class ListAccounts extends Sub {
    @Parameters(arity = "0..1", paramLabel = "DOMAIN")
    String domain;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call(
          "GET",
          "accounts" + (domain == null ? "" : "?domain=" + AdminClient.segment(domain)),
          null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      answer.path("accounts").forEach(a -> out.println(a.path("address").asText()));
    }
  }

  /** A {@code PUT accounts/ADDRESS/WHAT} with a one-field body; prints "WHAT of ADDRESS set". */
  abstract static class SetAttribute extends Sub {
    @Parameters(index = "0", paramLabel = "ADDRESS")
    String address;

    abstract String what();

    abstract Map<String, Object> body() throws ProvFailure;

    abstract String shown();

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("PUT", "accounts/" + AdminClient.segment(address) + "/" + what(), body());
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println(shown() + " of " + answer.path("updated").asText());
    }
  }

  /** A map that, unlike {@link Map#of}, holds a null (a JSON null clears a value). */
  static Map<String, Object> field(String name, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(name, value);
    return m;
  }

  @Command(name = "set-display-name", description = "Set an account's display name (\"\" clears).")
  static final class SetDisplayName extends SetAttribute {
    @Parameters(index = "1", paramLabel = "NAME")
    String name;

    @Override
    String what() {
      return "display-name";
    }

    @Override
    Map<String, Object> body() {
      return field("displayName", name);
    }

    @Override
    String shown() {
      return "set display name \"" + name + "\"";
    }
  }

  @Command(
      name = "set-quota",
      description =
          "Set an account's storage limit: bytes, with K, M, G or T (powers of 1024) accepted;"
              + " none clears it (its class of service's applies).")
  static final class SetQuota extends SetAttribute {
    @Parameters(index = "1", paramLabel = "SIZE")
    String size;

    @Override
    String what() {
      return "quota";
    }

    @Override
    Map<String, Object> body() throws ProvFailure {
      return field("bytes", size(size));
    }

    @Override
    String shown() {
      return "set quota " + size;
    }
  }

  @Command(name = "set-cos", description = "Assign a class of service to an account.")
  static final class SetCos extends SetAttribute {
    @Parameters(index = "1", paramLabel = "COS")
    String cos;

    @Override
    String what() {
      return "cos";
    }

    @Override
    Map<String, Object> body() {
      return field("cos", cos);
    }

    @Override
    String shown() {
      return "set class of service " + cos;
    }
  }

  @Command(
      name = "set-mail-host",
      description = "Set the mail node that serves an account; none clears it.")
  static final class SetMailHost extends SetAttribute {
    @Parameters(index = "1", paramLabel = "HOST")
    String host;

    @Override
    String what() {
      return "mail-host";
    }

    @Override
    Map<String, Object> body() {
      return field("host", host.equalsIgnoreCase("none") ? null : host);
    }

    @Override
    String shown() {
      return "set mail host " + host;
    }
  }

  @Command(
      name = "set-status",
      description = "Set an account's status: active, locked, maintenance or closed.")
  static final class SetStatus extends SetAttribute {
    @Parameters(index = "1", paramLabel = "STATUS")
    String status;

    @Override
    String what() {
      return "status";
    }

    @Override
    Map<String, Object> body() {
      return field("status", status);
    }

    @Override
    String shown() {
      return "set status " + status.toLowerCase(Locale.ROOT);
    }
  }

  @Command(
      name = "set-admin",
      description = "Grant (true) or revoke (false) an account's global admin role.")
  static final class SetAdmin extends SetAttribute {
    @Parameters(index = "1", paramLabel = "true|false")
    boolean admin;

    @Override
    String what() {
      return "admin";
    }

    @Override
    Map<String, Object> body() {
      return field("admin", admin);
    }

    @Override
    String shown() {
      return admin ? "granted global admin" : "revoked global admin";
    }
  }

  @Command(name = "show-account", description = "Show an account.")
  static final class ShowAccount extends Sub {
    @Parameters(paramLabel = "ADDRESS")
    String address;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("GET", "accounts/" + AdminClient.segment(address), null);
    }

    @Override
    void print(PrintWriter out, JsonNode a) {
      StringBuilder line = new StringBuilder(a.path("address").asText());
      if (!a.path("displayName").asText("").isEmpty()) {
        line.append(" \"").append(a.path("displayName").asText()).append('"');
      }
      line.append(" status=").append(a.path("status").asText().toLowerCase(Locale.ROOT));
      line.append(" cos=").append(a.path("cos").asText());
      line.append(" quota=")
          .append(a.path("quotaBytes").isNumber() ? a.path("quotaBytes").asText() : "none");
      if (a.path("mailHost").isTextual()) {
        line.append(" mail-host=").append(a.path("mailHost").asText());
      }
      if (a.path("admin").asBoolean()) {
        line.append(" global-admin");
      }
      List<String> aliases = texts(a.path("aliases"));
      if (!aliases.isEmpty()) {
        line.append(" aliases=").append(String.join(",", aliases));
      }
      List<String> roles = new ArrayList<>();
      a.path("roles").forEach(r -> roles.add(roleName(r)));
      if (!roles.isEmpty()) {
        line.append(" roles=").append(String.join(",", roles));
      }
      out.println(line);
    }
  }

  @Command(name = "add-alias", description = "Add an address that reaches an account.")
  static final class AddAlias extends Sub {
    @Parameters(index = "0", paramLabel = "ADDRESS")
    String address;

    @Parameters(index = "1", paramLabel = "ALIAS")
    String alias;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call(
          "POST", "accounts/" + AdminClient.segment(address) + "/aliases", Map.of("alias", alias));
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println(
          "added alias "
              + answer.path("alias").asText()
              + " to "
              + answer.path("account").asText());
    }
  }

  @Command(name = "remove-alias", description = "Remove an alias from the account that has it.")
  static final class RemoveAlias extends Sub {
    @Parameters(paramLabel = "ALIAS")
    String alias;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("DELETE", "aliases/" + AdminClient.segment(alias), null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println("removed alias " + answer.path("removed").asText());
    }
  }

  @Command(name = "create-list", description = "Create an empty distribution list.")
  static final class CreateList extends Sub {
    @Parameters(paramLabel = "ADDRESS")
    String address;

    @Option(names = "--display-name", paramLabel = "NAME", description = "The list's name.")
    String displayName;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call(
          "POST",
          "lists",
          Map.of("address", address, "displayName", displayName == null ? "" : displayName));
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println("created list " + answer.path("address").asText());
    }
  }

  @Command(name = "delete-list", description = "Delete a distribution list.")
  static final class DeleteList extends Sub {
    @Parameters(paramLabel = "LIST")
    String list;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("DELETE", "lists/" + AdminClient.segment(list), null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println("deleted list " + answer.path("deleted").asText());
    }
  }

  @Command(
      name = "add-list-member",
      description = "Add a member to a list: an account, another list, or an outside address.")
  static final class AddListMember extends Sub {
    @Parameters(index = "0", paramLabel = "LIST")
    String list;

    @Parameters(index = "1", paramLabel = "MEMBER")
    String member;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call(
          "POST", "lists/" + AdminClient.segment(list) + "/members", Map.of("member", member));
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println(
          "added " + answer.path("added").asText() + " to list " + answer.path("list").asText());
    }
  }

  @Command(name = "remove-list-member", description = "Remove a member from a list.")
  static final class RemoveListMember extends Sub {
    @Parameters(index = "0", paramLabel = "LIST")
    String list;

    @Parameters(index = "1", paramLabel = "MEMBER")
    String member;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call(
          "DELETE",
          "lists/" + AdminClient.segment(list) + "/members/" + AdminClient.segment(member),
          null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println(
          "removed "
              + answer.path("removed").asText()
              + " from list "
              + answer.path("list").asText());
    }
  }

  @Command(name = "show-list", description = "Show a distribution list and its members.")
  static final class ShowList extends Sub {
    @Parameters(paramLabel = "LIST")
    String list;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("GET", "lists/" + AdminClient.segment(list), null);
    }

    @Override
    void print(PrintWriter out, JsonNode l) {
      String name = l.path("displayName").asText("");
      out.println(
          l.path("address").asText()
              + (name.isEmpty() ? "" : " \"" + name + "\"")
              + ": "
              + String.join(", ", texts(l.path("members"))));
    }
  }

  @Command(name = "list-lists", description = "List the distribution lists of a domain.")
  static final class ListLists extends Sub {
    @Parameters(paramLabel = "DOMAIN")
    String domain;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("GET", "lists?domain=" + AdminClient.segment(domain), null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      answer.path("lists").forEach(l -> out.println(l.path("address").asText()));
    }
  }

  /** The settings of {@code create-cos} and {@code update-cos}; absent ones are not sent. */
  abstract static class CosSettings extends Sub {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(
        names = "--quota",
        paramLabel = "SIZE",
        description = "Storage limit of its accounts: bytes, K/M/G/T suffixes; none: unlimited.")
    String quota;

    @Option(
        names = "--feature",
        paramLabel = "NAME=true|false",
        description = "Turn a feature on or off (repeatable); unlisted features are on.")
    Map<String, Boolean> features;

    @Option(
        names = "--password-min-length",
        paramLabel = "N",
        description = "Shortest password its accounts may set (1 to 1024).")
    Integer passwordMinLength;

    Map<String, Object> settings() throws ProvFailure {
      Map<String, Object> body = new LinkedHashMap<>();
      if (quota != null) {
        body.put("quotaBytes", size(quota));
      }
      if (features != null) {
        body.put("features", features);
      }
      if (passwordMinLength != null) {
        body.put("passwordMinLength", passwordMinLength);
      }
      return body;
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println(verb() + " class of service " + describeCos(answer));
    }

    abstract String verb();
  }

  @Command(name = "create-cos", description = "Create a class of service.")
  static final class CreateCos extends CosSettings {
    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      Map<String, Object> body = settings();
      body.put("name", name);
      return client.call("POST", "cos", body);
    }

    @Override
    String verb() {
      return "created";
    }
  }

  @Command(
      name = "update-cos",
      description = "Change a class of service; settings not given are kept.")
  static final class UpdateCos extends CosSettings {
    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("PUT", "cos/" + AdminClient.segment(name), settings());
    }

    @Override
    String verb() {
      return "updated";
    }
  }

  @Command(name = "delete-cos", description = "Delete a class of service no account uses.")
  static final class DeleteCos extends Sub {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("DELETE", "cos/" + AdminClient.segment(name), null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println("deleted class of service " + answer.path("deleted").asText());
    }
  }

  @Command(name = "show-cos", description = "Show a class of service.")
  static final class ShowCos extends Sub {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("GET", "cos/" + AdminClient.segment(name), null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println(describeCos(answer));
    }
  }

  @Command(name = "list-cos", description = "List the classes of service.")
  static final class ListCos extends Sub {
    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call("GET", "cos", null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      answer.path("classes").forEach(c -> out.println(c.path("name").asText()));
    }
  }

  /** {@code name quota=... password-min-length=... features=a:on,b:off} on one line. */
  static String describeCos(JsonNode c) {
    List<String> features = new ArrayList<>();
    c.path("features")
        .properties()
        .forEach(e -> features.add(e.getKey() + "=" + e.getValue().asBoolean()));
    return c.path("name").asText()
        + " quota="
        + (c.path("quotaBytes").isNumber() ? c.path("quotaBytes").asText() : "none")
        + " password-min-length="
        + c.path("passwordMinLength").asText()
        + (features.isEmpty() ? "" : " features=" + String.join(",", features));
  }

  /** A role to grant or revoke: ADDRESS KIND DOMAIN. */
  abstract static class RoleCommand extends Sub {
    @Parameters(index = "0", paramLabel = "ADDRESS")
    String address;

    @Parameters(index = "1", paramLabel = "KIND", description = "domain-admin or help-desk")
    String kind;

    @Parameters(index = "2", paramLabel = "DOMAIN")
    String domain;
  }

  @Command(
      name = "grant-role",
      description = "Grant a delegated admin role (domain-admin or help-desk) for one domain.")
  static final class GrantRole extends RoleCommand {
    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call(
          "POST",
          "accounts/" + AdminClient.segment(address) + "/roles",
          Map.of("kind", kind, "domain", domain));
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println(
          "granted " + roleName(answer.path("granted")) + " to " + answer.path("account").asText());
    }
  }

  @Command(name = "revoke-role", description = "Revoke a delegated admin role.")
  static final class RevokeRole extends RoleCommand {
    @Override
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException {
      return client.call(
          "DELETE",
          "accounts/"
              + AdminClient.segment(address)
              + "/roles/"
              + AdminClient.segment(kind)
              + "/"
              + AdminClient.segment(domain),
          null);
    }

    @Override
    void print(PrintWriter out, JsonNode answer) {
      out.println(
          "revoked "
              + roleName(answer.path("revoked"))
              + " from "
              + answer.path("account").asText());
    }
  }

  /** {@code domain-admin:example.com} from {@code {"kind":"DOMAIN_ADMIN","domain":...}}. */
  static String roleName(JsonNode role) {
    return role.path("kind").asText().toLowerCase(Locale.ROOT).replace('_', '-')
        + ":"
        + role.path("domain").asText();
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  /**
   * A size: a byte count with an optional K, M, G or T suffix (powers of 1024, any case), or {@code
   * none} (null: no limit of its own).
   */
  static Long size(String text) throws ProvFailure {
    String s = text.strip();
    if (s.equalsIgnoreCase("none")) {
      return null;
    }
    int shift = 0;
    if (!s.isEmpty()) {
      shift =
          switch (Character.toUpperCase(s.charAt(s.length() - 1))) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
          };
    }
    String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
    try {
      long n = Long.parseLong(digits);
      if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
        throw new NumberFormatException();
      }
      return n << shift;
    } catch (NumberFormatException e) {
      throw new ProvFailure(
          Main.EXIT_USAGE,
          "bad size: " + text + " (bytes, with an optional K, M, G or T suffix, or none)");
    }
  }

  /**
   * The password argument, or the first line of stdin when it is {@code -} (keeps it out of the
   * process list and the shell history).
   */
  static String password(String argument) throws IOException, ProvFailure {
    if (!argument.equals("-")) {
      return argument;
    }
    String line =
        new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))
            .readLine();
    if (line == null || line.isEmpty()) {
      throw new ProvFailure(Main.EXIT_REFUSED, "no password on stdin");
    }
    return line;
  }
}
