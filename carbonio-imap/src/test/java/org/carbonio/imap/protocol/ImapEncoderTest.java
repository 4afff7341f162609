package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
  void encodeShouldMapNulTo0x80WhenBodyLiteral() {
    // RFC 9051 §4.3: literal is *CHAR8, CHAR8 excludes %x00; one octet for one keeps {n}
    byte[] stored = {'a', 0, 'b', 0, 0, '\r', '\n'};
    var r =
        new ImapResponse.Fetch(
            1, List.of(new ImapResponse.FetchItem.Body("BODY[]", ByteSource.of(stored))));
    byte[] wire = bytes(r);
    byte[] expected =
        concat(
            "* 1 FETCH (BODY[] {7}\r\n".getBytes(StandardCharsets.US_ASCII),
            new byte[] {'a', (byte) 0x80, 'b', (byte) 0x80, (byte) 0x80, '\r', '\n'},
            ")\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(wire).isEqualTo(expected);
    assertThat(stored).containsExactly('a', 0, 'b', 0, 0, '\r', '\n'); // source untouched
  }

  @Test
  void encodeShouldKeepNulWhenBinaryLiteral8() {
    byte[] stored = {'a', 0, 'b'};
    var r =
        new ImapResponse.Fetch(
            1,
            List.of(
                new ImapResponse.FetchItem.Binary("BINARY[]", ByteSource.of(stored), true),
                new ImapResponse.FetchItem.Body("BODY[]<1>", ByteSource.of(stored, 1, 2))));
    byte[] expected =
        concat(
            "* 1 FETCH (BINARY[] ~{3}\r\n".getBytes(StandardCharsets.US_ASCII),
            stored,
            " BODY[]<1> {2}\r\n".getBytes(StandardCharsets.US_ASCII),
            new byte[] {(byte) 0x80, 'b'},
            ")\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(bytes(r)).isEqualTo(expected);
  }

  @Test
  void copyMappingNulShouldMapOnlyNulWhenAnyBytes() {
    qt().withExamples(200)
        .forAll(lists().of(integers().between(0, 255)).ofSizeBetween(0, 9000))
        .checkAssert(
            list -> {
              byte[] in = new byte[list.size()];
              for (int i = 0; i < in.length; i++) in[i] = (byte) (int) list.get(i);
              var out = new ByteArrayOutputStream();
              long n;
              try {
                n = ImapEncoder.copyMappingNul(new ByteArrayInputStream(in), out);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              byte[] got = out.toByteArray();
              assertThat(n).isEqualTo(in.length);
              assertThat(got).hasSize(in.length);
              for (int i = 0; i < in.length; i++) {
                assertThat(got[i]).isEqualTo(in[i] == 0 ? (byte) 0x80 : in[i]);
              }
            });
  }

  private static byte[] bytes(ImapResponse r) {
    var out = new ByteArrayOutputStream();
    try {
      ImapEncoder.encode(r, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    var out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
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
