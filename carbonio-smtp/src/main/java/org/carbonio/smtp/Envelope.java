package org.carbonio.smtp;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.carbonio.smtp.protocol.BodyType;

/**
 * The SMTP envelope of one message as the server accepted it, with the parameters that must travel
 * with it to the next hop: DSN (RFC 3461), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531) and REQUIRETLS
 * (RFC 8689). Immutable.
 *
 * @param sender the reverse-path, {@code ""} for the null reverse-path
 * @param recipients the forward-paths in RCPT order
 * @param ret the {@code RET=} parameter, or {@code null} when absent
 * @param envelopeId the {@code ENVID=} value decoded from xtext, or {@code ""}
 * @param body the {@code BODY=} parameter
 * @param smtputf8 true when MAIL carried {@code SMTPUTF8}
 * @param requireTls true when MAIL carried {@code REQUIRETLS} (RFC 8689 §4.1)
 */
public record Envelope(
    String sender,
    List<EnvelopeRecipient> recipients,
    DsnReturn ret,
    String envelopeId,
    BodyType body,
    boolean smtputf8,
    boolean requireTls) {

  /** Checks the components and copies the list. */
  public Envelope {
    requireNonNull(sender, "sender");
    recipients = List.copyOf(recipients);
    requireNonNull(envelopeId, "envelopeId");
    requireNonNull(body, "body");
  }

  /** A plain envelope: no DSN, SMTPUTF8 or REQUIRETLS parameters. */
  public static Envelope of(String sender, List<String> recipients) {
    return new Envelope(
        sender,
        recipients.stream().map(EnvelopeRecipient::of).toList(),
        null,
        "",
        BodyType.UNSPECIFIED,
        false,
        false);
  }

  /** The same envelope for other recipients (a subset being retried or routed elsewhere). */
  public Envelope withRecipients(List<EnvelopeRecipient> others) {
    return new Envelope(sender, others, ret, envelopeId, body, smtputf8, requireTls);
  }
}
