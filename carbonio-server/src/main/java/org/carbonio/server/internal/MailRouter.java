package org.carbonio.server.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.carbonio.directory.Account;
import org.carbonio.directory.Directory;
import org.carbonio.directory.Domain;
import org.carbonio.smtp.DsnNotify;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.abuse.Cidr;
import org.carbonio.smtp.filter.ContentFilter;
import org.carbonio.smtp.filter.FilterAction;
import org.carbonio.smtp.filter.FilterHeader;
import org.carbonio.smtp.filter.FilterVerdict;
import org.carbonio.smtp.filter.RecipientVerdict;
import org.carbonio.smtp.mailauth.AuthenticationResults;
import org.carbonio.smtp.mailauth.Disposition;
import org.carbonio.smtp.mailauth.DkimResult;
import org.carbonio.smtp.mailauth.DmarcResult;
import org.carbonio.smtp.mailauth.HeaderSummary;
import org.carbonio.smtp.mailauth.MailAuthLimits;
import org.carbonio.smtp.mailauth.MailAuthVerdict;
import org.carbonio.smtp.mailauth.MailAuthenticator;
import org.carbonio.smtp.mailauth.SpfResult;
import org.carbonio.smtp.queue.MailQueue;
import org.carbonio.smtp.spi.Delivery;
import org.carbonio.smtp.spi.DeliveryHandler;
import org.carbonio.smtp.spi.RecipientCheck;
import org.carbonio.smtp.spi.RecipientDecision;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.carbonio.smtp.spi.RejectException;
import org.carbonio.smtp.spi.SessionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a message the SMTP, submission or LMTP listener accepts. Thread-safe.
 *
 * <p>RCPT: local recipients are checked against the directory; others are relayed only for an
 * authenticated session or a client in a relay network (RFC 5321 §3.6.2: no open relay). An
 * authenticated client may only use its own addresses as sender.
 *
 * <p>End of DATA, in order: on the MX listener, for unauthenticated clients, SPF, DKIM, ARC and
 * DMARC (a DMARC {@code p=reject} is refused, {@code p=quarantine} goes to Junk), recorded in an
 * Authentication-Results field; the content filters (a virus or spam refusal, a quarantine, or
 * Junk); on submission, a DKIM signature. Then local recipients are stored before the reply, and
 * everything else (remote recipients, outside members of lists, local recipients that failed) goes
 * to the durable queue before the reply: after a 250 nothing is lost, and a failure becomes a
 * bounce. LMTP instead answers for each recipient and queues nothing.
 */
public final class MailRouter implements RecipientPolicy, DeliveryHandler {

  private static final Logger log = LoggerFactory.getLogger(MailRouter.class);

  /** The listener a router serves. */
  public enum Role {
    /** Port 25: mail from the world, checked. */
    MX,
    /** Ports 587 and 465: mail from authenticated users, signed. */
    SUBMISSION,
    /** Local delivery from an MTA in front: one reply per recipient, no queue. */
    LMTP
  }

  private final Role role;
  private final Directory directory;
  private final LocalDelivery local;
  private final MailQueue queue;
  private final List<Cidr> relayNetworks;
  private final Optional<MailAuthenticator> mailAuth;
  private final Optional<ContentFilter> filter;
  private final DkimSigning signing;
  private final List<Cidr> uncheckedNetworks;
  private final String hostname;
  private final Path spool;

  /**
   * @param relayNetworks clients that may relay without AUTH
   * @param uncheckedNetworks clients whose mail is not checked by SPF, DKIM and DMARC (this host)
   */
  public MailRouter(
      Role role,
      Directory directory,
      LocalDelivery local,
      MailQueue queue,
      List<Cidr> relayNetworks,
      Optional<MailAuthenticator> mailAuth,
      Optional<ContentFilter> filter,
      DkimSigning signing,
      List<Cidr> uncheckedNetworks,
      String hostname,
      Path spool) {
    this.role = requireNonNull(role, "role");
    this.directory = requireNonNull(directory, "directory");
    this.local = requireNonNull(local, "local");
    this.queue = requireNonNull(queue, "queue");
    this.relayNetworks = List.copyOf(relayNetworks);
    this.mailAuth = requireNonNull(mailAuth, "mailAuth");
    this.filter = requireNonNull(filter, "filter");
    this.signing = requireNonNull(signing, "signing");
    this.uncheckedNetworks = List.copyOf(uncheckedNetworks);
    this.hostname = requireNonNull(hostname, "hostname");
    this.spool = requireNonNull(spool, "spool");
  }

