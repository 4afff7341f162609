package org.carbonio.smtp.mailauth;

/**
 * Bounds on the work one message can cause. Immutable.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>limit</th><th>default</th></tr>
 *   <tr><td>maxHeaderBytes</td><td>{@value #DEFAULT_MAX_HEADER_BYTES}</td></tr>
 *   <tr><td>maxSignatures</td><td>{@value #DEFAULT_MAX_SIGNATURES}</td></tr>
 *   <tr><td>minRsaBits</td><td>{@value #DEFAULT_MIN_RSA_BITS}</td></tr>
 * </table>
 *
 * @param maxHeaderBytes the largest header section read; a larger one gives permerror results
 * @param maxSignatures DKIM signatures checked per message; later ones are reported as permerror
 * @param minRsaBits the shortest RSA key a signature may use (RFC 8301 §3.2)
 */
public record MailAuthLimits(int maxHeaderBytes, int maxSignatures, int minRsaBits) {
  /** 1 MiB. */
  public static final int DEFAULT_MAX_HEADER_BYTES = 1 << 20;

  /** 10 signatures. */
  public static final int DEFAULT_MAX_SIGNATURES = 10;

  /** 1024 bits. */
  public static final int DEFAULT_MIN_RSA_BITS = 1024;

  /** The defaults. */
  public static final MailAuthLimits DEFAULTS =
      new MailAuthLimits(DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_SIGNATURES, DEFAULT_MIN_RSA_BITS);

  /** Checks the components. */
  public MailAuthLimits {
    if (maxHeaderBytes < 1024 || maxSignatures < 1 || minRsaBits < 512) {
      throw new IllegalArgumentException(
          "limits " + maxHeaderBytes + "/" + maxSignatures + "/" + minRsaBits);
    }
  }

  /** A copy with another header limit. */
  public MailAuthLimits withMaxHeaderBytes(int n) {
    return new MailAuthLimits(n, maxSignatures, minRsaBits);
  }

  /** A copy with another signature limit. */
  public MailAuthLimits withMaxSignatures(int n) {
    return new MailAuthLimits(maxHeaderBytes, n, minRsaBits);
  }

  /** A copy with another RSA minimum. */
  public MailAuthLimits withMinRsaBits(int n) {
    return new MailAuthLimits(maxHeaderBytes, maxSignatures, n);
  }
}
