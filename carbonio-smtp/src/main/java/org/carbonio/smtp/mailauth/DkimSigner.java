package org.carbonio.smtp.mailauth;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.internal.mailauth.BodySpec;
import org.carbonio.smtp.internal.mailauth.HeaderField;
import org.carbonio.smtp.internal.mailauth.HeaderHash;
import org.carbonio.smtp.internal.mailauth.Names;
import org.carbonio.smtp.internal.mailauth.ScannedMessage;
import org.carbonio.smtp.internal.mailauth.SigningAlgorithm;

/**
 * Signs messages with DKIM (RFC 6376 §5): relaxed/relaxed canonicalization, RSA-SHA256 or
 * Ed25519-SHA256 (RFC 8463) chosen by the key, the body hashed as it streams (only the header
 * section is held in memory), no {@code l=}. Immutable and thread-safe.
 *
 * <p>It signs every instance of the {@link #DEFAULT_HEADERS} present (OpenDKIM's default list) and
 * names From once more than it occurs ("oversigning", RFC 6376 §8.15), so that a From field added
 * later breaks the signature.
 *
 * {@snippet :
 * DkimSigner signer = DkimSigner.builder()
 *     .domain("example.com").selector("s2026").privateKey(key).build();
 * String field = signer.sign(content);   // "DKIM-Signature: ...\r\n", prepend it to the message
 * }
 */
public final class DkimSigner {
  /** The fields signed when present: OpenDKIM's default list plus MIME fields and Message-ID. */
  public static final List<String> DEFAULT_HEADERS =
      List.of(
          "from",
          "reply-to",
          "subject",
          "date",
          "to",
          "cc",
          "resent-date",
          "resent-from",
          "resent-sender",
          "resent-to",
          "resent-cc",
          "in-reply-to",
          "references",
          "list-id",
          "list-help",
          "list-unsubscribe",
          "list-subscribe",
          "list-post",
          "list-owner",
          "list-archive",
          "message-id",
          "mime-version",
          "content-type",
          "content-transfer-encoding");

  private final String domain;
  private final String selector;
  private final PrivateKey key;
  private final SigningAlgorithm algorithm;
  private final List<String> headers;
  private final List<String> oversign;
  private final Clock clock;
  private final Duration expiry;
  private final int maxHeaderBytes;

  private DkimSigner(Builder b) {
    this.domain = b.domain;
    this.selector = b.selector;
    this.key = b.key;
    this.algorithm = SigningAlgorithm.forKey(b.key);
    this.headers = List.copyOf(b.headers);
    this.oversign = List.copyOf(b.oversign);
    this.clock = b.clock;
    this.expiry = b.expiry;
    this.maxHeaderBytes = b.maxHeaderBytes;
  }

  /** A new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The d= domain. */
  public String domain() {
    return domain;
  }

  /** The DKIM-Signature field for {@code message}, ending with CRLF. */
  public String sign(MessageContent message) throws IOException {
    try (InputStream in = message.open()) {
      return sign(in);
    }
  }

