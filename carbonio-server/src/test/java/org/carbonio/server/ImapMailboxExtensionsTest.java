package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The mailbox-level IMAP extensions against the real server: ACL (RFC 4314) over the store's
 * sharing grants with the shared namespace, QUOTA (RFC 9208) from the directory, SPECIAL-USE (RFC
 * 6154) roles and METADATA (RFC 5464) in the store's annotations.
 */
class ImapMailboxExtensionsTest {

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension()
          .account("alice@localhost", "alice-Secret-1")
          .account("bob@localhost", "bob-Secret-1");

  private SSLContext trust;
  private int port;

  @BeforeEach
  void start() throws Exception {
    trust = E2E.trusting(carbonio.dataDir());
    port = carbonio.port(Listener.Kind.IMAPS);
  }

  private RawImap login(String user, String password) throws Exception {
    RawImap imap = new RawImap(trust, port);
    assertThat(last(imap.command("LOGIN " + user + " " + password))).contains("OK");
    return imap;
  }

  /** The untagged lines, after checking that the command completed with OK. */
  private static List<String> ok(List<String> lines) {
    assertThat(last(lines)).matches("a\\d+ OK .*");
    return lines.subList(0, lines.size() - 1);
  }

  private static String last(List<String> lines) {
    return lines.get(lines.size() - 1);
  }

  private static String append(String subject) {
    String message = "Subject: " + subject + "\r\n\r\nhello\r\n";
    return "{" + message.length() + "+}\r\n" + message;
  }

  @Test
  void sharedFolderShouldBeListedSelectedAndRightsEnforcedWhenOwnerGrantsWithSetacl()
      throws Exception {
    try (RawImap alice = login("alice@localhost", "alice-Secret-1");
        RawImap bob = login("bob@localhost", "bob-Secret-1")) {
      assertThat(last(alice.command("CREATE Team"))).contains("OK");
      assertThat(last(alice.command("APPEND Team " + append("shared")))).contains("OK [APPENDUID");
      assertThat(last(alice.command("SETACL Team bob@localhost lr"))).contains("OK");
      assertThat(alice.command("GETACL Team"))
          .first()
          .isEqualTo(
              "* ACL \"Team\" \"alice@localhost\" \"lrswipkxtea\" \"bob@localhost\" \"lrs\"");

      assertThat(bob.command("NAMESPACE"))
          .first()
          .isEqualTo("* NAMESPACE ((\"\" \"/\")) NIL ((\"Shared/\" \"/\"))");
      assertThat(ok(bob.command("LIST \"\" \"Shared/*\"")))
          .containsExactly(
              "* LIST (\\HasChildren \\Noselect) \"/\" \"Shared/alice@localhost\"",
              "* LIST (\\HasNoChildren) \"/\" \"Shared/alice@localhost/Team\"");
      assertThat(bob.command("MYRIGHTS \"Shared/alice@localhost/Team\""))
          .first()
          .isEqualTo("* MYRIGHTS \"Shared/alice@localhost/Team\" \"lrs\"");
      // READ (lrs) without WRITE, INSERT or DELETE: \Seen only, no \Deleted, no expunge
      List<String> select = bob.command("SELECT \"Shared/alice@localhost/Team\"");
      assertThat(select).contains("* 1 EXISTS", "* OK [PERMANENTFLAGS (\\Seen)] Flags permitted");
      assertThat(last(select)).contains("OK [READ-WRITE]");
      assertThat(last(bob.command("STORE 1 +FLAGS (\\Deleted)"))).contains("NO [NOPERM]");
      assertThat(last(bob.command("EXPUNGE"))).contains("NO [NOPERM]");
      assertThat(last(bob.command("STORE 1 +FLAGS (\\Seen)"))).contains("OK");
      assertThat(bob.command("FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]"))
          .anyMatch(l -> l.startsWith("Subject: shared"));
      assertThat(last(bob.command("APPEND \"Shared/alice@localhost/Team\" " + append("x"))))
          .contains("NO [NOPERM]");
      assertThat(last(bob.command("GETACL \"Shared/alice@localhost/Team\"")))
          .contains("NO [NOPERM]");
      assertThat(last(bob.command("COPY 1 INBOX"))).contains("OK [COPYUID");
      assertThat(last(bob.command("MOVE 1 INBOX"))).contains("NO [NOPERM]");
      assertThat(last(bob.command("CREATE \"Shared/alice@localhost/Team/Sub\"")))
          .contains("NO [NOPERM]");

      // more rights: DELETE (tex) lets bob delete and expunge
      assertThat(last(alice.command("SETACL Team bob@localhost +te"))).contains("OK");
      assertThat(last(bob.command("SELECT \"Shared/alice@localhost/Team\""))).contains("OK");
      assertThat(last(bob.command("STORE 1 +FLAGS.SILENT (\\Deleted)"))).contains("OK");
      assertThat(ok(bob.command("EXPUNGE"))).containsExactly("* 1 EXPUNGE");

      // revoked: the folder disappears from bob's view
      assertThat(last(alice.command("DELETEACL Team bob@localhost"))).contains("OK");
      assertThat(ok(bob.command("LIST \"\" \"Shared/*\""))).isEmpty();
      assertThat(last(bob.command("SELECT \"Shared/alice@localhost/Team\"")))
          .contains("NO [NONEXISTENT]");
    }
  }

