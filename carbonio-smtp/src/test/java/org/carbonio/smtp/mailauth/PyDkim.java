package org.carbonio.smtp.mailauth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Debian's python3-dkim (dkimpy) as an independent implementation. */
final class PyDkim {
  static final String PYTHON = "/usr/bin/python3";

  private PyDkim() {}

  /** True when dkimpy can seal ARC sets: it needs python3-authres (Debian package). */
  static boolean hasArc() {
    try {
      Process p =
          new ProcessBuilder(PYTHON, "-c", "import dkim, authres")
              .redirectErrorStream(true)
              .start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** True when dkimpy verifies the message with the TXT record given for every key name. */
  static boolean verify(Path dir, byte[] message, String txt) throws IOException {
    return run(
            dir,
            message,
            txt,
            "import dkim,sys\n"
                + "txt=open(sys.argv[1],'rb').read()\n"
                + "msg=sys.stdin.buffer.read()\n"
                + "ok=dkim.verify(msg,dnsfunc=lambda name,timeout=5: txt)\n"
                + "print('PASS' if ok else 'FAIL')\n")
        .strip()
        .equals("PASS");
  }

  /** "pass", "fail" or "none" from dkimpy's ARC verifier. */
  static String arcVerify(Path dir, byte[] message, String txt) throws IOException {
    return run(
            dir,
            message,
            txt,
            "import dkim,sys\n"
                + "txt=open(sys.argv[1],'rb').read()\n"
                + "msg=sys.stdin.buffer.read()\n"
                + "cv,res,reason=dkim.arc_verify(msg,dnsfunc=lambda name,timeout=5: txt)\n"
                + "print(cv.decode())\n")
        .strip();
  }

  /** The message with a DKIM-Signature by dkimpy prepended. */
  static byte[] sign(Path dir, byte[] message, String keyText, String algorithm, String domain)
      throws IOException {
    return sign(dir, message, keyText, algorithm, domain, false);
  }

  /** As above; {@code length} adds an l= tag. */
  static byte[] sign(
      Path dir, byte[] message, String keyText, String algorithm, String domain, boolean length)
      throws IOException {
    String sig =
        run(
            dir,
            message,
            keyText,
            "import dkim,sys\n"
                + "key=open(sys.argv[1],'rb').read()\n"
                + "msg=sys.stdin.buffer.read()\n"
                + "sig=dkim.sign(msg,b'sel',b'"
                + domain
                + "',key,signature_algorithm=b'"
                + algorithm
                + "',include_headers=[b'from',b'to',b'subject'],length="
                + (length ? "True" : "False")
                + ")\n"
                + "sys.stdout.buffer.write(sig)\n");
    return concat(sig, message);
  }

  /** The message with one ARC set by dkimpy prepended (rsa-sha256). */
  static byte[] arcSign(Path dir, byte[] message, String keyText, String domain, String authservId)
      throws IOException {
    String set =
        run(
            dir,
            message,
            keyText,
            "import dkim,sys\n"
                + "key=open(sys.argv[1],'rb').read()\n"
                + "msg=sys.stdin.buffer.read()\n"
                + "hs=dkim.arc_sign(msg,b'sel',b'"
                + domain
                + "',key,b'"
                + authservId
                + "',timestamp=1700000000)\n"
                + "sys.stdout.buffer.write(b''.join(hs))\n");
    return concat(set, message);
  }

  private static byte[] concat(String head, byte[] message) {
    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[h.length + message.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(message, 0, out, h.length, message.length);
    return out;
  }

  private static String run(Path dir, byte[] stdin, String arg, String script) throws IOException {
    Path argFile = Files.createTempFile(dir, "arg", ".txt");
    Files.writeString(argFile, arg, StandardCharsets.US_ASCII);
    List<String> cmd = new ArrayList<>(List.of(PYTHON, "-c", script, argFile.toString()));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      p.getOutputStream().write(stdin);
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("python3 dkim failed");
      }
      return new String(out, StandardCharsets.ISO_8859_1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } finally {
      p.destroyForcibly();
    }
  }
}
