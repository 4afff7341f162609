package org.carbonio.smtp.mailauth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import org.carbonio.smtp.internal.mailauth.KeyCodec;

/**
 * DKIM key helpers for provisioning: generate RSA-2048 or Ed25519 keys, encode private keys as
 * PKCS#8 PEM and back, and build the TXT record to publish at {@code
 * <selector>._domainkey.<domain>} (RFC 6376 §3.6.1, RFC 8463 §4). Immutable (static methods only).
 *
 * {@snippet :
 * KeyPair kp = DkimKeys.generateEd25519();
 * Files.writeString(keyFile, DkimKeys.toPem(kp.getPrivate()));
 * String txt = DkimKeys.txtRecord(kp.getPublic());   // "v=DKIM1; k=ed25519; p=..."
 * }
 */
public final class DkimKeys {
  private DkimKeys() {}

  /** A new RSA key pair of 2048 bits. */
  public static KeyPair generateRsa() {
    return generateRsa(2048);
  }

  /** A new RSA key pair of {@code bits} (at least 1024; RFC 8301 §3.2 asks signers for 2048). */
  public static KeyPair generateRsa(int bits) {
    if (bits < 1024) {
      throw new IllegalArgumentException("RSA bits " + bits);
    }
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(bits);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA unavailable", e);
    }
  }

  /** A new Ed25519 key pair (RFC 8463). */
  public static KeyPair generateEd25519() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 unavailable", e);
    }
  }

  /** The key as PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), lines of 64 characters. */
  public static String toPem(PrivateKey key) {
    String b64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded());
    return "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n";
  }

  /**
   * A private key from PEM: PKCS#8 ("BEGIN PRIVATE KEY", RSA or Ed25519) or PKCS#1 ("BEGIN RSA
   * PRIVATE KEY").
   *
   * @throws IllegalArgumentException when the text holds no such key
   */
  public static PrivateKey fromPem(String pem) {
    boolean pkcs1 = pem.contains("BEGIN RSA PRIVATE KEY");
    String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PEM body is not base64", e);
    }
    if (pkcs1) {
      der = KeyCodec.wrapPkcs1Private(der);
    }
    for (String alg : new String[] {"RSA", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException("no RSA or Ed25519 private key in PEM");
  }

  /** The public half of an RSA (CRT) or Ed25519 private key. */
  public static PublicKey publicKey(PrivateKey key) {
    try {
      if (key instanceof RSAPrivateCrtKey r) {
        return KeyFactory.getInstance("RSA")
            .generatePublic(new RSAPublicKeySpec(r.getModulus(), r.getPublicExponent()));
      }
      byte[] enc = key.getEncoded();
      if (key.getAlgorithm().equals("Ed25519") || key.getAlgorithm().equals("EdDSA")) {
        // RFC 8032 §5.1.5: the public key derives from the 32-byte seed; feed the seed to the
        // generator as its randomness so that the JDK derives it.
        byte[] seed = Arrays.copyOfRange(enc, enc.length - 32, enc.length);
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        g.initialize(255, new FixedRandom(seed));
        return g.generateKeyPair().getPublic();
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot derive public key", e);
    }
    throw new IllegalArgumentException("key algorithm " + key.getAlgorithm());
  }

  /** The TXT record value for {@code key}: {@code v=DKIM1; k=rsa|ed25519; p=<base64>}. */
  public static String txtRecord(PublicKey key) {
    return switch (key.getAlgorithm()) {
      case "RSA" -> "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(key.getEncoded());
      case "Ed25519", "EdDSA" ->
          "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(KeyCodec.rawEd25519(key));
      default -> throw new IllegalArgumentException("key algorithm " + key.getAlgorithm());
    };
  }

  /** The DNS name to publish the record at: {@code <selector>._domainkey.<domain>}. */
  public static String recordName(String selector, String domain) {
    return selector + "._domainkey." + domain;
  }

  /** Randomness that yields one fixed seed: only for deriving an Ed25519 public key. */
  private static final class FixedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] seed;

    FixedRandom(byte[] seed) {
      this.seed = seed.clone();
    }

    @Override
    public void nextBytes(byte[] bytes) {
      System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
    }
  }
}
