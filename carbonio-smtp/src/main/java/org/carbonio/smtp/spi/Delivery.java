package org.carbonio.smtp.spi;

import static java.util.Objects.requireNonNull;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;

/**
 * One message handed to a {@link DeliveryHandler}. Immutable, but {@link #message()} and {@link
 * #content()} are valid only during {@link DeliveryHandler#deliver} or {@link
 * DeliveryHandler#deliverEach}: the engine deletes the spooled bytes afterwards.
 *
 * <p>The content starts with the {@code Received:} trace header the engine prepends (RFC 5321
 * §4.4), followed by exactly the bytes the client sent: after DATA dot-unstuffed (RFC 5321 §4.5.2)
 * up to and including the CRLF before the terminating {@code .}; with BDAT the chunks as sent (RFC
 * 3030). With {@link org.carbonio.smtp.Compliance#LENIENT} a bare LF in DATA was normalised to
 * CRLF.
 *
 * @param session the connection, its greeting and authenticated identity
 * @param id the transaction id, also in the {@code Received:} header and the 250 reply
 * @param envelope the sender, the recipients with their DSN parameters, and the MAIL parameters
 *     (RFC 3461, RFC 6152, RFC 6531, RFC 8689)
 * @param message the message, trace header first; {@link MessageContent#open()} may be called any
 *     number of times (filters, DKIM, storage) during the call, from any thread
 */
public record Delivery(SessionInfo session, String id, Envelope envelope, MessageContent message) {

  /** Checks that no component is null. */
  public Delivery {
    requireNonNull(session, "session");
    requireNonNull(id, "id");
    requireNonNull(envelope, "envelope");
    requireNonNull(message, "message");
  }

  /** The reverse-path, {@code ""} for the null reverse-path (bounces). */
  public String sender() {
    return envelope.sender();
  }

  /** The accepted forward-paths, in RCPT order. */
  public List<String> recipients() {
    return envelope.recipients().stream().map(EnvelopeRecipient::address).toList();
  }

  /**
   * A new stream over the message from its first byte, trace header included; each call returns
   * another stream. The stream opens {@link #message()} at its first read, so a failure to open
   * surfaces there as an {@link IOException}. The caller closes it.
   */
  public InputStream content() {
    return new LazyStream(message);
  }

  /** The number of bytes of {@link #content()}, trace header included. */
  public long size() {
    return message.size();
  }

  private static final class LazyStream extends FilterInputStream {
    private final MessageContent message;
    private boolean opened;

    LazyStream(MessageContent message) {
      super(null);
      this.message = message;
    }

    private InputStream stream() throws IOException {
      if (!opened) {
        opened = true;
        in = message.open();
      }
      return in;
    }

    @Override
    public int read() throws IOException {
      return stream().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return stream().read(b, off, len);
    }

    @Override
    public long skip(long n) throws IOException {
      return stream().skip(n);
    }

    @Override
    public int available() throws IOException {
      return stream().available();
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public void close() throws IOException {
      if (in != null) {
        in.close();
      }
    }
  }
}
