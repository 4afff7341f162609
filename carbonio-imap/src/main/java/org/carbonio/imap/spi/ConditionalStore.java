package org.carbonio.imap.spi;

import java.util.List;

/**
 * Immutable: outcome of a conditional flag change (RFC 7162 §3.1.3, STORE UNCHANGEDSINCE).
 *
 * @param updated metadata, after the change, of the messages that passed the test (whether or not
 *     their flags changed)
 * @param modified UIDs of the messages whose modseq was above the limit, left unchanged
 */
public record ConditionalStore(List<MessageMeta> updated, List<Long> modified) {
  public ConditionalStore {
    updated = List.copyOf(updated);
    modified = List.copyOf(modified);
  }
}
