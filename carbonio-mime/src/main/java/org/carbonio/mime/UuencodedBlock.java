package org.carbonio.mime;

import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * One uuencoded block ({@code begin mode filename} … {@code end}) found in a text body by {@link
 * Uuencode#find(ByteBuffer, ByteRange)}. Immutable and thread-safe, as long as nobody changes the
 * message bytes it points into (they are kept, not copied).
 */
public final class UuencodedBlock {

  private final ByteBuffer message;
  private final ByteRange range;
  private final ByteRange data;
  private final int mode;
  private final String filename;

  UuencodedBlock(ByteBuffer message, ByteRange range, ByteRange data, int mode, String filename) {
    this.message = message;
    this.range = range;
    this.data = data;
    this.mode = mode;
    this.filename = filename;
  }

  /**
   * The file name from the {@code begin} line as a byte string (one char per octet, ISO-8859-1, as
   * elsewhere in this module), without surrounding blanks; never empty.
   */
  public String filename() {
    return filename;
  }

  /** The Unix permission bits from the {@code begin} line, e.g. {@code 0644}. */
  public int mode() {
    return mode;
  }

  /**
   * The whole block in the message's bytes, from the start of the {@code begin} line to the end of
   * the {@code end} line (or of the text body when the {@code end} line is missing).
   */
  public ByteRange range() {
    return range;
  }

  /** The encoded lines between the {@code begin} and {@code end} lines. */
  public ByteRange data() {
    return data;
  }

  /**
   * A new stream of the decoded file content, decoded line by line as it is read (memory stays
   * constant). Lines that are not valid uuencode are skipped. Not thread-safe; needs no closing.
   */
  public InputStream decoded() {
    return new org.carbonio.mime.internal.UudecodeStream(message, data.start(), data.end());
  }

  @Override
  public String toString() {
    return "UuencodedBlock["
        + filename
        + " mode="
        + Integer.toOctalString(mode)
        + " "
        + range
        + "]";
  }
}
