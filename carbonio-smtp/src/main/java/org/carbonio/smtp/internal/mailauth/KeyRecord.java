package org.carbonio.smtp.internal.mailauth;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A parsed DKIM key record (RFC 6376 §3.6.1). Immutable.
 *
 * @param keyType k=, "rsa" or "ed25519"
 * @param key the key, null when revoked (empty p=)
 * @param hashes h=, empty when any hash is allowed
 * @param services s=, e.g. ["*"] or ["email"]
 * @param testing t=y
 * @param strict t=s: the i= domain must equal d=
 */
public record KeyRecord(
    String keyType,
    PublicKey key,
    List<String> hashes,
    List<String> services,
    boolean testing,
    boolean strict) {

  /** Copies the lists. */
  public KeyRecord {
    hashes = List.copyOf(hashes);
    services = List.copyOf(services);
  }

  /**
   * Parses a record.
   *
   * @throws IllegalArgumentException on a syntax error, an unknown key type or a bad key
   */
  public static KeyRecord parse(String txt) {
    Map<String, String> tags = TagList.parse(txt);
    String v = tags.get("v");
    if (v != null && (!v.equals("DKIM1") || !tags.keySet().iterator().next().equals("v"))) {
      throw new IllegalArgumentException("key record v= must be first and DKIM1");
    }
    String k = tags.getOrDefault("k", "rsa").toLowerCase(java.util.Locale.ROOT);
    String p = tags.get("p");
    if (p == null) {
      throw new IllegalArgumentException("key record without p=");
    }
    p = TagList.compact(p);
    PublicKey key = null;
    if (!p.isEmpty()) {
      byte[] der;
      try {
        der = Base64.getDecoder().decode(p);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("key record p= is not base64", e);
      }
      try {
        key =
            switch (k) {
              case "rsa" -> KeyCodec.rsa(der);
              case "ed25519" -> KeyCodec.ed25519(der);
              default -> throw new IllegalArgumentException("key type k=" + Names.shorten(k));
            };
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("key record p= is not a " + k + " key", e);
      }
    }
    List<String> hashes = split(tags.get("h"));
    List<String> services = tags.containsKey("s") ? split(tags.get("s")) : List.of("*");
    List<String> flags = split(tags.get("t"));
    return new KeyRecord(k, key, hashes, services, flags.contains("y"), flags.contains("s"));
  }

  private static List<String> split(String v) {
    if (v == null || v.isBlank()) {
      return List.of();
    }
    return java.util.Arrays.stream(v.split(":"))
        .map(s -> s.strip().toLowerCase(java.util.Locale.ROOT))
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /** True when p= was empty (RFC 6376 §3.6.1). */
  public boolean revoked() {
    return key == null;
  }

  /** The RSA modulus length in bits, or 0 for other keys. */
  public int rsaBits() {
    return key instanceof RSAPublicKey r ? r.getModulus().bitLength() : 0;
  }
}
