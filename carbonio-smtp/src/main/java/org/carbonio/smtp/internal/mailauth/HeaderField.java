package org.carbonio.smtp.internal.mailauth;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * One header field as it was on the wire. Immutable.
 *
 * @param name the field name, without trailing whitespace
 * @param raw the whole field, folding included, ending with CRLF, one char per byte (ISO-8859-1)
 */
public record HeaderField(String name, String raw) {
  /** Checks the components. */
  public HeaderField {
    requireNonNull(name, "name");
    requireNonNull(raw, "raw");
  }

  /** Parses a raw field ("Name: value\r\n"); a line without a colon gets the whole line as name. */
  public static HeaderField of(String raw) {
    int colon = raw.indexOf(':');
    String name = colon < 0 ? raw.strip() : raw.substring(0, colon).stripTrailing();
    return new HeaderField(name, raw);
  }

  /** True when the name equals {@code other}, ignoring ASCII case. */
  public boolean is(String other) {
    return name.equalsIgnoreCase(other);
  }

  /** The name in lower case. */
  public String lowerName() {
    return name.toLowerCase(Locale.ROOT);
  }

  /** The value after the colon, folding kept, without the final CRLF. */
  public String value() {
    int colon = raw.indexOf(':');
    String v = colon < 0 ? "" : raw.substring(colon + 1);
    return v.endsWith("\r\n") ? v.substring(0, v.length() - 2) : v;
  }

  /** The value unfolded (CRLF removed) and trimmed. */
  public String unfoldedValue() {
    return value().replace("\r\n", "").replace("\n", "").strip();
  }
}
