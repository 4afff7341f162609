package org.carbonio.mime;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.carbonio.mime.internal.RawHeader;

/** Selects and reads raw header fields inside a header range. Thread-safe (stateless). */
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
        out.write(message, f.start(), f.end() - f.start());
        if (message[f.end() - 1] != '\n') {
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
    checkRange(message, header);
    String wanted = name.toLowerCase(Locale.ROOT);
    for (RawHeader.Field f :
        RawHeader.fields(message, header.start(), header.end(), Integer.MAX_VALUE)) {
      if (wanted.equals(RawHeader.name(message, f))) {
        return Optional.of(RawHeader.value(message, f));
      }
    }
    return Optional.empty();
  }

  private static void checkRange(byte[] message, ByteRange header) {
    requireNonNull(header, "header");
    if (header.end() > message.length) {
      throw new IllegalArgumentException(
          "range " + header + " outside message of " + message.length + " bytes");
    }
  }
}
