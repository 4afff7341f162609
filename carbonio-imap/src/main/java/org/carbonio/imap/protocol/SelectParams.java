package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Immutable: the select parameters of SELECT and EXAMINE (RFC 4466 §2.1): CONDSTORE (RFC 7162
 * §3.1.8) and QRESYNC (RFC 7162 §3.2.5).
 *
 * @param condStore whether {@code (CONDSTORE)} was given
 * @param qresync the QRESYNC parameter, if given
 */
public record SelectParams(boolean condStore, Optional<Qresync> qresync) {
  /** No parameters. */
  public static final SelectParams NONE = new SelectParams(false, Optional.empty());

  public SelectParams {
    requireNonNull(qresync, "qresync");
  }

  /**
   * Immutable: {@code QRESYNC (uidvalidity modseq [known-uids [(seq-match-data)]])}.
   *
   * @param uidValidity the UIDVALIDITY the client last saw
   * @param modSeq the HIGHESTMODSEQ the client last saw (positive)
   * @param knownUids UIDs the client knows, if given
   * @param knownSequences the sequence-set half of the seq-match-data, if given
   * @param knownSequenceUids the UID half of the seq-match-data, if given
   */
  public record Qresync(
      long uidValidity,
      long modSeq,
      Optional<SequenceSet> knownUids,
      Optional<SequenceSet> knownSequences,
      Optional<SequenceSet> knownSequenceUids) {
    public Qresync {
      requireNonNull(knownUids, "knownUids");
      requireNonNull(knownSequences, "knownSequences");
      requireNonNull(knownSequenceUids, "knownSequenceUids");
      if (uidValidity <= 0 || modSeq <= 0) {
        throw new IllegalArgumentException("uidValidity " + uidValidity + ", modSeq " + modSeq);
      }
    }
  }
}