  @Override
  public RecipientDecision check(RecipientCheck check) {
    SessionInfo session = check.session();
    if (session.isAuthenticated() && !ownsSender(session.authenticated(), check.sender())) {
      // Postfix reject_sender_login_mismatch: a user sends only as itself.
      return RecipientDecision.reject(553, "5.7.1", "Sender address not owned by the login");
    }
    String recipient = check.recipient();
    if (local.isLocal(recipient)) {
      try {
        local.resolve(recipient);
        return RecipientDecision.accept();
      } catch (RejectException e) {
        return RecipientDecision.reject(e.code(), e.enhancedStatus(), e.text());
      }
    }
    if (role != Role.LMTP && mayRelay(session)) {
      return RecipientDecision.accept();
    }
    return RecipientDecision.reject(550, "5.7.1", "Relaying denied");
  }

  private boolean mayRelay(SessionInfo session) {
    if (session.isAuthenticated()) {
      return true;
    }
    InetAddress client = session.remote().getAddress();
    return relayNetworks.stream().anyMatch(n -> n.contains(client));
  }

  /** The null sender is allowed (bounces, receipts); any other must be the login's own address. */
  private boolean ownsSender(String login, String sender) {
    if (sender.isEmpty()) {
      return true;
    }
    Optional<Account> owner = directory.findAccount(sender);
    return owner.isPresent() && owner.get().address().equalsIgnoreCase(login);
  }

  @Override
  public void deliver(Delivery delivery) throws RejectException, IOException {
    for (RecipientOutcome o : deliverEach(delivery)) {
      if (o.status() != RecipientOutcome.Status.DELIVERED) {
        throw new RejectException(o.code(), o.enhancedStatus(), o.text());
      }
    }
  }

  @Override
  public List<RecipientOutcome> deliverEach(Delivery delivery) throws RejectException, IOException {
    HeaderSummary header = HeaderSummary.read(delivery.message(), hostname, MAX_HEADER_BYTES);
    if (header.tooLarge()) {
      // RFC 5322 sets no limit, but nothing legitimate needs a megabyte of header fields.
      throw new RejectException(552, "5.3.4", "Message header too large");
    }
    if (header.receivedFields() > MAX_HOPS) {
      // RFC 5321 §6.3: a message that went around this often is looping.
      throw new RejectException(554, "5.4.6", "Too many hops: mail loop");
    }
    if (role == Role.SUBMISSION) {
      checkAuthor(delivery.session().authenticated(), header.fromDomains());
    }
    if (header.claimingResults() == 0) {
      return route(delivery, header, delivery.message());
    }
    // RFC 8601 §5: fields that claim to be our verdicts but came from outside are removed, so a
    // reader can trust every Authentication-Results field with our name.
    Path copy = Files.createTempFile(spool, "forged-", ".eml");
    try {
      try (InputStream in = delivery.message().open();
          OutputStream out = Files.newOutputStream(copy)) {
        AuthenticationResults.removeClaiming(in, out, hostname, MAX_HEADER_BYTES);
      }
      return route(delivery, header, new FileContent(copy));
    } finally {
      Files.deleteIfExists(copy);
    }
  }

  /** Header sections above this are refused (MailAuthLimits' default). */
  private static final int MAX_HEADER_BYTES = MailAuthLimits.DEFAULTS.maxHeaderBytes();

  /** Like Postfix's {@code hopcount_limit}. */
  static final int MAX_HOPS = 50;

  /**
   * A submitted message's From may name a local domain only if it is the login's own domain (or an
   * alias of it), so one tenant cannot get another's DKIM signature (RFC 6376 §8.14); a From in a
   * foreign domain is not signed, and its own domain's DMARC decides its fate.
   */
  private void checkAuthor(String login, List<String> fromDomains) throws RejectException {
    String own = canonical(login.substring(login.lastIndexOf('@') + 1));
    for (String domain : fromDomains) {
      if (directory.isLocalDomain(domain) && !canonical(domain).equalsIgnoreCase(own)) {
        throw new RejectException(553, "5.7.1", "From address not owned by the login");
      }
    }
  }

  private String canonical(String domain) {
    return directory.findDomain(domain).flatMap(Domain::aliasOf).orElse(domain);
  }

