package org.carbonio.mime;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.carbonio.mime.internal.RawHeader;

/**
 * Selects and reads raw header fields inside a header range. The {@link ByteBuffer} methods read by
 * absolute index ({@code ByteRange} offsets; the buffer's position is ignored and never changed),
 * so they take {@link ParsedMessage#buffer()} as it is. Thread-safe (stateless).
 */
public final class HeaderFields {

  private HeaderFields() {}

  /**
   * RFC 3501 §6.4.5 {@code HEADER.FIELDS} ({@code exclude = false}) and {@code HEADER.FIELDS.NOT}
   * ({@code exclude = true}): the selected header fields as stored, continuation lines included, in
   * header order, followed by a blank line (CRLF). Names compare case-insensitively. A line without
   * a colon is never selected by name, so it appears only in {@code HEADER.FIELDS.NOT}.
   */
  public static byte[] select(
      byte[] message, ByteRange header, Collection<String> names, boolean exclude) {
    requireNonNull(message, "message");
    return select(ByteBuffer.wrap(message), header, names, exclude);
  }

  /** {@link #select(byte[], ByteRange, Collection, boolean)} over a buffer. */
  public static byte[] select(
      ByteBuffer message, ByteRange header, Collection<String> names, boolean exclude) {
    requireNonNull(message, "message");
    checkRange(message, header);
    Set<String> wanted = new HashSet<>();
    for (String n : names) {
      wanted.add(n.toLowerCase(Locale.ROOT));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (RawHeader.Field f :
        RawHeader.fields(message, header.start(), header.end(), Integer.MAX_VALUE)) {
      String name = RawHeader.name(message, f);
      boolean match = name != null && wanted.contains(name);
      if (match != exclude) {
        byte[] field = new byte[f.end() - f.start()];
        message.get(f.start(), field);
        out.writeBytes(field);
        if (field[field.length - 1] != '\n') {
          out.write('\r'); // a field at the very end of the data, without a line ending
          out.write('\n');
        }
      }
    }
    out.write('\r');
    out.write('\n');
    return out.toByteArray();
  }

  /**
   * The unfolded raw value of the first field named {@code name} (case-insensitive) in the range:
   * CR and LF removed, surrounding whitespace trimmed, one char per octet (ISO-8859-1), encoded
   * words left as they are (see {@link EncodedWords#decode}).
   */
  public static Optional<String> first(byte[] message, ByteRange header, String name) {
    requireNonNull(message, "message");
    return first(ByteBuffer.wrap(message), header, name);
  }

  /** {@link #first(byte[], ByteRange, String)} over a buffer. */
  public static Optional<String> first(ByteBuffer message, ByteRange header, String name) {
    requireNonNull(message, "message");
    checkRange(message, header);
    String wanted = name.toLowerCase(Locale.ROOT);
    boolean ascii = wanted.chars().allMatch(c -> c < 0x80);
    for (RawHeader.Field f :
        RawHeader.fields(message, header.start(), header.end(), Integer.MAX_VALUE)) {
      if (ascii
          ? RawHeader.nameIs(message, f, wanted) // in place, no string per field
          : wanted.equals(RawHeader.name(message, f))) {
        return Optional.of(RawHeader.value(message, f));
      }
    }
    return Optional.empty();
  }

  private static void checkRange(ByteBuffer message, ByteRange header) {
    requireNonNull(header, "header");
    if (header.end() > message.limit()) {
      throw new IllegalArgumentException(
          "range " + header + " outside message of " + message.limit() + " bytes");
    }
  }
}
