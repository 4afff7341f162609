package org.carbonio.smtp.filter;

/** What to do with a message in which the virus scanner found something. Immutable. */
public enum VirusAction {
  /** Refuse it: {@code 550 5.7.1 Virus found: <name>}. The default. */
  REJECT,
  /** Accept it and hold it in quarantine with the reason; it is not delivered. */
  QUARANTINE,
  /** Deliver it with {@code X-Virus-Status: Infected (<name>)}. */
  TAG
}
