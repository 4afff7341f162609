package org.carbonio.directory.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import com.unboundid.ldap.sdk.Entry;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.carbonio.directory.AppPassword;
import org.carbonio.directory.DirectoryException;

/**
 * App-specific passwords: 16 random lowercase letters (26^16, about 75 bits), stored as {@code
 * name$createdEpochSeconds$sha256hex} in {@link LdapLayout#AT_APP_PASSWORD}. A secret that random
 * needs no slow hash (as API tokens): one SHA-256 per stored value, compared in constant time, so
 * checking them costs microseconds and cannot be turned into a denial of service.
 *
 * <p>Thread-safe (stateless).
 */
public final class AppPasswords {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9 ._-]{1,64}");
  private static final Pattern SECRET = Pattern.compile("[a-z]{16}");

  private AppPasswords() {}

  /** A new app password: what to store, and the secret to show once. */
  public record Created(String storedValue, String secret) {}

  public static String checkName(String name) throws DirectoryException {
    if (name == null || !NAME.matcher(name).matches() || name.isBlank()) {
      throw new DirectoryException.Invalid(
          "app password name: 1 to 64 letters, digits, spaces, '.', '_' or '-'");
    }
    return name;
  }

  public static Created create(String name) {
    char[] letters = new char[16];
    for (int i = 0; i < letters.length; i++) {
      letters[i] = (char) ('a' + RANDOM.nextInt(26));
    }
    String raw = new String(letters);
    String shown =
        raw.substring(0, 4)
            + "-"
            + raw.substring(4, 8)
            + "-"
            + raw.substring(8, 12)
            + "-"
            + raw.substring(12);
    return new Created(
        name + "$" + Instant.now().getEpochSecond() + "$" + HexFormat.of().formatHex(sha256(raw)),
        shown);
  }

  /** Whether {@code candidate} is one of the entry's app passwords. */
  public static boolean matches(Entry account, String candidate) {
    String raw = candidate.replace("-", "").replace(" ", "").toLowerCase(Locale.ROOT);
    String[] values = account.getAttributeValues(LdapLayout.AT_APP_PASSWORD);
    if (values == null || !SECRET.matcher(raw).matches()) {
      return false;
    }
    byte[] digest = sha256(raw);
    boolean found = false;
    for (String v : values) {
      int last = v.lastIndexOf('$');
      try {
        byte[] stored = HexFormat.of().parseHex(v.substring(last + 1));
        found |= MessageDigest.isEqual(stored, digest); // no early exit: constant work
      } catch (IllegalArgumentException e) {
        // malformed value: never matches
      }
    }
    return found;
  }

  public static List<AppPassword> list(Entry account) {
    List<AppPassword> out = new ArrayList<>();
    String[] values = account.getAttributeValues(LdapLayout.AT_APP_PASSWORD);
    if (values != null) {
      for (String v : values) {
        String[] parts = v.split("\\$");
        if (parts.length == 3) {
          try {
            out.add(new AppPassword(parts[0], Instant.ofEpochSecond(Long.parseLong(parts[1]))));
          } catch (NumberFormatException e) {
            // malformed value: not listed
          }
        }
      }
    }
    out.sort(Comparator.comparing(AppPassword::name));
    return out;
  }

  /** The stored value of the app password named {@code name}. */
  public static Optional<String> storedValue(Entry account, String name) {
    String[] values = account.getAttributeValues(LdapLayout.AT_APP_PASSWORD);
    if (values == null) {
      return Optional.empty();
    }
    for (String v : values) {
      if (v.startsWith(name + "$") && v.indexOf('$', name.length() + 1) > 0) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
