package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

import java.time.LocalDate;
import java.util.List;

/** Immutable: an RFC 3501 §6.4.4 search key, as a closed tree. */
public sealed interface SearchKey {
  /** ALL. */
  record All() implements SearchKey {}

  /** Conjunction (a parenthesised list or the top-level key list). */
  record And(List<SearchKey> keys) implements SearchKey {
    public And {
      keys = List.copyOf(keys);
    }
  }

  /** OR a b. */
  record Or(SearchKey left, SearchKey right) implements SearchKey {}

  /** NOT a. */
  record Not(SearchKey key) implements SearchKey {}

  /** A message sequence number set; {@link SequenceSet#SAVED} for {@code $} (RFC 5182). */
  record Sequence(SequenceSet set) implements SearchKey {}

  /** UID set; {@link SequenceSet#SAVED} for {@code $} (RFC 5182). */
  record Uid(SequenceSet set) implements SearchKey {}

  /**
   * A flag test: ANSWERED/DELETED/DRAFT/FLAGGED/SEEN/KEYWORD ({@code set == true}) and their UN*
   * forms.
   */
  record Flag(String flag, boolean set) implements SearchKey {
    public Flag {
      requireNonNull(flag, "flag");
    }
  }

  /** RECENT (this server never marks messages recent). */
  record Recent() implements SearchKey {}

  /** NEW: recent and unseen. */
  record New() implements SearchKey {}

  /** OLD: not recent. */
  record Old() implements SearchKey {}

  /**
   * A header contains a substring (case-insensitive): FROM, TO, CC, BCC, SUBJECT, HEADER name
   * value. An empty value matches every message having the field.
   */
  record Header(String field, String value) implements SearchKey {}

  /** BODY string. */
  record Body(String value) implements SearchKey {}

  /** TEXT string (header and body). */
  record Text(String value) implements SearchKey {}

  /** BEFORE/ON/SINCE (internal date) and SENTBEFORE/SENTON/SENTSINCE (Date header). */
  record Date(boolean sent, Comparison comparison, LocalDate date) implements SearchKey {}

  /** LARGER n (larger == true) or SMALLER n. */
  record Size(boolean larger, long size) implements SearchKey {}

  /**
   * MODSEQ [entry-name entry-type] n (RFC 7162 §3.1.5): the message's modseq is at least {@code
   * modSeq}. Per-flag modseqs are not kept, so the entry, when given, is checked but not used.
   *
   * @param entry the entry name (e.g. {@code /flags/\\draft}), empty when not given
   */
  record ModSeq(java.util.Optional<String> entry, long modSeq) implements SearchKey {}

  /** EMAILID objectid (RFC 8474 §6). */
  record EmailId(String id) implements SearchKey {}

  /** THREADID objectid (RFC 8474 §6). */
  record ThreadId(String id) implements SearchKey {}

  /** SAVEDBEFORE/SAVEDON/SAVEDSINCE (RFC 8514 §5). */
  record SaveDate(Comparison comparison, LocalDate date) implements SearchKey {}

  /** SAVEDATESUPPORTED (RFC 8514 §5). */
  record SaveDateSupported() implements SearchKey {}

  /** OLDER n (RFC 5032 §3): internal date more than {@code seconds} before now. */
  record Older(long seconds) implements SearchKey {}

  /** YOUNGER n (RFC 5032 §3): internal date at most {@code seconds} before now. */
  record Younger(long seconds) implements SearchKey {}

  /** How a date compares. */
  enum Comparison {
    BEFORE,
    ON,
    SINCE
  }
}
