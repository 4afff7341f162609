package org.carbonio.smtp.filter;

/**
 * What to do with a message when a scanning daemon is down, times out or answers an error.
 * Immutable.
 */
public enum FailMode {
  /** Accept the message, with a header saying it was not scanned. */
  FAIL_OPEN,
  /**
   * Refuse it for now with {@code 451 4.7.1}, so that the sending MTA retries later (RFC 5321
   * §4.2.5), like Postfix with amavis in "tempfail" mode.
   */
  FAIL_CLOSED
}
