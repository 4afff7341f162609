package org.carbonio.imap.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The IMAP and POP3 transcript suites over a real socket against {@code embeddedStore()}
 * (carbonio-store through carbonio-imap-store), unchanged, except the scripts whose expected values
 * are the in-memory backend's.
 */
class EmbeddedTranscriptTest {
  @RegisterExtension
  static ImapServerExtension imap =
      ImapServerExtension.builder()
          .user("alice", "secret")
          .user("bob", "pw")
          .embeddedStore()
          .build();

  /** Scripts that do not run unchanged on the store, and why. */
  static final Map<String, String> IN_MEMORY_ONLY =
      Map.of(
          "condstore.txt", "exact MODSEQ values: the store's counter advances differently",
          "notify.txt",
              "mailbox-list events (RFC 5465 MailboxName): the store has no folder-list watch",
          "special-use.txt", "the store keeps one special-use role per folder (RFC 6154 §3)",
          "quota.txt", "SETQUOTA by the user: the store takes limits from its QuotaPolicy (NOPERM)",
          "acl.txt", "LISTRIGHTS: the store ties l, r and s together (RFC 4314 §2.1.1)");

  static List<String> scripts() {
    return TranscriptTest.scripts().stream().filter(s -> !IN_MEMORY_ONLY.containsKey(s)).toList();
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void transcriptShouldMatchWhenRunOverSocketOnEmbeddedStore(String script) throws IOException {
    Transcript.run(script, id -> new SocketPeer(imap.host(), imap.port()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"pop3-auth.txt", "pop3-transaction.txt", "pop3-errors.txt", "pop3-lock.txt"})
  void pop3TranscriptShouldMatchWhenRunOverSocketOnEmbeddedStore(String script) throws IOException {
    for (String m : Pop3TranscriptTest.MESSAGES) imap.deliver("alice", m.getBytes(UTF_8));
    Transcript.run(script, id -> new SocketPeer(imap.host(), imap.pop3Port()));
  }
}
