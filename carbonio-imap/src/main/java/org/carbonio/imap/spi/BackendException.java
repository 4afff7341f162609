package org.carbonio.imap.spi;

/**
 * A backend's refusal. The session maps each subtype to one tagged NO reply (RFC 5530 codes). Built
 * without a writable stack trace: these are expected outcomes, not bugs.
 */
public abstract sealed class BackendException extends Exception
    permits BackendException.NotFound,
        BackendException.AlreadyExists,
        BackendException.Invalid,
        BackendException.Unavailable,
        BackendException.OverQuota,
        BackendException.NoPermission {

  private BackendException(String message) {
    super(message, null, false, false);
  }

  /** The mailbox or message does not exist: {@code NO [NONEXISTENT]} (or TRYCREATE). */
  public static final class NotFound extends BackendException {
    public NotFound(String message) {
      super(message);
    }
  }

  /** The mailbox already exists: {@code NO [ALREADYEXISTS]}. */
  public static final class AlreadyExists extends BackendException {
    public AlreadyExists(String message) {
      super(message);
    }
  }

  /** The request is not possible (bad name, INBOX delete, ...): {@code NO [CANNOT]}. */
  public static final class Invalid extends BackendException {
    public Invalid(String message) {
      super(message);
    }
  }

  /** Storage is temporarily unavailable or over quota: {@code NO [UNAVAILABLE]}. */
  public static final class Unavailable extends BackendException {
    public Unavailable(String message) {
      super(message);
    }
  }

  /** The write would exceed a quota (RFC 9208 §4.3): {@code NO [OVERQUOTA]}. */
  public static final class OverQuota extends BackendException {
    public OverQuota(String message) {
      super(message);
    }
  }

  /** The user lacks a right for the operation (RFC 4314, RFC 5530): {@code NO [NOPERM]}. */
  public static final class NoPermission extends BackendException {
    public NoPermission(String message) {
      super(message);
    }
  }
}
