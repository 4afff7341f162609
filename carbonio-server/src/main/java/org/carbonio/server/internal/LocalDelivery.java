package org.carbonio.server.internal;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.carbonio.directory.Account;
import org.carbonio.directory.Directory;
import org.carbonio.directory.Expansion;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.spi.RejectException;
import org.carbonio.store.MailStore;
import org.carbonio.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mail for the directory's local accounts: which accounts a recipient reaches, and filing a message
 * into their folders. Thread-safe.
 *
 * <p>{@code postmaster}, bare or at a local domain, is the admin account unless an account or list
 * of that name exists (RFC 5321 §4.5.1). Aliases, alias domains and distribution lists are resolved
 * by the directory ({@link Directory#expand}).
 */
public final class LocalDelivery {

  private static final Logger log = LoggerFactory.getLogger(LocalDelivery.class);

  /** Where mail goes unless a filter says otherwise. */
  public static final String INBOX = "INBOX";

  /** Where spam goes (RFC 6154 {@code \Junk}); created on first use. */
  public static final String JUNK = "Junk";

  private final Directory directory;
  private final MailStore store;
  private final String postmaster;

  public LocalDelivery(Directory directory, MailStore store, String postmaster) {
    this.directory = directory;
    this.store = store;
    this.postmaster = postmaster;
  }

  /** True for a recipient this server delivers itself: a local domain, or a bare postmaster. */
  public boolean isLocal(String recipient) {
    int at = recipient.lastIndexOf('@');
    return at < 0 || directory.isLocalDomain(recipient.substring(at + 1));
  }

  /**
   * The accounts mail for a local recipient reaches: the account itself (by address, alias or alias
   * domain) or, for a distribution list, its member accounts (nested lists expanded). An account's
   * status decides: {@code MAINTENANCE} defers (450 4.2.1, the sender retries), {@code CLOSED}
   * rejects (550 5.2.1); a list skips closed members and is deferred while a member is in
   * maintenance. A list's members outside the local domains are returned in {@code external}.
   *
   * @throws RejectException with the reply for a recipient that cannot take mail now or ever
   */
  public Resolved resolve(String recipient) throws RejectException {
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
    if (out.isEmpty() && expansion.external().isEmpty()) {
      throw new RejectException(550, "5.1.1", "Recipient address rejected: no such user");
    }
    return new Resolved(List.copyOf(out), expansion.external());
  }

  /**
   * What a local recipient reaches.
   *
   * @param accounts the local accounts
   * @param external addresses outside the local domains (list members), to relay
   */
  public record Resolved(List<Account> accounts, List<String> external) {}

  /**
   * Files the message into {@code folder} of each recipient's accounts and says per recipient what
   * happened. All the accounts are tried in one store transaction (one copy however many paths
   * reach an account); when that fails for quota, each recipient is tried on its own, so one full
   * mailbox does not hold back the others. Durable on return.
   *
   * @param accountsByRecipient each local recipient with the accounts it reaches
   */
  public List<RecipientOutcome> store(
      Map<String, List<Account>> accountsByRecipient, String folder, MessageContent content)
      throws IOException {
    Set<String> all = new LinkedHashSet<>();
    accountsByRecipient.values().forEach(list -> list.forEach(a -> all.add(a.id())));
    List<RecipientOutcome> outcomes = new ArrayList<>();
    if (all.isEmpty()) {
      accountsByRecipient.keySet().forEach(r -> outcomes.add(RecipientOutcome.delivered(r)));
      return outcomes;
    }
    try {
      deliver(all, folder, content);
      accountsByRecipient.keySet().forEach(r -> outcomes.add(RecipientOutcome.delivered(r)));
      return outcomes;
    } catch (StoreException.OverQuota e) {
      if (all.size() == 1) { // one mailbox, full: every recipient reaching it fails alike
        accountsByRecipient.keySet().forEach(r -> outcomes.add(overQuota(r)));
        return outcomes;
      }
    } catch (StoreException e) {
      throw new IOException("cannot store the message", e);
    }
    // One account at a time, so a full mailbox holds back only itself. A list whose member is full
    // is still delivered to the others; the full member gets an outcome of its own (under its own
    // address) for the caller to queue and bounce.
    Set<String> done = new LinkedHashSet<>();
    for (Map.Entry<String, List<Account>> e : accountsByRecipient.entrySet()) {
      boolean list = e.getValue().size() > 1;
      int delivered = 0;
      RecipientOutcome failure = null;
      List<RecipientOutcome> members = new ArrayList<>();
      for (Account account : e.getValue()) {
        if (!done.add(account.id())) {
          delivered++; // another recipient reached this account already
          continue;
        }
        try {
          deliver(Set.of(account.id()), folder, content);
          delivered++;
        } catch (StoreException.OverQuota over) {
          failure = overQuota(list ? account.address() : e.getKey());
          members.add(failure);
        } catch (StoreException broken) {
          log.warn("delivery to {} failed", account.address(), broken);
          failure =
              RecipientOutcome.temporary(
                  list ? account.address() : e.getKey(), 451, "4.3.0", "Cannot store");
          members.add(failure);
        }
      }
      if (delivered > 0 || e.getValue().isEmpty()) {
        outcomes.add(RecipientOutcome.delivered(e.getKey()));
        if (list) {
          outcomes.addAll(members); // the list went out; its failed members go on alone
        }
      } else if (!list) {
        outcomes.add(failure);
      } else {
        outcomes.add(
            new RecipientOutcome(
                e.getKey(),
                failure.status(),
                failure.code(),
                failure.enhancedStatus(),
                failure.text(),
                ""));
      }
    }
    return outcomes;
  }

  /**
   * RFC 5321 §4.2.3 552 and RFC 3463 §3.3 X.2.2, mailbox full: refused for good, as Dovecot does by
   * default ({@code quota_full_tempfail = no}), so the sender learns at once instead of after days
   * of retries.
   */
  private static RecipientOutcome overQuota(String recipient) {
    return RecipientOutcome.permanent(recipient, 552, "5.2.2", "Mailbox full");
  }

  private void deliver(Set<String> accountIds, String folder, MessageContent content)
      throws IOException, StoreException {
    try {
      deliverOnce(accountIds, folder, content);
    } catch (StoreException.NotFound e) {
      if (folder.equals(INBOX)) {
        throw e;
      }
      for (String id : accountIds) { // first spam for these accounts: make the folder
        try {
          store.mailbox(id).createFolder(folder);
        } catch (StoreException.AlreadyExists ignored) {
          // another delivery made it first
        }
      }
      deliverOnce(accountIds, folder, content);
    }
  }

  private void deliverOnce(Set<String> accountIds, String folder, MessageContent content)
      throws IOException, StoreException {
    try (InputStream in = content.open()) {
      store.deliver(accountIds, folder, in, Instant.now());
    }
  }
}
