package org.carbonio.imap.spi;

/**
 * Immutable: counters of one mailbox.
 *
 * @param highestModSeq 0 when the backend has no modseq
 */
public record MailboxStatus(
    long messages, long unseen, long uidNext, long uidValidity, long highestModSeq) {}
