package org.carbonio.imap.spi;

import java.util.List;

/** Immutable: every message of a mailbox at one moment, in ascending UID order. */
public record MailboxSnapshot(
    long uidValidity, long uidNext, long highestModSeq, List<MessageMeta> messages) {
  public MailboxSnapshot {
    messages = List.copyOf(messages);
  }
}
