package org.carbonio.store;

/**
 * The store's one exception family. Unchecked, so that {@link Mailbox} methods read like plain
 * calls; callers that map store errors to protocol replies switch over the five subclasses.
 *
 * <p>Immutable.
 */
public abstract sealed class StoreException extends RuntimeException
    permits StoreException.NotFound,
        StoreException.AlreadyExists,
        StoreException.Invalid,
        StoreException.Unavailable,
        StoreException.OverQuota {

  private StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The account, folder or message does not exist (IMAP: NO [NONEXISTENT] or [TRYCREATE]). */
  public static final class NotFound extends StoreException {
    /** Creates the exception with a message naming what is missing. */
    public NotFound(String message) {
      super(message, null);
    }
  }

  /** The folder already exists (IMAP: NO [ALREADYEXISTS]). */
  public static final class AlreadyExists extends StoreException {
    /** Creates the exception with a message naming the existing folder. */
    public AlreadyExists(String message) {
      super(message, null);
    }
  }

  /** A name, flag or argument is not acceptable (IMAP: BAD or NO [CANNOT]). */
  public static final class Invalid extends StoreException {
    /** Creates the exception with a message naming the bad value. */
    public Invalid(String message) {
      super(message, null);
    }
  }

  /** The store could not complete the operation: I/O or database failure, or store closed. */
  public static final class Unavailable extends StoreException {
    /** Creates the exception with a message and the underlying cause (may be null). */
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * The write would take an account over its storage limit (RFC 9208 §5; IMAP: NO [OVERQUOTA],
   * SMTP: 552 5.2.2). Nothing was changed.
   */
  public static final class OverQuota extends StoreException {
    private final String accountId;

    /** Creates the exception for an account, with a message giving usage and limit. */
    public OverQuota(String accountId, String message) {
      super(message, null);
      this.accountId = accountId;
    }

    /** The account that is over its limit (for a multi-account delivery, the first one found). */
    public String accountId() {
      return accountId;
    }
  }

  /**
   * Returns {@code value} quoted for an error message: at most 80 characters, control characters
   * escaped.
   */
  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder(Math.min(value.length(), 80) + 8).append('"');
    for (int i = 0; i < value.length(); i++) {
      if (i == 80) {
        sb.append("...");
        break;
      }
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
