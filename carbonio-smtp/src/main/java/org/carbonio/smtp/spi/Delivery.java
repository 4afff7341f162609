package org.carbonio.smtp.spi;

import static java.util.Objects.requireNonNull;

import java.io.InputStream;
import java.util.List;

/**
 * One message handed to a {@link DeliveryHandler}. Immutable, but {@link #content()} is a stream
 * that is valid only during {@link DeliveryHandler#deliver}.
 *
 * <p>The content starts with the {@code Received:} trace header the engine prepends (RFC 5321
 * §4.4), followed by exactly the bytes the client sent after DATA, dot-unstuffed (RFC 5321 §4.5.2),
 * up to and including the CRLF before the terminating {@code .}. With {@link
 * org.carbonio.smtp.Compliance#LENIENT} a bare LF in the data was normalised to CRLF.
 *
 * @param session the connection and its greeting
 * @param id the transaction id, also in the {@code Received:} header and the 250 reply
 * @param sender the reverse-path, {@code ""} for the null reverse-path (bounces)
 * @param recipients the accepted forward-paths, in RCPT order
 * @param content the message, trace header first; valid only during the call
 * @param size the number of bytes of {@code content}, trace header included
 */
public record Delivery(
    SessionInfo session,
    String id,
    String sender,
    List<String> recipients,
    InputStream content,
    long size) {

  /** Checks components and copies the recipient list. */
  public Delivery {
    requireNonNull(session, "session");
    requireNonNull(id, "id");
    requireNonNull(sender, "sender");
    recipients = List.copyOf(recipients);
    requireNonNull(content, "content");
    if (size < 0) {
      throw new IllegalArgumentException("size " + size + " < 0");
    }
  }
}
