package org.carbonio.smtp.filter;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The filter decision for one recipient. Immutable.
 *
 * @param recipient the recipient address as given to {@link ContentFilter#inspect}
 * @param policy the policy of the recipient's domain that was applied
 * @param action what to do with this recipient's copy
 * @param reply the reply for this recipient (an LMTP per-recipient reply, RFC 2033 §4.2): {@code
 *     250 2.0.0} when {@link FilterAction#accepted() accepted}, otherwise 4xx/5xx
 * @param headers the fields to prepend to this recipient's copy, in order (empty when refused)
 * @param reason why the message is quarantined, filed as Junk or refused (e.g. {@code virus
 *     Eicar-Test-Signature.UNOFFICIAL}), or {@code ""} for a plain delivery
 */
public record RecipientVerdict(
    String recipient,
    FilterPolicy policy,
    FilterAction action,
    FilterReply reply,
    List<FilterHeader> headers,
    String reason) {

  /** Checks that the reply agrees with the action and copies the list. */
  public RecipientVerdict {
    requireNonNull(recipient, "recipient");
    requireNonNull(policy, "policy");
    requireNonNull(action, "action");
    requireNonNull(reply, "reply");
    requireNonNull(reason, "reason");
    headers = List.copyOf(headers);
    int expected =
        switch (action) {
          case DELIVER, JUNK, QUARANTINE -> 2;
          case TEMPFAIL -> 4;
          case REJECT -> 5;
        };
    if (reply.code() / 100 != expected) {
      throw new IllegalArgumentException(action + " with reply " + reply);
    }
  }
}
