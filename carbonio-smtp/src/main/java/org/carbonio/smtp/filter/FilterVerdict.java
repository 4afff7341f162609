package org.carbonio.smtp.filter;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The result of {@link ContentFilter#inspect}: what the scanners found, and one {@link
 * RecipientVerdict} per recipient, in the order given. Immutable.
 *
 * <p>Recipients of different domains may have different policies, so their actions may differ. An
 * LMTP server replies per recipient (RFC 2033 §4.2) and uses {@link #recipients()} as is. An SMTP
 * server has one reply for the whole DATA (RFC 5321 §4.1.1.4) and uses {@link #forSmtp()}, then
 * {@link #messageReply()}.
 *
 * @param virus what the virus scan found
 * @param spam what the spam check found
 * @param recipients one verdict per recipient
 */
public record FilterVerdict(
    VirusScanResult virus, SpamScanResult spam, List<RecipientVerdict> recipients) {

  /** Copies the list. */
  public FilterVerdict {
    requireNonNull(virus, "virus");
    requireNonNull(spam, "spam");
    recipients = List.copyOf(recipients);
  }

  /** The verdict of {@code recipient} (compared exactly), if it is one of the recipients. */
  public Optional<RecipientVerdict> recipient(String recipient) {
    return recipients.stream().filter(r -> r.recipient().equals(recipient)).findFirst();
  }

  /** Whether every recipient has the same action. */
  public boolean uniform() {
    return recipients.stream().map(RecipientVerdict::action).distinct().count() <= 1;
  }

  /**
   * The same verdict brought to one reply for the whole message, as SMTP needs:
   *
   * <ul>
   *   <li>if any recipient is {@link FilterAction#TEMPFAIL}, every recipient is: nothing is
   *       accepted, the sender retries and the message is scanned again (no duplicates);
   *   <li>else if every recipient is {@link FilterAction#REJECT}, the verdict is unchanged;
   *   <li>else the message is accepted, and a recipient whose policy refused it is {@link
   *       FilterAction#QUARANTINE}d with the refusal as reason: no bounce (backscatter) and nothing
   *       silently lost.
   * </ul>
   */
  public FilterVerdict forSmtp() {
    Optional<RecipientVerdict> tempfail =
        recipients.stream().filter(r -> r.action() == FilterAction.TEMPFAIL).findFirst();
    List<RecipientVerdict> out = new ArrayList<>(recipients.size());
    if (tempfail.isPresent()) {
      for (RecipientVerdict r : recipients) {
        out.add(
            r.action() == FilterAction.TEMPFAIL
                ? r
                : new RecipientVerdict(
                    r.recipient(),
                    r.policy(),
                    FilterAction.TEMPFAIL,
                    tempfail.get().reply(),
                    List.of(),
                    tempfail.get().reason()));
      }
      return new FilterVerdict(virus, spam, out);
    }
    boolean allRejected = recipients.stream().allMatch(r -> r.action() == FilterAction.REJECT);
    if (allRejected) {
      return this;
    }
    for (RecipientVerdict r : recipients) {
      out.add(
          r.action() == FilterAction.REJECT
              ? new RecipientVerdict(
                  r.recipient(),
                  r.policy(),
                  FilterAction.QUARANTINE,
                  ContentFilter.QUARANTINED,
                  List.of(),
                  "refused (" + r.reply() + ") but accepted for other recipients")
              : r);
    }
    return new FilterVerdict(virus, spam, out);
  }

  /**
   * The reply that refuses the whole message: present when no recipient is accepted; the first
   * {@link FilterAction#TEMPFAIL} reply if there is one (the sender may succeed later), otherwise
   * the first recipient's rejection. After {@link #forSmtp()} it is present exactly when the
   * message is to be refused.
   */
  public Optional<FilterReply> messageReply() {
    if (recipients.isEmpty() || recipients.stream().anyMatch(r -> r.action().accepted())) {
      return Optional.empty();
    }
    return recipients.stream()
        .filter(r -> r.action() == FilterAction.TEMPFAIL)
        .map(RecipientVerdict::reply)
        .findFirst()
        .or(() -> Optional.of(recipients.get(0).reply()));
  }
}
