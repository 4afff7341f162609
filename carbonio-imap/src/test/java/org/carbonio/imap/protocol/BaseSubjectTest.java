package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.quicktheories.core.Gen;

/** RFC 5256 §2.1 base subject extraction. */
class BaseSubjectTest {

  /** Subjects built from the tokens the grammar cares about, so shrinking stays readable. */
  static final List<String> TOKENS =
      List.of(
          "re", "Re", "RE", "fw", "Fw", "fwd", "FWD", ":", "[", "]", " ", "  ", "\t", "(fwd)",
          "(FWD)", "[fwd:", "[Fwd:", "a", "b", "x y", "é", "Über", "[list]", "[2]", ".", "(", ")");

  static Gen<String> subjects() {
    return lists()
        .of(integers().between(0, TOKENS.size() - 1))
        .ofSizeBetween(0, 14)
        .map(
            idx -> {
              StringBuilder sb = new StringBuilder();
              for (int i : idx) sb.append(TOKENS.get(i));
              return sb.toString();
            });
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "Hello|Hello|false",
        "Re: Hello|Hello|true",
        "RE:Hello|Hello|true",
        "re: re: Re: Hello|Hello|true",
        "Fw: Hello|Hello|true",
        "Fwd: Hello|Hello|true",
        "fwd : Hello|Hello|true",
        "Re[2]: Hello|Hello|true",
        "Re [2] : Hello|Hello|true",
        "[list] Re: Hello|Hello|true",
        "[list] Hello|Hello|false",
        "[list][other] Hello|Hello|false",
        "[list]|[list]|false",
        "Re: [list]|[list]|true",
        "Hello (fwd)|Hello|true",
        "Hello (FWD) (fwd)  |Hello|true",
        "[Fwd: Hello]|Hello|true",
        "[fwd: Re: Hello] (fwd)|Hello|true",
        "Re: [fwd: [list] Hello]|Hello|true",
        "Hello   world|Hello world|false",
        "Hello\tworld|Hello world|false",
        "Regarding: Hello|Regarding: Hello|false",
        "Fwdx: Hello|Fwdx: Hello|false",
        "Re:|''|true",
        "''|''|false",
        "Re: Über|Über|true",
        "AW: Hello|AW: Hello|false",
        "[fwd: x|[fwd: x|false",
      })
  void ofShouldExtractBaseWhenSubjectHasMarkers(String subject, String base, boolean marker) {
    BaseSubject b = BaseSubject.of(subject);
    assertThat(b.base()).isEqualTo(base);
    assertThat(b.replyOrForward()).isEqualTo(marker);
  }

  private static final Pattern TRAILER = Pattern.compile("(?i)(\\(fwd\\)| )$");
  private static final Pattern LEADER =
      Pattern.compile("(?i)^(?:(?:\\[[^\\[\\]]*\\] *)*(?:re|fwd?) *(?:\\[[^\\[\\]]*\\] *)?:| )");
  private static final Pattern BLOB = Pattern.compile("^\\[[^\\[\\]]*\\] *");

  /** RFC 5256 §2.1 steps (1)-(7) written out with regular expressions, slowly. */
  static BaseSubject reference(String subject) {
    String s = BaseSubject.collapse(subject);
    boolean marker = false;
    while (true) {
      Matcher t;
      while ((t = TRAILER.matcher(s)).find()) { // (2)
        marker |= !t.group(1).equals(" ");
        s = s.substring(0, t.start());
      }
      boolean changed = true;
      while (changed) { // (5)
        changed = false;
        Matcher l = LEADER.matcher(s);
        if (l.find()) { // (3)
          marker |= !l.group().equals(" ");
          s = s.substring(l.end());
          changed = true;
          continue;
        }
        Matcher b = BLOB.matcher(s);
        if (b.find() && b.end() < s.length()) { // (4)
          s = s.substring(b.end());
          changed = true;
        }
      }
      if (s.length() >= 6 && s.regionMatches(true, 0, "[fwd:", 0, 5) && s.endsWith("]")) {
        s = s.substring(5, s.length() - 1); // (6)
        marker = true;
        continue;
      }
      return new BaseSubject(s, marker);
    }
  }

  @Test
  void ofShouldEqualStepByStepReferenceWhenSubjectIsArbitrary() {
    qt().withExamples(20_000)
        .forAll(subjects())
        .checkAssert(s -> assertThat(BaseSubject.of(s)).isEqualTo(reference(s)));
  }

  @Test
  void ofShouldBeIdempotentWhenAppliedTwice() {
    qt().forAll(subjects())
        .checkAssert(
            s -> {
              String once = BaseSubject.of(s).base();
              assertThat(BaseSubject.of(once).base()).isEqualTo(once);
              assertThat(BaseSubject.of(once).replyOrForward()).isFalse();
            });
  }

  @Test
  void ofShouldKeepNoOuterOrDoubleSpaceWhenSubjectHasAny() {
    qt().forAll(subjects())
        .checkAssert(
            s -> {
              String b = BaseSubject.of(s).base();
              assertThat(b).doesNotStartWith(" ").doesNotEndWith(" ").doesNotContain("  ");
              assertThat(b).doesNotContain("\t");
            });
  }

  @Test
  void ofShouldIgnoreReplyPrefixWhenPrepended() {
    qt().forAll(subjects())
        .checkAssert(
            s -> {
              BaseSubject b = BaseSubject.of("Re: " + s);
              assertThat(b.base()).isEqualTo(BaseSubject.of(s).base());
              assertThat(b.replyOrForward()).isTrue();
            });
  }

  @Test
  void ofShouldIgnoreForwardTrailerWhenAppended() {
    qt().forAll(subjects())
        .checkAssert(
            s -> {
              BaseSubject b = BaseSubject.of(s + " (fwd)");
              assertThat(b.base()).isEqualTo(BaseSubject.of(s).base());
              assertThat(b.replyOrForward()).isTrue();
            });
  }

  @Test
  void ofShouldReturnSubstringWhenWhitespaceIsCollapsed() {
    qt().forAll(subjects())
        .checkAssert(s -> assertThat(BaseSubject.collapse(s)).contains(BaseSubject.of(s).base()));
  }

  @Test
  void ofShouldFinishQuicklyWhenSubjectIsAdversarial() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          BaseSubject.of("[".repeat(100_000));
          BaseSubject.of("[a]".repeat(50_000) + "x");
          BaseSubject.of("Re: ".repeat(50_000));
          BaseSubject.of("[fwd: ".repeat(20_000) + "]".repeat(20_000));
          BaseSubject.of(" (fwd)".repeat(50_000));
          BaseSubject.of("re [".repeat(30_000));
        });
  }
}
