package org.carbonio.directory;

/**
 * Lifecycle state of an account: whether it can log in, and what happens to mail for it (as in
 * Zimbra and Carbonio).
 *
 * <p>Immutable.
 */
public enum AccountStatus {
  /** Normal state: logs in, receives mail. */
  ACTIVE,
  /** Administratively locked: logins are refused; mail is still delivered. */
  LOCKED,
  /** Under maintenance (a migration, a restore): logins are refused; mail is deferred (4xx). */
  MAINTENANCE,
  /** Closed: logins are refused; mail is rejected (5xx). */
  CLOSED;

  /** Whether the account can authenticate. */
  public boolean canLogIn() {
    return this == ACTIVE;
  }

  /** What a receiving MTA does with mail for the account. */
  public MailDisposition mail() {
    return switch (this) {
      case ACTIVE, LOCKED -> MailDisposition.DELIVER;
      case MAINTENANCE -> MailDisposition.DEFER;
      case CLOSED -> MailDisposition.REJECT;
    };
  }

  /** What happens to mail for an account, by its status. */
  public enum MailDisposition {
    /** Accept and deliver. */
    DELIVER,
    /** Refuse temporarily (SMTP 450 4.2.1), so the sender retries later. */
    DEFER,
    /** Refuse permanently (SMTP 550 5.2.1). */
    REJECT
  }
}
