package org.carbonio.directory.sasl;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.carbonio.directory.internal.SaslPrep;

/**
 * The SCRAM-SHA-256 secret of one account (RFC 5802 §3, RFC 7677): salt, iteration count, StoredKey
 * and ServerKey. It lets a server verify a client's proof without holding the password, but it is
 * password-equivalent for impersonating the server and can be attacked offline like a password
 * hash: keep it as secret as {@code userPassword}.
 *
 * <p>Text form (as PostgreSQL stores it), for an LDAP attribute value: {@code
 * SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>}.
 *
 * <p>Defaults: {@value #DEFAULT_ITERATIONS} iterations (the minimum of RFC 7677 §4, what clients
 * expect and what Dovecot and PostgreSQL use; every login costs the client this many HMACs) and a
 * {@value #SALT_BYTES}-byte random salt. Allowed iteration counts: {@value #MIN_ITERATIONS} to
 * {@value #MAX_ITERATIONS}.
 *
 * <p>Immutable.
 */
public final class ScramCredentials {
  /** The prefix of the text form. */
  public static final String SCHEME = "SCRAM-SHA-256";

  public static final int DEFAULT_ITERATIONS = 4096;
  public static final int MIN_ITERATIONS = 4096;
  public static final int MAX_ITERATIONS = 10_000_000;
  public static final int SALT_BYTES = 16;
  static final int KEY_BYTES = 32;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] salt;
  private final int iterations;
  private final byte[] storedKey;
  private final byte[] serverKey;

  /**
   * @throws IllegalArgumentException if the salt is empty or longer than 1,024 bytes, the keys are
   *     not 32 bytes, or the iteration count is out of range
   */
  public ScramCredentials(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
    requireNonNull(salt, "salt");
    requireNonNull(storedKey, "storedKey");
    requireNonNull(serverKey, "serverKey");
    if (salt.length == 0 || salt.length > 1024) {
      throw new IllegalArgumentException("salt length " + salt.length);
    }
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("iterations " + iterations);
    }
    if (storedKey.length != KEY_BYTES || serverKey.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "key lengths " + storedKey.length + ", " + serverKey.length);
    }
    this.salt = salt.clone();
    this.iterations = iterations;
    this.storedKey = storedKey.clone();
    this.serverKey = serverKey.clone();
  }

  /** Derives credentials with a fresh random salt and {@link #DEFAULT_ITERATIONS}. */
  public static ScramCredentials derive(String password) {
    return derive(password, DEFAULT_ITERATIONS);
  }

  /** Derives credentials with a fresh random salt. */
  public static ScramCredentials derive(String password, int iterations) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return derive(password, salt, iterations);
  }

  /**
   * Derives credentials (RFC 5802 §3): SaltedPassword = Hi(Normalize(password), salt, i), ClientKey
   * = HMAC(SaltedPassword, "Client Key"), StoredKey = H(ClientKey), ServerKey =
   * HMAC(SaltedPassword, "Server Key"). Normalize is SASLprep (RFC 4013); a password it rejects is
   * used as it is.
   */
  public static ScramCredentials derive(String password, byte[] salt, int iterations) {
    requireNonNull(password, "password");
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("iterations " + iterations);
    }
    byte[] salted = hi(SaslPrep.prepareOrRaw(password), salt, iterations);
    try {
      byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
      byte[] serverKey = hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
      return new ScramCredentials(salt, iterations, sha256(clientKey), serverKey);
    } finally {
      Arrays.fill(salted, (byte) 0);
    }
  }

  /**
   * Parses the text form.
   *
   * @throws IllegalArgumentException if {@code text} is not in the text form or out of range
   */
  public static ScramCredentials parse(String text) {
    requireNonNull(text, "text");
    String prefix = SCHEME + "$";
    if (!text.startsWith(prefix)) {
      throw new IllegalArgumentException("not " + SCHEME);
    }
    String[] parts = text.substring(prefix.length()).split("\\$", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("malformed " + SCHEME + " value");
    }
    String[] head = parts[0].split(":", -1);
    String[] keys = parts[1].split(":", -1);
    if (head.length != 2 || keys.length != 2 || head[0].length() > 9) {
      throw new IllegalArgumentException("malformed " + SCHEME + " value");
    }
    Base64.Decoder b64 = Base64.getDecoder();
    return new ScramCredentials(
        b64.decode(head[1]), Integer.parseInt(head[0]), b64.decode(keys[0]), b64.decode(keys[1]));
  }

  /** The text form; see the class comment. */
  public String encode() {
    Base64.Encoder b64 = Base64.getEncoder();
    return SCHEME
        + "$"
        + iterations
        + ":"
        + b64.encodeToString(salt)
        + "$"
        + b64.encodeToString(storedKey)
        + ":"
        + b64.encodeToString(serverKey);
  }

  /** Returns a copy of the salt. */
  public byte[] salt() {
    return salt.clone();
  }

  public int iterations() {
    return iterations;
  }

  /** Returns a copy of StoredKey. */
  public byte[] storedKey() {
    return storedKey.clone();
  }

  /** Returns a copy of ServerKey. */
  public byte[] serverKey() {
    return serverKey.clone();
  }

  /** Whether {@code password} derives these credentials (constant-time comparison). */
  public boolean matches(String password) {
    ScramCredentials other = derive(password, salt, iterations);
    return MessageDigest.isEqual(other.storedKey, storedKey)
        && MessageDigest.isEqual(other.serverKey, serverKey);
  }

  // Package-private views without copying, for the mechanism.
  byte[] saltRef() {
    return salt;
  }

  byte[] storedKeyRef() {
    return storedKey;
  }

  byte[] serverKeyRef() {
    return serverKey;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScramCredentials c
        && c.iterations == iterations
        && Arrays.equals(c.salt, salt)
        && MessageDigest.isEqual(c.storedKey, storedKey)
        && MessageDigest.isEqual(c.serverKey, serverKey);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(salt) + iterations;
  }

  /** Names the scheme and iteration count only; never the keys. */
  @Override
  public String toString() {
    return "ScramCredentials[" + SCHEME + ", iterations=" + iterations + "]";
  }

  // RFC 5802 §2.2: Hi is PBKDF2 (RFC 2898) with HMAC-SHA-256 and dkLen = 32 (RFC 7677 §3).
  static byte[] hi(String normalized, byte[] salt, int iterations) {
    char[] chars = normalized.toCharArray();
    PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, KEY_BYTES * 8);
    try {
      // The JDK encodes the password as UTF-8 (PBKDF2KeyImpl), as RFC 5802 requires.
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
    } finally {
      spec.clearPassword();
      Arrays.fill(chars, '\0');
    }
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
