package org.carbonio.smtp.mailauth;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.carbonio.smtp.internal.mailauth.HeaderField;
import org.carbonio.smtp.internal.mailauth.HeaderHash;
import org.carbonio.smtp.internal.mailauth.MessageHeaders;

/**
 * Writes and polices the Authentication-Results header field (RFC 8601). Immutable (static methods
 * only).
 *
 * <p>{@link #format} writes one field with a resinfo per method: {@code spf} with {@code
 * smtp.mailfrom} or {@code smtp.helo}, one {@code dkim} per signature with {@code header.d}, {@code
 * header.s} and {@code header.b} (RFC 6008), {@code arc}, and {@code dmarc} with {@code
 * header.from}, the published and applied policies in a comment as OpenDMARC writes them ({@code
 * (p=reject dis=quarantine)}). Values that are not RFC 2045 tokens are quoted (RFC 8601 §2.2).
 *
 * <p>RFC 8601 §5: a receiving border MTA must remove, or ignore, fields that claim its own
 * authserv-id before it adds its own; {@link #claims} recognises them and {@link #removeClaiming}
 * copies a message without them.
 *
 * {@snippet :
 * String field = AuthenticationResults.format("mx.example.org", spf, "alice@example.com",
 *     dkimResults, arcResult, dmarcResult);
 * // "Authentication-Results: mx.example.org;\r\n\tspf=pass smtp.mailfrom=alice@example.com;..."
 * }
 */
public final class AuthenticationResults {
  private AuthenticationResults() {}

  /**
   * The whole field, folded, ending with CRLF.
   *
   * @param authservId our host name (RFC 8601 §2.5)
   * @param spf the SPF result, or null to leave SPF out
   * @param smtpIdentity the checked MAIL FROM address (or the HELO name for a HELO check)
   * @param dkim the DKIM results; empty gives {@code dkim=none}
   * @param arc the ARC result, or null to leave ARC out
   * @param dmarc the DMARC result, or null to leave DMARC out
   */
  public static String format(
      String authservId,
      SpfResult spf,
      String smtpIdentity,
      List<DkimResult> dkim,
      ArcResult arc,
      DmarcResult dmarc) {
    requireNonNull(authservId, "authservId");
    requireNonNull(dkim, "dkim");
    List<String> parts = new ArrayList<>();
    if (spf != null) {
      StringBuilder sb = new StringBuilder("spf=").append(spf.result().keyword());
      reason(sb, spf.result() == SpfResult.Result.PASS ? null : spf.explanation());
      String id = smtpIdentity == null || smtpIdentity.isBlank() ? spf.domain() : smtpIdentity;
      if (!id.isEmpty()) {
        sb.append(spf.identity() == SpfResult.Identity.HELO ? " smtp.helo=" : " smtp.mailfrom=")
            .append(value(id));
      }
      parts.add(sb.toString());
    }
    if (dkim.isEmpty()) {
      parts.add("dkim=none");
    }
    for (DkimResult d : dkim) {
      StringBuilder sb = new StringBuilder("dkim=").append(d.result().keyword());
      reason(sb, d.reason());
      if (!d.domain().isEmpty()) {
        sb.append(" header.d=").append(value(d.domain()));
      }
      if (!d.selector().isEmpty()) {
        sb.append(" header.s=").append(value(d.selector()));
      }
      if (!d.signature().isEmpty()) {
        sb.append(" header.b=").append(value(d.headerB()));
      }
      parts.add(sb.toString());
    }
    if (arc != null) {
      StringBuilder sb = new StringBuilder("arc=").append(arc.result().keyword());
      if (arc.instances() > 0) {
        sb.append(" (i=").append(arc.instances());
        if (!arc.domain().isEmpty()) {
          sb.append(" d=").append(comment(arc.domain()));
        }
        sb.append(')');
      }
      reason(sb, arc.reason());
      parts.add(sb.toString());
    }
    if (dmarc != null) {
      StringBuilder sb = new StringBuilder("dmarc=").append(dmarc.result().keyword());
      if (dmarc.result() == DmarcResult.Result.PASS || dmarc.result() == DmarcResult.Result.FAIL) {
        sb.append(" (p=")
            .append(dmarc.policy().keyword())
            .append(" dis=")
            .append(dmarc.disposition().keyword())
            .append(')');
      }
      reason(sb, dmarc.reason());
      if (!dmarc.domain().isEmpty()) {
        sb.append(" header.from=").append(value(dmarc.domain()));
      }
      parts.add(sb.toString());
    }
    StringBuilder out = new StringBuilder("Authentication-Results: ").append(value(authservId));
    for (String p : parts) {
      out.append(";\r\n\t").append(p);
    }
    return out.append("\r\n").toString();
  }

