package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** Parsing of LIST-EXTENDED, CREATE-SPECIAL-USE, QUOTA, ACL and METADATA commands. */
class MailboxExtParserTest {

  private static Decoded decode(String line) {
    ImapDecoder d = new ImapDecoder(DecoderLimits.DEFAULTS);
    return d.decode(ByteBuffer.wrap((line + "\r\n").getBytes(StandardCharsets.UTF_8)));
  }

  private static ImapCommand command(String line) {
    Decoded r = decode(line);
    assertThat(r).isInstanceOf(Decoded.Command.class);
    return ((Decoded.Command) r).command();
  }

  private static void assertBad(String line) {
    assertThat(decode(line)).as(line).isInstanceOf(Decoded.Bad.class);
  }

  @Test
  void listShouldParseSelectionPatternsAndReturnOptionsWhenExtended() {
    assertThat(
            command(
                "a LIST (subscribed RECURSIVEMATCH) \"\" (\"INBOX\" \"Work/%\") RETURN (CHILDREN"
                    + " STATUS (MESSAGES SIZE))"))
        .isEqualTo(
            new ImapCommand.ListExtended(
                "a",
                Set.of("SUBSCRIBED", "RECURSIVEMATCH"),
                "",
                List.of("INBOX", "Work/%"),
                Set.of("CHILDREN", "STATUS"),
                List.of("MESSAGES", "SIZE")));
    assertThat(command("a LIST \"\" *")).isInstanceOf(ImapCommand.ListMailboxes.class);
    assertThat(command("a LIST \"\" * RETURN ()"))
        .isEqualTo(
            new ImapCommand.ListExtended("a", Set.of(), "", List.of("*"), Set.of(), List.of()));
  }

  @Test
  void listShouldBeBadWhenOptionsWrong() {
    // RFC 5258 §3: unknown options and RECURSIVEMATCH alone are errors
    assertBad("a LIST (RECURSIVEMATCH) \"\" *");
    assertBad("a LIST (FOO) \"\" *");
    assertBad("a LIST \"\" * RETURN (FOO)");
    assertBad("a LIST \"\" * RETURN (STATUS ())");
    assertBad("a LIST \"\" * RETURN (STATUS (MESSAGES) STATUS (UNSEEN))");
    assertBad("a LIST \"\" ()");
    assertBad("a LIST \"\" * RETURNS (CHILDREN)");
    assertBad("a LIST (SUBSCRIBED \"\" *");
  }

  @Test
  void createShouldParseUseListWhenSpecialUse() {
    assertThat(command("a CREATE Saved (USE (\\archive \\Sent))"))
        .isEqualTo(new ImapCommand.CreateSpecialUse("a", "Saved", Set.of("\\Archive", "\\Sent")));
    assertThat(command("a CREATE Saved")).isEqualTo(new ImapCommand.Create("a", "Saved"));
    assertBad("a CREATE Saved (USE (Archive))");
    assertBad("a CREATE Saved (FOO (\\Archive))");
    assertBad("a CREATE Saved USE");
  }

  @Test
  void quotaCommandsShouldParseWhenWellFormed() {
    assertThat(command("a GETQUOTA \"\"")).isEqualTo(new ImapCommand.GetQuota("a", ""));
    assertThat(command("a GETQUOTAROOT inbox"))
        .isEqualTo(new ImapCommand.GetQuotaRoot("a", "inbox"));
    assertThat(command("a SETQUOTA \"\" (storage 512 MESSAGE 10)"))
        .isEqualTo(new ImapCommand.SetQuota("a", "", Map.of("STORAGE", 512L, "MESSAGE", 10L)));
    assertBad("a SETQUOTA \"\" (STORAGE)");
    assertBad("a SETQUOTA \"\" (STORAGE -1)");
    assertBad("a SETQUOTA \"\" (STORAGE 1 STORAGE 2)");
    assertBad("a GETQUOTA");
  }

