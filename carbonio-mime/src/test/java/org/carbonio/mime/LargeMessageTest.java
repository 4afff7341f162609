package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded memory: a message with a 200 MiB base64 attachment is parsed, described and its
 * attachment decoded in a child JVM limited to {@value #HEAP} of heap.
 */
class LargeMessageTest {

  private static final String HEAP = "-Xmx64m";
  private static final int ATTACHMENT_BYTES = 200 << 20;
  private static final int CHUNK = 57 * 1024; // whole 76-character base64 lines

  @TempDir static Path dir;
  private static Path message;
  private static String attachmentSha;
  private static long messageBytes;
  private static long encodedBytes; // the attachment's body as stored

  /** Writes the message streaming (never whole in memory) and digests the attachment meanwhile. */
  @BeforeAll
  static void writeMessage() throws IOException, NoSuchAlgorithmException {
    message = dir.resolve("large.eml");
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    Base64.Encoder base64 = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'});
    SplittableRandom random = new SplittableRandom(42);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(message), 1 << 16)) {
      out.write(
          Msg.crlf(
              """
              From: Alice <alice@example.org>
              To: Bob <bob@example.net>
              Subject: the big one
              Date: Sat, 28 Nov 2026 10:00:00 +0100
              Message-ID: <large-1@example.org>
              MIME-Version: 1.0
              Content-Type: multipart/mixed; boundary="=_b"

              --=_b
              Content-Type: text/plain; charset=us-ascii

              Here it is.
              --=_b
              Content-Type: application/octet-stream; name="big.bin"
              Content-Transfer-Encoding: base64

              """));
      byte[] chunk = new byte[CHUNK];
      for (int left = ATTACHMENT_BYTES; left > 0; left -= CHUNK) {
        int n = Math.min(left, CHUNK);
        for (int i = 0; i < n; i += 8) {
          long r = random.nextLong();
          for (int k = 0; k < 8 && i + k < n; k++) {
            chunk[i + k] = (byte) (r >>> (8 * k));
          }
        }
        byte[] data = n == CHUNK ? chunk : java.util.Arrays.copyOf(chunk, n);
        sha.update(data);
        byte[] encoded = base64.encode(data);
        out.write(encoded);
        out.write('\r');
        out.write('\n');
        encodedBytes += encoded.length + 2;
      }
      encodedBytes -= 2; // RFC 2046 §5.1.1: the CRLF before the boundary belongs to it
      out.write("--=_b--\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    attachmentSha = HexFormat.of().formatHex(sha.digest());
    messageBytes = Files.size(message);
  }

  @Test
  void parseShouldStreamAttachmentWithSmallHeapWhenMessageIsMappedFile() throws Exception {
    check("path");
  }

  @Test
  void parseShouldStreamAttachmentWithSmallHeapWhenMessageIsReadFromStream() throws Exception {
    check("stream");
  }

  private static void check(String mode) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                HEAP,
                "-Djava.io.tmpdir=" + dir,
                "-cp",
                System.getProperty("java.class.path"),
                LargeMessageCheck.class.getName(),
                mode,
                message.toString()));
    Path log = dir.resolve(mode + ".out");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean done = p.waitFor(120, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String output = Files.readString(log);
    System.out.println("LargeMessageTest " + mode + " (" + messageBytes + " bytes):\n" + output);
    assertThat(done).as("child finished").isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    Map<String, String> out = new HashMap<>();
    for (String line : output.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        out.putIfAbsent(line.substring(0, eq), line.substring(eq + 1).strip());
      }
    }
    assertThat(out.get("sha256")).isEqualTo(attachmentSha);
    assertThat(out.get("decoded")).isEqualTo(String.valueOf(ATTACHMENT_BYTES));
    assertThat(out.get("bodystructure"))
        .isEqualTo(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 11 0 NIL NIL NIL NIL)"
                + "(\"APPLICATION\" \"OCTET-STREAM\" (\"NAME\" \"big.bin\") NIL NIL \"BASE64\" "
                + encodedBytes
                + " NIL NIL NIL NIL) \"MIXED\" (\"BOUNDARY\" \"=_b\") NIL NIL NIL)");
    String alice = "((\"Alice\" NIL \"alice\" \"example.org\"))";
    assertThat(out.get("envelope"))
        .isEqualTo(
            "(\"Sat, 28 Nov 2026 10:00:00 +0100\" \"the big one\" "
                + String.join(" ", alice, alice, alice)
                + " ((\"Bob\" NIL \"bob\" \"example.net\")) NIL NIL NIL \"<large-1@example.org>\")");
    assertThat(Long.parseLong(out.get("peakHeapUsed"))).isLessThan(64L << 20);
    // the spilled temporary file is deleted right after mapping
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .noneMatch(n -> n.startsWith("carbonio-mime-"));
    }
  }
}