  /**
   * The DKIM-Signature field for the message read from {@code message} (to its end; the caller
   * closes it), ending with CRLF, to be put above the message's first field.
   *
   * @throws IllegalArgumentException when the message has no From field (RFC 6376 §5.4)
   */
  public String sign(InputStream message) throws IOException {
    BodySpec spec = new BodySpec(true, algorithm.digest(), -1);
    ScannedMessage m = ScannedMessage.scan(message, maxHeaderBytes, h -> List.of(spec));
    List<String> signed = new ArrayList<>();
    for (String name : headers) {
      long n = m.headers().stream().filter(f -> f.is(name)).count();
      if (oversign.contains(name)) {
        n++; // RFC 6376 §8.15: one more than present, so none can be added
      }
      for (long i = 0; i < n; i++) {
        signed.add(name);
      }
    }
    if (m.headers().stream().noneMatch(f -> f.is("from"))) {
      throw new IllegalArgumentException("message has no From field");
    }
    long now = clock.instant().getEpochSecond();
    StringBuilder sb = new StringBuilder("DKIM-Signature: v=1; a=").append(algorithm.tag());
    sb.append("; c=relaxed/relaxed; d=").append(domain).append("; s=").append(selector);
    sb.append(";\r\n\tt=").append(now);
    if (expiry != null) {
      sb.append("; x=").append(now + expiry.toSeconds());
    }
    sb.append(";\r\n\th=");
    int col = 3;
    for (int i = 0; i < signed.size(); i++) {
      String h = signed.get(i) + (i + 1 < signed.size() ? ":" : ";");
      if (col + h.length() > 76) {
        sb.append("\r\n\t ");
        col = 2;
      }
      sb.append(h);
      col += h.length();
    }
    sb.append("\r\n\tbh=")
        .append(Base64.getEncoder().encodeToString(m.bodyHash(spec)))
        .append(";\r\n\tb=");
    String unsigned = sb + "\r\n";
    byte[] data =
        HeaderHash.data(m.headers(), signed, HeaderField.of(unsigned).raw(), /* relaxed= */ true);
    String b;
    try {
      b = Base64.getEncoder().encodeToString(algorithm.sign(key, data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing with a " + key.getAlgorithm() + " key failed", e);
    }
    for (int i = 0; i < b.length(); i += 72) {
      if (i > 0) {
        sb.append("\r\n\t ");
      }
      sb.append(b, i, Math.min(b.length(), i + 72));
    }
    return sb.append("\r\n").toString();
  }

  /** Builds a {@link DkimSigner}. Not thread-safe. */
  public static final class Builder {
    private String domain;
    private String selector;
    private PrivateKey key;
    private List<String> headers = DEFAULT_HEADERS;
    private List<String> oversign = List.of("from");
    private Clock clock = Clock.systemUTC();
    private Duration expiry;
    private int maxHeaderBytes = MailAuthLimits.DEFAULT_MAX_HEADER_BYTES;

    private Builder() {}

    /** d=: the signing domain (required). */
    public Builder domain(String domain) {
      this.domain = Names.domain(requireNonNull(domain, "domain"));
      return this;
    }

    /** s=: the selector (required). */
    public Builder selector(String selector) {
      requireNonNull(selector, "selector");
      if (!selector.matches("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")) {
        throw new IllegalArgumentException("selector " + Names.shorten(selector));
      }
      this.selector = selector;
      return this;
    }

    /** An RSA (2048 bits or more) or Ed25519 private key (required). */
    public Builder privateKey(PrivateKey key) {
      requireNonNull(key, "key");
      SigningAlgorithm.forKey(key);
      if (key instanceof RSAPrivateKey r && r.getModulus().bitLength() < 1024) {
        throw new IllegalArgumentException("RSA key of " + r.getModulus().bitLength() + " bits");
      }
      this.key = key;
      return this;
    }

    /** The field names to sign when present (default {@link #DEFAULT_HEADERS}); must hold from. */
    public Builder headers(List<String> headers) {
      List<String> lower = headers.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
      if (!lower.contains("from")) {
        throw new IllegalArgumentException("signed headers must include from");
      }
      this.headers = lower;
      return this;
    }

    /** The field names signed once more than present (default: from). */
    public Builder oversign(List<String> names) {
      this.oversign = names.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
      return this;
    }

    /** The clock for t= (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** Sets x= this long after t= (default: no x=). */
    public Builder expiry(Duration expiry) {
      if (expiry.isNegative() || expiry.isZero()) {
        throw new IllegalArgumentException("expiry " + expiry);
      }
      this.expiry = expiry;
      return this;
    }

    /** The largest header section accepted (default 1 MiB). */
    public Builder maxHeaderBytes(int max) {
      this.maxHeaderBytes = max;
      return this;
    }

    /** The signer. */
    public DkimSigner build() {
      if (domain == null || selector == null || key == null) {
        throw new IllegalStateException(
            "missing "
                + (domain == null ? "domain" : selector == null ? "selector" : "privateKey"));
      }
      return new DkimSigner(this);
    }
  }
}
