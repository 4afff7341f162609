package org.carbonio.imap.protocol;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Immutable: one client command (RFC 3501 §6 and extensions), one record each. Mailbox names are
 * already decoded from modified UTF-7 to Unicode. {@link Append} holds a {@link ByteSource} that
 * its consumer must close.
 */
public sealed interface ImapCommand {
  /** The command tag; empty for {@link ContinuationLine}. */
  String tag();

  record Capability(String tag) implements ImapCommand {}

  record Noop(String tag) implements ImapCommand {}

  record Logout(String tag) implements ImapCommand {}

  record StartTls(String tag) implements ImapCommand {}

  /** LOGIN; {@link #toString()} hides the password. */
  record Login(String tag, String user, String password) implements ImapCommand {
    @Override
    public String toString() {
      return "Login[tag=" + tag + ", user=" + user + "]";
    }
  }

  /** AUTHENTICATE with an optional SASL-IR initial response (RFC 4959), still base64. */
  record Authenticate(String tag, String mechanism, Optional<String> initialResponse)
      implements ImapCommand {
    @Override
    public String toString() {
      return "Authenticate[tag=" + tag + ", mechanism=" + mechanism + "]";
    }
  }

  /**
   * A line answering a continuation request (SASL data, or DONE ending IDLE); the decoder returns
   * this only after {@link ImapDecoder#expectContinuationLine()}.
   */
  record ContinuationLine(String line) implements ImapCommand {
    @Override
    public String tag() {
      return "";
    }

    @Override
    public String toString() {
      return "ContinuationLine[" + line.length() + " chars]";
    }
  }

  record ListMailboxes(String tag, String reference, String pattern) implements ImapCommand {}

  record Lsub(String tag, String reference, String pattern) implements ImapCommand {}

  record Subscribe(String tag, String mailbox) implements ImapCommand {}

  record Unsubscribe(String tag, String mailbox) implements ImapCommand {}

  record Status(String tag, String mailbox, List<String> items) implements ImapCommand {
    public Status {
      items = List.copyOf(items);
    }
  }

  record Create(String tag, String mailbox) implements ImapCommand {}

  record Delete(String tag, String mailbox) implements ImapCommand {}

  record Rename(String tag, String from, String to) implements ImapCommand {}

  /** SELECT, with select parameters (RFC 7162 CONDSTORE/QRESYNC). */
  record Select(String tag, String mailbox, SelectParams params) implements ImapCommand {
    public Select {
      java.util.Objects.requireNonNull(params, "params");
    }

    public Select(String tag, String mailbox) {
      this(tag, mailbox, SelectParams.NONE);
    }
  }

  /** EXAMINE, with select parameters (RFC 7162 CONDSTORE/QRESYNC). */
  record Examine(String tag, String mailbox, SelectParams params) implements ImapCommand {
    public Examine {
      java.util.Objects.requireNonNull(params, "params");
    }

    public Examine(String tag, String mailbox) {
      this(tag, mailbox, SelectParams.NONE);
    }
  }

  record Namespace(String tag) implements ImapCommand {}

  /** ID (RFC 2971); {@code parameters} empty for NIL. */
  record Id(String tag, Map<String, String> parameters) implements ImapCommand {
    public Id {
      parameters = Map.copyOf(parameters);
    }
  }

  record Idle(String tag) implements ImapCommand {}

  /** ENABLE (RFC 5161); {@code capabilities} as sent, at least one. */
  record Enable(String tag, List<String> capabilities) implements ImapCommand {
    public Enable {
      capabilities = List.copyOf(capabilities);
      if (capabilities.isEmpty()) throw new IllegalArgumentException("no capability");
    }
  }

  /** UNAUTHENTICATE (RFC 8437). */
  record Unauthenticate(String tag) implements ImapCommand {}

  /**
   * APPEND; {@code message} must be closed by whoever consumes the command.
   *
   * @param internalDate empty when the client gave none
   */
  record Append(
      String tag,
      String mailbox,
      Set<String> flags,
      Optional<Instant> internalDate,
      ByteSource message)
      implements ImapCommand {
    public Append {
      flags = Set.copyOf(flags);
    }
  }

