package org.carbonio.server.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.carbonio.directory.Account;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.spi.DeliveryAgent;
import org.carbonio.smtp.spi.RejectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers what the queue holds: local recipients into their INBOX, the others over SMTP to their
 * domain's MX (or the smarthost). Thread-safe.
 *
 * <p>A local recipient is resolved again at each attempt, so an account that left maintenance gets
 * its mail, and one that was closed meanwhile bounces. Outside members of a list were split off
 * when the message was accepted, so only the list's local accounts are delivered here.
 */
public final class QueueAgent implements DeliveryAgent {

  private static final Logger log = LoggerFactory.getLogger(QueueAgent.class);

  private final LocalDelivery local;
  private final DeliveryAgent remote;

  public QueueAgent(LocalDelivery local, DeliveryAgent remote) {
    this.local = requireNonNull(local, "local");
    this.remote = requireNonNull(remote, "remote");
  }

  @Override
  public List<RecipientOutcome> deliver(
      Envelope envelope, List<EnvelopeRecipient> recipients, MessageContent content)
      throws InterruptedException {
    return deliver(envelope, recipients, content, o -> {});
  }

  /**
   * Local recipients first, each outcome reported through {@code progress} as soon as the store
   * committed it (so the queue records it even when the remote part then times out), then the
   * others through the remote agent, which reports its own as each destination finishes. A failure
   * of the remote agent leaves its recipients without an outcome (the queue retries them) and keeps
   * the local outcomes.
   */
  @Override
  public List<RecipientOutcome> deliver(
      Envelope envelope,
      List<EnvelopeRecipient> recipients,
      MessageContent content,
      Consumer<RecipientOutcome> progress)
      throws InterruptedException {
    List<RecipientOutcome> outcomes = new ArrayList<>();
    List<EnvelopeRecipient> outside = new ArrayList<>();
    Map<String, List<Account>> accounts = new LinkedHashMap<>();
    for (EnvelopeRecipient r : recipients) {
      if (!local.isLocal(r.address())) {
        outside.add(r);
        continue;
      }
      try {
        accounts.put(r.address(), local.resolve(r.address()).accounts());
      } catch (RejectException e) {
        outcomes.add(
            e.code() >= 500
                ? RecipientOutcome.permanent(r.address(), e.code(), e.enhancedStatus(), e.text())
                : RecipientOutcome.temporary(r.address(), e.code(), e.enhancedStatus(), e.text()));
      }
    }
    if (!accounts.isEmpty()) {
      try {
        outcomes.addAll(local.store(accounts, LocalDelivery.INBOX, content));
      } catch (IOException e) {
        log.warn("local delivery of a queued message failed", e);
        for (String r : accounts.keySet()) {
          outcomes.add(RecipientOutcome.temporary(r, 451, "4.3.0", "Cannot store the message"));
        }
      }
    }
    // durable now: report before the remote part, which may take minutes
    outcomes.forEach(progress);
    if (!outside.isEmpty()) {
      try {
        outcomes.addAll(remote.deliver(envelope, outside, content, progress));
      } catch (RuntimeException e) {
        log.warn("remote delivery of a queued message failed", e);
        for (EnvelopeRecipient r : outside) {
          outcomes.add(
              RecipientOutcome.temporary(r.address(), 451, "4.3.0", "Remote delivery failed"));
        }
      }
    }
    return outcomes;
  }
}
