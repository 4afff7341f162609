package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Immutable: one server response (RFC 3501 §7), serialised by {@link ImapEncoder}. A {@link
 * FetchItem.Body} may carry a lazy {@link ByteSource} that the transport streams.
 */
public sealed interface ImapResponse {

  /** Status conditions. */
  enum Status {
    OK,
    NO,
    BAD,
    PREAUTH,
    BYE
  }

  /**
   * {@code tag OK [code] text}.
   *
   * @param code response code without brackets, or null
   */
  record Tagged(String tag, Status status, String code, String text) implements ImapResponse {
    public Tagged {
      requireNonNull(tag, "tag");
      requireNonNull(status, "status");
      requireNonNull(text, "text");
    }
  }

  /** {@code * OK [code] text}, {@code * BYE ...}. */
  record Untagged(Status status, String code, String text) implements ImapResponse {
    public Untagged {
      requireNonNull(status, "status");
      requireNonNull(text, "text");
    }
  }

  /** {@code + text}: a continuation request. */
  record Continuation(String text) implements ImapResponse {}

  record Capability(List<String> capabilities) implements ImapResponse {
    public Capability {
      capabilities = List.copyOf(capabilities);
    }
  }

  /** {@code * LIST (attrs) "/" name} or LSUB; name is Unicode. */
  record ListItem(boolean lsub, Set<String> attributes, String name) implements ImapResponse {
    public ListItem {
      attributes = Set.copyOf(attributes);
    }
  }

  /**
   * {@code * STATUS name (ITEM n ...)}; {@code items} keeps its order.
   *
   * @param mailboxId the MAILBOXID item (RFC 8474 §4.2), written last, or null
   */
  record StatusData(String mailbox, List<Map.Entry<String, Long>> items, String mailboxId)
      implements ImapResponse {
    public StatusData {
      items = List.copyOf(items);
    }

    public StatusData(String mailbox, List<Map.Entry<String, Long>> items) {
      this(mailbox, items, null);
    }
  }

  record Flags(List<String> flags) implements ImapResponse {
    public Flags {
      flags = List.copyOf(flags);
    }
  }

  record Exists(long count) implements ImapResponse {}

  record Recent(long count) implements ImapResponse {}

  record Expunge(long msn) implements ImapResponse {}

  /**
   * {@code * SEARCH n...}.
   *
   * @param modSeq the {@code (MODSEQ n)} suffix of RFC 7162 §3.1.5, 0 for none
   */
  record Search(List<Long> numbers, long modSeq) implements ImapResponse {
    public Search {
      numbers = List.copyOf(numbers);
    }

    public Search(List<Long> numbers) {
      this(numbers, 0);
    }
  }

  /**
   * {@code * VANISHED [(EARLIER)] uid-set} (RFC 7162 §3.2.10).
   *
   * @param uids ascending UIDs, not empty
   */
  record Vanished(boolean earlier, List<Long> uids) implements ImapResponse {
    public Vanished {
      uids = List.copyOf(uids);
      if (uids.isEmpty()) throw new IllegalArgumentException("no uids");
    }
  }

  /**
   * {@code * ESEARCH (TAG "t") UID name value ...} (RFC 4731 §3.1, RFC 5267, RFC 9394); {@code
   * data} keeps its order, values are already in IMAP syntax.
   *
   * @param tag the command's tag
   * @param uid whether the numbers are UIDs
   */
  record ESearch(String tag, boolean uid, List<Map.Entry<String, String>> data)
      implements ImapResponse {
    public ESearch {
      requireNonNull(tag, "tag");
      data = List.copyOf(data);
    }
  }

  /** {@code * SORT n ...} (RFC 5256 §4), in sort order. */
  record Sort(List<Long> numbers) implements ImapResponse {
    public Sort {
      numbers = List.copyOf(numbers);
    }
  }

  /** {@code * THREAD ...} (RFC 5256 §4); {@code threads} is already in IMAP syntax. */
  record Thread(String threads) implements ImapResponse {
    public Thread {
      requireNonNull(threads, "threads");
    }
  }

  record Fetch(long msn, List<FetchItem> items) implements ImapResponse {
    public Fetch {
      items = List.copyOf(items);
    }
  }

  /** {@code * NAMESPACE (("" "/")) NIL NIL} (RFC 2342). */
  record Namespace() implements ImapResponse {}

  /** {@code * ID (...)} (RFC 2971). */
  record Id(Map<String, String> parameters) implements ImapResponse {
    public Id {
      parameters = Map.copyOf(parameters);
    }
  }

  /** {@code * ENABLED cap ...} (RFC 5161 §3.2). */
  record Enabled(List<String> capabilities) implements ImapResponse {
    public Enabled {
      capabilities = List.copyOf(capabilities);
    }
  }

