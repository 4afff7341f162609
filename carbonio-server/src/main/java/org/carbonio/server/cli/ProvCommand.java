package org.carbonio.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Callable;
import org.carbonio.server.CarbonioServer;
import org.carbonio.server.internal.AdminApi;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code carbonio prov}: provisioning through the running server's admin API, with the admin
 * credentials found in the data directory.
 */
@Command(
    name = "prov",
    mixinStandardHelpOptions = true,
    description = "Provision domains and accounts on the running server.",
    subcommands = {
      ProvCommand.CreateDomain.class,
      ProvCommand.ListDomains.class,
      ProvCommand.CreateAccount.class,
      ProvCommand.SetPassword.class,
      ProvCommand.DeleteAccount.class,
      ProvCommand.ListAccounts.class
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
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try {
        JsonNode answer = run(AdminClient.forDataDir(parent.data));
        if (parent.json) {
          out.println(AdminApi.json().writerWithDefaultPrettyPrinter().writeValueAsString(answer));
        } else {
          print(out, answer);
        }
        out.flush();
        return 0;
      } catch (ProvFailure e) {
        err.println("carbonio prov: " + e.getMessage());
        err.flush();
        return e.exitCode;
      }
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
      answer.path("domains").forEach(d -> out.println(d.path("name").asText()));
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

  /** Talks to the admin API of the server whose data directory is given. */
  record AdminClient(URI base, String authorization, HttpClient http) {

    static AdminClient forDataDir(Path dataDir) throws IOException, ProvFailure {
      JsonNode server;
      String password;
      try {
        server = AdminApi.json().readTree(Files.readString(CarbonioServer.serverJson(dataDir)));
        password = Files.readString(dataDir.resolve("admin-password")).strip();
      } catch (NoSuchFileException e) {
        throw new ProvFailure(
            Main.EXIT_NOT_RUNNING,
            "server not running: no "
                + e.getFile()
                + " (start it with ./carbonio run --data "
                + dataDir
                + ")");
      }
      String http = server.path("listeners").path("http").asText("");
      if (http.isEmpty()) {
        throw new ProvFailure(Main.EXIT_NOT_RUNNING, "server not running: no admin API listener");
      }
      String credentials = server.path("admin").asText() + ":" + password;
      int colon = http.lastIndexOf(':');
      URI base;
      try {
        base =
            new URI(
                "http",
                null,
                http.substring(0, colon),
                Integer.parseInt(http.substring(colon + 1)),
                "/admin/v1/",
                null,
                null);
      } catch (URISyntaxException | RuntimeException e) {
        throw new ProvFailure(
            Main.EXIT_NOT_RUNNING, "unreadable " + CarbonioServer.serverJson(dataDir));
      }
      return new AdminClient(
          base,
          "Basic "
              + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)),
          HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
    }

    static String segment(String value) {
      return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    JsonNode call(String method, String path, Object body)
        throws IOException, ProvFailure, InterruptedException {
      HttpRequest.BodyPublisher publisher =
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(AdminApi.json().writeValueAsBytes(body));
      HttpRequest request =
          HttpRequest.newBuilder(base.resolve(path))
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", authorization)
              .header("Content-Type", "application/json")
              .method(method, publisher)
              .build();
      HttpResponse<String> response;
      try {
        response = http.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException e) {
        throw new ProvFailure(
            Main.EXIT_NOT_RUNNING, "server not running: nothing answers at " + base);
      }
      JsonNode answer = AdminApi.json().readTree(response.body());
      if (response.statusCode() / 100 != 2) {
        String message = answer == null ? "" : answer.path("message").asText("");
        throw new ProvFailure(
            Main.EXIT_REFUSED, message.isEmpty() ? "HTTP " + response.statusCode() : message);
      }
      return answer;
    }
  }
}
