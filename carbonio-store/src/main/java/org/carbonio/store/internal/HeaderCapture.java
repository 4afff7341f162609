package org.carbonio.store.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import org.carbonio.mime.ParsedMessage;
import org.carbonio.mime.ThreadKeys;
import org.carbonio.store.spi.MetadataStore.ThreadRefs;

/**
 * Passes a message through unchanged while keeping a copy of its header section only (RFC 5322
 * §2.1: up to the first empty line), at most {@link #MAX_HEADER_BYTES}; then gives the conversation
 * keys of that header. The message body is never held in memory: the store stages it to the blob
 * store through this stream, and the header is parsed from the copy.
 *
 * <p>Not thread-safe: confine to one thread.
 */
final class HeaderCapture extends InputStream {
  /** Header bytes kept for conversation matching: {@value}. Fields beyond are not seen. */
  static final int MAX_HEADER_BYTES = 256 * 1024;

  /** Referenced msg-ids kept per message, the nearest ones: {@value}. */
  static final int MAX_REFERENCES = 64;

  private final InputStream in;
  private final ByteArrayOutputStream header = new ByteArrayOutputStream(2048);
  private boolean done;
  private int last1 = -1; // the previous byte
  private int last2 = -1; // the one before

  HeaderCapture(InputStream in) {
    this.in = in;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0 && !done) {
      keep(b);
    }
    return b;
  }

  @Override
  public int read(byte[] buf, int off, int len) throws IOException {
    int n = in.read(buf, off, len);
    for (int i = 0; i < n && !done; i++) {
      keep(buf[off + i] & 0xff);
    }
    return n;
  }

  private void keep(int b) {
    header.write(b);
    // the header ends at LF LF or LF CR LF (CRLF CRLF, or bare LF line ends)
    if (b == '\n' && (last1 == '\n' || (last1 == '\r' && last2 == '\n'))) {
      done = true;
    } else if (header.size() >= MAX_HEADER_BYTES) {
      done = true;
    }
    last2 = last1;
    last1 = b;
  }

  /** The header section seen so far (the whole content if it had no empty line). */
  byte[] header() {
    return header.toByteArray();
  }

  /** The conversation keys of the captured header (RFC 5256 base subject, RFC 5322 msg-ids). */
  ThreadRefs threadRefs() {
    ThreadKeys keys = ThreadKeys.of(ParsedMessage.parse(header()));
    List<String> refs = keys.references();
    refs = refs.subList(Math.max(0, refs.size() - MAX_REFERENCES), refs.size());
    return new ThreadRefs(keys.messageId(), refs, subjectHash(keys.baseSubject()));
  }

  /**
   * 64 bits of SHA-256 of the lower-cased base subject (RFC 5256 compares it case-insensitively).
   */
  static long subjectHash(String baseSubject) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(baseSubject.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
      long h = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (d[i] & 0xff);
      }
      return h;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }
}
