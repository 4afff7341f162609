package org.carbonio.store;

/**
 * What a folder holds, fixed when it is created (Zimbra's folder views: message, appointment,
 * contact, document). Only {@link #MAIL} folders carry special-use roles (RFC 6154) and are what
 * IMAP lists; the other kinds are served by CalDAV, CardDAV and WebDAV.
 *
 * <p>Immutable.
 */
public enum FolderKind {
  /** Mail messages (IMAP). */
  MAIL,
  /** Calendar events and tasks (CalDAV). */
  CALENDAR,
  /** Contacts (CardDAV). */
  CONTACTS,
  /** Files (WebDAV). */
  FILES
}
