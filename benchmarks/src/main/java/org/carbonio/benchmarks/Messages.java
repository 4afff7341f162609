package org.carbonio.benchmarks;

import java.util.Base64;
import java.util.Random;

/** Deterministic test messages for the benchmarks. */
final class Messages {

  private Messages() {}

  /** A multipart/mixed message: a text part and a base64 attachment of the given size. */
  static String multipart(int attachmentBytes) {
    byte[] attachment = new byte[attachmentBytes];
    new Random(7).nextBytes(attachment);
    String base64 = Base64.getMimeEncoder(76, "\r\n".getBytes()).encodeToString(attachment);
    return "From: Alice Example <alice@example.org>\r\n"
        + "To: Bob <bob@example.net>, team: carol@example.net, dave@example.net;\r\n"
        + "Subject: =?UTF-8?B?UXVhcnRlcmx5IHJlcG9ydCDigJQgZmluYWw=?=\r\n"
        + "Date: Sat, 28 Nov 2026 10:00:00 +0100\r\n"
        + "Message-ID: <report-1@example.org>\r\n"
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=\"=_outer\"\r\n"
        + "\r\n"
        + "--=_outer\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\n"
        + "Content-Transfer-Encoding: 8bit\r\n"
        + "\r\n"
        + "Hello,\r\n\r\nthe report is attached.\r\n".repeat(20)
        + "--=_outer\r\n"
        + "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
        + "Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
        + "Content-Transfer-Encoding: base64\r\n"
        + "\r\n"
        + base64
        + "\r\n--=_outer--\r\n";
  }
}
