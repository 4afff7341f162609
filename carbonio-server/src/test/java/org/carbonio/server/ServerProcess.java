package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server as operators run it: {@code carbonio run} in its own JVM, on ephemeral ports. Reads
 * the listener lines it prints up to {@code ready}.
 */
final class ServerProcess implements AutoCloseable {

  private static final Pattern LISTENER =
      Pattern.compile("^(\\S+)\\s+([0-9.:a-f]+):(\\d+)\\s+\\(.*");

  private final Process process;
  private final Map<String, Integer> ports = new HashMap<>();
  private final List<String> banner = new ArrayList<>();

  private ServerProcess(Process process) {
    this.process = process;
  }

  /** Starts {@code carbonio run --data DIR --ephemeral-ports} and waits for {@code ready}. */
  static ServerProcess start(Path dataDir, String... extraArgs) throws IOException {
    return start(dataDir, List.of(), extraArgs);
  }

  /** As {@link #start(Path, String...)}, with extra JVM options (before the class name). */
  static ServerProcess start(Path dataDir, List<String> jvmOptions, String... extraArgs)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add("org.carbonio.server.cli.Main");
    command.add("run");
    command.add("--data");
    command.add(dataDir.toString());
    command.add("--ephemeral-ports");
    command.addAll(List.of(extraArgs));
    Process process =
        new ProcessBuilder(command)
            .redirectError(dataDir.resolveSibling(dataDir.getFileName() + ".stderr.log").toFile())
            .start();
    ServerProcess server = new ServerProcess(process);
    server.readBanner();
    return server;
  }

  private void readBanner() throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      banner.add(line);
      if (line.equals("ready")) {
        return;
      }
      Matcher m = LISTENER.matcher(line);
      if (m.matches()) {
        ports.put(m.group(1), Integer.parseInt(m.group(3)));
      }
    }
    throw new IOException("server exited before ready; printed " + banner);
  }

  int port(String label) {
    assertThat(ports).containsKey(label);
    return ports.get(label);
  }

  List<String> banner() {
    return List.copyOf(banner);
  }

  /** SIGKILL: no shutdown hook runs. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