  private List<RecipientOutcome> route(
      Delivery delivery, HeaderSummary header, MessageContent content)
      throws RejectException, IOException {
    SessionInfo session = delivery.session();
    Envelope envelope = delivery.envelope();
    StringBuilder added = new StringBuilder(); // fields to put above the message, CRLF-ended
    boolean junkAll = false;

    InetAddress client = session.remote().getAddress();
    if (role == Role.MX
        && mailAuth.isPresent()
        && !session.isAuthenticated()
        && uncheckedNetworks.stream().noneMatch(n -> n.contains(client))) {
      MailAuthVerdict verdict =
          mailAuth.get().check(client, session.heloName(), envelope.sender(), content);
      if (verdict.disposition() == Disposition.REJECT && temporaryFailure(verdict)) {
        // A DNS failure is not the domain owner's verdict: let the sender retry.
        throw new RejectException(451, "4.4.3", "Temporary DNS failure, try again later");
      }
      if (verdict.disposition() == Disposition.REJECT) {
        // RFC 7489 §6.7: the domain owner asked for rejection.
        String domain = verdict.dmarc().domain();
        throw new RejectException(
            550,
            "5.7.1",
            "Rejected by the DMARC policy of " + (domain.isEmpty() ? "the From domain" : domain));
      }
      junkAll = verdict.disposition() == Disposition.QUARANTINE;
      added.append(verdict.authenticationResults());
    }

    Map<String, RecipientVerdict> verdicts = new HashMap<>();
    if (filter.isPresent() && role != Role.LMTP) {
      FilterVerdict verdict = filter.get().inspect(content, delivery.recipients()).forSmtp();
      Optional<org.carbonio.smtp.filter.FilterReply> refusal = verdict.messageReply();
      if (refusal.isPresent()) {
        throw refusal.get().toRejectException();
      }
      verdict.recipients().forEach(v -> verdicts.put(v.recipient(), v));
    }

    if (role == Role.SUBMISSION) {
      Optional<String> signature = signing.sign(header.fromDomains(), content);
      signature.ifPresent(field -> added.insert(0, field));
    }

    // Group recipients by what they get: folder and headers (domains may have different filter
    // policies), so each group is stored or queued once.
    Map<Route, List<EnvelopeRecipient>> routes = new LinkedHashMap<>();
    Map<Hold, List<String>> quarantined = new LinkedHashMap<>();
    for (EnvelopeRecipient r : envelope.recipients()) {
      RecipientVerdict v = verdicts.get(r.address());
      String headers = added.toString();
      String folder = junkAll ? LocalDelivery.JUNK : LocalDelivery.INBOX;
      if (v != null) {
        headers += FilterHeader.encode(v.headers());
        if (v.action() == FilterAction.JUNK) {
          folder = LocalDelivery.JUNK;
        } else if (v.action() == FilterAction.QUARANTINE) {
          // held with the fields a delivered copy gets (X-Virus-Status: Infected, the
          // Authentication-Results): if an operator releases it, the queue delivers it as held,
          // without scanning it again, and the recipient still sees the verdict
          quarantined
              .computeIfAbsent(new Hold(v.reason(), headers), k -> new ArrayList<>())
              .add(r.address());
          continue;
        }
      }
      routes.computeIfAbsent(new Route(folder, headers), k -> new ArrayList<>()).add(r);
    }

    // Phase 1: store what is local; collect what must be queued.
    List<Stored> groups = new ArrayList<>();
    for (Map.Entry<Route, List<EnvelopeRecipient>> e : routes.entrySet()) {
      MessageContent routed = PrependedContent.of(e.getKey().headers(), content);
      groups.add(store(e.getValue(), e.getKey().folder(), routed));
    }
    boolean accepted =
        !quarantined.isEmpty()
            || groups.stream()
                .anyMatch(
                    g ->
                        !g.remote().isEmpty()
                            || g.outcomes().stream()
                                .anyMatch(o -> o.status() == RecipientOutcome.Status.DELIVERED));
    List<RecipientOutcome> outcomes = new ArrayList<>();
    if (role == Role.LMTP) {
      // LMTP answers per recipient; the outside members of a list (the only non-local addresses
      // LMTP accepts) are queued before the answer.
      for (Stored g : groups) {
        List<EnvelopeRecipient> toQueue = new ArrayList<>(g.remote());
        for (RecipientOutcome o : g.outcomes()) {
          if (envelope.recipients().stream().anyMatch(r -> r.address().equals(o.recipient()))) {
            outcomes.add(o);
          } else {
            toQueue.add(EnvelopeRecipient.of(o.recipient())); // a list member that failed
          }
        }
        if (!toQueue.isEmpty()) {
          queue.enqueue(envelope.withRecipients(toQueue), g.content());
        }
      }
      return outcomes;
    }
    if (!accepted) {
      // A message no recipient can take is refused with the first reason instead of being
      // accepted and bounced (no backscatter to a forged sender).
      groups.forEach(g -> outcomes.addAll(g.outcomes()));
      return outcomes;
    }

    // Phase 2: a 250 is coming, so everything not stored is queued, durably, before it: remote
    // recipients, outside members of lists, and local recipients that failed (the queue retries
    // them or bounces them with their reason). If this fails the client is told 451 and retries,
    // so recipients stored above may get a second copy: a duplicate rather than a loss.
    for (Stored g : groups) {
      List<EnvelopeRecipient> toQueue = new ArrayList<>(g.remote());
      for (RecipientOutcome o : g.outcomes()) {
        Optional<EnvelopeRecipient> own =
            envelope.recipients().stream()
                .filter(r -> r.address().equals(o.recipient()))
                .findFirst();
        if (o.status() == RecipientOutcome.Status.DELIVERED) {
          outcomes.add(o);
        } else {
          // a recipient of ours, or a list member that failed (queued under its own address)
          toQueue.add(own.orElseGet(() -> EnvelopeRecipient.of(o.recipient())));
        }
      }
      if (!toQueue.isEmpty()) {
        queue.enqueue(envelope.withRecipients(toQueue), g.content());
        for (EnvelopeRecipient r : toQueue) {
          if (envelope.recipients().contains(r)) {
            outcomes.add(RecipientOutcome.delivered(r.address()));
          }
        }
      }
    }
    for (Map.Entry<Hold, List<String>> q : quarantined.entrySet()) {
      List<EnvelopeRecipient> held =
          envelope.recipients().stream().filter(r -> q.getValue().contains(r.address())).toList();
      Hold hold = q.getKey();
      queue.enqueueHeld(
          envelope.withRecipients(held),
          PrependedContent.of(hold.headers(), content),
          hold.reason());
      log.info("{} quarantined for {}: {}", delivery.id(), q.getValue(), hold.reason());
      held.forEach(r -> outcomes.add(RecipientOutcome.delivered(r.address())));
    }
    return outcomes;
  }

