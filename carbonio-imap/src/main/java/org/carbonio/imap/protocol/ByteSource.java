package org.carbonio.imap.protocol;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A sized sequence of bytes that can be read, possibly more than once: a literal from a client (in
 * memory or spooled to a file) or a literal in a response (streamed by the transport). {@link
 * #close()} releases what backs it (deletes a spool file); it is idempotent.
 */
public interface ByteSource extends AutoCloseable {
  /** Number of bytes. */
  long size();

  /** A new stream over all bytes; the caller closes it. */
  InputStream openStream() throws IOException;

  /** Releases backing storage; never throws. */
  @Override
  default void close() {}

  /** Reads everything into a new array (only for sources known to be small). */
  default byte[] readAllBytes() throws IOException {
    try (InputStream in = openStream()) {
      return in.readAllBytes();
    }
  }

  /** Immutable view of a whole array; the caller must not modify the array afterwards. */
  static ByteSource of(byte[] bytes) {
    return new Slice(bytes, 0, bytes.length);
  }

  /** Immutable view of part of an array; the caller must not modify the array afterwards. */
  static ByteSource of(byte[] bytes, int offset, int length) {
    return new Slice(bytes, offset, length);
  }

  /** Immutable: a slice of an array. */
  final class Slice implements ByteSource {
    private final byte[] bytes;
    private final int offset;
    private final int length;

    Slice(byte[] bytes, int offset, int length) {
      if (offset < 0 || length < 0 || offset + length > bytes.length) {
        throw new IllegalArgumentException(
            "slice " + offset + "+" + length + " of " + bytes.length);
      }
      this.bytes = bytes;
      this.offset = offset;
      this.length = length;
    }

    @Override
    public long size() {
      return length;
    }

    @Override
    public InputStream openStream() {
      return new ByteArrayInputStream(bytes, offset, length);
    }

    @Override
    public byte[] readAllBytes() {
      return Arrays.copyOfRange(bytes, offset, offset + length);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Slice s
          && Arrays.equals(bytes, offset, offset + length, s.bytes, s.offset, s.offset + s.length);
    }

    @Override
    public int hashCode() {
      int h = 1;
      for (int i = offset; i < offset + length; i++) h = 31 * h + bytes[i];
      return h;
    }

    @Override
    public String toString() {
      return "ByteSource[" + length + " bytes]";
    }
  }
}
