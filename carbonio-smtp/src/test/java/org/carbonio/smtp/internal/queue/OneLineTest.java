package org.carbonio.smtp.internal.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one-line form of a multi-line reply in a DSN's Diagnostic-Code. */
class OneLineTest {

  @Test
  void oneLineShouldJoinLinesWhenReplyHasSeveral() {
    assertThat(DsnBuilder.oneLine("550 a \r\n  550 b\n550 c  ")).isEqualTo("550 a 550 b 550 c");
    assertThat(DsnBuilder.oneLine("a  b\tc")).isEqualTo("a  b\tc");
    assertThat(DsnBuilder.oneLine("\r\n")).isEmpty();
  }

  @Test
  @Timeout(5)
  void oneLineShouldBeLinearWhenReplyHasLongRunOfSpaces() {
    // the old \s*[\r\n]+\s* backtracked quadratically: 40K spaces took 15 s
    String spaces = " ".repeat(200_000);
    long start = System.nanoTime();
    assertThat(DsnBuilder.oneLine("550" + spaces + "x")).hasSize(200_004);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void oneLineShouldMatchTheRegexWhenInputIsShort() {
    qt().forAll(strings().betweenCodePoints(8, 128).ofLengthBetween(0, 40))
        .checkAssert(
            s ->
                assertThat(DsnBuilder.oneLine(s))
                    .isEqualTo(s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip()));
  }
}
