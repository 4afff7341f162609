package org.carbonio.directory.internal;

import com.unboundid.ldap.sdk.Entry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.carbonio.directory.DkimKey;

/**
 * DKIM keys stored in {@link LdapLayout#AT_DKIM_KEY} of a domain entry, one value per key: {@code
 * selector$algorithm$state$createdEpochSeconds$privateKeyBase64$txt}, e.g. {@code
 * s2026a$rsa-sha256$active$1764374400$MIIEv...$v=DKIM1; k=rsa; p=MIIB...}. The TXT value is last,
 * so it may hold any printable character. Values that do not parse are skipped.
 *
 * <p>Thread-safe (stateless).
 */
public final class DkimKeys {
  private DkimKeys() {}

  public static String storedValue(DkimKey k) {
    return k.selector()
        + "$"
        + k.algorithm().tag()
        + "$"
        + state(k.state())
        + "$"
        + k.created().getEpochSecond()
        + "$"
        + Base64.getEncoder().encodeToString(k.privateKeyPkcs8())
        + "$"
        + k.publicKeyTxt();
  }

  public static String state(DkimKey.State s) {
    return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Parses a stored value; empty when malformed. */
  public static Optional<DkimKey> parse(String value) {
    String[] f = value.split("\\$", 6);
    if (f.length != 6) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new DkimKey(
              f[0],
              DkimKey.Algorithm.ofTag(f[1]),
              Base64.getDecoder().decode(f[4]),
              f[5],
              Instant.ofEpochSecond(Long.parseLong(f[3])),
              DkimKey.State.valueOf(f[2].toUpperCase(Locale.ROOT).replace('-', '_'))));
    } catch (IllegalArgumentException e) { // includes NumberFormatException
      return Optional.empty();
    }
  }

  /** The keys of a domain entry, oldest first (then by selector). */
  public static List<DkimKey> list(Entry domain) {
    String[] values = domain.getAttributeValues(LdapLayout.AT_DKIM_KEY);
    List<DkimKey> keys = new ArrayList<>();
    if (values != null) {
      for (String v : values) {
        parse(v).ifPresent(keys::add);
      }
    }
    keys.sort(Comparator.comparing(DkimKey::created).thenComparing(DkimKey::selector));
    return keys;
  }

  /** The stored value of the key with {@code selector}, as the entry holds it. */
  public static Optional<String> storedValue(Entry domain, String selector) {
    String[] values = domain.getAttributeValues(LdapLayout.AT_DKIM_KEY);
    if (values == null) {
      return Optional.empty();
    }
    String prefix = selector.toLowerCase(Locale.ROOT) + "$";
    for (String v : values) {
      if (v.toLowerCase(Locale.ROOT).startsWith(prefix)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
