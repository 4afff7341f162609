package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.carbonio.mime.MessageBuilderTest.body;
import static org.carbonio.mime.MessageBuilderTest.decoded;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JakartaMailTest {

  private static final Session SESSION = Session.getInstance(new Properties());

  private static byte[] readAll(Object content) throws IOException {
    try (InputStream in = (InputStream) content) {
      return in.readAllBytes();
    }
  }

  @Test
  void toMimeMessageShouldGiveBackEverythingWhenBuiltByMessageBuilder() throws Exception {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
    byte[] pdf = "%PDF-1.4\n%âãÏÓ\n1 0 obj\n".getBytes(UTF_8);
    String name = "Prüfbericht 履歴書 🎉.pdf";
    String subject = "Grüße 🎉 日本語";
    byte[] msg =
        new MessageBuilder()
            .from("Zoë Doe", "zoe@example.com")
            .to("Bob", "bob@example.org")
            .cc("carol@example.net")
            .subject(subject)
            .text("Hello Bob,\nsee the report.")
            .html("<p>Hello Bob, <img src=\"cid:logo@example.com\"></p>")
            .inline("logo@example.com", "image/png", png)
            .attach(name, "application/pdf", pdf)
            .build();

    MimeMessage jm = JakartaMail.toMimeMessage(msg, SESSION);
    assertThat(jm.getSubject()).isEqualTo(subject);
    InternetAddress from = (InternetAddress) jm.getFrom()[0];
    assertThat(from.getPersonal()).isEqualTo("Zoë Doe");
    assertThat(from.getAddress()).isEqualTo("zoe@example.com");
    assertThat(jm.getRecipients(Message.RecipientType.TO))
        .extracting(a -> ((InternetAddress) a).getAddress())
        .containsExactly("bob@example.org");
    assertThat(jm.getMessageID()).endsWith("@example.com>");

    Multipart mixed = (Multipart) jm.getContent();
    assertThat(mixed.getContentType()).startsWith("multipart/mixed");
    assertThat(mixed.getCount()).isEqualTo(2);
    Multipart alt = (Multipart) mixed.getBodyPart(0).getContent();
    assertThat(alt.getContentType()).startsWith("multipart/alternative");
    assertThat(alt.getBodyPart(0).getContent()).isEqualTo("Hello Bob,\r\nsee the report.");
    Multipart related = (Multipart) alt.getBodyPart(1).getContent();
    assertThat(related.getContentType()).startsWith("multipart/related");
    assertThat(related.getBodyPart(0).getContent())
        .isEqualTo("<p>Hello Bob, <img src=\"cid:logo@example.com\"></p>");
    MimeBodyPart image = (MimeBodyPart) related.getBodyPart(1);
    assertThat(image.getContentID()).isEqualTo("<logo@example.com>");
    assertThat(image.getDisposition()).isEqualTo(Part.INLINE);
    assertThat(readAll(image.getContent())).isEqualTo(png);

    MimeBodyPart attachment = (MimeBodyPart) mixed.getBodyPart(1);
    assertThat(attachment.getDisposition()).isEqualTo(Part.ATTACHMENT);
    assertThat(attachment.getFileName()).isEqualTo(name);
    assertThat(attachment.getContentType()).startsWith("application/pdf");
    assertThat(readAll(attachment.getInputStream())).isEqualTo(pdf);

    ParsedMessage back = JakartaMail.fromMimeMessage(jm);
    assertThat(back.bytes()).isEqualTo(msg); // unmodified messages are written as read
    assertThat(JakartaMail.toMimeMessage(ParsedMessage.parse(msg), SESSION).getSubject())
        .isEqualTo(subject);
  }

  @Test
  void fromMimeMessageShouldGiveExpectedStructureWhenBuiltByJakarta() throws Exception {
    MimeMessage jm = new MimeMessage(SESSION);
    jm.setFrom(new InternetAddress("ann@example.com", "Ann Ström", "UTF-8"));
    jm.setRecipients(Message.RecipientType.TO, "bob@example.org");
    jm.setSubject("Bericht für Q3 ✓", "UTF-8");
    MimeMultipart mixed = new MimeMultipart("mixed");
    MimeBodyPart text = new MimeBodyPart();
    text.setText("Anbei der Bericht.\nGrüße", "UTF-8");
    mixed.addBodyPart(text);
    byte[] data = new byte[1000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7);
    }
    MimeBodyPart att = new MimeBodyPart();
    att.setDataHandler(new DataHandler(new ByteArrayDataSource(data, "application/octet-stream")));
    att.setFileName("größe.bin");
    att.setDisposition(Part.ATTACHMENT);
    mixed.addBodyPart(att);
    jm.setContent(mixed);

    ParsedMessage m = JakartaMail.fromMimeMessage(jm);
    assertThat(decoded(m, "Subject")).isEqualTo("Bericht für Q3 ✓");
    assertThat(MessageBuilder.parseAddressList(MessageBuilderTest.header(m, m.root(), "From")))
        .containsExactly(new MessageBuilder.Address("Ann Ström", "ann", "example.com"));
    assertThat(m.root().mediaType() + "/" + m.root().mediaSubtype()).isEqualTo("multipart/mixed");
    List<MimePart> parts = m.root().children();
    assertThat(parts).hasSize(2);
    assertThat(parts.get(0).mediaSubtype()).isEqualTo("plain");
    assertThat(parts.get(0).parameters()).containsEntry("charset", "UTF-8");
    assertThat(new String(body(m, parts.get(0)), UTF_8)).isEqualTo("Anbei der Bericht.\r\nGrüße");
    assertThat(parts.get(1).mediaType() + "/" + parts.get(1).mediaSubtype())
        .isEqualTo("application/octet-stream");
    assertThat(parts.get(1).parameters()).containsEntry("name", "größe.bin");
    assertThat(body(m, parts.get(1))).isEqualTo(data);
  }

  @Test
  void readmeExampleShouldRunWhenFilesExist(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("logo.png"), new byte[] {1, 2, 3});
    Files.write(dir.resolve("r.pdf"), new byte[] {4, 5, 6});
    byte[] eml =
        new MessageBuilder()
            .from("Zoë Doe", "zoe@example.com")
            .to("Bob", "bob@example.org")
            .subject("Grüße 🎉")
            .text("Hi Bob,\nthe report is attached.")
            .html("<p>Hi Bob, <img src=\"cid:logo@example.com\"></p>")
            .inline("logo@example.com", "image/png", Files.readAllBytes(dir.resolve("logo.png")))
            .attach(
                "Prüfbericht.pdf",
                "application/pdf",
                () -> Files.newInputStream(dir.resolve("r.pdf")))
            .build(); // or .writeTo(out) to stream
    ParsedMessage original = ParsedMessage.parse(eml);
    byte[] reply =
        new MessageBuilder()
            .from("bob@example.org")
            .replyTo(original, true)
            .text("Thanks!")
            .build(); // To, Subject "Re: ...", In-Reply-To, References
    MimeMessage jm = JakartaMail.toMimeMessage(reply, Session.getInstance(new Properties()));
    assertThat(jm.getSubject()).isEqualTo("Re: Grüße 🎉");
    assertThat(jm.getRecipients(Message.RecipientType.TO)[0].toString())
        .contains("zoe@example.com");
    assertThat(jm.getHeader("In-Reply-To")[0]).isEqualTo(jm.getHeader("References")[0]);
  }

  @Test
  void forwardShouldBeReadableByJakartaWhenOriginalAttached() throws Exception {
    byte[] original =
        new MessageBuilder()
            .from("a@example.com")
            .subject("Quarterly")
            .text("numbers")
            .attach("n.csv", "text/csv", "a,b\r\n1,2\r\n".getBytes(UTF_8))
            .build();
    byte[] fwd =
        new MessageBuilder()
            .from("b@example.com")
            .to("c@example.com")
            .forward(ParsedMessage.parse(original), true)
            .build();
    MimeMessage jm = JakartaMail.toMimeMessage(fwd, SESSION);
    assertThat(jm.getSubject()).isEqualTo("Fwd: Quarterly");
    Multipart mixed = (Multipart) jm.getContent();
    MimeMessage inner = (MimeMessage) mixed.getBodyPart(1).getContent();
    assertThat(inner.getSubject()).isEqualTo("Quarterly");
    assertThat(((Multipart) inner.getContent()).getCount()).isEqualTo(2);
  }

  @Test
  void fileNameShouldRoundTripThroughJakartaWhenArbitraryUnicode() {
    qt().withExamples(200)
        .forAll(lists().of(ComposePropertiesTest.unicode(30)).ofSizeBetween(1, 3))
        .checkAssert(
            names -> {
              MessageBuilder b = new MessageBuilder().from("a@example.com").text("t");
              for (String n : names) {
                b.attach(n.isEmpty() ? "f" : n, "application/octet-stream", new byte[] {1});
              }
              try {
                Multipart mp =
                    (Multipart) JakartaMail.toMimeMessage(b.build(), SESSION).getContent();
                for (int i = 0; i < names.size(); i++) {
                  String n = names.get(i).isEmpty() ? "f" : names.get(i);
                  assertThat(mp.getBodyPart(i + 1).getFileName()).isEqualTo(n);
                }
              } catch (MessagingException | IOException e) {
                throw new AssertionError(e);
              }
            });
  }
}
