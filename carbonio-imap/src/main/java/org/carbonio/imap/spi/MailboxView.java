package org.carbonio.imap.spi;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.Set;

/**
 * Immutable: what SELECT needs of a mailbox (RFC 3501 §6.3.1), at one moment: its counters, the UID
 * of every message (4 bytes each) and no per-message metadata.
 *
 * @param uidValidity the UIDVALIDITY
 * @param uidNext the UID the next message will get
 * @param highestModSeq the highest modseq (0 when the backend has none)
 * @param firstUnseenUid the lowest UID without {@code \Seen}, or 0 if every message is seen
 * @param keywords the keywords in use in the mailbox (for the FLAGS response)
 * @param uids every message's UID, ascending
 */
public record MailboxView(
    long uidValidity,
    long uidNext,
    long highestModSeq,
    long firstUnseenUid,
    Set<String> keywords,
    UidList uids) {
  public MailboxView {
    keywords = Set.copyOf(requireNonNull(keywords, "keywords"));
    requireNonNull(uids, "uids");
  }

  /** Builds the view of a snapshot (for backends that only implement {@code snapshot}). */
  public static MailboxView of(MailboxSnapshot snapshot) {
    UidList.Builder uids = new UidList.Builder(snapshot.messages().size());
    Set<String> keywords = new HashSet<>();
    long firstUnseen = 0;
    for (MessageMeta m : snapshot.messages()) {
      uids.add(m.uid());
      for (String f : m.flags()) if (!f.startsWith("\\")) keywords.add(f);
      if (firstUnseen == 0 && !m.flags().contains("\\Seen")) firstUnseen = m.uid();
    }
    return new MailboxView(
        snapshot.uidValidity(),
        snapshot.uidNext(),
        snapshot.highestModSeq(),
        firstUnseen,
        keywords,
        uids.build());
  }
}
