package org.carbonio.imap.spi;

/** Immutable: where an appended message landed (RFC 4315 APPENDUID). */
public record AppendResult(long uidValidity, long uid) {}
