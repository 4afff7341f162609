package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Immutable: one message of an APPEND (RFC 3502 MULTIAPPEND, RFC 4469 CATENATE) or REPLACE (RFC
 * 8508): its flags, optional date-time and content parts. A plain literal is one {@link
 * AppendPart.Text}; a CATENATE list is any mix of text and URL parts. The {@link ByteSource}s of
 * text parts must be closed by whoever consumes the command ({@link #close()}).
 *
 * @param catenate whether the client used CATENATE (URL parts are only valid then)
 */
public record AppendMessage(
    Set<String> flags, Optional<Instant> internalDate, List<AppendPart> parts, boolean catenate)
    implements AutoCloseable {
  public AppendMessage {
    flags = Set.copyOf(flags);
    requireNonNull(internalDate, "internalDate");
    parts = List.copyOf(parts);
    if (parts.isEmpty()) throw new IllegalArgumentException("no parts");
  }

  /** Releases the text parts' storage (spool files); idempotent, never throws. */
  @Override
  public void close() {
    for (AppendPart p : parts) if (p instanceof AppendPart.Text t) t.bytes().close();
  }

  /** Immutable: one part of a message. */
  public sealed interface AppendPart {
    /** Literal bytes ({@code literal} or {@code literal8}, or CATENATE {@code TEXT}). */
    record Text(ByteSource bytes) implements AppendPart {
      public Text {
        requireNonNull(bytes, "bytes");
      }
    }

    /** A CATENATE {@code URL} (RFC 4469 §2, RFC 5092), as sent. */
    record Url(String url) implements AppendPart {
      public Url {
        requireNonNull(url, "url");
      }
    }
  }
}
