package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImapEncoderTest {
  @Test
  void encodeShouldWriteLiteralWhenFetchBody() {
    var r =
        new ImapResponse.Fetch(
            3,
            List.of(
                new ImapResponse.FetchItem.Uid(7),
                new ImapResponse.FetchItem.Body(
                    "BODY[]", ByteSource.of("ab\r\n".getBytes(StandardCharsets.US_ASCII))),
                new ImapResponse.FetchItem.InternalDate(Instant.parse("2024-03-05T10:00:00Z"))));
    assertThat(ImapEncoder.toString(r))
        .isEqualTo(
            "* 3 FETCH (UID 7 BODY[] {4}\r\nab\r\n INTERNALDATE \" 5-Mar-2024 10:00:00 +0000\")\r\n");
  }

  @Test
  void encodeShouldUseModifiedUtf7WhenListingMailbox() {
    assertThat(
            ImapEncoder.toString(
                new ImapResponse.ListItem(false, Set.of("\\Noselect"), "Entwürfe")))
        .isEqualTo("* LIST (\\Noselect) \"/\" \"Entw&APw-rfe\"\r\n");
  }

  @Test
  void encodeShouldWriteCodeWhenTagged() {
    assertThat(
            ImapEncoder.toString(
                new ImapResponse.Tagged(
                    "a1", ImapResponse.Status.NO, "TRYCREATE", "No such mailbox")))
        .isEqualTo("a1 NO [TRYCREATE] No such mailbox\r\n");
    assertThat(
            ImapEncoder.toString(
                new ImapResponse.StatusData("INBOX", List.of(Map.entry("MESSAGES", 2L)))))
        .isEqualTo("* STATUS \"INBOX\" (MESSAGES 2)\r\n");
  }

  @Test
  void formatShouldCompressRunsWhenCopyUid() {
    assertThat(SequenceSet.format(List.of(1L, 2L, 3L, 5L, 7L, 8L))).isEqualTo("1:3,5,7:8");
  }
}
