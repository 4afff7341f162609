package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/** THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (RFC 5256 §4). */
class ThreaderTest {

  static Threader.Msg msg(int n, long date, String subject, String id, String... refs) {
    BaseSubject b = BaseSubject.of(subject);
    return new Threader.Msg(
        n,
        n,
        date,
        UnicodeCasemap.key(b.base()),
        b.replyOrForward(),
        Optional.ofNullable(id),
        List.of(refs));
  }

  @Test
  void referencesShouldChainRepliesWhenReferencesAreComplete() {
    List<Threader.Msg> m =
        List.of(
            msg(1, 10, "Hello", "a"),
            msg(2, 20, "Re: Hello", "b", "a"),
            msg(3, 30, "Re: Hello", "c", "a", "b"),
            msg(4, 5, "Other", "d"));
    assertThat(Threader.references(m)).isEqualTo("(4)(1 2 3)");
  }

  @Test
  void referencesShouldNestSiblingsWhenTwoRepliesShareParent() {
    List<Threader.Msg> m =
        List.of(
            msg(1, 10, "Hello", "a"),
            msg(2, 30, "Re: Hello", "b", "a"),
            msg(3, 20, "Re: Hello", "c", "a"),
            msg(4, 40, "Re: Hello", "d", "a", "c"));
    assertThat(Threader.references(m)).isEqualTo("(1 (3 4)(2))");
  }

  @Test
  void referencesShouldKeepDummyWhenRootHasTwoChildren() {
    // the parent "x" is not in the mailbox: a dummy at the root with two children stays
    List<Threader.Msg> m = List.of(msg(1, 10, "A", "a", "x"), msg(2, 20, "B", "b", "x"));
    assertThat(Threader.references(m)).isEqualTo("((1)(2))");
  }

  @Test
  void referencesShouldPromoteChildWhenDummyHasOne() {
    List<Threader.Msg> m = List.of(msg(1, 10, "A", "a", "x", "y"), msg(2, 5, "B", "b"));
    assertThat(Threader.references(m)).isEqualTo("(2)(1)");
  }

  @Test
  void referencesShouldGroupBySubjectWhenReplyLacksReferences() {
    List<Threader.Msg> m = List.of(msg(1, 10, "Hello", "a"), msg(2, 20, "Re: hello", "b"));
    assertThat(Threader.references(m)).isEqualTo("(1 2)");
  }

  @Test
  void referencesShouldAddDummyWhenSameSubjectAndNeitherIsReply() {
    List<Threader.Msg> m = List.of(msg(1, 10, "Hello", "a"), msg(2, 20, "hello", "b"));
    assertThat(Threader.references(m)).isEqualTo("((1)(2))");
  }

  @Test
  void referencesShouldNotGroupWhenSubjectIsEmpty() {
    List<Threader.Msg> m = List.of(msg(1, 10, "", "a"), msg(2, 20, "Re:", "b"));
    assertThat(Threader.references(m)).isEqualTo("(1)(2)");
  }

  @Test
  void referencesShouldBreakLoopWhenReferencesAreCircular() {
    List<Threader.Msg> m =
        List.of(msg(1, 10, "A", "a", "b"), msg(2, 20, "B", "b", "a"), msg(3, 30, "C", "c", "c"));
    String t = Threader.references(m);
    assertThat(numbers(t)).containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(valid(t)).isTrue();
  }

  @Test
  void referencesShouldKeepBothWhenMessageIdIsDuplicated() {
    List<Threader.Msg> m = List.of(msg(1, 10, "A", "a"), msg(2, 20, "B", "a"));
    assertThat(Threader.references(m)).isEqualTo("(1)(2)");
  }

  @Test
  void orderedSubjectShouldMakeLaterMessagesSiblingsWhenSubjectsMatch() {
    List<Threader.Msg> m =
        List.of(
            msg(1, 30, "Re: Hello", "a"),
            msg(2, 10, "Hello", "b"),
            msg(3, 20, "Fwd: hello", "c"),
            msg(4, 15, "Other", "d"),
            msg(5, 40, "Other (fwd)", "e"));
    assertThat(Threader.orderedSubject(m)).isEqualTo("(2 (3)(1))(4 5)");
  }

  @Test
  void orderedSubjectShouldUseMailboxOrderWhenDatesTie() {
    List<Threader.Msg> m = List.of(msg(2, 10, "x", null), msg(1, 10, "x", null));
    assertThat(Threader.orderedSubject(m)).isEqualTo("(1 2)");
  }

