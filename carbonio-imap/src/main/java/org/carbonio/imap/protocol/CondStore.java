package org.carbonio.imap.protocol;

import java.util.List;
import java.util.Locale;

/**
 * The CONDSTORE and QRESYNC state of one session (RFC 7162). CONDSTORE is enabled by ENABLE or
 * implicitly by the first CONDSTORE-enabling command (§3.1: SELECT/EXAMINE (CONDSTORE), STATUS
 * HIGHESTMODSEQ, FETCH MODSEQ or CHANGEDSINCE, SEARCH MODSEQ, STORE UNCHANGEDSINCE); QRESYNC only
 * by ENABLE (§3.2.3), and it implies CONDSTORE. Neither is ever disabled.
 *
 * <p>Not thread-safe: confine to one connection.
 */
public final class CondStore {
  /** The capability names this class owns, as advertised. */
  public static final List<String> CAPABILITIES = List.of("CONDSTORE", "QRESYNC");

  private boolean condStore;
  private boolean qresync;

  /**
   * Enables {@code capability} (case-insensitive) if it is CONDSTORE or QRESYNC.
   *
   * @return true when this call enabled it, false when it was enabled already or is not one of
   *     {@link #CAPABILITIES} (RFC 5161 §3.1: ENABLED lists only what the command enabled)
   */
  public boolean enable(String capability) {
    switch (capability.toUpperCase(Locale.ROOT)) {
      case "CONDSTORE" -> {
        boolean was = condStore;
        condStore = true;
        return !was;
      }
      case "QRESYNC" -> {
        boolean was = qresync;
        qresync = true;
        condStore = true; // RFC 7162 §3.2.3: ENABLE QRESYNC implies CONDSTORE
        return !was;
      }
      default -> {
        return false;
      }
    }
  }

  /** Forgets what was enabled (UNAUTHENTICATE, RFC 8437 §3). */
  public void reset() {
    condStore = false;
    qresync = false;
  }

  /** Whether CONDSTORE is enabled: FETCH responses then carry MODSEQ (RFC 7162 §3.1). */
  public boolean condStore() {
    return condStore;
  }

  /** Whether QRESYNC is enabled: expunges are then reported as VANISHED (RFC 7162 §3.2.10). */
  public boolean qresync() {
    return qresync;
  }
}
