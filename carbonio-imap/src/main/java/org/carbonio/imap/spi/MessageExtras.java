package org.carbonio.imap.spi;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * Immutable: per-message facts beyond {@link MessageMeta} that only some backends keep: the object
 * ids of RFC 8474 and the save date of RFC 8514.
 *
 * @param uid the message UID (positive)
 * @param emailId the EMAILID (RFC 8474 §5.1): 1 to 255 of {@code A-Z a-z 0-9 _ -}, the same for a
 *     message and its copies; empty to let the engine derive one from the content
 * @param threadId the THREADID (RFC 8474 §5.2), same syntax; empty when the backend has no threads
 * @param saveDate when the message was saved into this mailbox (RFC 8514 §2); empty when unknown
 */
public record MessageExtras(
    long uid, Optional<String> emailId, Optional<String> threadId, Optional<Instant> saveDate) {
  public MessageExtras {
    if (uid <= 0) throw new IllegalArgumentException("uid " + uid);
    requireNonNull(emailId, "emailId");
    requireNonNull(threadId, "threadId");
    requireNonNull(saveDate, "saveDate");
    emailId.ifPresent(MessageExtras::checkObjectId);
    threadId.ifPresent(MessageExtras::checkObjectId);
  }

  /**
   * Checks the RFC 8474 §7 {@code objectid} syntax.
   *
   * @throws IllegalArgumentException when {@code id} is not an objectid
   */
  public static String checkObjectId(String id) {
    if (!isObjectId(id)) {
      throw new IllegalArgumentException("not an objectid: " + id.length() + " chars");
    }
    return id;
  }

  /** Whether {@code id} is 1 to 255 of {@code A-Z a-z 0-9 _ -} (RFC 8474 §7). */
  public static boolean isObjectId(String id) {
    if (id == null || id.isEmpty() || id.length() > 255) return false;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-';
      if (!ok) return false;
    }
    return true;
  }
}