  @Test
  void aclCommandsShouldParseAndMapObsoleteRightsWhenWellFormed() {
    assertThat(command("a SETACL Team bob +rl"))
        .isEqualTo(new ImapCommand.SetAcl("a", "Team", "bob", '+', "lr"));
    // RFC 4314 §2.1.1: c is k, d is t and e
    assertThat(command("a SETACL Team bob cd"))
        .isEqualTo(new ImapCommand.SetAcl("a", "Team", "bob", '=', "kte"));
    assertThat(command("a SETACL Team bob \"\""))
        .isEqualTo(new ImapCommand.SetAcl("a", "Team", "bob", '=', ""));
    assertThat(command("a DELETEACL Team bob"))
        .isEqualTo(new ImapCommand.DeleteAcl("a", "Team", "bob"));
    assertThat(command("a LISTRIGHTS Team anyone"))
        .isEqualTo(new ImapCommand.ListRights("a", "Team", "anyone"));
    assertThat(command("a MYRIGHTS Team")).isEqualTo(new ImapCommand.MyRights("a", "Team"));
    assertBad("a SETACL Team bob lrz");
    assertBad("a SETACL Team bob");
    assertBad("a GETACL");
    assertBad("a MYRIGHTS Team extra");
  }

  @Test
  void metadataCommandsShouldParseOptionsAndEntriesWhenWellFormed() {
    assertThat(
            command("a GETMETADATA (MAXSIZE 100 DEPTH infinity) \"\" (/shared/Comment /private)"))
        .isEqualTo(
            new ImapCommand.GetMetadata("a", "", List.of("/shared/comment", "/private"), 100, -1));
    assertThat(command("a GETMETADATA INBOX /shared/x"))
        .isEqualTo(new ImapCommand.GetMetadata("a", "INBOX", List.of("/shared/x"), -1, 0));
    assertThat(command("a SETMETADATA INBOX (/shared/a \"1\" /private/b NIL)"))
        .isEqualTo(
            new ImapCommand.SetMetadata(
                "a",
                "INBOX",
                Map.of("/shared/a", Optional.of("1"), "/private/b", Optional.empty())));
    assertBad("a GETMETADATA INBOX /other/x");
    assertBad("a GETMETADATA INBOX /shared//x");
    assertBad("a GETMETADATA INBOX /shared/x/");
    assertBad("a GETMETADATA INBOX /shared/*");
    assertBad("a GETMETADATA (DEPTH 3) INBOX /shared");
    assertBad("a GETMETADATA (MAXSIZE) INBOX /shared");
    assertBad("a GETMETADATA INBOX ()");
    assertBad("a SETMETADATA INBOX ()");
    assertBad("a SETMETADATA INBOX (/shared/a)");
    assertBad("a SETMETADATA INBOX (/shared/a (x))");
  }

  private static Gen<String> extLines() {
    String[] pieces = {
      "a ",
      "LIST",
      "CREATE",
      "GETQUOTA",
      "GETQUOTAROOT",
      "SETQUOTA",
      "SETACL",
      "DELETEACL",
      "GETACL",
      "LISTRIGHTS",
      "MYRIGHTS",
      "GETMETADATA",
      "SETMETADATA",
      " ",
      "(",
      ")",
      "\"\"",
      "INBOX",
      "RETURN",
      "STATUS",
      "SUBSCRIBED",
      "RECURSIVEMATCH",
      "USE",
      "\\Archive",
      "/shared/x",
      "/private",
      "NIL",
      "MAXSIZE",
      "DEPTH",
      "1",
      "infinity",
      "STORAGE",
      "+lr",
      "*",
      "%",
      "{3+}\r\nabc",
      "\"q\""
    };
    return lists().of(arbitrary().pick(pieces)).ofSizeBetween(0, 24).map(l -> String.join("", l));
  }

  @Test
  void decodeShouldReturnCommandOrBadNeverThrowWhenArbitraryExtensionInput() {
    qt().withExamples(2000)
        .forAll(extLines())
        .checkAssert(
            line -> {
              Decoded r = decode(line);
              assertThat(r)
                  .isInstanceOfAny(
                      Decoded.Command.class,
                      Decoded.Bad.class,
                      Decoded.TooBig.class,
                      Decoded.NeedMore.class,
                      Decoded.NeedLiteral.class);
            });
  }
}
