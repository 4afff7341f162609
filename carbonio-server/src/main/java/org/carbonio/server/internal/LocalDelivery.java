package org.carbonio.server.internal;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.carbonio.directory.Account;
import org.carbonio.directory.Directory;
import org.carbonio.smtp.spi.Delivery;
import org.carbonio.smtp.spi.DeliveryHandler;
import org.carbonio.smtp.spi.RecipientCheck;
import org.carbonio.smtp.spi.RecipientDecision;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.carbonio.smtp.spi.RejectException;
import org.carbonio.store.MailStore;
import org.carbonio.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts mail for the directory's local accounts and files it into their INBOX. Thread-safe.
 *
 * <p>Recipients in a domain that is not local are refused (no relaying: RFC 5321 §3.6.2; the server
 * has no authenticated submission yet). {@code postmaster}, bare or at a local domain, is the admin
 * account unless an account of that name exists (RFC 5321 §4.5.1).
 */
public final class LocalDelivery implements RecipientPolicy, DeliveryHandler {

  private static final Logger log = LoggerFactory.getLogger(LocalDelivery.class);
  private static final String INBOX = "INBOX";

  private final Directory directory;
  private final MailStore store;
  private final String postmaster;

  public LocalDelivery(Directory directory, MailStore store, String postmaster) {
    this.directory = directory;
    this.store = store;
    this.postmaster = postmaster;
  }

  @Override
  public RecipientDecision check(RecipientCheck check) {
    String recipient = check.recipient();
    int at = recipient.lastIndexOf('@');
    if (at >= 0 && !directory.isLocalDomain(recipient.substring(at + 1))) {
      return RecipientDecision.reject(550, "5.7.1", "Relaying denied");
    }
    if (resolve(recipient).isPresent()) {
      return RecipientDecision.accept();
    }
    return RecipientDecision.reject(550, "5.1.1", "Recipient address rejected: no such user");
  }

  private Optional<Account> resolve(String recipient) {
    Optional<Account> account =
        recipient.indexOf('@') < 0 ? Optional.empty() : directory.findAccount(recipient);
    if (account.isPresent()) {
      return account;
    }
    String localPart =
        recipient.indexOf('@') < 0 ? recipient : recipient.substring(0, recipient.lastIndexOf('@'));
    if (localPart.toLowerCase(Locale.ROOT).equals("postmaster")) {
      return directory.findAccount(postmaster);
    }
    return Optional.empty();
  }

  /**
   * Files the message into every recipient's INBOX in one store transaction: all recipients get it
   * or none does, so a 4xx answer never leaves copies behind for the client's retry to duplicate.
   * Returns only when the message is durable.
   */
  @Override
  public void deliver(Delivery delivery) throws RejectException, IOException {
    Set<String> accountIds = new LinkedHashSet<>();
    for (String recipient : delivery.recipients()) {
      Account account =
          resolve(recipient)
              .orElseThrow(
                  () ->
                      new RejectException(
                          550, "5.1.1", "Recipient address rejected: no such user"));
      accountIds.add(account.id());
    }
    try (InputStream content = delivery.content()) {
      store.deliver(accountIds, INBOX, content, Instant.now());
    } catch (StoreException.OverQuota e) {
      // RFC 3463 §3.3: X.2.2 mailbox full. Delivery is all or nothing, so the transaction fails.
      throw new RejectException(552, "5.2.2", "Mailbox full");
    } catch (StoreException e) {
      log.warn("delivery {} to {} failed", delivery.id(), delivery.recipients(), e);
      throw new IOException("cannot store the message", e);
    }
  }
}
