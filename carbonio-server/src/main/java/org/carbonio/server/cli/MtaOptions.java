package org.carbonio.server.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.carbonio.server.MtaConfig;
import org.carbonio.smtp.SmtpLimits;
import org.carbonio.smtp.filter.FilterPolicy;
import org.carbonio.smtp.filter.SpamAction;
import org.carbonio.smtp.filter.VirusAction;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Relaying, outbound delivery and content checks of the MTA. */
final class MtaOptions {
  @Option(
      names = "--relay-network",
      description =
          "A network (CIDR) whose clients may relay without AUTH; repeatable (default: none).")
  List<String> relayNetworks = new ArrayList<>();

  @Option(
      names = "--dns-server",
      description = "A resolver HOST:PORT for outbound mail and SPF/DKIM/DMARC (default: system).")
  List<String> dnsServers = new ArrayList<>();

  @Option(
      names = "--outbound-port",
      defaultValue = "25",
      description = "The port of remote MX hosts (default: ${DEFAULT-VALUE}).")
  int outboundPort;

  @Option(names = "--smarthost", description = "Send all outbound mail through HOST:PORT.")
  String smarthost;

  @Option(names = "--smarthost-tls", description = "Connect to the smarthost with implicit TLS.")
  boolean smarthostTls;

  @Option(names = "--smarthost-user", description = "AUTH user at the smarthost.")
  String smarthostUser;

  @Option(
      names = "--smarthost-password-file",
      description = "File holding the smarthost AUTH password.")
  Path smarthostPasswordFile;

  @Option(names = "--clamd", description = "Scan mail with the clamd at HOST:PORT.")
  String clamd;

  @Option(names = "--spamd", description = "Score mail with the spamd at HOST:PORT.")
  String spamd;

  @Option(
      names = "--greylisting",
      description = "Greylist unauthenticated senders on the MX listener (RFC 6647).")
  boolean greylisting;

  @Option(
      names = "--filter-policy",
      description =
          "DOMAIN:virus=reject|quarantine|tag,spam=tag|junk|quarantine|reject for mail to DOMAIN"
              + " (* for every other domain); repeatable (default: virus=reject,spam=tag).")
  List<String> filterPolicies = new ArrayList<>();

  @Option(
      names = "--smtp-max-connections",
      defaultValue = "" + MtaConfig.DEFAULT_MAX_CONNECTIONS,
      description =
          "Connections each SMTP listener (25, 587, 465, LMTP) serves at once; more get 421"
              + " (default: ${DEFAULT-VALUE}).")
  int smtpMaxConnections;

  @Option(
      names = "--smtp-timeout",
      defaultValue = "300",
      paramLabel = "SECONDS",
      description =
          "How long an SMTP client may take to send its next command or the next bytes of a"
              + " message before it gets 421 and is disconnected, like Postfix's smtpd_timeout"
              + " (default: ${DEFAULT-VALUE}; RFC 5321 §4.5.3.2 asks for at least 300).")
  int smtpTimeoutSeconds;

  MtaConfig config(CommandSpec spec) {
    try {
      Optional<MtaConfig.Smarthost> relay =
          Optional.ofNullable(smarthost)
              .map(
                  h ->
                      new MtaConfig.Smarthost(
                          address(h),
                          smarthostTls,
                          smarthostUser == null ? "" : smarthostUser,
                          Optional.ofNullable(smarthostPasswordFile)));
      return new MtaConfig(
          relayNetworks,
          dnsServers.stream().map(MtaOptions::address).toList(),
          outboundPort,
          relay,
          Optional.ofNullable(clamd).map(MtaOptions::address),
          Optional.ofNullable(spamd).map(MtaOptions::address),
          greylisting,
          policies(),
          smtpLimits());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private SmtpLimits smtpLimits() {
    if (smtpMaxConnections < 1) {
      throw new IllegalArgumentException("--smtp-max-connections must be at least 1");
    }
    if (smtpTimeoutSeconds < 1) {
      throw new IllegalArgumentException("--smtp-timeout must be at least 1 second");
    }
    Duration timeout = Duration.ofSeconds(smtpTimeoutSeconds);
    return MtaConfig.DEFAULT_SMTP_LIMITS
        .withMaxConnections(smtpMaxConnections)
        .withIdleTimeout(timeout)
        .withDataTimeout(timeout);
  }

  private Map<String, FilterPolicy> policies() {
    Map<String, FilterPolicy> out = new LinkedHashMap<>();
    for (String spec : filterPolicies) {
      int colon = spec.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("expected DOMAIN:virus=...,spam=..., got " + spec);
      }
      FilterPolicy policy = FilterPolicy.DEFAULTS;
      for (String setting : spec.substring(colon + 1).split(",")) {
        String[] kv = setting.split("=", 2);
        String value = kv.length == 2 ? kv[1].strip().toUpperCase(Locale.ROOT) : "";
        policy =
            switch (kv[0].strip()) {
              case "virus" -> policy.withVirusAction(VirusAction.valueOf(value));
              case "spam" -> policy.withSpamAction(SpamAction.valueOf(value));
              default -> throw new IllegalArgumentException("unknown filter setting " + setting);
            };
      }
      out.put(spec.substring(0, colon).toLowerCase(Locale.ROOT), policy);
    }
    return out;
  }

  /** HOST:PORT, or [IPV6]:PORT. */
  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("expected HOST:PORT, got " + hostPort);
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port in " + hostPort);
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port out of range in " + hostPort);
    }
    return InetSocketAddress.createUnresolved(host, port);
  }
}
