package org.carbonio.imap.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.carbonio.imap.ImapLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** APPEND messages above the spool threshold go to the configured directory. */
class SpoolDirectoryTest {
  @TempDir Path spool;

  @RegisterExtension
  ImapServerExtension imap =
      ImapServerExtension.builder()
          .user("alice", "secret")
          .configure(
              b -> b.spoolDirectory(spool).limits(ImapLimits.DEFAULTS.withSpoolThreshold(1024)))
          .build();

  @Test
  void appendShouldSpoolIntoDirectoryAndDeleteWhenDone() throws IOException {
    byte[] body =
        ("Subject: spooled\r\n\r\n" + "s".repeat(100_000) + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    try (SocketPeer c = new SocketPeer(imap.host(), imap.port())) {
      c.readLine();
      c.send(ascii("l LOGIN alice secret\r\n"));
      assertThat(c.readLine()).startsWith("l OK");
      c.send(ascii("a APPEND INBOX {" + body.length + "}\r\n"));
      assertThat(c.readLine()).startsWith("+ ");
      c.send(java.util.Arrays.copyOf(body, body.length / 2));
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(files())
                      .singleElement()
                      .satisfies(f -> assertThat(f).startsWith("carbonio-imap-append-")));
      c.send(java.util.Arrays.copyOfRange(body, body.length / 2, body.length));
      c.send(ascii("\r\n"));
      assertThat(c.readLine()).startsWith("a OK [APPENDUID");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(files()).isEmpty());
    }
    assertThat(imap.backend().messages("alice", "INBOX")).hasSize(1);
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(spool)) {
      return s.map(p -> p.getFileName().toString()).toList();
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