  record Check(String tag) implements ImapCommand {}

  record Close(String tag) implements ImapCommand {}

  record Unselect(String tag) implements ImapCommand {}

  /** EXPUNGE, or UID EXPUNGE (RFC 4315) when {@code uids} is present. */
  record Expunge(String tag, Optional<SequenceSet> uids) implements ImapCommand {}

  /**
   * SEARCH or UID SEARCH. {@code charset} is empty when not given; {@code ret} holds the RETURN
   * options of an extended SEARCH (RFC 4731), empty for a plain one.
   */
  record Search(
      String tag, boolean uid, Optional<String> charset, SearchKey key, Optional<SearchReturn> ret)
      implements ImapCommand {
    /** A plain SEARCH without RETURN. */
    public Search(String tag, boolean uid, Optional<String> charset, SearchKey key) {
      this(tag, uid, charset, key, Optional.empty());
    }
  }

  /**
   * SORT or UID SORT (RFC 5256 §3); {@code ret} holds ESORT's RETURN options (RFC 5267 §3), empty
   * for a plain SORT.
   */
  record Sort(
      String tag,
      boolean uid,
      Optional<SearchReturn> ret,
      List<SortKey> keys,
      String charset,
      SearchKey key)
      implements ImapCommand {
    public Sort {
      keys = List.copyOf(keys);
    }
  }

  /** THREAD or UID THREAD (RFC 5256 §4); {@code algorithm} is upper case. */
  record Thread(String tag, boolean uid, String algorithm, String charset, SearchKey key)
      implements ImapCommand {}

  /**
   * FETCH or UID FETCH.
   *
   * @param changedSince the CHANGEDSINCE modifier (RFC 7162 §3.1.4), 0 when absent
   * @param vanished the VANISHED modifier of UID FETCH (RFC 7162 §3.2.6)
   * @param partial the PARTIAL modifier (RFC 9394 §3.2), empty when absent
   */
  record Fetch(
      String tag,
      boolean uid,
      SequenceSet set,
      List<FetchAttribute> attributes,
      long changedSince,
      boolean vanished,
      Optional<SearchReturn.PartialRange> partial)
      implements ImapCommand {
    public Fetch {
      attributes = List.copyOf(attributes);
    }

    /** A FETCH without modifiers. */
    public Fetch(String tag, boolean uid, SequenceSet set, List<FetchAttribute> attributes) {
      this(tag, uid, set, attributes, 0, false, Optional.empty());
    }
  }

  /**
   * STORE or UID STORE.
   *
   * @param unchangedSince the UNCHANGEDSINCE modifier (RFC 7162 §3.1.3), -1 when absent
   */
  record Store(
      String tag,
      boolean uid,
      SequenceSet set,
      org.carbonio.imap.spi.FlagOperation operation,
      boolean silent,
      Set<String> flags,
      long unchangedSince)
      implements ImapCommand {
    public Store {
      flags = Set.copyOf(flags);
    }

    public Store(
        String tag,
        boolean uid,
        SequenceSet set,
        org.carbonio.imap.spi.FlagOperation operation,
        boolean silent,
        Set<String> flags) {
      this(tag, uid, set, operation, silent, flags, -1);
    }
  }

  record Copy(String tag, boolean uid, SequenceSet set, String mailbox) implements ImapCommand {}

  record Move(String tag, boolean uid, SequenceSet set, String mailbox) implements ImapCommand {}

  /**
   * APPEND beyond one plain literal: several messages (MULTIAPPEND, RFC 3502), CATENATE (RFC 4469)
   * or a {@code literal8} (RFC 3516). The consumer closes it ({@link #close()}).
   */
  record AppendMessages(String tag, String mailbox, List<AppendMessage> messages)
      implements ImapCommand, AutoCloseable {
    public AppendMessages {
      messages = List.copyOf(messages);
    }

    @Override
    public void close() {
      for (AppendMessage m : messages) m.close();
    }
  }

