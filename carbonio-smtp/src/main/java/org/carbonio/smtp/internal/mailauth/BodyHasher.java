package org.carbonio.smtp.internal.mailauth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Canonicalizes a message body as it streams by and hashes it (RFC 6376 §3.4.3, §3.4.4, §3.7), in
 * bounded memory. Bare LF is read as CRLF. Not thread-safe.
 */
public final class BodyHasher {
  private static final byte[] CRLF = {'\r', '\n'};

  private final boolean relaxed;
  private final MessageDigest digest;
  private final long limit;
  private long written;
  private long emittedTotal;
  private boolean pendingCr;
  private boolean pendingWsp;
  private boolean lineHasContent;
  private long emptyLines;
  private final byte[] out = new byte[8192];
  private int outLen;
  private byte[] result;

  /**
   * A hasher.
   *
   * @param relaxed relaxed body canonicalization, else simple
   * @param hashAlgorithm a JDK digest name, "SHA-256" or "SHA-1"
   * @param limit the most canonical bytes to hash (the l= tag), or -1 for all
   */
  public BodyHasher(boolean relaxed, String hashAlgorithm, long limit) {
    this.relaxed = relaxed;
    this.limit = limit < 0 ? Long.MAX_VALUE : limit;
    try {
      this.digest = MessageDigest.getInstance(hashAlgorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalArgumentException("digest " + hashAlgorithm, e);
    }
  }

  /** Feeds body bytes. */
  public void update(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      accept(b[i]);
    }
    flushOut();
  }

  private void accept(byte c) {
    if (c == '\n') {
      pendingCr = false;
      endLine();
      return;
    }
    if (pendingCr) {
      pendingCr = false;
      content((byte) '\r');
    }
    if (c == '\r') {
      pendingCr = true;
      return;
    }
    if (relaxed && (c == ' ' || c == '\t')) {
      pendingWsp = true; // RFC 6376 §3.4.4: runs of WSP become one SP, trailing WSP goes
      return;
    }
    content(c);
  }

  private void content(byte c) {
    if (!lineHasContent) {
      for (long i = 0; i < emptyLines; i++) {
        emit(CRLF[0]);
        emit(CRLF[1]);
      }
      emptyLines = 0;
      lineHasContent = true;
    }
    if (pendingWsp) {
      pendingWsp = false;
      emit((byte) ' ');
    }
    emit(c);
  }

  private void endLine() {
    pendingWsp = false;
    if (lineHasContent) {
      emit(CRLF[0]);
      emit(CRLF[1]);
      lineHasContent = false;
    } else {
      emptyLines++; // trailing empty lines are dropped (§3.4.3, §3.4.4)
    }
  }

  private void emit(byte b) {
    emittedTotal++;
    if (written < limit) {
      written++;
      out[outLen++] = b;
      if (outLen == out.length) {
        flushOut();
      }
    }
  }

  private void flushOut() {
    if (outLen > 0) {
      digest.update(out, 0, outLen);
      outLen = 0;
    }
  }

  /** Ends the body and returns its hash; later calls return the same hash. */
  public byte[] finish() {
    if (result == null) {
      if (pendingCr) {
        pendingCr = false;
        content((byte) '\r');
      }
      pendingWsp = false;
      if (lineHasContent) {
        emit(CRLF[0]);
        emit(CRLF[1]);
        lineHasContent = false;
      } else if (!relaxed && emittedTotal == 0) {
        emit(CRLF[0]); // RFC 6376 §3.4.3: an empty body is one CRLF
        emit(CRLF[1]);
      }
      flushOut();
      result = digest.digest();
    }
    return result.clone();
  }

  /** The number of canonical bytes the whole body has, known after {@link #finish()}. */
  public long canonicalLength() {
    return emittedTotal;
  }
}
