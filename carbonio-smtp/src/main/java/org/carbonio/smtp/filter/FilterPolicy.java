package org.carbonio.smtp.filter;

import static java.util.Objects.requireNonNull;

/**
 * The content-filter policy of one recipient domain. Immutable; derive variants with the {@code
 * with*} methods from {@link #DEFAULTS}.
 *
 * <table>
 * <caption>Defaults</caption>
 * <tr><th>component</th><th>default</th></tr>
 * <tr><td>{@code scanVirus}, {@code scanSpam}</td><td>true, true</td></tr>
 * <tr><td>{@code virusAction}</td><td>{@link VirusAction#REJECT}</td></tr>
 * <tr><td>{@code virusFailMode}</td><td>{@link FailMode#FAIL_CLOSED}: 451 4.7.1 while clamd is
 *     down</td></tr>
 * <tr><td>{@code virusOversize}</td><td>{@link OversizeAction#SKIP}</td></tr>
 * <tr><td>{@code spamAction}</td><td>{@link SpamAction#TAG}</td></tr>
 * <tr><td>{@code spamThreshold}</td><td>NaN: the daemon's own {@code required_score} (5.0)</td></tr>
 * <tr><td>{@code spamRejectScore}</td><td>+Infinity: never</td></tr>
 * <tr><td>{@code spamFailMode}</td><td>{@link FailMode#FAIL_OPEN}: deliver unscanned while spamd is
 *     down</td></tr>
 * </table>
 *
 * @param scanVirus whether this domain's mail is scanned for viruses
 * @param virusAction what to do when a virus is found
 * @param virusFailMode what to do when the virus scanner fails
 * @param virusOversize what to do when the message is larger than the virus scanner's limit
 * @param scanSpam whether this domain's mail is checked for spam
 * @param spamAction what to do when the score reaches the threshold
 * @param spamThreshold the score from which a message is spam, or NaN to use the scanner's verdict
 * @param spamRejectScore the score from which a message is refused whatever {@code spamAction} says
 *     ({@code +Infinity}: never)
 * @param spamFailMode what to do when the spam scanner fails
 */
public record FilterPolicy(
    boolean scanVirus,
    VirusAction virusAction,
    FailMode virusFailMode,
    OversizeAction virusOversize,
    boolean scanSpam,
    SpamAction spamAction,
    double spamThreshold,
    double spamRejectScore,
    FailMode spamFailMode) {

  /** The defaults listed above. */
  public static final FilterPolicy DEFAULTS =
      new FilterPolicy(
          true,
          VirusAction.REJECT,
          FailMode.FAIL_CLOSED,
          OversizeAction.SKIP,
          true,
          SpamAction.TAG,
          Double.NaN,
          Double.POSITIVE_INFINITY,
          FailMode.FAIL_OPEN);

  /** Checks the components. */
  public FilterPolicy {
    requireNonNull(virusAction, "virusAction");
    requireNonNull(virusFailMode, "virusFailMode");
    requireNonNull(virusOversize, "virusOversize");
    requireNonNull(spamAction, "spamAction");
    requireNonNull(spamFailMode, "spamFailMode");
    if (Double.isNaN(spamRejectScore)) {
      throw new IllegalArgumentException("spamRejectScore is NaN (use +Infinity for never)");
    }
    if (Double.isInfinite(spamThreshold)) {
      throw new IllegalArgumentException("spamThreshold " + spamThreshold);
    }
  }

  /** Whether a message with this score is spam for this policy. */
  public boolean isSpam(SpamScanResult.Scored scored) {
    return Double.isNaN(spamThreshold) ? scored.spam() : scored.score() >= spamThreshold;
  }

  /** The threshold shown in {@code X-Spam-Status: ... required=}. */
  public double effectiveThreshold(SpamScanResult.Scored scored) {
    return Double.isNaN(spamThreshold) ? scored.threshold() : spamThreshold;
  }

  /** This policy with another {@code scanVirus}. */
  public FilterPolicy withScanVirus(boolean v) {
    return new FilterPolicy(
        v,
        virusAction,
        virusFailMode,
        virusOversize,
        scanSpam,
        spamAction,
        spamThreshold,
        spamRejectScore,
        spamFailMode);
  }

  /** This policy with another {@code virusAction}. */
  public FilterPolicy withVirusAction(VirusAction v) {
    return new FilterPolicy(
        scanVirus,
        v,
        virusFailMode,
        virusOversize,
        scanSpam,
        spamAction,
        spamThreshold,
        spamRejectScore,
        spamFailMode);
  }

  /** This policy with another {@code virusFailMode}. */
  public FilterPolicy withVirusFailMode(FailMode v) {
    return new FilterPolicy(
        scanVirus,
        virusAction,
        v,
        virusOversize,
        scanSpam,
        spamAction,
        spamThreshold,
        spamRejectScore,
        spamFailMode);
  }

  /** This policy with another {@code virusOversize}. */
  public FilterPolicy withVirusOversize(OversizeAction v) {
    return new FilterPolicy(
        scanVirus,
        virusAction,
        virusFailMode,
        v,
        scanSpam,
        spamAction,
        spamThreshold,
        spamRejectScore,
        spamFailMode);
  }

  /** This policy with another {@code scanSpam}. */
  public FilterPolicy withScanSpam(boolean v) {
    return new FilterPolicy(
        scanVirus,
        virusAction,
        virusFailMode,
        virusOversize,
        v,
        spamAction,
        spamThreshold,
        spamRejectScore,
        spamFailMode);
  }

  /** This policy with another {@code spamAction}. */
  public FilterPolicy withSpamAction(SpamAction v) {
    return new FilterPolicy(
        scanVirus,
        virusAction,
        virusFailMode,
        virusOversize,
        scanSpam,
        v,
        spamThreshold,
        spamRejectScore,
        spamFailMode);
  }

  /** This policy with another {@code spamThreshold} (NaN: the scanner's). */
  public FilterPolicy withSpamThreshold(double v) {
    return new FilterPolicy(
        scanVirus,
        virusAction,
        virusFailMode,
        virusOversize,
        scanSpam,
        spamAction,
        v,
        spamRejectScore,
        spamFailMode);
  }

  /** This policy with another {@code spamRejectScore} ({@code +Infinity}: never). */
  public FilterPolicy withSpamRejectScore(double v) {
    return new FilterPolicy(
        scanVirus,
        virusAction,
        virusFailMode,
        virusOversize,
        scanSpam,
        spamAction,
        spamThreshold,
        v,
        spamFailMode);
  }

  /** This policy with another {@code spamFailMode}. */
  public FilterPolicy withSpamFailMode(FailMode v) {
    return new FilterPolicy(
        scanVirus,
        virusAction,
        virusFailMode,
        virusOversize,
        scanSpam,
        spamAction,
        spamThreshold,
        spamRejectScore,
        v);
  }
}
