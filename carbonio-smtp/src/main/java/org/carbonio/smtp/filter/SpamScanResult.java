package org.carbonio.smtp.filter;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a spam check found. A {@link SpamScanner} returns {@link Scored} or {@link TooLarge} and
 * throws {@link java.io.IOException} when it cannot check; {@link ContentFilter} turns that
 * exception into {@link Failed} and records {@link NotScanned} when no recipient's policy asked for
 * a check. Immutable.
 */
public sealed interface SpamScanResult {

  /**
   * The scanner's score ({@code Spam: True ; 1003.3 / 5.0}).
   *
   * @param spam the scanner's own verdict: {@code score >= threshold}
   * @param score the message's score
   * @param threshold the scanner's required score
   * @param symbols the names of the rules that hit, e.g. {@code GTUBE}
   */
  record Scored(boolean spam, double score, double threshold, List<String> symbols)
      implements SpamScanResult {
    /** Copies the list; scores must be numbers. */
    public Scored {
      symbols = List.copyOf(symbols);
      if (Double.isNaN(score) || Double.isNaN(threshold)) {
        throw new IllegalArgumentException("score " + score + " / " + threshold);
      }
    }
  }

  /**
   * Not checked because the message is larger than the check limit (like spamc, which passes such
   * messages through unchecked).
   *
   * @param size the message size in bytes
   * @param limit the client's limit
   */
  record TooLarge(long size, long limit) implements SpamScanResult {}

  /**
   * The scanner could not be reached, timed out or answered with an error.
   *
   * @param error what went wrong
   */
  record Failed(String error) implements SpamScanResult {
    /** Checks the component. */
    public Failed {
      requireNonNull(error, "error");
    }
  }

  /** No check: no scanner configured, or no recipient's policy asked for one. */
  record NotScanned() implements SpamScanResult {}
}
