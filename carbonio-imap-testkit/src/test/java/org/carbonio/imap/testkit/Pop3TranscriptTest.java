package org.carbonio.imap.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import org.carbonio.imap.pop3.Pop3Limits;
import org.carbonio.imap.pop3.protocol.MaildropLocks;
import org.carbonio.imap.pop3.protocol.Pop3SessionOptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every POP3 transcript runs against the in-memory session and over a real socket. Before each,
 * alice's INBOX holds {@link #MESSAGES}; bob's is empty.
 */
class Pop3TranscriptTest {
  static final String[] MESSAGES = {
    "From: a@example.org\r\nSubject: one\r\n\r\nHello\r\n",
    "Subject: two\r\n\r\nline1\r\nline2\r\nline3\r\n",
    "Subject: three\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n"
  };

  @RegisterExtension
  static ImapServerExtension servers =
      ImapServerExtension.builder().user("alice", "secret").user("bob", "pw").build();

  static void fill(InMemoryMailboxBackend backend) {
    backend.open("bob").close();
    for (String m : MESSAGES) backend.deliver("alice", m.getBytes(UTF_8));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"pop3-auth.txt", "pop3-transaction.txt", "pop3-errors.txt", "pop3-lock.txt"})
  void transcriptShouldMatchWhenRunInMemory(String script) throws IOException {
    InMemoryMailboxBackend backend = new InMemoryMailboxBackend();
    fill(backend);
    InMemoryAuthenticator auth =
        new InMemoryAuthenticator().user("alice", "secret").user("bob", "pw");
    MaildropLocks locks = new MaildropLocks();
    Transcript.run(
        script,
        id ->
            new Pop3SessionPeer(
                backend,
                auth,
                locks,
                Pop3SessionOptions.defaults(),
                Pop3Limits.DEFAULT_MAX_LINE_LENGTH));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"pop3-auth.txt", "pop3-transaction.txt", "pop3-errors.txt", "pop3-lock.txt"})
  void transcriptShouldMatchWhenRunOverSocket(String script) throws IOException {
    fill(servers.backend());
    Transcript.run(script, id -> new SocketPeer(servers.host(), servers.pop3Port()));
  }
}
