package org.carbonio.server;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.carbonio.smtp.SmtpLimits;
import org.carbonio.smtp.filter.FilterPolicy;

/**
 * How the server's MTA reaches the rest of the world and which checks it runs. Immutable.
 *
 * @param relayNetworks clients in these networks (CIDR, e.g. {@code 192.0.2.0/24}) may relay
 *     without AUTH, like Postfix's {@code mynetworks}; empty by default, so only authenticated
 *     submission relays
 * @param dnsServers the resolvers outbound delivery, SPF, DKIM, DMARC, MTA-STS and DANE ask; empty
 *     means the system's ({@code /etc/resolv.conf})
 * @param outboundPort the port of remote MX hosts (25; tests point it at a receiving server)
 * @param smarthost deliver every outbound message through this relay instead of MX lookups
 * @param clamd a clamd TCP address: scan every message for viruses
 * @param spamd a spamd TCP address: score every message received on the MX listener
 * @param greylisting greylist unauthenticated senders on the MX listener (RFC 6647)
 * @param filterPolicies what the content filters do, by recipient domain; the key {@code "*"} is
 *     the default for other domains ({@link FilterPolicy#DEFAULTS} when absent)
 * @param smtpLimits the limits of each SMTP listener (25, 587, 465, LMTP); {@link
 *     #DEFAULT_SMTP_LIMITS} by default: carbonio-smtp's {@link SmtpLimits#DEFAULTS} (among them a
 *     5-minute wait for a command or for message data, like Postfix's {@code smtpd_timeout}) with
 *     {@value #DEFAULT_MAX_CONNECTIONS} connections at once per listener (an idle session costs
 *     about 18 KB of heap, see BENCHMARKS.md); more get {@code 421 4.3.2}
 */
public record MtaConfig(
    List<String> relayNetworks,
    List<InetSocketAddress> dnsServers,
    int outboundPort,
    Optional<Smarthost> smarthost,
    Optional<InetSocketAddress> clamd,
    Optional<InetSocketAddress> spamd,
    boolean greylisting,
    Map<String, FilterPolicy> filterPolicies,
    SmtpLimits smtpLimits) {

  /** Connections each SMTP listener serves at once by default. */
  public static final int DEFAULT_MAX_CONNECTIONS = 2_000;

  /** The default of {@link #smtpLimits()}. */
  public static final SmtpLimits DEFAULT_SMTP_LIMITS =
      SmtpLimits.DEFAULTS.withMaxConnections(DEFAULT_MAX_CONNECTIONS);

  /** No relay networks, the system's resolvers, port 25, no smarthost, no filters. */
  public static final MtaConfig DEFAULTS =
      new MtaConfig(
          List.of(),
          List.of(),
          25,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          false,
          Map.of(),
          DEFAULT_SMTP_LIMITS);

  /**
   * A relay host for all outbound mail.
   *
   * @param address where it listens
   * @param implicitTls connect with TLS (port 465 style) instead of STARTTLS
   * @param user the AUTH user, or {@code ""} for none
   * @param passwordFile the file holding the AUTH password (read at start), when {@code user} is
   *     set
   */
  public record Smarthost(
      InetSocketAddress address, boolean implicitTls, String user, Optional<Path> passwordFile) {
    public Smarthost {
      requireNonNull(address, "address");
      requireNonNull(user, "user");
      requireNonNull(passwordFile, "passwordFile");
      if (!user.isEmpty() && passwordFile.isEmpty()) {
        throw new IllegalArgumentException("a smarthost user needs a password file");
      }
    }
  }

  public MtaConfig {
    relayNetworks = List.copyOf(relayNetworks);
    dnsServers = List.copyOf(dnsServers);
    requireNonNull(smarthost, "smarthost");
    requireNonNull(clamd, "clamd");
    requireNonNull(spamd, "spamd");
    filterPolicies = Map.copyOf(filterPolicies);
    requireNonNull(smtpLimits, "smtpLimits");
    if (outboundPort < 1 || outboundPort > 65_535) {
      throw new IllegalArgumentException("outbound port out of range: " + outboundPort);
    }
  }

  /** As the canonical constructor, with {@link #DEFAULT_SMTP_LIMITS}. */
  public MtaConfig(
      List<String> relayNetworks,
      List<InetSocketAddress> dnsServers,
      int outboundPort,
      Optional<Smarthost> smarthost,
      Optional<InetSocketAddress> clamd,
      Optional<InetSocketAddress> spamd,
      boolean greylisting,
      Map<String, FilterPolicy> filterPolicies) {
    this(
        relayNetworks,
        dnsServers,
        outboundPort,
        smarthost,
        clamd,
        spamd,
        greylisting,
        filterPolicies,
        DEFAULT_SMTP_LIMITS);
  }
}
