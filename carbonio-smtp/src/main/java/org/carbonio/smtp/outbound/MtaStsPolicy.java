package org.carbonio.smtp.outbound;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An MTA-STS policy (RFC 8461 §3.2). Immutable.
 *
 * @param mode what a sender does when TLS to a matching MX cannot be verified
 * @param mx the MX patterns, e.g. {@code mx.example.com} or {@code *.example.net}
 * @param maxAge how long the policy may be cached (at most 31557600 s, RFC 8461 §3.2)
 */
public record MtaStsPolicy(Mode mode, List<String> mx, Duration maxAge) {

  /** The largest {@code max_age} honoured (RFC 8461 §3.2). */
  public static final long MAX_AGE_LIMIT = 31_557_600L;

  /** The {@code mode} field. */
  public enum Mode {
    /** Deliver only to matching MX hosts over TLS with a valid certificate. */
    ENFORCE,
    /** Report failures but deliver anyway. */
    TESTING,
    /** No policy. */
    NONE
  }

  /** Checks the components. */
  public MtaStsPolicy {
    requireNonNull(mode, "mode");
    // RFC 8461 §4.1: names compare case-insensitively; the host is lower-cased in matches()
    mx = mx.stream().map(MtaStsPolicy::normalize).toList();
    requireNonNull(maxAge, "maxAge");
  }

  /**
   * Parses a policy body: {@code key: value} lines ending in CRLF or LF; unknown keys are ignored.
   *
   * @return the policy, or empty when the version, mode, max_age or (unless mode is none) an mx
   *     pattern is missing or invalid
   */
  public static Optional<MtaStsPolicy> parse(String body) {
    String version = null;
    Mode mode = null;
    Long maxAge = null;
    List<String> mx = new ArrayList<>();
    for (String raw : body.split("\r?\n")) {
      int colon = raw.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String key = raw.substring(0, colon).strip();
      String value = raw.substring(colon + 1).strip();
      switch (key) {
        case "version" -> version = value;
        case "mode" -> {
          switch (value) {
            case "enforce" -> mode = Mode.ENFORCE;
            case "testing" -> mode = Mode.TESTING;
            case "none" -> mode = Mode.NONE;
            default -> {
              return Optional.empty();
            }
          }
        }
        case "max_age" -> {
          if (!value.matches("\\d{1,10}")) {
            return Optional.empty();
          }
          maxAge = Math.min(Long.parseLong(value), MAX_AGE_LIMIT);
        }
        case "mx" -> mx.add(value);
        default -> {
          // RFC 8461 §3.2: unknown fields are ignored
        }
      }
    }
    if (!"STSv1".equals(version) || mode == null || maxAge == null) {
      return Optional.empty();
    }
    if (mx.isEmpty() && mode != Mode.NONE) {
      return Optional.empty();
    }
    return Optional.of(new MtaStsPolicy(mode, mx, Duration.ofSeconds(maxAge)));
  }

  /**
   * True when {@code host} matches an {@code mx} pattern (RFC 8461 §4.1): exactly, or a {@code *.}
   * pattern standing for exactly one leftmost label.
   */
  public boolean matches(String host) {
    String h = normalize(host);
    for (String p : mx) {
      if (p.startsWith("*.")) {
        int dot = h.indexOf('.');
        if (dot > 0 && h.substring(dot + 1).equals(p.substring(2))) {
          return true;
        }
      } else if (p.equals(h)) {
        return true;
      }
    }
    return false;
  }

  private static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }
}
