package org.carbonio.directory.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Hashes and verifies passwords in {@code userPassword} syntax.
 *
 * <p>New hashes are {@code {PBKDF2-SHA512}<iterations>$<base64 salt>$<base64 hash>}: PBKDF2 with
 * HMAC-SHA512 (RFC 8018 §5.2), a 16-byte random salt and a 64-byte derived key; the password is
 * encoded as UTF-8. Verification also accepts the RFC 2307 style salted digests {@code {SSHA}}
 * (SHA-1) and {@code {SSHA512}}: {@code base64(digest(password ‖ salt) ‖ salt)}. Comparisons are
 * constant-time.
 *
 * <p>Thread-safe.
 */
public final class PasswordHasher {

  public static final String PBKDF2_PREFIX = "{PBKDF2-SHA512}";
  static final int SALT_BYTES = 16;
  static final int KEY_BYTES = 64;

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
      return switch (scheme) {
        case "PBKDF2-SHA512" -> verifyPbkdf2(value, password);
        case "SSHA" -> verifySalted("SHA-1", 20, value, password);
        case "SSHA512" -> verifySalted("SHA-512", 64, value, password);
        default -> false;
      };
    } catch (IllegalArgumentException e) { // malformed base64 or number
      return false;
    }
  }

  /** Spends about as long as verifying a real hash, so unknown accounts are not told by timing. */
  public void verifyDummy(String password) {
    verify(dummy, password.isEmpty() ? "x" : password);
  }

  private boolean verifyPbkdf2(String value, String password) {
    String[] parts = value.split("\\$", -1);
    if (parts.length != 3) {
      return false;
    }
    int n = Integer.parseInt(parts[0]);
    if (n < 1 || n > maxIterations) {
      return false;
    }
    Base64.Decoder b64 = Base64.getDecoder();
    byte[] salt = b64.decode(parts[1]);
    byte[] expected = b64.decode(parts[2]);
    if (salt.length == 0 || salt.length > 1024 || expected.length == 0 || expected.length > 128) {
      return false;
    }
    byte[] actual = pbkdf2(password, salt, n, expected.length);
    return MessageDigest.isEqual(actual, expected);
  }

  private static boolean verifySalted(
      String algorithm, int digestBytes, String value, String password) {
    byte[] decoded = Base64.getDecoder().decode(value);
    if (decoded.length <= digestBytes) {
      return false;
    }
    byte[] expected = Arrays.copyOf(decoded, digestBytes);
    byte[] salt = Arrays.copyOfRange(decoded, digestBytes, decoded.length);
    MessageDigest md = digest(algorithm);
    md.update(password.getBytes(StandardCharsets.UTF_8));
    md.update(salt);
    return MessageDigest.isEqual(md.digest(), expected);
  }

  /** Encodes an RFC 2307 style salted digest; for tests and migrations. */
  public static String salted(String scheme, String password, byte[] salt) {
    String algorithm =
        switch (scheme) {
          case "SSHA" -> "SHA-1";
          case "SSHA512" -> "SHA-512";
          default -> throw new IllegalArgumentException("scheme " + scheme);
        };
    MessageDigest md = digest(algorithm);
    md.update(password.getBytes(StandardCharsets.UTF_8));
    md.update(salt);
    byte[] d = md.digest();
    byte[] out = Arrays.copyOf(d, d.length + salt.length);
    System.arraycopy(salt, 0, out, d.length, salt.length);
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
