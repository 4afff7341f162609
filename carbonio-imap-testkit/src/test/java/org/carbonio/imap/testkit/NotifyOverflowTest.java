package org.carbonio.imap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.carbonio.imap.protocol.ImapCommand;
import org.carbonio.imap.protocol.ImapEncoder;
import org.carbonio.imap.protocol.ImapResponse;
import org.carbonio.imap.protocol.ImapSession;
import org.carbonio.imap.protocol.NotifySpec;
import org.carbonio.imap.protocol.SessionOptions;
import org.junit.jupiter.api.Test;

/** RFC 5465 §5.8: too many pending changes end NOTIFY with NOTIFICATIONOVERFLOW. */
class NotifyOverflowTest {

  @Test
  void pollShouldReportOverflowAndStopNotifyingWhenTooManyMailboxesChanged() {
    InMemoryMailboxBackend backend = new InMemoryMailboxBackend();
    byte[] msg = "Subject: x\r\n\r\ny\r\n".getBytes(StandardCharsets.US_ASCII);
    int boxes = 1001;
    for (int i = 0; i < boxes; i++) backend.deliver("alice", "box" + i, msg, Set.of());
    try (ImapSession s =
        new ImapSession(
            new SessionOptions("ready", false, true, 1 << 20, Clock.systemUTC()),
            new InMemoryAuthenticator().user("alice", "secret"),
            backend,
            null,
            false)) {
      // nothing is pushed as it happens: the changes pile up until the next look
      s.setChangeListener(() -> {});
      assertThat(s.handle(new ImapCommand.Login("a", "alice", "secret")).getLast().toString())
          .contains("OK");
      NotifySpec spec =
          new NotifySpec(
              false,
              List.of(
                  new NotifySpec.Group(
                      NotifySpec.Filter.PERSONAL,
                      List.of(),
                      Set.of(NotifySpec.Event.MESSAGE_NEW, NotifySpec.Event.MESSAGE_EXPUNGE),
                      List.of())));
      assertThat(s.handle(new ImapCommand.Notify("b", Optional.of(spec))))
          .containsExactly(
              new ImapResponse.Tagged("b", ImapResponse.Status.OK, null, "NOTIFY completed"));
      backend.deliver("alice", "box0", msg, Set.of());
      List<ImapResponse> one = s.pollUpdates();
      assertThat(one).hasSize(1);
      assertThat(ImapEncoder.toString(one.get(0)))
          .startsWith("* STATUS \"box0\" (MESSAGES 2 UIDNEXT 3 UIDVALIDITY ");

      for (int i = 0; i < boxes; i++) backend.deliver("alice", "box" + i, msg, Set.of());
      assertThat(s.pollUpdates())
          .containsExactly(
              new ImapResponse.Untagged(
                  ImapResponse.Status.OK, "NOTIFICATIONOVERFLOW", "NOTIFY disabled"));
      assertThat(s.notifying()).isFalse();
      backend.deliver("alice", "box1", msg, Set.of());
      assertThat(s.pollUpdates()).isEmpty();
    }
  }
}
