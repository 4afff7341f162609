package org.carbonio.imap.spi;

import java.io.InputStream;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One user's mailboxes as seen by one IMAP connection. Not thread-safe requirement on callers: a
 * connection calls it from one thread at a time, except {@link #watch} callbacks which the
 * implementation may invoke from any thread. Mailbox names are Unicode with {@code "/"} as
 * delimiter; {@code INBOX} is always spelled {@code "INBOX"}. Messages are addressed by UID.
 */
public interface UserMailboxes extends AutoCloseable {

  /** All mailboxes of the user, in any order. */
  List<MailboxInfo> list() throws BackendException;

  /** Creates a mailbox; missing parents are created too. */
  void create(String name) throws BackendException;

  /** Deletes a mailbox and its messages. */
  void delete(String name) throws BackendException;

  /** Renames a mailbox and its children (RFC 3501 §6.3.5; renaming INBOX moves its messages). */
  void rename(String from, String to) throws BackendException;

  /** Sets the subscription of a name (it need not exist). */
  void subscribe(String name, boolean subscribed) throws BackendException;

  /** Counters of one mailbox. */
  MailboxStatus status(String name) throws BackendException;

  /**
   * Stores a message; durable on return. The stream is valid only during the call and yields
   * exactly {@code size} bytes.
   */
  AppendResult append(
      String mailbox, Set<String> flags, Instant internalDate, InputStream content, long size)
      throws BackendException;

  /**
   * Every message of a mailbox, in UID order. The engine does not call this itself; it is the one
   * method a small backend needs, since {@link #select} and {@link #messages} default to it. A
   * backend for large mailboxes overrides those two instead and may implement this one on them.
   */
  MailboxSnapshot snapshot(String mailbox) throws BackendException;

  /**
   * The counters and UIDs of a mailbox, for SELECT and EXAMINE. The session keeps the UIDs (4 bytes
   * per message) while the mailbox is selected and nothing else per message. The default derives it
   * from {@link #snapshot}; backends with large mailboxes override it.
   */
  default MailboxView select(String mailbox) throws BackendException {
    return MailboxView.of(snapshot(mailbox));
  }

  /**
   * Passes the metadata of the messages with {@code fromUid <= uid <= toUid} to {@code sink}, in
   * ascending UID order (UIDs that do not exist are skipped). The engine asks for ranges of at most
   * a few hundred of its messages at a time and writes them out before asking for more. The default
   * filters {@link #snapshot}; backends with large mailboxes override it.
   */
  default void messages(String mailbox, long fromUid, long toUid, Consumer<MessageMeta> sink)
      throws BackendException {
    for (MessageMeta m : snapshot(mailbox).messages()) {
      if (m.uid() >= fromUid && m.uid() <= toUid) sink.accept(m);
    }
  }

  /**
   * Answers a SEARCH BODY or TEXT key from a full-text index: the UIDs of the mailbox's messages
   * that match, or empty to let the engine scan the messages itself (decoding base64 and
   * quoted-printable text, comparing under {@code i;unicode-casemap}). The engine calls it once per
   * such key and command, before scanning, and trusts a present answer. The default has no index
   * and returns empty.
   */
  default Optional<UidList> searchText(TextQuery query) throws BackendException {
    return Optional.empty();
  }

  /** Messages changed (flags, or new) and UIDs expunged with a modseq above {@code modSeq}. */
  MailboxChanges changesSince(String mailbox, long modSeq) throws BackendException;

  /** The whole message (bounded by the APPEND limit). */
  byte[] content(String mailbox, long uid) throws BackendException;

  /** Changes flags of the given messages; returns their metadata after the change. */
  List<MessageMeta> setFlags(
      String mailbox, Collection<Long> uids, FlagOperation op, Set<String> flags)
      throws BackendException;

  /**
   * Removes messages flagged {@code \Deleted}, restricted to {@code uids} when present; returns the
   * expunged UIDs.
   */
  List<Long> expunge(String mailbox, Optional<Collection<Long>> uids) throws BackendException;

  /** Copies messages into another mailbox. */
  CopyResult copy(String from, Collection<Long> uids, String to) throws BackendException;

  /** Moves messages into another mailbox (RFC 6851). */
  CopyResult move(String from, Collection<Long> uids, String to) throws BackendException;

  /**
   * Calls {@code onChange} (from any thread, possibly often) whenever the mailbox changes, until
   * the returned handle is closed. The callback must not block.
   */
  AutoCloseable watch(String mailbox, Runnable onChange) throws BackendException;

  /**
   * Whether every change to a mailbox reaches its {@link #watch} callbacks before the call that
   * made it returns, whichever session or process made it. Then the engine keeps a watch on the
   * selected mailbox and, after a command, looks for changes only when one was signalled. Default
   * false: the engine asks {@link #changesSince} after every command, as RFC 9051 §5.2 needs when
   * changes can come from elsewhere unannounced.
   */
  default boolean watchSeesEveryChange() {
    return false;
  }

  // --- CONDSTORE/QRESYNC (RFC 7162), OBJECTID (RFC 8474), SAVEDATE (RFC 8514) ---------------

  /**
   * Changes flags of the messages whose modseq is at most {@code unchangedSince} and reports the
   * others (RFC 7162 §3.1.3). Backends should make test and change one atomic step; the default
   * reads the modseqs with {@link #messages} and then calls {@link #setFlags}, so a change made by
   * another session in between goes unnoticed.
   */
  default ConditionalStore setFlagsIfUnchanged(
      String mailbox,
      Collection<Long> uids,
      FlagOperation op,
      Set<String> flags,
      long unchangedSince)
      throws BackendException {
    java.util.Set<Long> wanted = new java.util.HashSet<>(uids);
    List<Long> pass = new java.util.ArrayList<>();
    List<Long> modified = new java.util.ArrayList<>();
    if (!wanted.isEmpty()) {
      long lo = java.util.Collections.min(wanted);
      long hi = java.util.Collections.max(wanted);
      messages(
          mailbox,
          lo,
          hi,
          m -> {
            if (!wanted.contains(m.uid())) return;
            if (m.modSeq() > unchangedSince) modified.add(m.uid());
            else pass.add(m.uid());
          });
    }
    List<MessageMeta> updated = pass.isEmpty() ? List.of() : setFlags(mailbox, pass, op, flags);
    return new ConditionalStore(updated, modified);
  }

  /**
   * The MAILBOXID of a mailbox (RFC 8474 §4): an objectid that survives RENAME and is never given
   * to another mailbox. Empty (the default) when the backend has none; the engine then leaves it
   * out.
   */
  default Optional<String> mailboxId(String mailbox) throws BackendException {
    return Optional.empty();
  }

  /**
   * Passes the {@link MessageExtras} of the messages with {@code fromUid <= uid <= toUid} to {@code
   * sink}, ascending; messages the backend knows nothing extra about may be skipped. The default
   * passes nothing: the engine then derives EMAILID from the content and answers THREADID and
   * SAVEDATE with NIL.
   */
  default void messageExtras(String mailbox, long fromUid, long toUid, Consumer<MessageExtras> sink)
      throws BackendException {}

  /**
   * Whether the messages of this mailbox have save dates (RFC 8514 SAVEDATESUPPORTED); default
   * false.
   */
  default boolean saveDateSupported(String mailbox) throws BackendException {
    return false;
  }

  /** Releases the view; no exception. */
  @Override
  void close();

  /**
   * Stores several messages all or nothing (RFC 3502 §3, MULTIAPPEND): on return every message is
   * stored, in order; on an exception none is left. The default appends one by one and, when one
   * fails, flags the ones already stored {@code \Deleted} and expunges exactly them, so another
   * session may see them briefly; backends with transactions override it to store all in one.
   *
   * @return one result per message, in order
   */
  default List<AppendResult> appendAll(String mailbox, List<NewMessage> messages)
      throws BackendException {
    List<AppendResult> done = new java.util.ArrayList<>(messages.size());
    try {
      for (NewMessage m : messages) {
        try (InputStream in = m.content().open()) {
          done.add(append(mailbox, m.flags(), m.internalDate(), in, m.size()));
        } catch (java.io.IOException e) {
          throw new BackendException.Unavailable("cannot read message: " + e.getMessage());
        }
      }
      return done;
    } catch (BackendException | RuntimeException e) {
      if (!done.isEmpty()) {
        List<Long> uids = done.stream().map(AppendResult::uid).toList();
        try {
          setFlags(mailbox, uids, FlagOperation.ADD, Set.of("\\Deleted"));
          expunge(mailbox, Optional.of(uids));
        } catch (BackendException | RuntimeException undo) {
          e.addSuppressed(undo);
        }
      }
      throw e;
    }
  }

  /**
   * REPLACE (RFC 8508 §3.3): stores {@code message} in {@code mailbox} and expunges message {@code
   * uid} of {@code from}. The default appends, then flags the old message {@code \Deleted} and
   * expunges only it; the two steps are not one transaction (a backend with transactions overrides
   * this). If the append fails, the old message is untouched.
   *
   * @return where the new message landed
   */
  default AppendResult replace(String from, long uid, String mailbox, NewMessage message)
      throws BackendException {
    AppendResult r = appendAll(mailbox, List.of(message)).get(0);
    setFlags(from, List.of(uid), FlagOperation.ADD, Set.of("\\Deleted"));
    expunge(from, Optional.of(List.of(uid)));
    return r;
  }

  /**
   * Calls {@code onChange} (from any thread) when the list of mailboxes or the subscriptions change
   * (create, delete, rename, subscribe), for NOTIFY MailboxName and SubscriptionChange (RFC 5465
   * §5.4, §5.5), until the handle is closed. Returns null when the backend cannot watch these; the
   * session then compares the list whenever it looks for changes.
   */
  default AutoCloseable watchMailboxes(Runnable onChange) throws BackendException {
    return null;
  }

  // --- mailbox-level extensions (SPECIAL-USE, STATUS=SIZE, QUOTA, ACL, METADATA) ---------------
  // Every method has a default, so a small backend implements none of them.

  /**
   * Creates a mailbox with special-use attributes (RFC 6154 §3, CREATE-SPECIAL-USE), such as {@code
   * "\Archive"}. The default creates it only when {@code specialUse} is empty and otherwise refuses
   * with {@link BackendException.Invalid}, which the engine reports as {@code NO [USEATTR]}.
   */
  default void create(String name, Set<String> specialUse) throws BackendException {
    if (!specialUse.isEmpty()) throw new BackendException.Invalid("special-use not supported");
    create(name);
  }

  /**
   * The total size in octets of a mailbox's messages (RFC 8438 STATUS SIZE). The default adds up
   * {@link #messages}; backends that keep the sum override it.
   */
  default long size(String mailbox) throws BackendException {
    long[] sum = {0};
    messages(mailbox, 1, 0xFFFF_FFFFL, m -> sum[0] += m.size());
    return sum[0];
  }

  /**
   * The number of messages flagged {@code \Deleted} (RFC 9051 STATUS DELETED). The default counts
   * over {@link #messages}.
   */
  default long deleted(String mailbox) throws BackendException {
    long[] n = {0};
    messages(mailbox, 1, 0xFFFF_FFFFL, m -> n[0] += m.flags().contains("\\Deleted") ? 1 : 0);
    return n[0];
  }

  /** The namespaces (RFC 2342) of this user; by default only the personal {@code ""}. */
  default Namespaces namespaces() {
    return Namespaces.PERSONAL_ONLY;
  }

  /**
   * The quota roots of a mailbox (RFC 9208 §4.1.2), empty when none applies. The default checks
   * that the mailbox exists and returns none.
   */
  default List<String> quotaRoots(String mailbox) throws BackendException {
    status(mailbox);
    return List.of();
  }

  /** A quota root's usage and limits (RFC 9208 §4.1.1), empty when there is no such root. */
  default Optional<Quota> quota(String root) throws BackendException {
    return Optional.empty();
  }

  /**
   * Sets a quota root's limits (RFC 9208 §4.1.4), resource name to limit; the default refuses with
   * {@link BackendException.NoPermission} (users may not change their own quota).
   */
  default void setQuota(String root, java.util.Map<String, Long> limits) throws BackendException {
    throw new BackendException.NoPermission("quota is set by the administrator");
  }

  /**
   * The user's rights on a mailbox as RFC 4314 letters (see {@link Acl}); the engine enforces them
   * for SELECT, STORE, EXPUNGE, APPEND, COPY and MOVE. The default: every right on every mailbox
   * (after checking that it exists).
   */
  default String myRights(String mailbox) throws BackendException {
    status(mailbox);
    return Acl.ALL;
  }

  /**
   * A mailbox's access control list (RFC 4314 §3.3), identifier to rights, including the owner. The
   * default lists only {@code owner} with every right.
   *
   * @param owner the user name the engine would show for the owner of a personal mailbox
   */
  default java.util.Map<String, String> acl(String mailbox, String owner) throws BackendException {
    status(mailbox);
    return java.util.Map.of(owner, Acl.ALL);
  }

  /**
   * Replaces an identifier's rights on a mailbox (RFC 4314 §3.1); empty {@code rights} removes the
   * identifier (§3.2). A backend that groups rights sets a whole group when any of its letters is
   * given. The default refuses with {@link BackendException.Invalid}.
   */
  default void setRights(String mailbox, String identifier, String rights) throws BackendException {
    throw new BackendException.Invalid("ACLs are not supported");
  }

  /**
   * The groups of rights a backend can grant separately (RFC 4314 §3.4), each a string of letters;
   * the default lists each right of {@link Acl#ALL} alone.
   */
  default List<String> rightGroups(String mailbox) throws BackendException {
    List<String> groups = new java.util.ArrayList<>();
    for (char c : Acl.ALL.toCharArray()) groups.add(String.valueOf(c));
    return groups;
  }

  /**
   * The annotations (RFC 5464) of a mailbox, or of the server when {@code mailbox} is empty: entry
   * name (starting with {@code /private} or {@code /shared}) to value. The default has none.
   */
  default java.util.SortedMap<String, String> metadata(String mailbox) throws BackendException {
    if (!mailbox.isEmpty()) status(mailbox);
    return java.util.Collections.emptySortedMap();
  }

  /**
   * Sets (present value) or removes (empty value) annotations in one step (RFC 5464 §4.3). The
   * engine has already checked entry names, sizes and counts against its limits. The default
   * refuses with {@link BackendException.Invalid}.
   */
  default void setMetadata(String mailbox, java.util.Map<String, Optional<String>> changes)
      throws BackendException {
    throw new BackendException.Invalid("METADATA is not supported");
  }
}
