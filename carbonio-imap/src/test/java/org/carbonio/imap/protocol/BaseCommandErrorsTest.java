package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.carbonio.imap.spi.FlagOperation;
import org.junit.jupiter.api.Test;

/** Wrong arguments to the base commands are BAD values, never exceptions (RFC 9051 §7.1.3). */
class BaseCommandErrorsTest {
  private static final List<String> NO_ARGUMENT_COMMANDS =
      List.of(
          "CAPABILITY",
          "NOOP",
          "LOGOUT",
          "STARTTLS",
          "CHECK",
          "CLOSE",
          "UNSELECT",
          "EXPUNGE",
          "IDLE",
          "NAMESPACE",
          "UNAUTHENTICATE");

  private static List<Decoded> decode(String input) {
    ImapDecoder d = new ImapDecoder(DecoderLimits.DEFAULTS);
    ByteBuffer in = ByteBuffer.wrap(input.getBytes(StandardCharsets.UTF_8));
    List<Decoded> out = new ArrayList<>();
    while (true) {
      Decoded r = d.decode(in);
      if (r instanceof Decoded.NeedMore) break;
      out.add(r);
    }
    return out;
  }

  @Test
  void storeShouldBeBadWhenNoFlagFollowsTheItem() {
    // RFC 9051 §9: store-att-flags = ... SP (flag-list / (flag *(SP flag)))
    assertThat(decode("a STORE 1 FLAGS\r\n"))
        .containsExactly(new Decoded.Bad("a", "missing flags"));
    assertThat(decode("a UID STORE 1 +FLAGS.SILENT\r\n"))
        .containsExactly(new Decoded.Bad("a", "missing flags"));
  }

  @Test
  void storeShouldParseWhenFlagListIsEmpty() {
    assertThat(decode("a STORE 1 FLAGS ()\r\n"))
        .containsExactly(
            new Decoded.Command(
                new ImapCommand.Store(
                    "a", false, SequenceSet.parse("1"), FlagOperation.REPLACE, false, Set.of())));
  }

  @Test
  void commandWithoutArgumentsShouldBeBadWhenAnyArgumentFollows() {
    // trailing spaces alone are tolerated (lenient tokenizer); any argument is BAD
    qt().forAll(
            integers().between(0, NO_ARGUMENT_COMMANDS.size() - 1),
            strings().betweenCodePoints('0', 'z').ofLengthBetween(1, 12))
        .checkAssert(
            (i, junk) -> {
              List<Decoded> r = decode("t1 " + NO_ARGUMENT_COMMANDS.get(i) + " " + junk + "\r\n");
              assertThat(r).isNotEmpty();
              assertThat(r.getFirst())
                  .as("%s %s", NO_ARGUMENT_COMMANDS.get(i), junk)
                  .isInstanceOf(Decoded.Bad.class);
            });
  }
}
