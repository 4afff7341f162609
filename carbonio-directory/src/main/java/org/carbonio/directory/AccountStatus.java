package org.carbonio.directory;

/**
 * Lifecycle state of an account. Only {@link #ACTIVE} accounts can authenticate; the others still
 * receive mail (a later version may differ for {@link #CLOSED}).
 *
 * <p>Immutable.
 */
public enum AccountStatus {
  /** Normal state: the account can log in. */
  ACTIVE,
  /** Administratively locked: logins are refused. */
  LOCKED,
  /** Closed: logins are refused. */
  CLOSED
}
