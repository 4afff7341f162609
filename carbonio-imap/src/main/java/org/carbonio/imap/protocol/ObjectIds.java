package org.carbonio.imap.protocol;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.MessageExtras;

/**
 * Looks up {@link MessageExtras} (OBJECTID, SAVEDATE) for commands that visit messages in ascending
 * order: on a miss it asks the backend for a window of the next {@value #WINDOW} messages, so a
 * FETCH or SEARCH of a whole mailbox costs one backend call per window.
 *
 * <p>Not thread-safe: one instance per command.
 */
final class ObjectIds {
  /** Messages looked up per backend call. */
  static final int WINDOW = 1000;

  /** Loads the extras of the UIDs between two bounds into a map. */
  @FunctionalInterface
  interface Loader {
    void load(long fromUid, long toUid, Map<Long, MessageExtras> into) throws BackendException;
  }

  /** Maps a message index (0-based) to its UID in the selected mailbox. */
  @FunctionalInterface
  interface Uids {
    long uid(int index);
  }

  private final Loader loader;
  private final Uids uids;
  private final int size;
  private final Map<Long, MessageExtras> window = new HashMap<>();
  private long windowFrom = 1;
  private long windowTo = 0;

  ObjectIds(Loader loader, Uids uids, int size) {
    this.loader = loader;
    this.uids = uids;
    this.size = size;
  }

  /** The extras of the message at {@code index}, or null when the backend has none. */
  MessageExtras get(int index) throws BackendException {
    long uid = uids.uid(index);
    if (uid < windowFrom || uid > windowTo) {
      window.clear();
      windowFrom = uid;
      windowTo = uids.uid(Math.min(size - 1, index + WINDOW - 1));
      loader.load(windowFrom, windowTo, window);
    }
    return window.get(uid);
  }

  /**
   * The EMAILID derived from a message's content when the backend keeps none: {@code M} and the
   * first 24 hex digits of its SHA-256 (as Cyrus derives it from its content GUID), so copies of a
   * message share it (RFC 8474 §5.1).
   */
  static String emailIdOf(byte[] content) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(content);
      return "M" + HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
