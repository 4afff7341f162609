package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Child-process main for {@link DurabilityTest}: appends messages to INBOX forever and prints "ACK
 * uid" after each append returns. Killed with SIGKILL by the parent.
 */
public final class AppendLoop {
  private AppendLoop() {}

  /** The content of message {@code i}: large enough to span several blocks. */
  static byte[] content(long i) {
    StringBuilder sb = new StringBuilder("Subject: message " + i + "\r\n\r\n");
    while (sb.length() < 20_000) {
      sb.append("line ").append(i).append(" of the body, padding padding padding\r\n");
    }
    return sb.toString().getBytes(UTF_8);
  }

  public static void main(String[] args) {
    try (MailStore store = MailStore.open(Path.of(args[0]))) {
      Mailbox box = store.mailbox("crash@example.org");
      System.out.println("READY");
      System.out.flush();
      for (long i = 1; ; i++) {
        AppendResult r =
            box.append(
                "INBOX",
                new ByteArrayInputStream(content(i)),
                Set.of(Flags.SEEN, "$n" + i),
                Instant.ofEpochSecond(1_700_000_000L + i));
        // A flag change is committed without an fsync: it must survive kill -9 all the same.
        box.setFlags("INBOX", List.of(r.uid()), FlagOperation.ADD, Set.of(Flags.FLAGGED));
        System.out.println("ACK " + r.uid() + " " + i);
        System.out.flush();
      }
    }
  }
}