  @Test
  void appendShouldFailWithOverquotaWhenOverTheDirectoryLimit() throws Exception {
    carbonio.server().directory().setQuota("alice@localhost", OptionalLong.of(2048));
    try (RawImap alice = login("alice@localhost", "alice-Secret-1")) {
      assertThat(ok(alice.command("GETQUOTAROOT INBOX")))
          .containsExactly("* QUOTAROOT \"INBOX\" \"\"", "* QUOTA \"\" (STORAGE 0 2)");
      assertThat(last(alice.command("APPEND INBOX " + append("small")))).contains("OK");
      String big = "Subject: big\r\n\r\n" + "x".repeat(3000) + "\r\n";
      assertThat(last(alice.command("APPEND INBOX {" + big.length() + "+}\r\n" + big)))
          .contains(" NO [OVERQUOTA]");
      assertThat(last(alice.command("SETQUOTA \"\" (STORAGE 10)"))).contains("NO [NOPERM]");
      assertThat(alice.command("GETQUOTA \"\"")).first().isEqualTo("* QUOTA \"\" (STORAGE 1 2)");
    }
  }

  @Test
  void specialUseAndMetadataShouldPersistInTheStoreWhenSet() throws Exception {
    try (RawImap alice = login("alice@localhost", "alice-Secret-1")) {
      assertThat(last(alice.command("CREATE Saved (USE (\\Archive))"))).contains("OK");
      assertThat(last(alice.command("CREATE Both (USE (\\Archive \\Junk))")))
          .contains("NO [USEATTR]");
      assertThat(alice.command("LIST (SPECIAL-USE) \"\" \"*\""))
          .contains("* LIST (\\Archive \\HasNoChildren) \"/\" \"Saved\"");
      assertThat(last(alice.command("SETMETADATA Saved (/shared/comment \"old mail\")")))
          .contains("OK");
      assertThat(last(alice.command("SETMETADATA \"\" (/private/vendor/x \"1\")"))).contains("OK");
      assertThat(alice.command("GETMETADATA Saved /shared/comment"))
          .first()
          .isEqualTo("* METADATA \"Saved\" (\"/shared/comment\" \"old mail\")");
      assertThat(alice.command("STATUS Saved (MESSAGES SIZE)"))
          .first()
          .isEqualTo("* STATUS \"Saved\" (MESSAGES 0 SIZE 0)");
    }
    try (RawImap again = login("alice@localhost", "alice-Secret-1")) {
      assertThat(again.command("GETMETADATA (DEPTH infinity) \"\" /private"))
          .first()
          .isEqualTo("* METADATA \"\" (\"/private/vendor/x\" \"1\")");
    }
  }
}
