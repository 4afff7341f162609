package org.carbonio.imap.spi;

import java.util.List;

/**
 * Immutable: changes above a modseq.
 *
 * @param highestModSeq the modseq these changes bring the reader up to
 * @param changed new messages and messages whose flags changed, any order
 * @param expunged UIDs removed
 */
public record MailboxChanges(long highestModSeq, List<MessageMeta> changed, List<Long> expunged) {
  public MailboxChanges {
    changed = List.copyOf(changed);
    expunged = List.copyOf(expunged);
  }
}
