package org.carbonio.examples;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.carbonio.imap.testkit.ImapServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An IMAP server over an in-memory mailbox, read with a real client (Jakarta Mail / Angus). */
class ImapServerExampleTest {

  @RegisterExtension
  static ImapServerExtension imap = ImapServerExtension.builder().user("alice", "secret").build();

  @Test
  void clientShouldReadMessageWhenDelivered() throws Exception {
    imap.deliver(
        "alice",
        "From: bob@example.com\r\nSubject: Hello\r\n\r\nHi Alice!\r\n"
            .getBytes(StandardCharsets.UTF_8));

    Store store = Session.getInstance(new Properties()).getStore("imap");
    store.connect(imap.host(), imap.port(), "alice", "secret");
    try {
      Folder inbox = store.getFolder("INBOX");
      inbox.open(Folder.READ_WRITE);
      Message message = inbox.getMessage(1);

      assertThat(message.getSubject()).isEqualTo("Hello");
      assertThat(message.getContent().toString()).isEqualTo("Hi Alice!\r\n");
      assertThat(message.isSet(Flags.Flag.SEEN)).isTrue(); // reading the body set \Seen
      inbox.close(false);
    } finally {
      store.close();
    }
  }
}
