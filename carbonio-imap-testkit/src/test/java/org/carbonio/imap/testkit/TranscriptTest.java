package org.carbonio.imap.testkit;

import java.io.IOException;
import java.util.List;
import org.carbonio.imap.protocol.DecoderLimits;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every transcript runs against the in-memory session and over a real socket. */
class TranscriptTest {
  @RegisterExtension
  static ImapServerExtension imap =
      ImapServerExtension.builder().user("alice", "secret").user("bob", "pw").build();

  /** The scripts in src/test/resources/transcripts, each run both ways. */
  static List<String> scripts() {
    return List.of(
        "auth.txt",
        "mailboxes.txt",
        "fetch.txt",
        "store-search.txt",
        "copy-move-expunge.txt",
        "idle.txt",
        "errors.txt",
        "condstore.txt",
        "qresync.txt",
        "objectid.txt",
        "savedate.txt",
        "preview.txt",
        "esearch.txt",
        "searchres.txt",
        "within.txt",
        "sort.txt",
        "thread.txt",
        "partial.txt",
        "enable.txt",
        "auth-rev2.txt",
        "utf8.txt",
        "multiappend.txt",
        "catenate.txt",
        "binary.txt",
        "replace.txt",
        "notify.txt",
        "compress.txt",
        "list-extended.txt",
        "special-use.txt",
        "quota.txt",
        "acl.txt",
        "metadata.txt",
        "nul.txt",
        "errors-base.txt");
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void transcriptShouldMatchWhenRunInMemory(String script) throws IOException {
    InMemoryMailboxBackend backend = new InMemoryMailboxBackend();
    InMemoryAuthenticator auth =
        new InMemoryAuthenticator().user("alice", "secret").user("bob", "pw");
    Transcript.run(script, id -> new SessionPeer(backend, auth, DecoderLimits.DEFAULTS));
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void transcriptShouldMatchWhenRunOverSocket(String script) throws IOException {
    Transcript.run(script, id -> new SocketPeer(imap.host(), imap.port()));
  }
}
