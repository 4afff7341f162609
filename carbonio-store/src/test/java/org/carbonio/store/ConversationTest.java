package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConversationTest {
  @TempDir Path dir;
  MailStore store;
  Mailbox box;
  long clock = 1_700_000_000_000L;

  @BeforeEach
  void open() {
    store = MailStore.open(dir);
    box = store.mailbox("alice@example.org");
    box.createFolder("Sent");
  }

  @AfterEach
  void close() {
    store.close();
  }

  static String mail(String id, String refs, String inReplyTo, String subject) {
    StringBuilder sb = new StringBuilder();
    if (id != null) {
      sb.append("Message-ID: <").append(id).append(">\r\n");
    }
    if (refs != null) {
      sb.append("References: ").append(refs).append("\r\n");
    }
    if (inReplyTo != null) {
      sb.append("In-Reply-To: ").append(inReplyTo).append("\r\n");
    }
    sb.append("Subject: ").append(subject).append("\r\n\r\n");
    // a body that mentions header-like text must not be read as header
    sb.append("Message-ID: <not-a-header@x>\r\nbody\r\n");
    return sb.toString();
  }

  long append(String folder, String content) {
    return box.append(
            folder,
            new ByteArrayInputStream(content.getBytes(UTF_8)),
            Set.of(),
            Instant.ofEpochMilli(clock++))
        .uid();
  }

  long conversationOf(String folder, long uid) {
    return box.snapshot(folder).messages().stream()
        .filter(m -> m.uid() == uid)
        .findFirst()
        .orElseThrow()
        .conversationId();
  }

  @Test
  void appendShouldJoinConversationWhenMessageRepliesWithSameBaseSubject() {
    long root = append("INBOX", mail("1@x", null, null, "Lunch"));
    long reply = append("Sent", mail("2@x", "<1@x>", "<1@x>", "Re: Lunch"));
    long second = append("INBOX", mail("3@x", "<1@x> <2@x>", "<2@x>", "RE: [list] Re: lunch"));
    long other = append("INBOX", mail("4@x", null, null, "Lunch"));
    long c = conversationOf("INBOX", root);
    assertThat(c).isPositive();
    assertThat(conversationOf("Sent", reply)).isEqualTo(c);
    assertThat(conversationOf("INBOX", second)).isEqualTo(c);
    assertThat(conversationOf("INBOX", other)).isNotEqualTo(c); // same subject, no reference
    assertThat(box.conversation(c))
        .containsExactly(
            new MessageRef("INBOX", root),
            new MessageRef("Sent", reply),
            new MessageRef("INBOX", second));
  }

  @Test
  void appendShouldStartConversationWhenReplyChangesSubject() {
    long root = append("INBOX", mail("1@x", null, null, "Lunch"));
    long reply = append("INBOX", mail("2@x", "<1@x>", null, "Re: something else"));
    assertThat(conversationOf("INBOX", reply)).isNotEqualTo(conversationOf("INBOX", root));
  }

  @Test
  void appendShouldJoinConversationWhenInReplyToIsTheOnlyReference() {
    long root = append("INBOX", mail("1@x", null, null, "Plan"));
    long reply = append("INBOX", mail("2@x", null, "<1@x>", "AW: Plan"));
    assertThat(conversationOf("INBOX", reply)).isEqualTo(conversationOf("INBOX", root));
  }

  @Test
  void appendShouldJoinConversationWhenReplyArrivedBeforeParent() {
    long reply = append("INBOX", mail("2@x", "<1@x>", null, "Re: Plan"));
    long root = append("INBOX", mail("1@x", null, null, "Plan"));
    assertThat(conversationOf("INBOX", root)).isEqualTo(conversationOf("INBOX", reply));
  }

  @Test
  void appendShouldJoinConversationWhenSameMessageIdArrivesAgain() {
    long first = append("INBOX", mail("1@x", null, null, "Plan"));
    long again = append("Sent", mail("1@x", null, null, "Plan (edited)"));
    assertThat(conversationOf("Sent", again)).isEqualTo(conversationOf("INBOX", first));
  }

  @Test
  void appendShouldStartConversationWhenMessageHasNoHeaders() {
    long a = append("INBOX", "no header at all");
    long b = append("INBOX", "no header at all");
    assertThat(conversationOf("INBOX", a)).isPositive().isNotEqualTo(conversationOf("INBOX", b));
  }

  @Test
  void copyAndMoveShouldKeepConversationAndExpungeShouldRemoveFromIt() {
    long root = append("INBOX", mail("1@x", null, null, "Plan"));
    long reply = append("INBOX", mail("2@x", "<1@x>", null, "Re: Plan"));
    long c = conversationOf("INBOX", root);
    long copied = box.copy("INBOX", List.of(root), "Sent").destinationUids().getFirst();
    assertThat(conversationOf("Sent", copied)).isEqualTo(c);
    box.createFolder("Archive");
    long moved = box.move("INBOX", List.of(reply), "Archive").destinationUids().getFirst();
    assertThat(box.conversation(c))
        .containsExactlyInAnyOrder(
            new MessageRef("INBOX", root),
            new MessageRef("Sent", copied),
            new MessageRef("Archive", moved));
    // a later reply to the moved message still finds the conversation
    long late = append("INBOX", mail("3@x", "<1@x> <2@x>", null, "Re: Plan"));
    assertThat(conversationOf("INBOX", late)).isEqualTo(c);

    box.setFlags("INBOX", List.of(root, late), FlagOperation.ADD, Set.of(Flags.DELETED));
    box.expunge("INBOX", Optional.empty());
    box.deleteFolder("Archive");
    assertThat(box.conversation(c)).containsExactly(new MessageRef("Sent", copied));
    box.setFlags("Sent", List.of(copied), FlagOperation.ADD, Set.of(Flags.DELETED));
    box.expunge("Sent", Optional.empty());
    assertThat(box.conversation(c)).isEmpty();
    // the copy in Sent was the last holder of <1@x>: a new reply starts afresh
    long after = append("INBOX", mail("5@x", "<1@x>", null, "Re: Plan"));
    assertThat(conversationOf("INBOX", after)).isNotEqualTo(c);
  }

  @Test
  void conversationsShouldBePerAccountWhenDeliveredToSeveral() {
    store.deliver(
        List.of("alice@example.org", "bob@example.org"),
        "INBOX",
        new ByteArrayInputStream(mail("1@x", null, null, "Hi").getBytes(UTF_8)),
        null);
    Mailbox bob = store.mailbox("bob@example.org");
    long ca = box.snapshot("INBOX").messages().getFirst().conversationId();
    long cb = bob.snapshot("INBOX").messages().getFirst().conversationId();
    assertThat(ca).isNotEqualTo(cb);
    assertThat(bob.conversation(ca)).isEmpty();
    assertThat(box.conversation(ca)).containsExactly(new MessageRef("INBOX", 1));
    long reply =
        bob.append(
                "INBOX",
                new ByteArrayInputStream(mail("2@x", "<1@x>", null, "Re: Hi").getBytes(UTF_8)),
                Set.of(),
                null)
            .uid();
    assertThat(bob.conversation(cb))
        .containsExactly(new MessageRef("INBOX", 1), new MessageRef("INBOX", reply));
  }

  @Test
  void renameInboxShouldKeepConversationsFindable() {
    long root = append("INBOX", mail("1@x", null, null, "Plan"));
    long c = conversationOf("INBOX", root);
    box.renameFolder("INBOX", "Old");
    assertThat(box.conversation(c)).containsExactly(new MessageRef("Old", root));
    long reply = append("INBOX", mail("2@x", "<1@x>", null, "Re: Plan"));
    assertThat(conversationOf("INBOX", reply)).isEqualTo(c);
  }
}
