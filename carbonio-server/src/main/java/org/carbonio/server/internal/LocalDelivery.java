package org.carbonio.server.internal;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.carbonio.directory.Account;
import org.carbonio.directory.Directory;
import org.carbonio.directory.Expansion;
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
 * account unless an account or list of that name exists (RFC 5321 §4.5.1). Aliases, alias domains
 * and distribution lists are resolved by the directory ({@link Directory#expand}).
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
    try {
      resolve(recipient);
      return RecipientDecision.accept();
    } catch (RejectException e) {
      return RecipientDecision.reject(e.code(), e.enhancedStatus(), e.text());
    }
  }

  /**
   * The accounts mail for a local recipient reaches: the account itself (by address, alias or alias
   * domain) or, for a distribution list, its member accounts (nested lists expanded). An account's
   * status decides: {@code MAINTENANCE} defers (450 4.2.1, the sender retries), {@code CLOSED}
   * rejects (550 5.2.1); a list skips closed members and is deferred while a member is in
   * maintenance, since one delivery reaches all its members or none. Members outside the local
   * domains are not delivered yet (no outbound queue): they are logged and skipped.
   */
  private Set<Account> resolve(String recipient) throws RejectException {
    int at = recipient.lastIndexOf('@');
    String localPart = (at < 0 ? recipient : recipient.substring(0, at)).toLowerCase(Locale.ROOT);
    String address = recipient;
    Expansion expansion =
        at < 0 ? new Expansion(List.of(), List.of()) : directory.expand(recipient);
    if (expansion.isEmpty() && localPart.equals("postmaster")) {
      address = postmaster; // RFC 5321 §4.5.1: postmaster reaches someone
      expansion = directory.expand(address);
    } else if (at < 0) {
      throw new RejectException(550, "5.1.1", "Recipient address rejected: no such user");
    }
    if (expansion.truncated()) {
      // RFC 3463 §3.3 X.2.4: delivering to part of a list would be silent loss.
      throw new RejectException(550, "5.2.4", "Mailing list expansion problem: nested too deep");
    }
    Set<Account> out = new LinkedHashSet<>();
    boolean list = directory.findAccount(address).isEmpty();
    for (Account a : expansion.accounts()) {
      switch (a.status().mail()) {
        case DELIVER -> out.add(a);
        case DEFER ->
            throw new RejectException(450, "4.2.1", "Mailbox temporarily unavailable, try later");
        case REJECT -> {
          if (!list) {
            throw new RejectException(550, "5.2.1", "Mailbox disabled, not accepting messages");
          }
        }
      }
    }
    if (!expansion.external().isEmpty()) {
      log.warn(
          "{} reaches outside addresses {}: not delivered (no outbound queue yet)",
          address,
          expansion.external());
    }
    if (out.isEmpty()) {
      throw new RejectException(550, "5.1.1", "Recipient address rejected: no such user");
    }
    return out;
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
      for (Account account : resolve(recipient)) {
        accountIds.add(account.id()); // one copy per account, however many paths reach it
      }
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
