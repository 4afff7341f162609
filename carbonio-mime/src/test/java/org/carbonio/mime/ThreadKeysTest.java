package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.strings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThreadKeysTest {

  private static String base(String s) {
    return ThreadKeys.baseSubject(s);
  }

  private static boolean marked(String subject) {
    return ThreadKeys.of(null, null, null, subject).isReplyOrForward();
  }

  @Test
  void ofShouldReadFieldsWhenMessageHasThem() {
    ParsedMessage m =
        ParsedMessage.parse(
            Msg.crlf(
                """
                Message-ID: <c@x.example>
                References: <a@x.example>
                 <b@x.example> <a@x.example>
                In-Reply-To: <b@x.example> (message from Bob)
                Subject: Re: [list] Re: Hello

                body
                """));
    ThreadKeys k = ThreadKeys.of(m);
    assertThat(k.messageId()).contains("c@x.example");
    assertThat(k.references()).containsExactly("a@x.example", "b@x.example");
    assertThat(k.inReplyTo()).contains("b@x.example");
    assertThat(k.baseSubject()).isEqualTo("Hello");
    assertThat(k.isReplyOrForward()).isTrue();
  }

  @Test
  void referencesShouldFallBackToInReplyToWhenReferencesIsMissing() {
    // RFC 5256 §5 REFERENCES (1)
    ThreadKeys k = ThreadKeys.of("<c@x>", null, "<p@x> <q@x>", "x");
    assertThat(k.references()).containsExactly("p@x");
    assertThat(ThreadKeys.of("<c@x>", "junk", "<p@x>", "x").references()).containsExactly("p@x");
  }

  @Test
  void referencesShouldDropOwnIdWhenMessageReferencesItself() {
    assertThat(ThreadKeys.of("<c@x>", "<a@x> <c@x>", null, "x").references())
        .containsExactly("a@x");
  }

  @Test
  void referencesShouldKeepNearestWhenListIsLong() {
    StringBuilder refs = new StringBuilder();
    for (int i = 0; i < ThreadKeys.MAX_REFERENCES + 10; i++) {
      refs.append('<').append(i).append("@x> ");
    }
    List<String> r = ThreadKeys.of("<me@x>", refs.toString(), null, "").references();
    assertThat(r).hasSize(ThreadKeys.MAX_REFERENCES);
    assertThat(r.getFirst()).isEqualTo("10@x");
    assertThat(r.getLast()).isEqualTo((ThreadKeys.MAX_REFERENCES + 9) + "@x");
  }

  @Test
  void msgIdShouldBeKeptExactlyWhenItHasCaseOrCfws() {
    ThreadKeys k = ThreadKeys.of(" (comment) <AbC@Example.COM> ", null, "Bob's message <x@Y>", "");
    assertThat(k.messageId()).contains("AbC@Example.COM");
    assertThat(k.inReplyTo()).contains("x@Y");
    assertThat(ThreadKeys.of("bare@id.example", "a@x, b@x", null, "").references())
        .containsExactly("a@x", "b@x");
    assertThat(ThreadKeys.of("<>", null, null, "").messageId()).isEmpty();
    assertThat(ThreadKeys.of(null, null, null, null).messageId()).isEmpty();
    assertThat(ThreadKeys.of("no id here", null, null, "").messageId()).isEmpty();
  }

  @Test
  void baseSubjectShouldStripPrefixesWhenRfc5256Applies() {
    // RFC 5256 §2.1
    assertThat(base("Re: hello")).isEqualTo("hello");
    assertThat(base("RE: re: Fwd: FW: hello")).isEqualTo("hello");
    assertThat(base("Re[2]: hello")).isEqualTo("hello");
    assertThat(base("[list] Re: [other] hello")).isEqualTo("hello");
    assertThat(base("hello (fwd) (FWD)  ")).isEqualTo("hello");
    assertThat(base("[Fwd: Re: hello]")).isEqualTo("hello");
    assertThat(base("Re: [fwd: [list] hello (fwd)]")).isEqualTo("hello");
    assertThat(base("  hello \t  world ")).isEqualTo("hello world");
    assertThat(base("[only a blob]")).isEqualTo("[only a blob]");
    assertThat(base("Re:")).isEmpty();
    assertThat(base("Regarding: x")).isEqualTo("Regarding: x");
    assertThat(base("=?utf-8?q?Re=3A_h=C3=A9llo?=")).isEqualTo("héllo");
  }

  @Test
  void baseSubjectShouldStripPrefixWhenItIsLocalized() {
    assertThat(base("AW: hallo")).isEqualTo("hallo");
    assertThat(base("SV: hej")).isEqualTo("hej");
    assertThat(base("Antw: hoi")).isEqualTo("hoi");
    assertThat(base("RE : salut")).isEqualTo("salut");
    assertThat(base("Réf. : salut")).isEqualTo("salut");
    assertThat(
            base(
                new String(
                    "TR: R\u00e9f. : salut".getBytes(StandardCharsets.UTF_8),
                    StandardCharsets.ISO_8859_1)))
        .isEqualTo("salut");
    assertThat(base("回复: 你好")).isEqualTo("你好");
    assertThat(base("回复：你好")).isEqualTo("你好");
    assertThat(base("Fw: WG: Odp: YNT: x")).isEqualTo("x");
    assertThat(base("İLT: ΑΠ: x")).isEqualTo("x");
  }

  @Test
  void isReplyOrForwardShouldBeTrueOnlyWhenAMarkerWasRemoved() {
    assertThat(marked("Re: x")).isTrue();
    assertThat(marked("x (fwd)")).isTrue();
    assertThat(marked("[fwd: x]")).isTrue();
    assertThat(marked("AW: x")).isTrue();
    assertThat(marked("[list] x")).isFalse();
    assertThat(marked("  x  ")).isFalse();
    assertThat(marked("x")).isFalse();
    assertThat(marked(null)).isFalse();
  }

  @Test
  void baseSubjectShouldBeStableWhenAppliedTwice() {
    qt().withExamples(2000)
        .forAll(strings().betweenCodePoints(0x20, 0x7e).ofLengthBetween(0, 40))
        .checkAssert(
            s -> {
              String once = base(s);
              assertThat(base(once)).isEqualTo(once);
              assertThat(base("Re: " + once)).isEqualTo(once.isEmpty() ? "" : base(once));
            });
  }

  @Test
  void ofShouldNeverThrowWhenValuesAreArbitrary() {
    qt().withExamples(1000)
        .forAll(
            strings().allPossible().ofLengthBetween(0, 60),
            strings().betweenCodePoints(0x20, 0x7e).ofLengthBetween(0, 60))
        .checkAssert(
            (a, b) -> {
              ThreadKeys k = ThreadKeys.of(a, b, a + b, b + a);
              assertThat(k.references()).doesNotHaveDuplicates();
              assertThat(k.references()).doesNotContain(k.messageId().orElse(""));
            });
  }

  @Test
  void ofShouldFindIdsWhenMessagesComeFromCorpus() throws IOException {
    int messages = 0;
    int withId = 0;
    int replies = 0;
    for (Path p : Corpus.files()) {
      ThreadKeys k = ThreadKeys.of(ParsedMessage.parse(Files.readAllBytes(p)));
      messages++;
      withId += k.messageId().isPresent() ? 1 : 0;
      replies += k.isReplyOrForward() ? 1 : 0;
      assertThat(k.messageId().orElse("x")).doesNotContain("<", ">", " ");
      for (String r : k.references()) {
        assertThat(r).isNotEmpty().doesNotContain("<", ">", " ");
      }
    }
    System.out.println(
        "messages: "
            + messages
            + ", with Message-ID: "
            + withId
            + ", replies/forwards: "
            + replies);
    assertThat(withId).isGreaterThan(messages * 8 / 10);
    assertThat(replies).isPositive();
  }
}