  private static boolean temporaryFailure(MailAuthVerdict verdict) {
    return verdict.dmarc().result() == DmarcResult.Result.TEMPERROR
        || verdict.spf().result() == SpfResult.Result.TEMPERROR
        || verdict.dkim().stream().anyMatch(d -> d.result() == DkimResult.Result.TEMPERROR);
  }

  private record Route(String folder, String headers) {}

  private record Hold(String reason, String headers) {}

  /**
   * One group after local delivery.
   *
   * @param content the message as this group gets it
   * @param outcomes the local recipients' outcomes
   * @param remote what must be relayed: recipients in other domains, outside members of lists
   */
  private record Stored(
      MessageContent content, List<RecipientOutcome> outcomes, List<EnvelopeRecipient> remote) {}

  /** Stores the local recipients of one group; the rest is returned for the queue. */
  private Stored store(List<EnvelopeRecipient> recipients, String folder, MessageContent content)
      throws IOException {
    List<RecipientOutcome> outcomes = new ArrayList<>();
    List<EnvelopeRecipient> remote = new ArrayList<>();
    Map<String, List<Account>> accounts = new LinkedHashMap<>();
    for (EnvelopeRecipient r : recipients) {
      if (!local.isLocal(r.address())) {
        remote.add(r);
        continue;
      }
      try {
        LocalDelivery.Resolved resolved = local.resolve(r.address());
        if (role != Role.LMTP
            && r.notifyOn().contains(DsnNotify.SUCCESS)
            && folder.equals(LocalDelivery.INBOX)) {
          // RFC 3461 §5.2.2: a "delivered" DSN is owed on final delivery; the queue issues it, so
          // this recipient goes through the queue (which delivers it to the same INBOX) instead of
          // being stored here.
          remote.add(r);
        } else {
          accounts.put(r.address(), resolved.accounts());
        }
        resolved.external().forEach(member -> remote.add(EnvelopeRecipient.of(member)));
      } catch (RejectException e) {
        outcomes.add(outcome(r.address(), e));
      }
    }
    outcomes.addAll(local.store(accounts, folder, content));
    return new Stored(content, outcomes, remote);
  }

  private static RecipientOutcome outcome(String recipient, RejectException e) {
    return e.code() >= 500
        ? RecipientOutcome.permanent(recipient, e.code(), e.enhancedStatus(), e.text())
        : RecipientOutcome.temporary(recipient, e.code(), e.enhancedStatus(), e.text());
  }
}
