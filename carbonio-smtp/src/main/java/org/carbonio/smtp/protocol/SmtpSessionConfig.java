package org.carbonio.smtp.protocol;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.carbonio.smtp.Compliance;
import org.carbonio.smtp.ListenerPolicy;
import org.carbonio.smtp.SmtpLimits;
import org.carbonio.smtp.SmtpMode;
import org.carbonio.smtp.spi.Authenticator;
import org.carbonio.smtp.spi.DeliveryHandler;
import org.carbonio.smtp.spi.RecipientPolicy;

/**
 * Everything a {@link SmtpSession} needs besides its connection. Immutable; share one among all
 * sessions of a listener.
 *
 * @param hostname this server's name in the greeting, replies and {@code Received:} header
 * @param limits size, count and time bounds
 * @param mode SMTP or LMTP
 * @param compliance how strictly to read client input
 * @param startTlsOffered true when the transport can run STARTTLS
 * @param recipientPolicy decides each RCPT
 * @param deliveryHandler takes each message
 * @param clock the time source for the {@code Received:} date
 * @param spoolDirectory where bodies above {@link SmtpLimits#spoolThreshold()} are spooled
 * @param authenticator checks AUTH PLAIN/LOGIN credentials; empty: AUTH is not offered ({@code
 *     502})
 * @param policy what the listener requires (AUTH before MAIL, AUTH without TLS)
 */
public record SmtpSessionConfig(
    String hostname,
    SmtpLimits limits,
    SmtpMode mode,
    Compliance compliance,
    boolean startTlsOffered,
    RecipientPolicy recipientPolicy,
    DeliveryHandler deliveryHandler,
    Clock clock,
    Path spoolDirectory,
    Optional<Authenticator> authenticator,
    ListenerPolicy policy) {

  /** Checks that no component is null and the host name is a domain. */
  public SmtpSessionConfig {
    requireNonNull(hostname, "hostname");
    if (!CommandParser.isDomain(hostname)) {
      throw new IllegalArgumentException("hostname " + hostname + " is not a domain name");
    }
    requireNonNull(limits, "limits");
    requireNonNull(mode, "mode");
    requireNonNull(compliance, "compliance");
    requireNonNull(recipientPolicy, "recipientPolicy");
    requireNonNull(deliveryHandler, "deliveryHandler");
    requireNonNull(clock, "clock");
    requireNonNull(spoolDirectory, "spoolDirectory");
    requireNonNull(authenticator, "authenticator");
    requireNonNull(policy, "policy");
    if (policy.authRequired() && authenticator.isEmpty()) {
      throw new IllegalArgumentException("a policy that requires AUTH needs an authenticator");
    }
  }

  /** A configuration without AUTH, with {@link ListenerPolicy#MX}. */
  public SmtpSessionConfig(
      String hostname,
      SmtpLimits limits,
      SmtpMode mode,
      Compliance compliance,
      boolean startTlsOffered,
      RecipientPolicy recipientPolicy,
      DeliveryHandler deliveryHandler,
      Clock clock,
      Path spoolDirectory) {
    this(
        hostname,
        limits,
        mode,
        compliance,
        startTlsOffered,
        recipientPolicy,
        deliveryHandler,
        clock,
        spoolDirectory,
        Optional.empty(),
        ListenerPolicy.MX);
  }
}
