package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.strings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.carbonio.mime.AddressEntry.Group;
import org.carbonio.mime.AddressEntry.Mailbox;
import org.carbonio.mime.internal.EnvelopeAddresses;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

class MailAddressesTest {

  private static Mailbox mb(String name, String local, String domain) {
    return new Mailbox(name, local, domain);
  }

  private static List<AddressEntry> parse(String s) {
    return MailAddresses.parse(s);
  }

  /** A byte string of UTF-8 text, as HeaderFields.first returns it. */
  private static String octets(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  @Test
  void parseShouldReadNameAndAddressWhenMailboxIsPlain() {
    assertThat(parse("John Doe <jdoe@machine.example>, mary@example.net"))
        .containsExactly(mb("John Doe", "jdoe", "machine.example"), mb("", "mary", "example.net"));
  }

  @Test
  void parseShouldUnquoteWhenNameAndLocalPartAreQuoted() {
    // RFC 5322 §A.1.2
    assertThat(parse("\"Joe Q. Public\" <john.q.public@example.com>, \"a\\\"b\" <\"x y\"@z>"))
        .containsExactly(
            mb("Joe Q. Public", "john.q.public", "example.com"), mb("a\"b", "x y", "z"));
    assertThat(((Mailbox) parse("<\"x y\"@z>").get(0)).address()).isEqualTo("\"x y\"@z");
  }

  @Test
  void parseShouldKeepDotsWhenNameHasInitials() {
    assertThat(parse("Joe Q. Public <j@x>")).containsExactly(mb("Joe Q. Public", "j", "x"));
  }

  @Test
  void parseShouldIgnoreCommentsWhenTheyAreAnywhere() {
    // RFC 5322 §A.5
    assertThat(
            parse(
                "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>, (c) a (d) @ (e)"
                    + " b (f) . (g) c (h)"))
        .containsExactly(mb("Pete", "pete", "silly.test"), mb("h", "a", "b.c"));
  }

  @Test
  void parseShouldTakeCommentAsNameWhenThereIsNoDisplayName() {
    assertThat(parse("user@dom.example (Real Name), <x@y> (Other), N <p@q> (ignored)"))
        .containsExactly(
            mb("Real Name", "user", "dom.example"), mb("Other", "x", "y"), mb("N", "p", "q"));
  }

  @Test
  void parseShouldReturnGroupsWhenListHasGroups() {
    // RFC 5322 §A.1.3
    assertThat(
            parse(
                "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;, Undisclosed"
                    + " recipients:;, last@x"))
        .containsExactly(
            new Group(
                "A Group",
                List.of(
                    mb("Ed Jones", "c", "a.test"),
                    mb("", "joe", "where.test"),
                    mb("John", "jdoe", "one.test"))),
            new Group("Undisclosed recipients", List.of()),
            mb("", "last", "x"));
  }

  @Test
  void parseShouldCloseGroupWhenSemicolonIsMissing() {
    assertThat(parse("g: a@b, c@d"))
        .containsExactly(new Group("g", List.of(mb("", "a", "b"), mb("", "c", "d"))));
  }

  @Test
  void parseShouldDropRouteWhenAngleAddressHasObsRoute() {
    // RFC 5322 §4.4 obs-route
    assertThat(parse("Joe <@a.example,@b.example:joe@c.example>, <@x:y@z>"))
        .containsExactly(mb("Joe", "joe", "c.example"), mb("", "y", "z"));
  }

  @Test
  void parseShouldJoinLocalPartWhenCfwsSurroundsDots() {
    // RFC 5322 §4.4 obs-local-part and obs-domain
    assertThat(parse("<john . (x) q . \"public\" @ example . com>"))
        .containsExactly(mb("", "john.q.public", "example.com"));
  }

  @Test
  void parseShouldSkipEmptyElementsWhenCommasRepeat() {
    // RFC 5322 §4.4 obs-addr-list
    assertThat(parse(", ,a@b,, ,c@d,")).containsExactly(mb("", "a", "b"), mb("", "c", "d"));
  }

  @Test
  void parseShouldSplitAddressesWhenCommasAreMissing() {
    assertThat(parse("a@b c@d")).containsExactly(mb("", "a", "b"), mb("", "c", "d"));
    assertThat(parse("A <a@b> B <c@d>")).containsExactly(mb("A", "a", "b"), mb("B", "c", "d"));
    assertThat(parse("John Smith john@x.example"))
        .containsExactly(mb("John Smith", "john", "x.example"));
  }

  @Test
  void parseShouldDecodeEncodedWordsWhenNameOrCommentHoldsThem() {
    assertThat(
            parse(
                "=?utf-8?q?Andr=C3=A9?= Pirard <pirard@vm1.ulg.ac.be>,"
                    + " \"=?iso-8859-1?q?Keld_J=F8rn?=\" <k@dkuug.dk>, x@y (=?utf-8?b?w6k=?=)"))
        .containsExactly(
            mb("André Pirard", "pirard", "vm1.ulg.ac.be"),
            mb("Keld Jørn", "k", "dkuug.dk"),
            mb("é", "x", "y"));
  }

  @Test
  void parseShouldDecodeUtf8WhenHeaderIsEai() {
    // RFC 6532 §3.2: UTF-8 in the display name, local part and domain
    List<AddressEntry> r = parse(octets("Jörg Ünal <jörg@bücher.example>, 用户@例子.广告"));
    assertThat(r).containsExactly(mb("Jörg Ünal", "jörg", "bücher.example"), mb("", "用户", "例子.广告"));
    assertThat(((Mailbox) r.get(0)).asciiDomain()).isEqualTo("xn--bcher-kva.example");
    assertThat(((Mailbox) r.get(1)).asciiDomain()).isEqualTo("xn--fsqu00a.xn--4rr70v");
  }

  @Test
  void parseShouldFallBackToWindows1252WhenOctetsAreNotUtf8() {
    assertThat(parse("J\u00f6rg <j@x>")).containsExactly(mb("Jörg", "j", "x"));
    assertThat(parse("\u0093Q\u0094 <j@x>")).containsExactly(mb("\u201cQ\u201d", "j", "x"));
  }

  @Test
  void asciiDomainShouldKeepDomainWhenItIsALiteralOrInvalid() {
    assertThat(((Mailbox) parse("a@[192.0.2.1]").get(0)).asciiDomain()).isEqualTo("[192.0.2.1]");
    String longLabel = "x".repeat(70) + ".example";
    assertThat(((Mailbox) parse("a@" + longLabel).get(0)).asciiDomain()).isEqualTo(longLabel);
  }

  @Test
  void parseShouldKeepAtSignWhenDisplayNameIsAnAddress() {
    assertThat(parse("alice@example.com <bob@example.com>"))
        .containsExactly(mb("alice@example.com", "bob", "example.com"));
  }

  @Test
  void parseShouldReturnLocalPartOnlyWhenThereIsNoDomain() {
    assertThat(parse("postmaster, <root>, Name <>, Mary Smith, =?utf-8?q?J=C3=B6rg?= X"))
        .containsExactly(
            mb("", "postmaster", ""),
            mb("", "root", ""),
            mb("Name", "", ""),
            mb("Mary Smith", "", ""),
            mb("Jörg X", "", ""));
    assertThat(((Mailbox) parse("postmaster").get(0)).address()).isEqualTo("postmaster");
  }

  @Test
  void parseShouldRecoverWhenAngleIsUnclosed() {
    assertThat(parse("A <a@b, c@d")).containsExactly(mb("A", "a", "b"), mb("", "c", "d"));
    assertThat(parse("\"unterminated <a@b>")).hasSize(1);
    assertThat(parse("A <a@b B <c@d")).containsExactly(mb("A", "a", "b"), mb("B", "c", "d"));
    assertThat(parse("<a@b <c@d>")).containsExactly(mb("", "a", "b"), mb("", "c", "d"));
  }

  @Test
  void parseShouldReturnEmptyWhenValueIsBlankOrJunk() {
    assertThat(parse("")).isEmpty();
    assertThat(parse("  ( only a comment ) ")).isEmpty();
    assertThat(parse(";;,,>")).isEmpty();
  }

  @Test
  void parseShouldReadOnlyMaxLengthWhenValueIsHuge() {
    String one = "a@b.example, ";
    String huge = one.repeat(MailAddresses.MAX_LENGTH / one.length() + 100);
    assertThat(parse(huge)).hasSize(MailAddresses.MAX_LENGTH / one.length() + 1);
  }

  @Test
  void formatShouldQuoteWhenNeeded() {
    assertThat(
            MailAddresses.format(
                List.of(
                    mb("Joe Q. Public", "j", "x"),
                    mb("Plain Name", "a.b", "c"),
                    mb("", "x y", "z"),
                    new Group("G", List.of()),
                    new Group("H", List.of(mb("", "a", "b"), mb("", "c", "d"))))))
        .isEqualTo("\"Joe Q. Public\" <j@x>, Plain Name <a.b@c>, \"x y\"@z, G:;, H: a@b, c@d;");
  }

  // --- properties

  private static final String ATEXT = "abcXYZ019!#$%&'*+-/=?^_`{|}~";

  private static Gen<String> from(String alphabet, int min, int max) {
    return lists()
        .of(integers().between(0, alphabet.length() - 1))
        .ofSizeBetween(min, max)
        .map(
            l -> {
              StringBuilder sb = new StringBuilder();
              l.forEach(i -> sb.append(alphabet.charAt(i)));
              return sb.toString();
            });
  }

  private static Gen<Mailbox> mailboxes() {
    Gen<String> name =
        from("abc XYZ.,;:<>@\"\\()[]\u03b1\u03b2\u4e2d\u6587", 0, 12)
            .map(s -> s.strip().replaceAll(" +", " "))
            .map(s -> s.replace("=?", "="));
    Gen<String> dotAtom =
        lists()
            .of(from(ATEXT + "\u00fc\u4e2d", 1, 6))
            .ofSizeBetween(1, 3)
            .map(l -> String.join(".", l));
    Gen<String> quotedLocal = from("ab ,;@\"\\.()<>", 1, 8);
    Gen<String> local = Generate.booleans().flatMap(b -> b ? dotAtom : quotedLocal).map(s -> s);
    Gen<String> label = from("abcxyz0129-\u00fc\u4e2d", 1, 8);
    Gen<String> domain = lists().of(label).ofSizeBetween(1, 3).map(l -> String.join(".", l));
    return name.zip(local, domain, Mailbox::new);
  }

  private static Gen<AddressEntry> entries() {
    Gen<AddressEntry> single = mailboxes().map(m -> (AddressEntry) m);
    Gen<AddressEntry> group =
        from("abcXYZ \u4e2d", 1, 8)
            .map(s -> s.strip().replaceAll(" +", " "))
            .map(s -> s.isEmpty() ? "g" : s)
            .zip(
                lists().of(mailboxes()).ofSizeBetween(0, 3),
                (n, l) -> (AddressEntry) new Group(n, l));
    return integers().between(0, 3).flatMap(k -> k == 0 ? group : single);
  }

  @Test
  void parseShouldReturnEntriesWhenTheyWereFormatted() {
    qt().withExamples(3000)
        .forAll(lists().of(entries()).ofSizeBetween(1, 4))
        .checkAssert(l -> assertThat(MailAddresses.parse(MailAddresses.format(l))).isEqualTo(l));
  }

  @Test
  void parseShouldNeverThrowWhenValueIsArbitrary() {
    qt().withExamples(3000)
        .forAll(strings().allPossible().ofLengthBetween(0, 200))
        .checkAssert(s -> assertThat(MailAddresses.parse(s)).isNotNull());
    qt().withExamples(3000)
        .forAll(from("ab@.,;:<>\"\\()[] =?\u00e9\u00c3", 0, 80))
        .checkAssert(
            s -> {
              for (AddressEntry e : MailAddresses.parse(s)) {
                assertThat(e.displayName()).isNotNull();
                if (e instanceof Mailbox m) {
                  assertThat(m.address()).isNotNull();
                  assertThat(m.asciiDomain()).isNotNull();
                }
              }
            });
  }

  /** The From, To, Cc, Reply-To and Sender values of the corpus, as "Name: value" pairs. */
  private static List<String[]> corpusFields;

  private static synchronized List<String[]> corpusFields() throws IOException {
    if (corpusFields == null) {
      List<String[]> out = new ArrayList<>();
      for (Path p : Corpus.files()) {
        byte[] b = Files.readAllBytes(p);
        ByteRange h = ParsedMessage.parse(b).root().header();
        for (String name : List.of("From", "To", "Cc", "Reply-To", "Sender")) {
          HeaderFields.first(b, h, name)
              .filter(v -> !v.isBlank())
              .ifPresent(v -> out.add(new String[] {name, v}));
        }
      }
      corpusFields = out;
    }
    return corpusFields;
  }

  @Test
  void parseShouldFindAddressesWhenHeadersComeFromCorpus() throws IOException {
    int fields = 0;
    int withDomain = 0;
    List<String> nothing = new ArrayList<>();
    for (String[] f : corpusFields()) {
      fields++;
      List<AddressEntry> r = MailAddresses.parse(f[1]);
      if (r.stream()
          .anyMatch(e -> e instanceof Group || e instanceof Mailbox mb && !mb.domain().isEmpty())) {
        withDomain++;
      }
      if (r.isEmpty()) {
        nothing.add(f[0] + ": " + f[1]);
      }
    }
    System.out.println(
        "address fields: "
            + fields
            + ", with a domain or group: "
            + withDomain
            + "; with no entry: "
            + nothing);
    assertThat(fields).isGreaterThan(5_000);
    assertThat(withDomain).isGreaterThanOrEqualTo(fields * 98 / 100); // the rest: local names
    assertThat(nothing.size()).isLessThanOrEqualTo(fields / 500); // "" <>, <>
  }

  @Test
  void parseShouldAgreeWithEnvelopeWhenCorpusAddressesAreWellFormed() throws IOException {
    int lists = 0;
    List<String> differ = new ArrayList<>();
    for (String[] f : corpusFields()) {
      if (!List.of("From", "To", "Cc").contains(f[0])) {
        continue;
      }
      String v = f[1];
      lists++;
      List<String> envelope = new ArrayList<>();
      for (EnvelopeAddresses.Address a : EnvelopeAddresses.parse(v)) {
        if (a.host() != null) {
          String local = a.mailbox().equals(EnvelopeAddresses.MISSING_MAILBOX) ? "" : a.mailbox();
          String host = a.host().equals(EnvelopeAddresses.MISSING_DOMAIN) ? "" : a.host();
          envelope.add(Charsets.decodeOctets(local) + "@" + Charsets.decodeOctets(host));
        }
      }
      List<String> ours = new ArrayList<>();
      for (AddressEntry e : MailAddresses.parse(v)) {
        List<Mailbox> boxes = e instanceof Group g ? g.members() : List.of((Mailbox) e);
        boxes.forEach(mb -> ours.add(mb.localPart() + "@" + mb.domain()));
      }
      if (!ours.equals(envelope)) {
        String shown = f[0] + ": " + v + " -> " + ours + " vs ENVELOPE " + envelope;
        differ.add(shown.length() > 300 ? shown.substring(0, 300) + "..." : shown);
      }
    }
    // the differences are deliberate: missing commas, names without address, "<>"
    System.out.println("address lists: " + lists + ", differing from ENVELOPE: " + differ.size());
    differ.forEach(System.out::println);
    assertThat(differ.size()).isLessThanOrEqualTo(lists / 100);
  }
}