  // --- properties -------------------------------------------------------------------------------

  static final List<String> SUBJECTS = List.of("", "a", "Re: a", "b", "Fwd: b", "[x] a", "a (fwd)");

  /** Messages with IDs and references from a pool of five, so that chains, loops and gaps occur. */
  static Gen<List<Threader.Msg>> mailboxes() {
    Gen<int[]> one =
        lists()
            .of(integers().between(0, 6))
            .ofSizeBetween(4, 7)
            .map(l -> l.stream().mapToInt(Integer::intValue).toArray());
    return lists()
        .of(one)
        .ofSizeBetween(0, 12)
        .map(
            rows -> {
              List<Threader.Msg> out = new ArrayList<>();
              int n = 0;
              for (int[] r : rows) {
                n++;
                String id = r[0] < 5 ? "id" + r[0] : null;
                List<String> refs = new ArrayList<>();
                for (int i = 3; i < r.length; i++) if (r[i] < 5) refs.add("id" + r[i]);
                out.add(msg(n, r[1], SUBJECTS.get(r[2]), id, refs.toArray(new String[0])));
              }
              return out;
            });
  }

  @Test
  void referencesShouldListEveryMessageOnceWhenGraphIsArbitrary() {
    qt().withExamples(3000)
        .forAll(mailboxes())
        .checkAssert(
            m -> {
              String t = Threader.references(m);
              List<Long> want = new ArrayList<>();
              for (Threader.Msg x : m) want.add(x.number());
              assertThat(numbers(t)).containsExactlyInAnyOrderElementsOf(want);
              assertThat(valid(t)).as(t).isTrue();
            });
  }

  @Test
  void orderedSubjectShouldMakeOneThreadPerSubject() {
    qt().withExamples(2000)
        .forAll(mailboxes())
        .checkAssert(
            m -> {
              String t = Threader.orderedSubject(m);
              Set<String> subjects = new HashSet<>();
              for (Threader.Msg x : m) subjects.add(x.subjectKey());
              assertThat(topLevel(t)).isEqualTo(subjects.size());
              assertThat(numbers(t)).hasSize(m.size());
              assertThat(valid(t)).as(t).isTrue();
            });
  }

  private static List<Long> numbers(String threads) {
    List<Long> out = new ArrayList<>();
    Matcher m = Pattern.compile("\\d+").matcher(threads);
    while (m.find()) out.add(Long.parseLong(m.group()));
    return out;
  }

  private static int topLevel(String t) {
    int depth = 0;
    int count = 0;
    for (char c : t.toCharArray()) {
      if (c == '(' && depth++ == 0) count++;
      if (c == ')') depth--;
    }
    return count;
  }

  /** Checks the RFC 5256 §5 grammar: 1*thread-list, with thread-nested = 2*thread-list. */
  static boolean valid(String t) {
    int[] pos = {0};
    while (pos[0] < t.length()) if (!threadList(t, pos)) return false;
    return true;
  }

  private static boolean threadList(String t, int[] pos) {
    if (pos[0] >= t.length() || t.charAt(pos[0]) != '(') return false;
    pos[0]++;
    if (pos[0] < t.length() && Character.isDigit(t.charAt(pos[0]))) {
      // thread-members = nz-number *(SP nz-number) [SP thread-nested]
      while (true) {
        if (!number(t, pos)) return false;
        if (t.charAt(pos[0]) == ')') break;
        if (t.charAt(pos[0]) != ' ') return false;
        pos[0]++;
        if (t.charAt(pos[0]) == '(') {
          if (!nested(t, pos)) return false;
          break;
        }
      }
    } else if (!nested(t, pos)) {
      return false;
    }
    if (pos[0] >= t.length() || t.charAt(pos[0]) != ')') return false;
    pos[0]++;
    return true;
  }

  private static boolean nested(String t, int[] pos) {
    int n = 0;
    while (pos[0] < t.length() && t.charAt(pos[0]) == '(') {
      if (!threadList(t, pos)) return false;
      n++;
    }
    return n >= 2;
  }

  private static boolean number(String t, int[] pos) {
    int start = pos[0];
    while (pos[0] < t.length() && Character.isDigit(t.charAt(pos[0]))) pos[0]++;
    return pos[0] > start && t.charAt(start) != '0' && pos[0] < t.length();
  }
}
