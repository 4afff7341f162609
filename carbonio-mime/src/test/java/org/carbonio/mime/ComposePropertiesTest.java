package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.carbonio.mime.MessageBuilderTest.body;
import static org.carbonio.mime.MessageBuilderTest.decoded;
import static org.carbonio.mime.MessageBuilderTest.header;
import static org.carbonio.mime.MessageBuilderTest.headerBlock;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.carbonio.mime.internal.HeaderEncoder;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class ComposePropertiesTest {

  private static final List<String> FRAGMENTS =
      List.of(
          "=?", "?=", "=?utf-8?q?x?=", "\"", "\\", "  ", ",", ";", ":", "<", ">", "@", "(", ")");
  private static final List<String> MEDIA_TYPES =
      List.of("application/octet-stream", "text/plain", "image/png", "application/pdf");
  private static final Session SESSION = Session.getInstance(new Properties());

  /**
   * Unicode text without controls: ASCII, Latin-1, CJK, emoji, any code point, and fragments that
   * matter to header syntax ({@code =?}, quotes, specials, double blanks).
   */
  static Gen<String> unicode(int maxTokens) {
    return lists()
        .of(integers().between(0, Integer.MAX_VALUE - 1))
        .ofSizeBetween(0, maxTokens)
        .map(
            l -> {
              StringBuilder b = new StringBuilder();
              for (int v : l) {
                int r = v / 5 % 0x110000;
                int cp =
                    switch (v % 5) {
                      case 0 -> 0x20 + r % 95;
                      case 1 -> 0xa0 + r % 0x160;
                      case 2 -> (r & 1) == 0 ? 0x4e00 + r % 0x5000 : 0x1f300 + r % 0x300;
                      case 3 -> r;
                      default -> -1;
                    };
                if (cp < 0) {
                  b.append(FRAGMENTS.get(r % FRAGMENTS.size()));
                  continue;
                }
                if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff)) {
                  cp = 0x20 + r % 95;
                }
                b.appendCodePoint(cp);
              }
              return b.toString();
            });
  }

  /** Text with every kind of line ending, tabs and controls mixed in. */
  static Gen<String> textBody() {
    return lists()
        .of(integers().between(0, 40))
        .ofSizeBetween(0, 30)
        .zip(
            unicode(200),
            (cuts, s) -> {
              StringBuilder b = new StringBuilder(s);
              String[] ends = {"\r\n", "\n", "\r", "\t", " ", "\u0000", "\r\n.\r\n", "From "};
              for (int c : cuts) {
                int at = b.isEmpty() ? 0 : (c * 7919) % (b.length() + 1);
                if (at > 0 && at < b.length() && Character.isLowSurrogate(b.charAt(at))) {
                  at--;
                }
                b.insert(at, ends[c % ends.length]);
              }
              return b.toString();
            });
  }

  static Gen<byte[]> bytes(int max) {
    return lists()
        .of(integers().between(0, 255))
        .ofSizeBetween(0, max)
        .map(
            l -> {
              byte[] b = new byte[l.size()];
              for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (int) l.get(i);
              }
              return b;
            });
  }

  private static String crlf(String s) {
    return s.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\r\n");
  }

  /** Display names come back without surrounding blanks: MailAddresses trims them. */
  @Test
  void composeShouldPreserveSubjectAndNamesWhenTextIsArbitraryUnicode() {
    qt().withExamples(500)
        .forAll(unicode(40), unicode(30), unicode(30), booleans().all())
        .checkAssert(
            (subject, fromName, toName, utf8) -> {
              byte[] msg =
                  new MessageBuilder()
                      .utf8Headers(utf8)
                      .from(fromName, "from@example.com")
                      .to(toName, "to@example.org")
                      .to("second@example.org")
                      .subject(subject)
                      .text("x")
                      .build();
              ParsedMessage m = ParsedMessage.parse(msg);
              assertThat(decoded(m, "Subject")).isEqualTo(subject);
              assertThat(MessageBuilder.parseAddressList(header(m, m.root(), "From")))
                  .containsExactly(
                      new MessageBuilder.Address(fromName.strip(), "from", "example.com"));
              assertThat(MessageBuilder.parseAddressList(header(m, m.root(), "To")))
                  .containsExactly(
                      new MessageBuilder.Address(toName.strip(), "to", "example.org"),
                      new MessageBuilder.Address("", "second", "example.org"));
              if (!utf8) {
                String h = headerBlock(msg);
                assertThat(h.chars().allMatch(c -> c < 0x80)).isTrue();
                assertThat(h.split("\r\n"))
                    .allSatisfy(
                        line ->
                            assertThat(line.length()).isLessThanOrEqualTo(HeaderEncoder.MAX_LINE));
                jakartaReadsHeaders(msg, subject, fromName);
              }
            });
  }

  @Test
  void composeShouldPreserveStructureAndBytesWhenAttachmentsAreArbitrary() {
    qt().withExamples(300)
        .forAll(
            lists().of(bytes(400)).ofSizeBetween(0, 4),
            lists().of(unicode(25)).ofSizeBetween(4, 4),
            integers().between(0, 255),
            textBody())
        .checkAssert(
            (contents, names, typeSeed, text) -> {
              MessageBuilder b =
                  new MessageBuilder().from("a@example.com").to("b@example.com").text(text);
              for (int i = 0; i < contents.size(); i++) {
                String name = names.get(i).isEmpty() ? "f" : names.get(i);
                b.attach(
                    name, MEDIA_TYPES.get((typeSeed + i) % MEDIA_TYPES.size()), contents.get(i));
              }
              byte[] msg = b.build();
              ParsedMessage m = ParsedMessage.parse(msg);
              MimePart textPart = contents.isEmpty() ? m.root() : m.root().children().get(0);
              assertThat(new String(body(m, textPart), UTF_8)).isEqualTo(crlf(text));
              if (!contents.isEmpty()) {
                assertThat(m.root().mediaSubtype()).isEqualTo("mixed");
                assertThat(m.root().children()).hasSize(contents.size() + 1);
              }
              for (int i = 0; i < contents.size(); i++) {
                MimePart p = m.root().children().get(i + 1);
                String name = names.get(i).isEmpty() ? "f" : names.get(i);
                assertThat(p.mediaType() + "/" + p.mediaSubtype())
                    .isEqualTo(MEDIA_TYPES.get((typeSeed + i) % MEDIA_TYPES.size()));
                assertThat(p.parameters()).containsEntry("name", name);
                assertThat(body(m, p)).isEqualTo(contents.get(i));
              }
              assertEncodedLinesShort(msg);
              mime4jReads(msg);
              angusReads(msg);
            });
  }

  @Test
  void composeShouldPreserveBodiesWhenTextAndHtmlAreArbitrary() {
    qt().withExamples(300)
        .forAll(textBody(), textBody(), bytes(200))
        .checkAssert(
            (text, html, image) -> {
              byte[] msg =
                  new MessageBuilder()
                      .from("a@example.com")
                      .text(text)
                      .html(html)
                      .inline("img1@example.com", "image/gif", image)
                      .build();
              ParsedMessage m = ParsedMessage.parse(msg);
              MimePart alt = m.root();
              assertThat(alt.mediaSubtype()).isEqualTo("alternative");
              assertThat(new String(body(m, alt.children().get(0)), UTF_8)).isEqualTo(crlf(text));
              MimePart related = alt.children().get(1);
              assertThat(related.mediaSubtype()).isEqualTo("related");
              assertThat(new String(body(m, related.children().get(0)), UTF_8))
                  .isEqualTo(crlf(html));
              assertThat(body(m, related.children().get(1))).isEqualTo(image);
              assertEncodedLinesShort(msg);
              mime4jReads(msg);
              angusReads(msg);
            });
  }

  private static void jakartaReadsHeaders(byte[] msg, String subject, String fromName) {
    try {
      MimeMessage jm = JakartaMail.toMimeMessage(msg, SESSION);
      assertThat(jm.getSubject()).isEqualTo(subject);
      assertThat(((InternetAddress) jm.getFrom()[0]).getPersonal())
          .isEqualTo(fromName.isEmpty() ? null : fromName);
    } catch (MessagingException e) {
      throw new AssertionError(e);
    }
  }

  /** RFC 2045 §6.7/§6.8: no line over 76 characters outside headers and 7bit text (≤ 78). */
  private static void assertEncodedLinesShort(byte[] msg) {
    for (String line : new String(msg, ISO_8859_1).split("\r\n")) {
      assertThat(line.length()).isLessThanOrEqualTo(78);
    }
  }

  /** Mime4j in strict mode reads every entity and decodes every body. */
  static void mime4jReads(byte[] msg) {
    try {
      MimeTokenStream ts = new MimeTokenStream(MimeConfig.STRICT);
      ts.parse(new ByteArrayInputStream(msg));
      for (EntityState s = ts.getState(); s != EntityState.T_END_OF_STREAM; s = ts.next()) {
        if (s == EntityState.T_BODY) {
          try (InputStream in = ts.getDecodedInputStream()) {
            in.readAllBytes();
          }
        }
      }
    } catch (Exception e) {
      throw new AssertionError("Mime4j failed on\n" + new String(msg, ISO_8859_1), e);
    }
  }

  /** Angus Mail reads the headers and walks all content. */
  static void angusReads(byte[] msg) {
    try {
      MimeMessage jm = JakartaMail.toMimeMessage(msg, SESSION);
      jm.getSubject();
      jm.getFrom();
      walk(jm);
    } catch (Exception e) {
      throw new AssertionError("Angus failed on\n" + new String(msg, ISO_8859_1), e);
    }
  }

  private static void walk(Part p) throws Exception {
    Object c = p.getContent();
    if (c instanceof Multipart mp) {
      for (int i = 0; i < mp.getCount(); i++) {
        walk(mp.getBodyPart(i));
      }
    } else if (c instanceof Part inner) {
      walk(inner);
    } else if (c instanceof InputStream in) {
      in.readAllBytes();
    }
    p.getFileName();
  }
}
