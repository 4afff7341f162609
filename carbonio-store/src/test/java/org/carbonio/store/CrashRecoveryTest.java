package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.carbonio.store.internal.check.CrashRecovery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store killed with SIGKILL under concurrent writes, several times: after reopening, every
 * acknowledged message is there once and the check finds nothing (the open swept the orphans).
 */
class CrashRecoveryTest {
  private static final int KILLS = 4;

  @TempDir Path dir;

  @Test
  @Timeout(180)
  void reopenedStoreShouldBeConsistentWhenKilledRepeatedlyDuringWrites() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Random random = new Random();
    Map<String, List<String>> acked = new HashMap<>(); // token -> accounts
    for (int kill = 0; kill < KILLS; kill++) {
      Process child =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  ConcurrentAppendLoop.class.getName(),
                  dir.toString(),
                  "r" + kill)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      int wanted = 1 + random.nextInt(30);
      int seen = 0;
      try (BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
        for (String line = out.readLine(); line != null && seen < wanted; line = out.readLine()) {
          if (line.startsWith("ACK ")) { // the store logs to stdout here too
            String[] p = line.split(" ");
            acked.put(p[1], List.of(p[2].split(",")));
            seen++;
          }
        }
        child.destroyForcibly(); // SIGKILL: no close(), the marker stays
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      } finally {
        child.destroyForcibly();
      }
      assertThat(seen).isEqualTo(wanted);
      assertThat(dir.resolve(CrashRecovery.MARKER)).exists();
    }

    Set<String> rows = new HashSet<>();
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("metadata.db"));
        var rs = c.createStatement().executeQuery("SELECT id FROM blobs")) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    List<Path> orphans;
    try (var files = Files.walk(dir.resolve("blobs"))) {
      orphans =
          files
              .filter(Files::isRegularFile)
              .filter(f -> !f.getParent().endsWith("tmp"))
              .filter(f -> !rows.contains(f.getFileName().toString()))
              .toList();
    }
    System.out.println("orphans left by the last kill: " + orphans.size());
    try (MailStore store = MailStore.open(dir)) {
      assertThat(orphans).allSatisfy(f -> assertThat(f).doesNotExist()); // swept at open
      assertThat(store.check(CheckOptions.DEFAULTS.withVerifyContent(true)).findings()).isEmpty();
      Map<String, Map<String, Integer>> copies = new HashMap<>();
      for (String account : ConcurrentAppendLoop.ACCOUNTS) {
        Mailbox box = store.mailbox(account);
        for (MessageInfo m : box.snapshot("INBOX").messages()) {
          String text = new String(box.read("INBOX", m.uid()), UTF_8);
          String token = text.substring("Subject: ".length(), text.indexOf("\r\n"));
          assertThat(text.getBytes(UTF_8)).isEqualTo(ConcurrentAppendLoop.content(token));
          copies.computeIfAbsent(token, k -> new HashMap<>()).merge(account, 1, Integer::sum);
        }
      }
      for (var e : acked.entrySet()) {
        assertThat(copies.get(e.getKey()))
            .as(e.getKey())
            .containsOnlyKeys(e.getValue())
            .allSatisfy((account, n) -> assertThat(n).isEqualTo(1));
      }
    }
  }
}
