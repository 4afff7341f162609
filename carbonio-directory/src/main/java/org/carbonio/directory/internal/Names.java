package org.carbonio.directory.internal;

import java.net.IDN;
import java.util.Locale;
import java.util.Optional;

/**
 * Validation and normalisation of domain names and addresses.
 *
 * <p>Thread-safe (stateless).
 */
public final class Names {

  /** RFC 5321 §4.5.3.1.1. */
  public static final int MAX_LOCAL_PART = 64;

  /** RFC 1035 §2.3.4 (255 octets on the wire = 253 characters in text form). */
  public static final int MAX_DOMAIN = 253;

  /** RFC 1035 §2.3.4. */
  public static final int MAX_LABEL = 63;

  private Names() {}

  /** A validated, normalised address. Immutable. */
  public record Address(String localPart, String domain) {
    public String address() {
      return localPart + "@" + domain;
    }
  }

  /**
   * Converts a domain name to lower-case ASCII (IDNA, {@link IDN#toASCII}) and checks it.
   *
   * @throws IllegalArgumentException with a printable message if the name is not valid
   */
  public static String domain(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("empty domain name");
    }
    String ascii;
    try {
      ascii = IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid domain name " + printable(name));
    }
    if (ascii.isEmpty() || ascii.length() > MAX_DOMAIN) {
      throw new IllegalArgumentException("invalid domain name length " + printable(name));
    }
    String[] labels = ascii.split("\\.", -1);
    for (String label : labels) {
      if (!isLdhLabel(label)) {
        throw new IllegalArgumentException("invalid domain label in " + printable(name));
      }
    }
    // RFC 1123 §2.1: a valid name never looks like a dotted-decimal address.
    if (labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("numeric top-level label in " + printable(name));
    }
    return ascii;
  }

  // RFC 1035 §2.3.1, relaxed by RFC 1123 §2.1 to allow a leading digit.
  private static boolean isLdhLabel(String label) {
    int n = label.length();
    if (n == 0 || n > MAX_LABEL || label.charAt(0) == '-' || label.charAt(n - 1) == '-') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = label.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** {@link #address} for input that may be invalid: empty instead of an exception. */
  public static Optional<Address> parseAddress(String address) {
    try {
      return Optional.of(address(address));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses {@code local-part@domain}; the local part must be an RFC 5321 §4.1.2 Dot-string.
   * Quoted-string local parts and non-ASCII local parts (RFC 6531) are refused.
   *
   * @throws IllegalArgumentException with a printable message if the address is not valid
   */
  public static Address address(String address) {
    int at = address.lastIndexOf('@');
    if (at <= 0 || at == address.length() - 1) {
      throw new IllegalArgumentException("not an address: " + printable(address));
    }
    String local = address.substring(0, at);
    if (local.length() > MAX_LOCAL_PART) {
      throw new IllegalArgumentException("local part longer than 64: " + printable(address));
    }
    if (!isDotString(local)) {
      throw new IllegalArgumentException("invalid local part in " + printable(address));
    }
    String domain = domain(address.substring(at + 1));
    return new Address(local.toLowerCase(Locale.ROOT), domain);
  }

  // RFC 5321 §4.1.2: Dot-string = Atom *("."  Atom); Atom = 1*atext (RFC 5322 §3.2.3).
  private static boolean isDotString(String s) {
    boolean atomStart = true;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '.') {
        if (atomStart) {
          return false;
        }
        atomStart = true;
      } else if (isAtext(c)) {
        atomStart = false;
      } else {
        return false;
      }
    }
    return !atomStart;
  }

  private static boolean isAtext(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0;
  }

  /** Truncates to 80 chars and escapes control and non-ASCII characters, for messages. */
  public static String printable(String s) {
    StringBuilder b = new StringBuilder("\"");
    int n = Math.min(s.length(), 80);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        b.append(String.format("\\u%04x", (int) c));
      } else if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else {
        b.append(c);
      }
    }
    if (s.length() > n) {
      b.append("...");
    }
    return b.append('"').toString();
  }
}
