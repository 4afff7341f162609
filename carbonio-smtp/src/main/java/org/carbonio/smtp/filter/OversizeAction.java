package org.carbonio.smtp.filter;

/** What to do with a message larger than the virus scanner's limit. Immutable. */
public enum OversizeAction {
  /**
   * Accept it unscanned, with {@code X-Virus-Status: Unscanned (message larger than N bytes)}. The
   * default: clamd itself cannot scan it, and a retry would not make it smaller.
   */
  SKIP,
  /** Refuse it for good: {@code 552 5.3.4 Message too large to scan for viruses}. */
  REJECT
}