  private static void reason(StringBuilder sb, String reason) {
    if (reason != null && !reason.isBlank()) {
      sb.append(" reason=").append(quoted(reason)); // RFC 8601 §2.2 reasonspec
    }
  }

  /**
   * A pvalue (RFC 8601 §2.2): as is when it is a token or local-part@domain of atom characters,
   * else a quoted-string.
   */
  static String value(String v) {
    if (!v.isEmpty() && v.matches("[A-Za-z0-9!#$%&'*+\\-.^_`{|}~]+(@[A-Za-z0-9.\\-]+)?")) {
      return v;
    }
    return quoted(v);
  }

  private static String quoted(String v) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : v.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        sb.append('?'); // the field is ASCII; keep it one line
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  private static String comment(String v) {
    return v.replaceAll("[()\\\\\\x00-\\x1f\\x7f-\\uffff]", "?");
  }

  /**
   * True when an Authentication-Results field body names {@code authservId} (case-insensitive),
   * i.e. claims to come from us (RFC 8601 §5).
   */
  public static boolean claims(String fieldValue, String authservId) {
    String id = authservId(fieldValue);
    return id != null && id.equalsIgnoreCase(authservId.strip());
  }

  /** The authserv-id of a field body: CFWS skipped, a token or quoted-string; null if none. */
  static String authservId(String v) {
    int i = 0;
    int n = v.length();
    while (i < n) {
      char c = v.charAt(i);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        i++;
      } else if (c == '(') {
        int depth = 0;
        for (; i < n; i++) {
          char d = v.charAt(i);
          if (d == '\\') {
            i++;
          } else if (d == '(') {
            depth++;
          } else if (d == ')' && --depth == 0) {
            i++;
            break;
          }
        }
      } else {
        break;
      }
    }
    if (i >= n) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    if (v.charAt(i) == '"') {
      for (i++; i < n && v.charAt(i) != '"'; i++) {
        if (v.charAt(i) == '\\' && i + 1 < n) {
          i++;
        }
        sb.append(v.charAt(i));
      }
      return sb.toString();
    }
    for (; i < n; i++) {
      char c = v.charAt(i);
      if (c == ';' || c == ' ' || c == '\t' || c == '(' || c == '\r' || c == '\n') {
        break;
      }
      sb.append(c);
    }
    return sb.isEmpty() ? null : sb.toString();
  }

  /**
   * Copies a message without the Authentication-Results fields that claim {@code authservId} (RFC
   * 8601 §5). The body is streamed; the header section may have at most {@code maxHeaderBytes}.
   *
   * @return the number of fields removed
   */
  public static int removeClaiming(
      InputStream message, OutputStream out, String authservId, int maxHeaderBytes)
      throws IOException {
    InputStream in =
        message instanceof BufferedInputStream ? message : new BufferedInputStream(message, 16384);
    List<HeaderField> fields = MessageHeaders.read(in, maxHeaderBytes);
    int removed = 0;
    for (HeaderField f : fields) {
      if (f.is("Authentication-Results") && claims(f.value(), authservId)) {
        removed++;
        continue;
      }
      out.write(HeaderHash.latin1(f.raw()));
    }
    out.write(new byte[] {'\r', '\n'});
    in.transferTo(out);
    return removed;
  }
}
