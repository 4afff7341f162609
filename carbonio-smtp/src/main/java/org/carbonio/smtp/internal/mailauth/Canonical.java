package org.carbonio.smtp.internal.mailauth;

import java.util.Locale;

/** Header canonicalization (RFC 6376 §3.4.1, §3.4.2). Immutable. */
public final class Canonical {
  private Canonical() {}

  /** The field canonicalized, ending with CRLF. */
  public static String header(HeaderField field, boolean relaxed) {
    return relaxed ? relaxedHeader(field.raw()) : field.raw();
  }

  /** RFC 6376 §3.4.2: lower-case name, unfold, squeeze WSP, strip WSP around the colon. */
  public static String relaxedHeader(String raw) {
    int colon = raw.indexOf(':');
    String name = colon < 0 ? raw : raw.substring(0, colon);
    String value = colon < 0 ? "" : raw.substring(colon + 1);
    StringBuilder sb = new StringBuilder(raw.length());
    sb.append(name.strip().toLowerCase(Locale.ROOT)).append(':');
    boolean wsp = false;
    boolean started = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n') {
        continue;
      }
      if (c == ' ' || c == '\t') {
        wsp = true;
        continue;
      }
      if (wsp && started) {
        sb.append(' ');
      }
      wsp = false;
      started = true;
      sb.append(c);
    }
    return sb.append("\r\n").toString();
  }

  /**
   * The signature field with the value of its {@code b=} tag removed (RFC 6376 §3.7), the
   * whitespace inside that value included.
   */
  public static String withoutSignature(String raw) {
    int colon = raw.indexOf(':');
    StringBuilder sb = new StringBuilder(raw.length());
    sb.append(raw, 0, colon + 1);
    String value = raw.substring(colon + 1);
    int start = 0;
    while (start <= value.length()) {
      int semi = value.indexOf(';', start);
      int end = semi < 0 ? value.length() : semi;
      String tag = value.substring(start, end);
      int eq = tag.indexOf('=');
      if (eq >= 0 && tag.substring(0, eq).strip().equals("b")) {
        sb.append(tag, 0, eq + 1);
        if (tag.endsWith("\r\n")) {
          sb.append("\r\n"); // keep the field's final line end
        }
      } else {
        sb.append(tag);
      }
      if (semi < 0) {
        break;
      }
      sb.append(';');
      start = semi + 1;
    }
    return sb.toString();
  }
}
