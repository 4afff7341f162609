package org.carbonio.directory.internal;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.apache.commons.codec.digest.Md5Crypt;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.apache.commons.codec.digest.UnixCrypt;

/**
 * Hashes and verifies passwords in {@code userPassword} syntax.
 *
 * <p>New hashes are {@code {PBKDF2-SHA512}<iterations>$<base64 salt>$<base64 hash>}: PBKDF2 with
 * HMAC-SHA512 (RFC 8018 §5.2), a 16-byte random salt and a 64-byte derived key; the password is
 * encoded as UTF-8. Verification also accepts values imported from other systems:
 *
 * <ul>
 *   <li>RFC 2307 style salted digests {@code {SSHA}} (SHA-1), {@code {SSHA256}} and {@code
 *       {SSHA512}}: {@code base64(digest(password ‖ salt) ‖ salt)};
 *   <li>unsalted digests {@code {SHA}} (SHA-1, RFC 2307), {@code {SHA256}} and {@code {SHA512}}:
 *       {@code base64(digest(password))};
 *   <li>{@code {CRYPT}} with the crypt(3) formats a migration meets: {@code $6$} (SHA-512-crypt)
 *       and {@code $5$} (SHA-256-crypt) with at most {@value #MAX_CRYPT_ROUNDS} rounds, {@code $1$}
 *       (MD5-crypt), {@code $2a$}/{@code $2b$}/{@code $2y$} (bcrypt, cost at most {@value
 *       #MAX_BCRYPT_COST}, passwords truncated to 72 bytes as OpenBSD does) and traditional
 *       13-character DES crypt (only the first 8 characters count).
 * </ul>
 *
 * <p>Scheme names are case-insensitive. Comparisons are constant-time ({@link
 * MessageDigest#isEqual}). {@link #needsRehash} tells which stored values should be replaced by a
 * fresh {@link #hash} after the next successful login.
 *
 * <p>Thread-safe.
 */
public final class PasswordHasher {

  public static final String PBKDF2_PREFIX = "{PBKDF2-SHA512}";

  /** Largest {@code rounds=} accepted in a {@code $5$}/{@code $6$} crypt value. */
  public static final int MAX_CRYPT_ROUNDS = 1_000_000;

  /** Largest bcrypt cost accepted (2^15 rounds; about a second). */
  public static final int MAX_BCRYPT_COST = 15;

  static final int SALT_BYTES = 16;
  static final int KEY_BYTES = 64;

  private static final Pattern SHA_CRYPT =
      Pattern.compile(
          "\\$([56])\\$(?:rounds=([0-9]{1,9})\\$)?[./0-9A-Za-z]{1,16}\\$[./0-9A-Za-z]+");
  private static final Pattern MD5_CRYPT =
      Pattern.compile("\\$1\\$[./0-9A-Za-z]{1,8}\\$[./0-9A-Za-z]{22}");
  private static final Pattern BCRYPT =
      Pattern.compile("\\$2[aby]\\$([0-9]{2})\\$[./0-9A-Za-z]{53}");
  private static final Pattern DES_CRYPT = Pattern.compile("[./0-9A-Za-z]{13}");

