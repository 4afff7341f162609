package org.carbonio.imap.spi;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Set;

/**
 * Immutable: one message for {@link UserMailboxes#appendAll} or {@link UserMailboxes#replace}.
 *
 * @param flags initial flags ({@code \Recent} already removed)
 * @param internalDate the INTERNALDATE
 * @param size exact number of bytes {@code content} yields
 * @param content opens the bytes; each stream is valid only during the SPI call and is closed by
 *     the backend
 */
public record NewMessage(Set<String> flags, Instant internalDate, long size, Content content) {
  public NewMessage {
    flags = Set.copyOf(flags);
    requireNonNull(internalDate, "internalDate");
    requireNonNull(content, "content");
    if (size < 0) throw new IllegalArgumentException("size " + size);
  }

  /** Opens the message bytes; may be called more than once. */
  @FunctionalInterface
  public interface Content {
    InputStream open() throws IOException;
  }
}
