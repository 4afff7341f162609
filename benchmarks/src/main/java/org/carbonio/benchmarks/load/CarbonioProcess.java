package org.carbonio.benchmarks.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference server as operators run it ({@code java -jar carbonio-server.jar run}) in its own
 * process on ephemeral ports, with accounts created through its admin API. Not thread-safe.
 */
final class CarbonioProcess implements AutoCloseable {
  private static final Pattern LISTENER =
      Pattern.compile("\"(\\w+)\"\\s*:\\s*\"([0-9.]+):(\\d+)\"");

  private final Process process;
  private final Path data;
  private final String json;

  private CarbonioProcess(Process process, Path data, String json) {
    this.process = process;
    this.data = data;
    this.json = json;
  }

  static CarbonioProcess start(Path serverJar, Path data, String domain, List<String> jvmOptions)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.addAll(jvmOptions);
    cmd.addAll(
        List.of(
            "-jar",
            serverJar.toString(),
            "run",
            "--data",
            data.toString(),
            "--ephemeral-ports",
            "--domain",
            domain));
    Files.createDirectories(data);
    Process p =
        new ProcessBuilder(cmd)
            .redirectError(data.resolveSibling(data.getFileName() + ".stderr.log").toFile())
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.startsWith("ready")) {
      // listener lines; the ports are read from server.json
    }
    if (line == null) {
      p.destroyForcibly();
      throw new IOException("server did not start; see " + data + ".stderr.log");
    }
    Thread drain =
        new Thread(
            () -> {
              try {
                while (out.readLine() != null) {
                  // keep the pipe empty
                }
              } catch (IOException ignored) {
                // process gone
              }
            });
    drain.setDaemon(true);
    drain.start();
    return new CarbonioProcess(p, data, Files.readString(data.resolve("server.json")));
  }

  int port(String listener) {
    Matcher m = LISTENER.matcher(json);
    while (m.find()) {
      if (m.group(1).equals(listener)) {
        return Integer.parseInt(m.group(3));
      }
    }
    throw new IllegalStateException("no " + listener + " listener in " + json);
  }

  long pid() {
    return process.pid();
  }

  /** Creates accounts through the admin API. */
  void createAccounts(List<String> addresses) throws IOException, InterruptedException {
    String admin = field("admin");
    String password = Files.readString(data.resolve("admin-password")).strip();
    String auth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((admin + ":" + password).getBytes(StandardCharsets.UTF_8));
    URI uri = URI.create("http://127.0.0.1:" + port("http") + "/admin/v1/accounts");
    try (HttpClient http = HttpClient.newHttpClient()) {
      for (String a : addresses) {
        HttpRequest req =
            HttpRequest.newBuilder(uri)
                .header("Authorization", auth)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"address\":\"" + a + "\",\"password\":\"load-pw-1234\"}"))
                .build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
          throw new IOException("creating " + a + ": " + r.statusCode() + " " + r.body());
        }
      }
    }
  }

  /** Creates one account through the admin API and returns its id (the store's account id). */
  String createAccount(String address, String password) throws IOException, InterruptedException {
    String admin = field("admin");
    String adminPassword = Files.readString(data.resolve("admin-password")).strip();
    String auth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((admin + ":" + adminPassword).getBytes(StandardCharsets.UTF_8));
    URI uri = URI.create("http://127.0.0.1:" + port("http") + "/admin/v1/accounts");
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpRequest req =
          HttpRequest.newBuilder(uri)
              .header("Authorization", auth)
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"address\":\"" + address + "\",\"password\":\"" + password + "\"}"))
              .build();
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IOException("creating " + address + ": " + r.statusCode() + " " + r.body());
      }
      Matcher m = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
      if (!m.find()) {
        throw new IOException("no id in " + r.body());
      }
      return m.group(1);
    }
  }

  private String field(String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in server.json");
    }
    return m.group(1);
  }

  @Override
  public void close() {
    LoadSupport.stop(process, Duration.ofSeconds(30));
  }
}
