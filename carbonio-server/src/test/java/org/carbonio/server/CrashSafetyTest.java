package org.carbonio.server;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.carbonio.server.CrashHarness.Sent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SMTP under concurrent load while the server is killed with SIGKILL again and again: every message
 * acknowledged with 250 after DATA is in each recipient's INBOX exactly once and intact; a message
 * in flight at a kill is in all its recipients' INBOXes or in none, never twice; and the store is
 * consistent (no lost blob, no leaked blob, right reference counts).
 */
class CrashSafetyTest {

  /** SIGKILLs per run of the test; {@code -Dcarbonio.crash.kills=N} for a longer soak. */
  private static final int KILLS = Integer.getInteger("carbonio.crash.kills", 20);

  private static final int SENDERS = 8;
  private static final String DOMAIN = "example.test";
  private static final List<String> ACCOUNTS =
      List.of("ann", "ben", "cat", "dan", "eve").stream().map(n -> n + "@" + DOMAIN).toList();
  private static final Pattern TOKEN = Pattern.compile("Subject: crash (t[0-9-]+)\r\n");

  @TempDir Path tmp;

  @Test
  @Timeout(600)
  void acknowledgedMessagesShouldBeStoredExactlyOnceWhenServerIsKilledRepeatedly()
      throws Exception {
    Path data = tmp.resolve("data");
    long seed = new Random().nextLong();
    CrashHarness harness = new CrashHarness(data, KILLS, SENDERS, CrashSafetyTest::message);
    harness.createAccounts(DOMAIN, ACCOUNTS);
    harness.run(seed, List.of("--domain", DOMAIN), (kill, last) -> "");

    assertThat(data.resolve("store").resolve("store.running")).as("clean stop").doesNotExist();
    verifyStore(harness, seed);
  }

  private static Sent message(String token, Random random) {
    List<String> pool = new ArrayList<>(ACCOUNTS);
    java.util.Collections.shuffle(pool, random);
    List<String> recipients = List.copyOf(pool.subList(0, 1 + random.nextInt(3)));
    StringBuilder text =
        new StringBuilder()
            .append("From: loader@example.org\r\n")
            .append("To: ")
            .append(String.join(", ", recipients))
            .append("\r\nSubject: crash ")
            .append(token)
            .append("\r\nMessage-ID: <")
            .append(token)
            .append("@crash.test>\r\n\r\n");
    int lines = 1 + random.nextInt(200);
    for (int i = 0; i < lines; i++) {
      text.append("line ").append(i).append(" of ").append(token).append(" padding\r\n");
    }
    return new Sent(token, recipients, text.toString().getBytes(ISO_8859_1));
  }

  private static void verifyStore(CrashHarness harness, long seed) throws Exception {
    Map<String, Map<String, Integer>> copies = harness.storedCopies(ACCOUNTS, TOKEN, seed);
    for (Sent sent : harness.attempted().values()) {
      Map<String, Integer> found = copies.getOrDefault(sent.token(), Map.of());
      assertThat(found.values()).as("never twice: %s", sent.token()).allMatch(c -> c == 1);
      if (harness.acknowledged().contains(sent.token())) {
        assertThat(found.keySet())
            .as("acknowledged %s (seed %d)", sent.token(), seed)
            .containsExactlyInAnyOrderElementsOf(sent.recipients());
      } else {
        Set<String> where = found.keySet();
        assertThat(where.isEmpty() || where.equals(Set.copyOf(sent.recipients())))
            .as("in flight %s: all recipients or none, found in %s", sent.token(), where)
            .isTrue();
      }
    }
  }
}
