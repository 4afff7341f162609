package org.carbonio.smtp.filter;

/**
 * What happens to one recipient's copy of a message, from mildest to most severe (the order {@link
 * ContentFilter} uses to combine the virus and the spam decision). Immutable.
 */
public enum FilterAction {
  /** Deliver to the inbox, with the headers of the verdict prepended. */
  DELIVER,
  /** Deliver to the Junk folder, with the headers prepended. */
  JUNK,
  /** Accept, but hold in quarantine with the reason instead of delivering. */
  QUARANTINE,
  /** Refuse for now (4xx): the sender retries later. */
  TEMPFAIL,
  /** Refuse for good (5xx). */
  REJECT;

  /** Whether the message is accepted (250) for this recipient. */
  public boolean accepted() {
    return this == DELIVER || this == JUNK || this == QUARANTINE;
  }
}
