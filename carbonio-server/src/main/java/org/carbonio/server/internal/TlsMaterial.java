package org.carbonio.server.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The server's TLS key and certificate: loaded from PEM files, or generated once as a self-signed
 * certificate under {@code DIR/tls} on first start. Not thread-safe; used at startup only.
 */
public final class TlsMaterial {

  /** Validity of a generated self-signed certificate. */
  static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(825);

  private TlsMaterial() {}

  /** Where a generated certificate lives. */
  public static Path defaultCertificate(Path dataDir) {
    return dataDir.resolve("tls").resolve("cert.pem");
  }

  private static Path defaultKey(Path dataDir) {
    return dataDir.resolve("tls").resolve("key.pem");
  }

  /**
   * Returns an SSLContext for the configured PEM pair or, when none is configured, for the one
   * under {@code DIR/tls}, generating that one first when it does not exist.
   */
  public static SSLContext load(
      Path dataDir, Optional<Path> configuredCert, Optional<Path> configuredKey, String hostname)
      throws IOException {
    Path cert = configuredCert.orElse(defaultCertificate(dataDir));
    Path key = configuredKey.orElse(defaultKey(dataDir));
    if (configuredCert.isEmpty() && !Files.exists(cert)) {
      generateSelfSigned(cert, key, hostname);
    }
    try {
      List<X509Certificate> chain = readCertificates(cert);
      PrivateKey privateKey = readKey(key);
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = new char[0];
      store.setKeyEntry("server", privateKey, password, chain.toArray(new Certificate[0]));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException(
          "cannot use TLS key " + key + " with certificate " + cert + ": " + e, e);
    }
  }

  /** Writes a new EC P-256 key and a self-signed certificate for the host name and loopback. */
  static void generateSelfSigned(Path cert, Path key, String hostname) throws IOException {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair pair = generator.generateKeyPair();
      X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, hostname).build();
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(SELF_SIGNED_VALIDITY)),
              subject,
              pair.getPublic());
      Set<String> names = new LinkedHashSet<>(List.of(hostname, "localhost"));
      List<GeneralName> altNames = new ArrayList<>();
      for (String name : names) {
        altNames.add(new GeneralName(GeneralName.dNSName, name));
      }
      altNames.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
      altNames.add(new GeneralName(GeneralName.iPAddress, "::1"));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(altNames.toArray(new GeneralName[0])));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      X509CertificateHolder holder =
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
      X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);

      Files.createDirectories(cert.getParent());
      Files.createDirectories(key.getParent());
      DurableFiles.writeAtomically(key, pem(new JcaPKCS8Generator(pair.getPrivate(), null)), true);
      DurableFiles.writeAtomically(cert, pem(certificate), false);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IOException("cannot generate a self-signed certificate: " + e, e);
    }
  }

  private static byte[] pem(Object object) throws IOException {
    var out = new java.io.StringWriter();
    try (Writer writer = out;
        JcaPEMWriter pem = new JcaPEMWriter(writer)) {
      pem.writeObject(object);
    }
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static List<X509Certificate> readCertificates(Path file)
      throws IOException, GeneralSecurityException {
    List<X509Certificate> chain = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof X509CertificateHolder holder) {
          chain.add(converter.getCertificate(holder));
        }
      }
    }
    if (chain.isEmpty()) {
      throw new IOException("no PEM certificate in " + file);
    }
    return chain;
  }

  private static PrivateKey readKey(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (object instanceof PEMKeyPair pair) {
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
      }
    }
    throw new IOException("no unencrypted PEM private key in " + file);
  }
}
