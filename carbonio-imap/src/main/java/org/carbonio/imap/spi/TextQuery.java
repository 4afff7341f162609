package org.carbonio.imap.spi;

import static java.util.Objects.requireNonNull;

/**
 * Immutable: one SEARCH BODY or TEXT key (RFC 3501 §6.4.4) that a backend with a full-text index
 * may answer, see {@link UserMailboxes#searchText}. A record so that it can gain fields.
 *
 * @param mailbox the selected mailbox
 * @param scope what the text must occur in
 * @param text the string, as the client sent it (not case-folded)
 */
public record TextQuery(String mailbox, Scope scope, String text) {
  public TextQuery {
    requireNonNull(mailbox, "mailbox");
    requireNonNull(scope, "scope");
    requireNonNull(text, "text");
  }

  /** Where the text is looked for. */
  public enum Scope {
    /** BODY: the body (decoded text parts). */
    BODY,
    /** TEXT: the header fields and the body. */
    TEXT
  }
}