  /**
   * {@code response} with its mailbox names in UTF-8 instead of modified UTF-7, for a session that
   * enabled UTF8=ACCEPT (RFC 6855 §3).
   */
  record Utf8(ImapResponse response) implements ImapResponse {
    public Utf8 {
      requireNonNull(response, "response");
    }
  }

  /** One item of a FETCH response. */
  sealed interface FetchItem {
    record Flags(List<String> flags) implements FetchItem {
      public Flags {
        flags = List.copyOf(flags);
      }
    }

    record Uid(long uid) implements FetchItem {}

    record InternalDate(Instant date) implements FetchItem {}

    record Size(long size) implements FetchItem {}

    /** Already in IMAP syntax (parenthesised list). */
    record Envelope(String imap) implements FetchItem {}

    /** BODY or BODYSTRUCTURE, already in IMAP syntax. */
    record Structure(boolean extensible, String imap) implements FetchItem {}

    /** {@code MODSEQ (n)} (RFC 7162 §3.1.4.1). */
    record ModSeq(long modSeq) implements FetchItem {}

    /** {@code EMAILID (id)} (RFC 8474 §5.1). */
    record EmailId(String id) implements FetchItem {}

    /** {@code THREADID (id)} or {@code THREADID NIL} for null (RFC 8474 §5.2). */
    record ThreadId(String id) implements FetchItem {}

    /** {@code SAVEDATE "date-time"} or {@code SAVEDATE NIL} for null (RFC 8514 §4). */
    record SaveDate(Instant date) implements FetchItem {}

    /** {@code PREVIEW text} or {@code PREVIEW NIL} for null (RFC 8970 §3). */
    record Preview(String text) implements FetchItem {}

    /**
     * {@code name} is e.g. {@code BODY[TEXT]<0>}; content null means NIL. The encoder writes NUL
     * octets of the content as 0x80 (RFC 9051 §4.3: a literal has no NUL).
     */
    record Body(String name, ByteSource content) implements FetchItem {}

    /**
     * {@code BINARY[...]} (RFC 3516): content null means NIL; {@code literal8} sends {@code ~{n}}
     * (the content holds NUL bytes).
     */
    record Binary(String name, ByteSource content, boolean literal8) implements FetchItem {}

    /** {@code BINARY.SIZE[...] n} (RFC 3516). */
    record BinarySize(String name, long size) implements FetchItem {}
  }

  /** Responses of the mailbox-level extensions, serialised by {@code MailboxExtEncoding}. */
  sealed interface MailboxExt extends ImapResponse {}

  /**
   * {@code * LIST (attrs) "/" name} with optional RFC 5258 extended data.
   *
   * @param childInfo CHILDINFO selection options (RFC 5258 §4), empty for none
   */
  record ListExtended(Set<String> attributes, String name, List<String> childInfo)
      implements MailboxExt {
    public ListExtended {
      attributes = Set.copyOf(attributes);
      childInfo = List.copyOf(childInfo);
    }
  }

  /** {@code * NAMESPACE} (RFC 2342) with the prefixes of each namespace kind. */
  record NamespaceData(org.carbonio.imap.spi.Namespaces namespaces) implements MailboxExt {}

  /** {@code * QUOTA root (RES usage limit ...)} (RFC 9208 §5.1). */
  record QuotaData(org.carbonio.imap.spi.Quota quota) implements MailboxExt {}

  /** {@code * QUOTAROOT mailbox root ...} (RFC 9208 §5.2). */
  record QuotaRoot(String mailbox, List<String> roots) implements MailboxExt {
    public QuotaRoot {
      roots = List.copyOf(roots);
    }
  }

  /** {@code * ACL mailbox id rights ...} (RFC 4314 §3.6); entries keep their order. */
  record AclData(String mailbox, List<Map.Entry<String, String>> entries) implements MailboxExt {
    public AclData {
      entries = List.copyOf(entries);
    }
  }

  /** {@code * LISTRIGHTS mailbox id required optional...} (RFC 4314 §3.7). */
  record ListRightsData(String mailbox, String identifier, String required, List<String> optional)
      implements MailboxExt {
    public ListRightsData {
      optional = List.copyOf(optional);
    }
  }

  /** {@code * MYRIGHTS mailbox rights} (RFC 4314 §3.8). */
  record MyRightsData(String mailbox, String rights) implements MailboxExt {}

  /** {@code * METADATA mailbox (entry value ...)} (RFC 5464 §4.4.1). */
  record MetadataData(String mailbox, List<Map.Entry<String, String>> entries)
      implements MailboxExt {
    public MetadataData {
      entries = List.copyOf(entries);
    }
  }
}
