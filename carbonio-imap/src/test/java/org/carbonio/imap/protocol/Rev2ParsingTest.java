package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** ENABLE, UNAUTHENTICATE, UTF8=ACCEPT and LITERAL- parsing (RFC 5161, 8437, 6855, 7888). */
class Rev2ParsingTest {

  private static List<Decoded> decode(boolean utf8, String input) {
    ImapDecoder d = new ImapDecoder(DecoderLimits.DEFAULTS);
    d.utf8(utf8);
    ByteBuffer in = ByteBuffer.wrap(input.getBytes(StandardCharsets.UTF_8));
    List<Decoded> out = new ArrayList<>();
    while (true) {
      Decoded r = d.decode(in);
      if (r instanceof Decoded.NeedMore) break;
      out.add(r);
    }
    return out;
  }

  private static ImapCommand command(boolean utf8, String input) {
    List<Decoded> r = decode(utf8, input);
    assertThat(r).hasSize(1).first().isInstanceOf(Decoded.Command.class);
    return ((Decoded.Command) r.get(0)).command();
  }

  @Test
  void enableShouldListCapabilitiesWhenGiven() {
    assertThat(command(false, "a ENABLE IMAP4rev2 utf8=accept X-FOO\r\n"))
        .isEqualTo(new ImapCommand.Enable("a", List.of("IMAP4rev2", "utf8=accept", "X-FOO")));
  }

