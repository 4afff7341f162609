package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class DurabilityTest {
  @TempDir Path dir;

  @Test
  void reopenedStoreShouldSeeMessagesWhenAppendReturned() {
    AppendResult r;
    long validity;
    try (MailStore store = MailStore.open(dir)) {
      Mailbox box = store.mailbox("a@example.org");
      box.createFolder("Work/2024");
      r =
          box.append(
              "Work/2024",
              new ByteArrayInputStream("hello\r\n".getBytes(UTF_8)),
              Set.of("\\seen", "$Important"),
              Instant.ofEpochSecond(1_700_000_000L));
      box.setFlags("Work/2024", List.of(r.uid()), FlagOperation.ADD, Set.of(Flags.FLAGGED));
      validity = box.status("Work/2024").uidValidity();
    }
    try (MailStore store = MailStore.open(dir)) {
      Mailbox box = store.mailbox("a@example.org");
      FolderSnapshot s = box.snapshot("Work/2024");
      assertThat(s.uidValidity()).isEqualTo(validity).isEqualTo(r.uidValidity());
      assertThat(s.messages()).hasSize(1);
      MessageInfo m = s.messages().get(0);
      assertThat(m.uid()).isEqualTo(r.uid());
      assertThat(m.flags()).containsExactlyInAnyOrder(Flags.SEEN, Flags.FLAGGED, "$Important");
      assertThat(m.internalDate()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L));
      assertThat(box.read("Work/2024", r.uid())).isEqualTo("hello\r\n".getBytes(UTF_8));
      assertThat(
              box.append("Work/2024", new ByteArrayInputStream(new byte[1]), Set.of(), null).uid())
          .isEqualTo(r.uid() + 1);
    }
  }

  @Test
  @Timeout(120)
  void acknowledgedAppendsShouldSurviveWhenProcessKilledWithSigkill() throws Exception {
    final int wanted = 40;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                AppendLoop.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    Process child = pb.start();
    Map<Long, Long> acked = new LinkedHashMap<>(); // uid -> message number
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
      String line;
      while (acked.size() < wanted && (line = out.readLine()) != null) {
        if (line.startsWith("ACK ")) {
          String[] p = line.split(" ");
          acked.put(Long.parseLong(p[1]), Long.parseLong(p[2]));
        }
      }
      child.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no close()
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(acked).hasSize(wanted);

    try (MailStore store = MailStore.open(dir)) {
      Mailbox box = store.mailbox("crash@example.org");
      FolderSnapshot s = box.snapshot("INBOX");
      Map<Long, MessageInfo> byUid = new LinkedHashMap<>();
      s.messages().forEach(m -> byUid.put(m.uid(), m));
      for (var e : acked.entrySet()) {
        long uid = e.getKey();
        long n = e.getValue();
        assertThat(byUid).containsKey(uid);
        assertThat(byUid.get(uid).flags())
            .containsExactlyInAnyOrder(Flags.SEEN, Flags.FLAGGED, "$n" + n);
        assertThat(byUid.get(uid).internalDate())
            .isEqualTo(Instant.ofEpochSecond(1_700_000_000L + n));
        assertThat(box.read("INBOX", uid)).isEqualTo(AppendLoop.content(n));
      }
      // The store is still fully usable after the crash.
      AppendResult next =
          box.append("INBOX", new ByteArrayInputStream(new byte[] {1}), Set.of(), null);
      assertThat(next.uid())
          .isGreaterThan(acked.keySet().stream().mapToLong(x -> x).max().orElseThrow());
    }
    // No staged leftovers after reopening.
    try (Stream<Path> tmp = Files.list(dir.resolve("blobs").resolve("tmp"))) {
      assertThat(tmp).isEmpty();
    }
  }
}
