package org.carbonio.smtp.outbound;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A test CA that issues server certificates for named hosts. */
final class TestPki {

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  final KeyPair caKeys;
  final X509Certificate ca;

  /** A server key and its chain (leaf, CA). */
  record Issued(KeyPair keys, X509Certificate[] chain) {
    X509Certificate leaf() {
      return chain[0];
    }

    /** A server SSL context presenting this certificate. */
    SSLContext serverContext() throws Exception {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("server", keys.getPrivate(), "changeit".toCharArray(), chain);
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, "changeit".toCharArray());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    }

    /** SHA-256 of the leaf's SubjectPublicKeyInfo: TLSA 3 1 1. */
    byte[] spkiSha256() throws Exception {
      return MessageDigest.getInstance("SHA-256").digest(leaf().getPublicKey().getEncoded());
    }
  }

  TestPki() throws Exception {
    caKeys = keys();
    X500Name name = new X500Name("CN=Carbonio Test CA");
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.valueOf(SERIAL.incrementAndGet()),
            Date.from(Instant.now().minus(Duration.ofDays(1))),
            Date.from(Instant.now().plus(Duration.ofDays(30))),
            name,
            caKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    ca = sign(b, caKeys);
  }

  private static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    return g.generateKeyPair();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair signer)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  /** A certificate for {@code names} (DNS SANs) signed by this CA. */
  Issued issue(String... names) throws Exception {
    KeyPair keys = keys();
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name("CN=Carbonio Test CA"),
            BigInteger.valueOf(SERIAL.incrementAndGet()),
            Date.from(Instant.now().minus(Duration.ofDays(1))),
            Date.from(Instant.now().plus(Duration.ofDays(30))),
            new X500Name("CN=" + names[0]),
            keys.getPublic());
    GeneralName[] sans = new GeneralName[names.length];
    for (int i = 0; i < names.length; i++) {
      sans[i] =
          names[i].matches("[0-9.]+")
              ? new GeneralName(GeneralName.iPAddress, names[i])
              : new GeneralName(GeneralName.dNSName, names[i]);
    }
    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
    return new Issued(keys, new X509Certificate[] {sign(b, caKeys), ca});
  }

  /** A client SSL context trusting only this CA. */
  SSLContext trust() throws Exception {
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
