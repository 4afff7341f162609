package org.carbonio.smtp.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Base64;
import org.carbonio.smtp.MessageContent;

/** Messages for the content-filter tests. */
final class TestMessages {
  private TestMessages() {}

  static MessageContent of(String text) {
    byte[] bytes = text.getBytes(UTF_8);
    return new MessageContent() {
      @Override
      public InputStream open() {
        return new ByteArrayInputStream(bytes);
      }

      @Override
      public long size() {
        return bytes.length;
      }
    };
  }

  /** A multipart message with EICAR as a base64 attachment (RFC 2045 §6.8, RFC 2046 §5.1). */
  static String eicarAttachment() {
    String b64 = Base64.getMimeEncoder().encodeToString(ClamdServer.EICAR.getBytes(UTF_8));
    return "From: alice@example.test\r\n"
        + "To: bob@example.org\r\n"
        + "Subject: the file you asked for\r\n"
        + "Date: Sun, 29 Nov 2026 02:00:00 +0000\r\n"
        + "Message-ID: <eicar-1@example.test>\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
        + "\r\n"
        + "--b1\r\n"
        + "Content-Type: text/plain; charset=us-ascii\r\n"
        + "\r\n"
        + "See attachment.\r\n"
        + "--b1\r\n"
        + "Content-Type: application/octet-stream; name=\"eicar.com\"\r\n"
        + "Content-Disposition: attachment; filename=\"eicar.com\"\r\n"
        + "Content-Transfer-Encoding: base64\r\n"
        + "\r\n"
        + b64
        + "\r\n"
        + "--b1--\r\n";
  }

  static String ham() {
    return "From: alice@example.test\r\n"
        + "To: bob@example.org\r\n"
        + "Subject: lunch tomorrow\r\n"
        + "Date: Sun, 29 Nov 2026 02:00:00 +0000\r\n"
        + "Message-ID: <lunch-20261129@example.test>\r\n"
        + "\r\n"
        + "Hi Bob,\r\n\r\nshall we meet for lunch tomorrow at noon, at the usual place?\r\n\r\n"
        + "Alice\r\n";
  }

  static String gtube() {
    return "From: alice@example.test\r\n"
        + "To: bob@example.org\r\n"
        + "Subject: test\r\n"
        + "Date: Sun, 29 Nov 2026 02:00:00 +0000\r\n"
        + "Message-ID: <gtube-1@example.test>\r\n"
        + "\r\n"
        + SpamdServer.GTUBE
        + "\r\n";
  }
}
