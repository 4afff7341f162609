package org.carbonio.smtp.outbound;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;
import org.carbonio.smtp.dns.TlsaRecord;

/** Certificate checks for opportunistic TLS and DANE (RFC 7672). Thread-safe (stateless). */
final class CertificateChecks {

  private CertificateChecks() {}

  /** An SSL context that accepts any certificate: opportunistic TLS (RFC 7435). */
  static SSLContext trustAll() {
    return context(new Accepting(null, null));
  }

  /** An SSL context whose trust manager accepts only chains matching {@code tlsa}. */
  static SSLContext dane(List<TlsaRecord> tlsa, List<String> names) {
    return context(new Accepting(tlsa, names));
  }

  private static SSLContext context(TrustManager tm) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {tm}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS unavailable", e);
    }
  }

  /**
   * True when {@code chain} satisfies one of {@code records} (RFC 7672 §3.1): DANE-EE (3) matches
   * the leaf and ignores names and dates; DANE-TA (2) matches a certificate of the chain that signs
   * down to the leaf, whose names must include one of {@code names} and whose dates must be valid.
   */
  static boolean daneMatches(
      X509Certificate[] chain, List<TlsaRecord> records, List<String> names) {
    if (chain == null || chain.length == 0) {
      return false;
    }
    for (TlsaRecord r : records) {
      try {
        if (r.usage() == 3 && matches(chain[0], r)) {
          return true;
        }
        if (r.usage() == 2) {
          for (int i = 0; i < chain.length; i++) {
            if (matches(chain[i], r) && signsDown(chain, i) && nameMatches(chain[0], names)) {
              chain[0].checkValidity();
              return true;
            }
          }
        }
      } catch (GeneralSecurityException e) {
        // this record does not match; try the next
      }
    }
    return false;
  }

  private static boolean signsDown(X509Certificate[] chain, int anchor) {
    try {
      for (int j = 0; j < anchor; j++) {
        chain[j].verify(chain[j + 1].getPublicKey());
      }
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean matches(X509Certificate cert, TlsaRecord r)
      throws GeneralSecurityException {
    byte[] selected =
        switch (r.selector()) {
          case 0 -> cert.getEncoded();
          case 1 -> cert.getPublicKey().getEncoded();
          default -> null;
        };
    if (selected == null) {
      return false;
    }
    byte[] data =
        switch (r.matchingType()) {
          case 0 -> selected;
          case 1 -> digest("SHA-256", selected);
          case 2 -> digest("SHA-512", selected);
          default -> null;
        };
    return data != null && MessageDigest.isEqual(data, r.data());
  }

  private static byte[] digest(String algorithm, byte[] data) throws NoSuchAlgorithmException {
    return MessageDigest.getInstance(algorithm).digest(data);
  }

  /** RFC 6125 §6.4: a DNS-ID, with a wildcard only as the whole leftmost label. */
  static boolean nameMatches(X509Certificate cert, List<String> names) {
    List<String> presented = dnsNames(cert);
    for (String want : names) {
      String w = strip(want);
      for (String p : presented) {
        String q = strip(p);
        if (q.equals(w)) {
          return true;
        }
        if (q.startsWith("*.")
            && w.indexOf('.') > 0
            && w.substring(w.indexOf('.')).equals(q.substring(1))) {
          return true;
        }
      }
    }
    return false;
  }

  private static String strip(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  private static List<String> dnsNames(X509Certificate cert) {
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        List<String> names =
            sans.stream()
                .filter(e -> e.size() >= 2 && Integer.valueOf(2).equals(e.get(0)))
                .map(e -> String.valueOf(e.get(1)))
                .toList();
        if (!names.isEmpty()) {
          return names;
        }
      }
    } catch (CertificateParsingException e) {
      return List.of();
    }
    // no DNS SAN: the subject's CN (RFC 6125 §6.4.4)
    String dn = cert.getSubjectX500Principal().getName(X500Principal.RFC2253);
    return Arrays.stream(dn.split(","))
        .filter(p -> p.regionMatches(true, 0, "CN=", 0, 3))
        .map(p -> p.substring(3))
        .toList();
  }

  /** Accepts any chain, or (with records) only chains that match them. */
  private static final class Accepting extends X509ExtendedTrustManager {
    private final List<TlsaRecord> records;
    private final List<String> names;

    Accepting(List<TlsaRecord> records, List<String> names) {
      this.records = records;
      this.names = names;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
      if (records != null && !daneMatches(chain, records, names)) {
        throw new CertificateException("certificate matches no TLSA record (RFC 7672 §3)");
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("client side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
