package org.carbonio.mime;

import static java.util.Objects.requireNonNull;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Converts between this module's messages and Jakarta Mail's {@link MimeMessage}. Thread-safe
 * (stateless). Jakarta Mail is an optional dependency of this module: callers of this class bring
 * {@code jakarta.mail-api} and an implementation (such as Angus Mail) themselves.
 *
 * {@snippet :
 * MimeMessage mm = JakartaMail.toMimeMessage(new MessageBuilder().from("a@example.com").build(),
 *     Session.getInstance(new Properties()));
 * ParsedMessage back = JakartaMail.fromMimeMessage(mm);
 * }
 */
public final class JakartaMail {

  private JakartaMail() {}

  /** Reads {@code message} (RFC 5322 bytes) into a new {@link MimeMessage} of {@code session}. */
  public static MimeMessage toMimeMessage(byte[] message, Session session)
      throws MessagingException {
    requireNonNull(message, "message");
    requireNonNull(session, "session");
    return new MimeMessage(session, new ByteArrayInputStream(message));
  }

  /** Reads the bytes of {@code message} into a new {@link MimeMessage} of {@code session}. */
  public static MimeMessage toMimeMessage(ParsedMessage message, Session session)
      throws MessagingException {
    requireNonNull(message, "message");
    requireNonNull(session, "session");
    return new MimeMessage(session, message.openStream());
  }

  /**
   * Writes {@code message} ({@link MimeMessage#writeTo}, which saves pending changes first) and
   * parses the bytes, with line endings made CRLF.
   *
   * @throws IOException when the message's content cannot be read
   * @throws MessagingException when Jakarta Mail cannot write the message
   */
  public static ParsedMessage fromMimeMessage(MimeMessage message)
      throws IOException, MessagingException {
    requireNonNull(message, "message");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    message.writeTo(out);
    return ParsedMessage.parse(ParsedMessage.toCrlf(out.toByteArray()));
  }
}
