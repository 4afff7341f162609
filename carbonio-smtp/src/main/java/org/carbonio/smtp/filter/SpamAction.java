package org.carbonio.smtp.filter;

/** What to do with a message the spam scanner scores at or above the threshold. Immutable. */
public enum SpamAction {
  /** Deliver it to the inbox with {@code X-Spam-Flag: YES}. The default. */
  TAG,
  /** Deliver it, tagged, to the recipient's Junk folder. */
  JUNK,
  /** Accept it and hold it in quarantine with the reason; it is not delivered. */
  QUARANTINE,
  /** Refuse it: {@code 550 5.7.1 Message rejected as spam}. */
  REJECT
}
