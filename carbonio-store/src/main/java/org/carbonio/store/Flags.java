package org.carbonio.store;

/**
 * Names of the IMAP system flags (RFC 9051 §2.3.2). System flags are matched case-insensitively and
 * stored in the spelling below; keywords are stored exactly as given.
 *
 * <p>Immutable.
 */
public final class Flags {
  /** Message has been read. */
  public static final String SEEN = "\\Seen";

  /** Message has been answered. */
  public static final String ANSWERED = "\\Answered";

  /** Message is flagged for urgent/special attention. */
  public static final String FLAGGED = "\\Flagged";

  /** Message is marked for removal by a later expunge. */
  public static final String DELETED = "\\Deleted";

  /** Message has not completed composition. */
  public static final String DRAFT = "\\Draft";

  private Flags() {}
}
