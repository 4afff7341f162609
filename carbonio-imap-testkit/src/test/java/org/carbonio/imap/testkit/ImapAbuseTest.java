package org.carbonio.imap.testkit;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Abuse over a real socket with the server's default limits: a long pipeline of commands, and lists
 * nested far deeper than any command needs. The server answers each as RFC 3501 §5.5 and §7.1.5
 * say, in order, and the connection stays usable.
 */
class ImapAbuseTest {
  private static final int PIPELINED = 10_000;

  @RegisterExtension
  ImapServerExtension imap =
      ImapServerExtension.builder()
          .user("alice", "secret")
          .configure(b -> b.allowPlaintextAuth(true))
          .build();

  /**
   * 10,000 commands written in one go while another thread reads: every one gets its own tagged
   * completion, in order (RFC 3501 §5.5: the server may process them in sequence), and nothing is
   * lost or merged.
   */
  @Test
  void pipelinedCommandsShouldEachBeAnsweredInOrderWhenTenThousandArriveAtOnce() throws Exception {
    imap.deliver("alice", "Subject: one\r\n\r\nbody\r\n".getBytes(US_ASCII));
    try (SocketPeer c = new SocketPeer(imap.host(), imap.port())) {
      assertThat(c.readLine()).startsWith("* OK");
      c.send("l LOGIN alice secret\r\ns SELECT INBOX\r\n".getBytes(US_ASCII));
      while (!c.readLine().startsWith("s OK")) {
        // LOGIN and SELECT responses
      }
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                StringBuilder batch = new StringBuilder();
                for (int i = 0; i < PIPELINED; i++) {
                  batch.append('p').append(i);
                  batch.append(i % 3 == 0 ? " NOOP\r\n" : " UID FETCH 1:* (FLAGS)\r\n");
                }
                try {
                  c.send(batch.toString().getBytes(US_ASCII));
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      int next = 0;
      while (next < PIPELINED) {
        String line = c.readLine();
        if (line.startsWith("* ")) {
          assertThat(line).matches("\\* 1 FETCH \\(UID 1 FLAGS \\(.*\\)\\)");
          continue;
        }
        assertThat(line).startsWith("p" + next + " OK ");
        next++;
      }
      writer.get(30, TimeUnit.SECONDS);
      c.send("z NOOP\r\n".getBytes(US_ASCII));
      assertThat(c.readLine()).isEqualTo("z OK NOOP completed");
    }
  }

  /**
   * Parenthesized lists nested 100,000 deep, in a SEARCH, a FETCH and an ID: each is refused with a
   * tagged BAD once it passes the nesting limit (32), the rest of the line is skipped, and the
   * connection goes on.
   */
  @Test
  void deeplyNestedListsShouldGetBadWhenNestingPassesTheLimit() throws IOException {
    imap.deliver("alice", "Subject: one\r\n\r\nbody\r\n".getBytes(US_ASCII));
    String deep = "(".repeat(100_000) + "ALL" + ")".repeat(100_000);
    try (SocketPeer c = new SocketPeer(imap.host(), imap.port())) {
      assertThat(c.readLine()).startsWith("* OK");
      c.send("l LOGIN alice secret\r\ns SELECT INBOX\r\n".getBytes(US_ASCII));
      while (!c.readLine().startsWith("s OK")) {
        // LOGIN and SELECT responses
      }
      // 200 KB lines are over the line limit too: send ones that only break the nesting limit
      String fortyDeep = "(".repeat(40) + "ALL" + ")".repeat(40);
      c.send(("a SEARCH " + fortyDeep + "\r\n").getBytes(US_ASCII));
      assertThat(c.readLine()).startsWith("a BAD").contains("nesting");
      c.send(
          ("b FETCH 1 " + "(".repeat(40) + "FLAGS" + ")".repeat(40) + "\r\n").getBytes(US_ASCII));
      assertThat(c.readLine()).startsWith("b BAD").contains("nesting");
      c.send(
          ("c ID " + "(".repeat(40) + "\"k\" \"v\"" + ")".repeat(40) + "\r\n").getBytes(US_ASCII));
      assertThat(c.readLine()).startsWith("c BAD").contains("nesting");
      c.send(("d SEARCH " + deep + "\r\n").getBytes(US_ASCII));
      assertThat(c.readLine()).startsWith("d BAD");
      c.send("e SEARCH ((((ALL))))\r\n".getBytes(US_ASCII));
      assertThat(c.readLine()).isEqualTo("* SEARCH 1");
      assertThat(c.readLine()).startsWith("e OK");
    }
  }
}