  /**
   * Mailbox-level extension commands: LIST-EXTENDED, CREATE-SPECIAL-USE, QUOTA, ACL, METADATA
   * (handled by {@code MailboxExtensions}).
   */
  sealed interface MailboxExt extends ImapCommand {}

  /**
   * LIST with RFC 5258 selection and return options (upper case), several patterns, and RFC 5819
   * STATUS items ({@code statusItems} empty when STATUS is not asked).
   */
  record ListExtended(
      String tag,
      Set<String> selection,
      String reference,
      List<String> patterns,
      Set<String> returns,
      List<String> statusItems)
      implements MailboxExt {
    public ListExtended {
      selection = Set.copyOf(selection);
      patterns = List.copyOf(patterns);
      returns = Set.copyOf(returns);
      statusItems = List.copyOf(statusItems);
    }
  }

  /** CREATE with a USE list (RFC 6154 §3). */
  record CreateSpecialUse(String tag, String mailbox, Set<String> uses) implements MailboxExt {
    public CreateSpecialUse {
      uses = Set.copyOf(uses);
    }
  }

  /** GETQUOTA (RFC 9208 §4.1.1). */
  record GetQuota(String tag, String root) implements MailboxExt {}

  /** GETQUOTAROOT (RFC 9208 §4.1.2). */
  record GetQuotaRoot(String tag, String mailbox) implements MailboxExt {}

  /** SETQUOTA (RFC 9208 §4.1.4): resource name (upper case) to limit. */
  record SetQuota(String tag, String root, Map<String, Long> limits) implements MailboxExt {
    public SetQuota {
      limits = Map.copyOf(limits);
    }
  }

  /**
   * REPLACE or UID REPLACE (RFC 8508); {@code number} is an MSN or a UID. The consumer closes it.
   */
  record Replace(String tag, boolean uid, long number, String mailbox, AppendMessage message)
      implements ImapCommand, AutoCloseable {
    @Override
    public void close() {
      message.close();
    }
  }

  /** COMPRESS (RFC 4978); {@code mechanism} upper-cased. */
  record Compress(String tag, String mechanism) implements ImapCommand {}

  /** NOTIFY (RFC 5465); {@code spec} is empty for NOTIFY NONE. */
  record Notify(String tag, Optional<NotifySpec> spec) implements ImapCommand {}

  /**
   * SETACL (RFC 4314 §3.1); {@code mode} is {@code '+'}, {@code '-'} or {@code '='} (replace).
   * {@code rights} holds only valid letters, with obsolete c and d already mapped.
   */
  record SetAcl(String tag, String mailbox, String identifier, char mode, String rights)
      implements MailboxExt {}

  /** DELETEACL (RFC 4314 §3.2). */
  record DeleteAcl(String tag, String mailbox, String identifier) implements MailboxExt {}

  /** GETACL (RFC 4314 §3.3). */
  record GetAcl(String tag, String mailbox) implements MailboxExt {}

  /** LISTRIGHTS (RFC 4314 §3.4). */
  record ListRights(String tag, String mailbox, String identifier) implements MailboxExt {}

  /** MYRIGHTS (RFC 4314 §3.5). */
  record MyRights(String tag, String mailbox) implements MailboxExt {}

  /**
   * GETMETADATA (RFC 5464 §4.2).
   *
   * @param maxSize the MAXSIZE option, or -1
   * @param depth 0, 1, or -1 for infinity
   */
  record GetMetadata(String tag, String mailbox, List<String> entries, long maxSize, int depth)
      implements MailboxExt {
    public GetMetadata {
      entries = List.copyOf(entries);
    }
  }

  /** SETMETADATA (RFC 5464 §4.3); an empty value (NIL) removes the entry. */
  record SetMetadata(String tag, String mailbox, Map<String, Optional<String>> entries)
      implements MailboxExt {
    public SetMetadata {
      entries = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(entries));
    }
  }
}