  @Test
  void enableShouldBeBadWhenNoCapabilityOrNotAtoms() {
    assertThat(decode(false, "a ENABLE\r\n"))
        .containsExactly(new Decoded.Bad("a", "missing capability"));
    assertThat(decode(false, "a ENABLE \"IMAP4rev2\"\r\n"))
        .containsExactly(new Decoded.Bad("a", "expected capability"));
    assertThatThrownBy(() -> new ImapCommand.Enable("a", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void unauthenticateShouldParseWhenBareAndBeBadWithArguments() {
    assertThat(command(false, "u1 unauthenticate\r\n"))
        .isEqualTo(new ImapCommand.Unauthenticate("u1"));
    assertThat(decode(false, "u2 UNAUTHENTICATE now\r\n"))
        .containsExactly(new Decoded.Bad("u2", "unexpected arguments"));
  }

  @Test
  void quotedStringShouldBeBadWhenEightBitAndUtf8NotEnabled() {
    assertThat(decode(false, "a SELECT \"Entwürfe\"\r\nb NOOP\r\n"))
        .containsExactly(
            new Decoded.Bad(
                "a", "8-bit character in quoted string (ENABLE UTF8=ACCEPT first, RFC 6855)"),
            new Decoded.Command(new ImapCommand.Noop("b")));
  }

  @Test
  void mailboxShouldBeUtf8AndNotModifiedUtf7WhenUtf8Enabled() {
    assertThat(command(true, "a SELECT \"Entwürfe\"\r\n"))
        .isEqualTo(new ImapCommand.Select("a", "Entwürfe"));
    // RFC 6855 §3: "&" is no longer an escape
    assertThat(command(true, "a SELECT \"Entw&APw-rfe\"\r\n"))
        .isEqualTo(new ImapCommand.Select("a", "Entw&APw-rfe"));
    assertThat(command(false, "a SELECT \"Entw&APw-rfe\"\r\n"))
        .isEqualTo(new ImapCommand.Select("a", "Entwürfe"));
  }

  @Test
  void appendShouldTakeUtf8DataItemWhenUtf8Enabled() throws Exception {
    ImapCommand c = command(true, "a APPEND INBOX (\\Seen) UTF8 (~{5+}\r\nHallo)\r\n");
    assertThat(c).isInstanceOf(ImapCommand.Append.class);
    ImapCommand.Append a = (ImapCommand.Append) c;
    assertThat(a.mailbox()).isEqualTo("INBOX");
    assertThat(a.flags()).containsExactly("\\Seen");
    assertThat(new String(a.message().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("Hallo");
    a.message().close();
  }

  @Test
  void appendShouldBeBadWhenUtf8DataItemMalformedOrNotEnabled() {
    assertThat(decode(false, "a APPEND INBOX UTF8 (~{5+}\r\nHallo)\r\n"))
        .containsExactly(new Decoded.Bad("a", "UTF8 data item requires ENABLE UTF8=ACCEPT"));
    assertThat(decode(true, "a APPEND INBOX UTF8 ({5+}\r\nHallo)\r\n"))
        .containsExactly(new Decoded.Bad("a", "expected literal8 (~{n})"));
    assertThat(decode(true, "a APPEND INBOX UTF8 (~{5+}\r\nHallo\r\n"))
        .containsExactly(new Decoded.Bad("a", "missing )"));
    assertThat(decode(true, "a APPEND INBOX UTF8 ~{5+}\r\nHallo\r\n"))
        .containsExactly(new Decoded.Bad("a", "expected ("));
  }

  @Test
  void literalGateShouldRefuseLargeNonSyncLiteralWhenNotAuthenticated() {
    ImapSession s =
        new ImapSession(
            new SessionOptions("hi", false, true, 1000, java.time.Clock.systemUTC()),
            r -> Optional.empty(),
            u -> {
              throw new org.carbonio.imap.spi.BackendException.Unavailable("none");
            },
            null,
            false);
    ImapDecoder d =
        new ImapDecoder(DecoderLimits.DEFAULTS, LiteralSink.Factory.IN_MEMORY, s::acceptLiteral);
    String big = "x".repeat(4097);
    ByteBuffer in =
        ByteBuffer.wrap(
            ("a LOGIN alice {4097+}\r\n" + big + "\r\nb LOGIN alice {4096+}\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    // RFC 7888 §5: LITERAL- before login; the refused literal's bytes are skipped
    assertThat(d.decode(in))
        .isEqualTo(
            new Decoded.Bad(
                "a",
                "[TOOBIG] non-synchronizing literal of 4097 bytes exceeds LITERAL- (limit 4096)"));
    assertThat(d.decode(in)).isInstanceOf(Decoded.NeedMore.class);
    assertThat(s.capabilities()).contains("LITERAL-").doesNotContain("LITERAL+");
    // a synchronizing literal of that size is fine (the pre-auth limit is 8 KiB)
    assertThat(s.acceptLiteral(new LiteralGate.Request("c", "LOGIN", 5000, true))).isEmpty();
  }

  @Test
  void decodeShouldNeverThrowWhenUtf8EnabledAndArbitraryText() {
    qt().withExamples(300)
        .forAll(
            lists()
                .of(strings().betweenCodePoints(0x20, 0x2FF).ofLengthBetween(0, 30))
                .ofSizeBetween(1, 6),
            integers().between(0, 1))
        .checkAssert(
            (parts, utf8) -> {
              String line = "t " + String.join(" ", parts) + "\r\n";
              List<Decoded> r = decode(utf8 == 1, line);
              assertThat(r).isNotEmpty();
            });
  }

  @Test
  void scramShouldNotBeOfferedWhenAuthenticatorHasNoScramSupport() {
    ImapSession s =
        new ImapSession(
            new SessionOptions("hi", false, true, 1000, java.time.Clock.systemUTC()),
            r -> Optional.empty(),
            u -> {
              throw new org.carbonio.imap.spi.BackendException.Unavailable("none");
            },
            null,
            false);
    assertThat(s.capabilities())
        .contains("AUTH=PLAIN", "AUTH=LOGIN", "ENABLE", "UTF8=ACCEPT", "IMAP4rev2")
        .doesNotContain("AUTH=SCRAM-SHA-256", "UNAUTHENTICATE");
    assertThat(s.handle(new ImapCommand.Authenticate("a", "SCRAM-SHA-256", Optional.of("biws"))))
        .containsExactly(
            new ImapResponse.Tagged(
                "a", ImapResponse.Status.NO, "CANNOT", "Unsupported authentication mechanism"));
    assertThat(s.handle(new ImapCommand.Enable("b", List.of("IMAP4rev2"))))
        .containsExactly(
            new ImapResponse.Tagged(
                "b",
                ImapResponse.Status.BAD,
                null,
                "Command not allowed in state NOT_AUTHENTICATED"));
    assertThat(s.rev2()).isFalse();
  }
}
