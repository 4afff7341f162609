package org.carbonio.directory;

/**
 * Why a directory operation was refused. One small sealed family: match on the subclass.
 *
 * <p>Immutable.
 */
public abstract sealed class DirectoryException extends Exception
    permits DirectoryException.NotFound,
        DirectoryException.Conflict,
        DirectoryException.UnknownDomain,
        DirectoryException.Invalid,
        DirectoryException.Forbidden,
        DirectoryException.Unavailable {

  DirectoryException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The named domain or account does not exist. Immutable. */
  public static final class NotFound extends DirectoryException {
    public NotFound(String message) {
      super(message, null);
    }
  }

  /** The object exists already, or its state forbids the change. Immutable. */
  public static final class Conflict extends DirectoryException {
    public Conflict(String message) {
      super(message, null);
    }
  }

  /** An address names a domain that is not local. Immutable. */
  public static final class UnknownDomain extends DirectoryException {
    public UnknownDomain(String message) {
      super(message, null);
    }
  }

  /** A name or password does not meet the syntax or policy. Immutable. */
  public static final class Invalid extends DirectoryException {
    public Invalid(String message) {
      super(message, null);
    }
  }

  /** The caller's roles do not allow the operation ({@link Provisioning}). Immutable. */
  public static final class Forbidden extends DirectoryException {
    public Forbidden(String message) {
      super(message, null);
    }
  }

  /** The directory could not complete the change (I/O failure, closed). Immutable. */
  public static final class Unavailable extends DirectoryException {
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
