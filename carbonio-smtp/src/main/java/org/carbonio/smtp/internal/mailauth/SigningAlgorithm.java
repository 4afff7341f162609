package org.carbonio.smtp.internal.mailauth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Locale;

/** The DKIM a= algorithms: RFC 6376 §3.3 and RFC 8463. Immutable. */
public enum SigningAlgorithm {
  /** RSA with SHA-256 (RFC 6376 §3.3.2). */
  RSA_SHA256("rsa-sha256", "rsa", "sha256", "SHA-256", "SHA256withRSA"),
  /** Ed25519 over the SHA-256 hash (RFC 8463 §3). */
  ED25519_SHA256("ed25519-sha256", "ed25519", "sha256", "SHA-256", "Ed25519"),
  /** RSA with SHA-1 (RFC 6376 §3.3.1): verified, never used to sign (RFC 8301 §3.1). */
  RSA_SHA1("rsa-sha1", "rsa", "sha1", "SHA-1", "SHA1withRSA");

  private final String tag;
  private final String keyType;
  private final String hashTag;
  private final String digest;
  private final String jdk;

  SigningAlgorithm(String tag, String keyType, String hashTag, String digest, String jdk) {
    this.tag = tag;
    this.keyType = keyType;
    this.hashTag = hashTag;
    this.digest = digest;
    this.jdk = jdk;
  }

  /** The a= value. */
  public String tag() {
    return tag;
  }

  /** The k= value of the key record. */
  public String keyType() {
    return keyType;
  }

  /** The h= value of the key record that allows this algorithm. */
  public String hashTag() {
    return hashTag;
  }

  /** The JDK digest name for body and (Ed25519) header hashes. */
  public String digest() {
    return digest;
  }

  /** The algorithm for an a= value, or null. */
  public static SigningAlgorithm of(String tag) {
    String t = tag.strip().toLowerCase(Locale.ROOT);
    for (SigningAlgorithm a : values()) {
      if (a.tag.equals(t)) {
        return a;
      }
    }
    return null;
  }

  /** The algorithm that signs with {@code key}. */
  public static SigningAlgorithm forKey(PrivateKey key) {
    return switch (key.getAlgorithm()) {
      case "RSA" -> RSA_SHA256;
      case "Ed25519", "EdDSA" -> ED25519_SHA256;
      default -> throw new IllegalArgumentException("key algorithm " + key.getAlgorithm());
    };
  }

  /** Signs the canonical header data. */
  public byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
    Signature s = Signature.getInstance(jdk);
    s.initSign(key);
    s.update(prepare(data));
    return s.sign();
  }

  /** Verifies a signature over the canonical header data. */
  public boolean verify(PublicKey key, byte[] data, byte[] signature)
      throws GeneralSecurityException {
    Signature s = Signature.getInstance(jdk);
    s.initVerify(key);
    s.update(prepare(data));
    return s.verify(signature);
  }

  private byte[] prepare(byte[] data) throws GeneralSecurityException {
    // RFC 8463 §3: Ed25519 signs the SHA-256 hash of the data; RSA hashes inside the signature
    return this == ED25519_SHA256 ? MessageDigest.getInstance("SHA-256").digest(data) : data;
  }
}
