package org.carbonio.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.util.Optional;
import java.util.function.BiConsumer;
import org.carbonio.server.CarbonioServer;
import org.carbonio.server.cli.ProvCommand.ProvFailure;
import org.carbonio.server.internal.AdminApi;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Talks to the admin API of the server whose data directory is given ({@code DIR/server.json}), for
 * {@code carbonio prov} and {@code carbonio queue}. Failures are {@link ProvFailure}s with the
 * launcher's exit codes (3 not running, 4 credentials refused, 5 forbidden, 1 refused).
 *
 * <p>Immutable; thread-safe (the JDK's {@link HttpClient} is).
 */
record AdminClient(URI base, String authorization, HttpClient http) {

  /** One call of a command against the admin API. */
  @FunctionalInterface
  interface Call {
    JsonNode run(AdminClient client) throws IOException, ProvFailure, InterruptedException;
  }

  /**
   * What every {@code prov} and {@code queue} subcommand does: finds the server of {@code dataDir},
   * makes the call, prints the answer (as JSON with {@code json}, else with {@code print}) and
   * returns the exit code; a {@link ProvFailure} is printed as {@code tool: message}.
   */
  static int callAndPrint(
      String tool,
      CommandSpec spec,
      Path dataDir,
      Optional<String> admin,
      Optional<Path> passwordFile,
      boolean json,
      Call call,
      BiConsumer<PrintWriter, JsonNode> print)
      throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      JsonNode answer = call.run(forDataDir(dataDir, admin, passwordFile));
      if (json) {
        out.println(AdminApi.json().writerWithDefaultPrettyPrinter().writeValueAsString(answer));
      } else {
        print.accept(out, answer);
      }
      out.flush();
      return 0;
    } catch (ProvFailure e) {
      err.println(tool + ": " + e.getMessage());
      err.flush();
      return e.exitCode;
    }
  }

  /**
   * The client for the server of {@code dataDir}, as its own admin, or as {@code admin} with the
   * password in the first line of {@code passwordFile}.
   */
  static AdminClient forDataDir(Path dataDir, Optional<String> admin, Optional<Path> passwordFile)
      throws IOException, ProvFailure {
    if (admin.isPresent() && passwordFile.isEmpty()) {
      throw new ProvFailure(Main.EXIT_USAGE, "--admin needs --admin-password-file");
    }
    String password = null;
    if (passwordFile.isPresent()) {
      try {
        password = Files.readString(passwordFile.get()).lines().findFirst().orElse("").strip();
      } catch (IOException e) {
        throw new ProvFailure(
            Main.EXIT_USAGE, "cannot read the password file " + passwordFile.get());
      }
      if (password.isEmpty()) {
        throw new ProvFailure(Main.EXIT_USAGE, "empty password file " + passwordFile.get());
      }
    }
    JsonNode server;
    try {
      server = AdminApi.json().readTree(Files.readString(CarbonioServer.serverJson(dataDir)));
      if (password == null) {
        password = Files.readString(dataDir.resolve("admin-password")).strip();
      }
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
    String credentials = admin.orElse(server.path("admin").asText()) + ":" + password;
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
        "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)),
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
    JsonNode answer;
    try {
      answer = AdminApi.json().readTree(response.body());
    } catch (JsonProcessingException e) {
      answer = null; // not the admin API answering
    }
    if (response.statusCode() / 100 != 2 || answer == null) {
      String message = answer == null ? "" : answer.path("message").asText("");
      int code =
          switch (response.statusCode()) {
            case 401 -> Main.EXIT_UNAUTHORIZED;
            case 403 -> Main.EXIT_FORBIDDEN;
            default -> Main.EXIT_REFUSED;
          };
      throw new ProvFailure(code, message.isEmpty() ? "HTTP " + response.statusCode() : message);
    }
    return answer;
  }
}