  private static final BCrypt.Verifyer BCRYPT_VERIFIER =
      BCrypt.verifyer(
          BCrypt.Version.VERSION_2B, LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2B));

  /** The RFC 2307 style digest schemes: digest algorithm, digest length, salted or not. */
  private enum Digest {
    SHA("SHA-1", 20, false),
    SHA256("SHA-256", 32, false),
    SHA512("SHA-512", 64, false),
    SSHA("SHA-1", 20, true),
    SSHA256("SHA-256", 32, true),
    SSHA512("SHA-512", 64, true);

    final String algorithm;
    final int bytes;
    final boolean salted;

    Digest(String algorithm, int bytes, boolean salted) {
      this.algorithm = algorithm;
      this.bytes = bytes;
      this.salted = salted;
    }

    static Digest of(String scheme) {
      for (Digest d : values()) {
        if (d.name().equals(scheme)) {
          return d;
        }
      }
      return null;
    }
  }

  private final int iterations;
  private final int maxIterations;
  private final SecureRandom random = new SecureRandom();
  private final String dummy;

  /**
   * @param iterations work factor of new hashes
   * @param maxIterations largest work factor accepted from a stored hash (bounds the CPU one
   *     imported hash can cost)
   */
  public PasswordHasher(int iterations, int maxIterations) {
    if (iterations < 1 || maxIterations < iterations) {
      throw new IllegalArgumentException("iterations " + iterations + " max " + maxIterations);
    }
    this.iterations = iterations;
    this.maxIterations = maxIterations;
    // Same shape and cost as a real hash, but random: no password matches it.
    byte[] salt = new byte[SALT_BYTES];
    byte[] key = new byte[KEY_BYTES];
    random.nextBytes(salt);
    random.nextBytes(key);
    Base64.Encoder b64 = Base64.getEncoder();
    this.dummy =
        PBKDF2_PREFIX + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(key);
  }

  public int iterations() {
    return iterations;
  }

  /** Returns a new PBKDF2 hash of {@code password} with a fresh random salt. */
  public String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] key = pbkdf2(password, salt, iterations);
    Base64.Encoder b64 = Base64.getEncoder();
    return PBKDF2_PREFIX
        + iterations
        + "$"
        + b64.encodeToString(salt)
        + "$"
        + b64.encodeToString(key);
  }

  /**
   * Returns whether {@code password} matches {@code stored}. False for unknown schemes and
   * malformed values; never throws for bad input.
   */
  public boolean verify(String stored, String password) {
    if (password.isEmpty()) {
      return false;
    }
    int close = stored.indexOf('}');
    if (!stored.startsWith("{") || close < 0) {
      return false;
    }
    String scheme = stored.substring(1, close).toUpperCase(Locale.ROOT);
    String value = stored.substring(close + 1);
    try {
      if (scheme.equals("PBKDF2-SHA512")) {
        return verifyPbkdf2(value, password);
      }
      if (scheme.equals("CRYPT")) {
        return verifyCrypt(value, password);
      }
      Digest d = Digest.of(scheme);
      return d != null && verifyDigest(d, value, password);
    } catch (IllegalArgumentException e) { // malformed base64 or number, or rejected by a library
      return false;
    }
  }

  /**
   * Returns whether {@code stored} names a scheme this class verifies and has a plausible shape
   * (for example, so that an LDAP write of a pre-hashed value can be refused when it never could
   * match). A true result does not mean that any password matches.
   */
  public boolean isWellFormed(String stored) {
    int close = stored.indexOf('}');
    if (!stored.startsWith("{") || close < 0) {
      return false;
    }
    String scheme = stored.substring(1, close).toUpperCase(Locale.ROOT);
    String value = stored.substring(close + 1);
    try {
      if (scheme.equals("PBKDF2-SHA512")) {
        return parsePbkdf2(value) != null;
      }
      if (scheme.equals("CRYPT")) {
        return cryptScheme(value) != null;
      }
      Digest d = Digest.of(scheme);
      if (d == null) {
        return false;
      }
      int n = Base64.getDecoder().decode(value).length;
      return d.salted ? n > d.bytes : n == d.bytes;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Returns whether {@code stored} should be replaced by a fresh {@link #hash} of the password that
   * just matched it: true for every value that is not {@code {PBKDF2-SHA512}} with exactly the
   * current {@link #iterations()} (so lowering the setting also rewrites stronger hashes on their
   * next login, keeping login cost what the operator configured).
   */
  public boolean needsRehash(String stored) {
    if (!stored.startsWith(PBKDF2_PREFIX)) {
      return true;
    }
    try {
      Pbkdf2 p = parsePbkdf2(stored.substring(PBKDF2_PREFIX.length()));
      return p == null
          || p.iterations != iterations
          || p.salt.length != SALT_BYTES
          || p.key.length != KEY_BYTES;
    } catch (IllegalArgumentException e) {
      return true;
    }
  }

  /** Spends about as long as verifying a real hash, so unknown accounts are not told by timing. */
  public void verifyDummy(String password) {
    verify(dummy, password.isEmpty() ? "x" : password);
  }

  private record Pbkdf2(int iterations, byte[] salt, byte[] key) {}

  /** Null if malformed; IllegalArgumentException for bad base64 or numbers. */
  private Pbkdf2 parsePbkdf2(String value) {
    String[] parts = value.split("\\$", -1);
    if (parts.length != 3) {
      return null;
    }
    int n = Integer.parseInt(parts[0]);
    if (n < 1 || n > maxIterations) {
      return null;
    }
    Base64.Decoder b64 = Base64.getDecoder();
    byte[] salt = b64.decode(parts[1]);
    byte[] key = b64.decode(parts[2]);
    if (salt.length == 0 || salt.length > 1024 || key.length == 0 || key.length > 128) {
      return null;
    }
    return new Pbkdf2(n, salt, key);
  }

  private boolean verifyPbkdf2(String value, String password) {
    Pbkdf2 p = parsePbkdf2(value);
    if (p == null) {
      return false;
    }
    byte[] actual = pbkdf2(password, p.salt, p.iterations, p.key.length);
    return MessageDigest.isEqual(actual, p.key);
  }

  private static boolean verifyDigest(Digest d, String value, String password) {
    byte[] decoded = Base64.getDecoder().decode(value);
    if (d.salted ? decoded.length <= d.bytes : decoded.length != d.bytes) {
      return false;
    }
    byte[] expected = Arrays.copyOf(decoded, d.bytes);
    MessageDigest md = digest(d.algorithm);
    md.update(password.getBytes(StandardCharsets.UTF_8));
    md.update(decoded, d.bytes, decoded.length - d.bytes); // the salt; empty when unsalted
    return MessageDigest.isEqual(md.digest(), expected);
  }

  private enum Crypt {
    SHA512,
    SHA256,
    MD5,
    BCRYPT,
    DES
  }

  /** The crypt(3) format of {@code value}, or null if unsupported, malformed or too costly. */
  private static Crypt cryptScheme(String value) {
    Matcher m = SHA_CRYPT.matcher(value);
    if (m.matches()) {
      if (m.group(2) != null && Integer.parseInt(m.group(2)) > MAX_CRYPT_ROUNDS) {
        return null;
      }
      return m.group(1).equals("6") ? Crypt.SHA512 : Crypt.SHA256;
    }
    if (MD5_CRYPT.matcher(value).matches()) {
      return Crypt.MD5;
    }
    m = BCRYPT.matcher(value);
    if (m.matches()) {
      int cost = Integer.parseInt(m.group(1));
      return cost >= 4 && cost <= MAX_BCRYPT_COST ? Crypt.BCRYPT : null;
    }
    return DES_CRYPT.matcher(value).matches() ? Crypt.DES : null;
  }

  private static boolean verifyCrypt(String value, String password) {
    Crypt scheme = cryptScheme(value);
    if (scheme == null) {
      return false;
    }
    byte[] pw = password.getBytes(StandardCharsets.UTF_8);
    try {
      if (scheme == Crypt.BCRYPT) {
        // RFC-less de facto format (OpenBSD bcrypt(3)); the library compares in constant time.
        return BCRYPT_VERIFIER.verify(pw, value.getBytes(StandardCharsets.US_ASCII)).verified;
      }
      // The crypt(3) functions take the whole stored value as salt and return the full string.
      String actual =
          switch (scheme) {
            case SHA512 -> Sha2Crypt.sha512Crypt(pw, value);
            case SHA256 -> Sha2Crypt.sha256Crypt(pw, value);
            case MD5 -> Md5Crypt.md5Crypt(pw, value);
            case DES -> UnixCrypt.crypt(pw, value);
            case BCRYPT -> throw new AssertionError();
          };
      return MessageDigest.isEqual(
          actual.getBytes(StandardCharsets.US_ASCII), value.getBytes(StandardCharsets.US_ASCII));
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
  }

  /** Encodes an RFC 2307 style salted digest; for tests and migrations. */
  public static String salted(String scheme, String password, byte[] salt) {
    Digest d = Digest.of(scheme);
    if (d == null || !d.salted) {
      throw new IllegalArgumentException("scheme " + scheme);
    }
    MessageDigest md = digest(d.algorithm);
    md.update(password.getBytes(StandardCharsets.UTF_8));
    md.update(salt);
    byte[] digest = md.digest();
    byte[] out = Arrays.copyOf(digest, digest.length + salt.length);
    System.arraycopy(salt, 0, out, digest.length, salt.length);
    return "{" + scheme + "}" + Base64.getEncoder().encodeToString(out);
  }

  private static byte[] pbkdf2(String password, byte[] salt, int n) {
    return pbkdf2(password, salt, n, KEY_BYTES);
  }

  private static byte[] pbkdf2(String password, byte[] salt, int n, int keyBytes) {
    char[] chars = password.toCharArray();
    PBEKeySpec spec = new PBEKeySpec(chars, salt, n, keyBytes * 8);
    try {
      // The JDK encodes the password as UTF-8 (PBKDF2KeyImpl), as other PBKDF2 libraries do.
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA512 unavailable", e);
    } finally {
      spec.clearPassword();
      Arrays.fill(chars, '\0');
    }
  }

  private static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " unavailable", e);
    }
  }
}
