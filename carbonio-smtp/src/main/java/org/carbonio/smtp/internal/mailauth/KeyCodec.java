package org.carbonio.smtp.internal.mailauth;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/** DER helpers for RSA and Ed25519 keys in DKIM records and PEM files. Immutable. */
public final class KeyCodec {
  private KeyCodec() {}

  /** SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410 §4), before the 32 key bytes. */
  static final byte[] ED25519_SPKI_PREFIX = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
  };

  /** PKCS#8 prefix of an Ed25519 private key (RFC 8410 §7), before the 32-byte seed. */
  public static final byte[] ED25519_PKCS8_PREFIX = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20
  };

  /** The raw 32 bytes of an Ed25519 public key, as a DKIM record publishes them (RFC 8463 §4). */
  public static byte[] rawEd25519(PublicKey key) {
    byte[] enc = key.getEncoded();
    return Arrays.copyOfRange(enc, enc.length - 32, enc.length);
  }

  /** An Ed25519 public key from its raw 32 bytes. */
  public static PublicKey ed25519(byte[] raw) throws GeneralSecurityException {
    if (raw.length != 32) {
      throw new GeneralSecurityException("Ed25519 key of " + raw.length + " bytes");
    }
    byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
    System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, 32);
    return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
  }

  /**
   * An RSA public key from SubjectPublicKeyInfo DER (RFC 6376 §3.6.1) or, leniently, from a bare
   * PKCS#1 RSAPublicKey as some publishers use.
   */
  public static PublicKey rsa(byte[] der) throws GeneralSecurityException {
    KeyFactory kf = KeyFactory.getInstance("RSA");
    try {
      return kf.generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      return kf.generatePublic(new X509EncodedKeySpec(wrapPkcs1Public(der)));
    }
  }

  /** Wraps PKCS#1 RSAPublicKey DER in a SubjectPublicKeyInfo. */
  static byte[] wrapPkcs1Public(byte[] pkcs1) {
    byte[] algId = {
      0x30,
      0x0d,
      0x06,
      0x09,
      0x2a,
      (byte) 0x86,
      0x48,
      (byte) 0x86,
      (byte) 0xf7,
      0x0d,
      0x01,
      0x01,
      0x01,
      0x05,
      0x00
    };
    byte[] bitString = concat(new byte[] {0x03}, length(pkcs1.length + 1), new byte[] {0}, pkcs1);
    byte[] body = concat(algId, bitString);
    return concat(new byte[] {0x30}, length(body.length), body);
  }

  /** Wraps PKCS#1 RSAPrivateKey DER in a PKCS#8 PrivateKeyInfo. */
  public static byte[] wrapPkcs1Private(byte[] pkcs1) {
    byte[] version = {0x02, 0x01, 0x00};
    byte[] algId = {
      0x30,
      0x0d,
      0x06,
      0x09,
      0x2a,
      (byte) 0x86,
      0x48,
      (byte) 0x86,
      (byte) 0xf7,
      0x0d,
      0x01,
      0x01,
      0x01,
      0x05,
      0x00
    };
    byte[] octets = concat(new byte[] {0x04}, length(pkcs1.length), pkcs1);
    byte[] body = concat(version, algId, octets);
    return concat(new byte[] {0x30}, length(body.length), body);
  }

  private static byte[] length(int n) {
    if (n < 0x80) {
      return new byte[] {(byte) n};
    }
    if (n < 0x100) {
      return new byte[] {(byte) 0x81, (byte) n};
    }
    if (n < 0x10000) {
      return new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
    }
    return new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
