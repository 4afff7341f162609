package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a real client program (swaks, mbsync, python3) with a time limit. */
final class ExternalTool {

  /** What a finished program printed. */
  record Result(int exitCode, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    Result assertSuccess() {
      assertThat(exitCode).as("exit code; stdout:\n%s\nstderr:\n%s", out(), stderr).isZero();
      return this;
    }
  }

  private ExternalTool() {}

  static Result run(List<String> command) throws IOException, InterruptedException {
    return run(command, Map.of(), null);
  }

  static Result run(List<String> command, Map<String, String> env, Path workDir)
      throws IOException, InterruptedException {
    return run(command, env, workDir, Duration.ofSeconds(120));
  }

  /** Runs {@code command}, failing when it has not finished within {@code limit}. */
  static Result run(List<String> command, Map<String, String> env, Path workDir, Duration limit)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    Process process = builder.start();
    process.getOutputStream().close();
    CompletableFuture<byte[]> stdout = drain(process.getInputStream());
    CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
    if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish within " + limit);
    }
    return new Result(
        process.exitValue(), stdout.join(), new String(stderr.join(), StandardCharsets.UTF_8));
  }

  private static CompletableFuture<byte[]> drain(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
          } catch (IOException e) {
            return new byte[0];
          }
        },
        r -> Thread.ofVirtual().start(r));
  }
}
