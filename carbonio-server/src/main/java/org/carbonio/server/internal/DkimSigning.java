package org.carbonio.server.internal;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.carbonio.directory.Directory;
import org.carbonio.directory.DkimKey;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.mailauth.DkimSigner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs submitted mail with the active DKIM key of its author's domain (RFC 6376 §5), the key that
 * {@code carbonio prov dkim-*} manages in the directory. Thread-safe.
 *
 * <p>The key is looked up for each message's first From domain, so a rotation takes effect with the
 * next message; signers are cached per domain and selector.
 */
public final class DkimSigning {

  private static final Logger log = LoggerFactory.getLogger(DkimSigning.class);

  private final Directory directory;
  private final ConcurrentHashMap<String, DkimSigner> signers = new ConcurrentHashMap<>();

  public DkimSigning(Directory directory) {
    this.directory = directory;
  }

  /**
   * The DKIM-Signature field (ending with CRLF) for {@code message}, or empty when it has no From
   * domain or its first one has no active key.
   *
   * @param fromDomains the domains of the message's From addresses, in order, as {@link
   *     org.carbonio.smtp.mailauth.HeaderSummary} read them
   */
  public Optional<String> sign(List<String> fromDomains, MessageContent message)
      throws IOException {
    if (fromDomains.isEmpty()) {
      return Optional.empty();
    }
    String domain = fromDomains.get(0);
    Optional<DkimKey> key = directory.activeDkimKey(domain);
    if (key.isEmpty()) {
      return Optional.empty();
    }
    DkimSigner signer;
    try {
      signer =
          signers.computeIfAbsent(
              domain + "\0" + key.get().selector() + "\0" + key.get().publicKeyTxt(),
              k -> signer(domain, key.get()));
    } catch (IllegalArgumentException e) {
      log.warn(
          "the DKIM key {} of {} is unusable: {}", key.get().selector(), domain, e.getMessage());
      return Optional.empty();
    }
    return Optional.of(signer.sign(message));
  }

  private static DkimSigner signer(String domain, DkimKey key) {
    String algorithm = key.algorithm() == DkimKey.Algorithm.ED25519_SHA256 ? "Ed25519" : "RSA";
    PrivateKey privateKey;
    try {
      privateKey =
          KeyFactory.getInstance(algorithm)
              .generatePrivate(new PKCS8EncodedKeySpec(key.privateKeyPkcs8()));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot decode the private key: " + e.getMessage(), e);
    }
    return DkimSigner.builder()
        .domain(domain)
        .selector(key.selector())
        .privateKey(privateKey)
        .build();
  }
}
