package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.io.InputStream;
import java.time.Instant;
import java.util.Set;

/**
 * One message for {@link Mailbox#importMessages}: its content, flags and INTERNALDATE.
 *
 * <p>Immutable (the stream is read to its end and closed by the import).
 *
 * @param content the message bytes
 * @param flags initial flags (may be empty)
 * @param internalDate the INTERNALDATE
 */
public record ImportMessage(InputStream content, Set<String> flags, Instant internalDate) {
  /** Validates and copies the fields. */
  public ImportMessage {
    requireNonNull(content, "content");
    flags = Set.copyOf(requireNonNull(flags, "flags"));
    requireNonNull(internalDate, "internalDate");
  }
}
