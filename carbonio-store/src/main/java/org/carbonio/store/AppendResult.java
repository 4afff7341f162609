package org.carbonio.store;

/**
 * Where an appended message landed, for APPENDUID (RFC 4315 §3).
 *
 * <p>Immutable.
 *
 * @param uidValidity the folder's UIDVALIDITY
 * @param uid the message's UID
 */
public record AppendResult(long uidValidity, long uid) {
  /** Validates the fields. */
  public AppendResult {
    if (uidValidity < 1 || uid < 1) {
      throw new IllegalArgumentException("uidValidity " + uidValidity + ", uid " + uid);
    }
  }
}
