package org.carbonio.smtp;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * One forward-path with its DSN parameters (RFC 3461 §4). Immutable.
 *
 * @param address the forward-path, without angle brackets
 * @param notifyOn the {@code NOTIFY=} values; empty when the client gave none (then failures and
 *     delays are reported, RFC 3461 §4.1)
 * @param originalRecipient the {@code ORCPT=} value decoded from xtext, as {@code
 *     addr-type;address} (e.g. {@code rfc822;a@example.com}), or {@code ""}
 */
public record EnvelopeRecipient(String address, Set<DsnNotify> notifyOn, String originalRecipient) {

  /** Checks the components and copies the set. */
  public EnvelopeRecipient {
    requireNonNull(address, "address");
    notifyOn = Set.copyOf(notifyOn);
    requireNonNull(originalRecipient, "originalRecipient");
    if (notifyOn.contains(DsnNotify.NEVER) && notifyOn.size() > 1) {
      throw new IllegalArgumentException("NOTIFY=NEVER must appear alone (RFC 3461 §4.1)");
    }
  }

  /** A recipient without DSN parameters. */
  public static EnvelopeRecipient of(String address) {
    return new EnvelopeRecipient(address, Set.of(), "");
  }

  /** True when a report of {@code kind} is wanted (RFC 3461 §4.1: FAILURE and DELAY by default). */
  public boolean wants(DsnNotify kind) {
    return notifyOn.isEmpty()
        ? kind == DsnNotify.FAILURE || kind == DsnNotify.DELAY
        : notifyOn.contains(kind);
  }
}
