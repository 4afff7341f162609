package org.carbonio.smtp.outbound;

/**
 * Dot-stuffs message data for DATA (RFC 5321 §4.5.2) and makes every line end with CRLF (§2.3.8).
 * Sans-IO: bytes in, bytes out. Not thread-safe.
 */
final class DotStuffer {

  private boolean lineStart = true;
  private boolean lastCr;

  /**
   * Stuffs {@code n} bytes of {@code in} into {@code out}, which must hold {@code 2 * n} bytes;
   * returns how many were written.
   */
  int stuff(byte[] in, int n, byte[] out) {
    int o = 0;
    for (int i = 0; i < n; i++) {
      byte b = in[i];
      if (b == '\n') {
        if (!lastCr) {
          out[o++] = '\r'; // bare LF becomes CRLF
        }
        out[o++] = '\n';
        lineStart = true;
        lastCr = false;
        continue;
      }
      if (lastCr) {
        // a bare CR: end the line there too, so no "\r.\r\n" can be read as the end of data
        out[o++] = '\n';
        lineStart = true;
      }
      lastCr = b == '\r';
      if (lineStart && b == '.') {
        out[o++] = '.';
      }
      out[o++] = b;
      lineStart = false;
    }
    return o;
  }

  /** Writes the end of the data: a CRLF if the last line lacks one, then {@code .CRLF}. */
  int finish(byte[] out) {
    int o = 0;
    if (lastCr) {
      out[o++] = '\n';
    } else if (!lineStart) {
      out[o++] = '\r';
      out[o++] = '\n';
    }
    out[o++] = '.';
    out[o++] = '\r';
    out[o++] = '\n';
    lineStart = true;
    lastCr = false;
    return o;
  }
}
