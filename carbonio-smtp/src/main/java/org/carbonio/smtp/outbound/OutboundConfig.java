package org.carbonio.smtp.outbound;

import static java.util.Objects.requireNonNull;

import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How {@link OutboundDelivery} sends mail. Immutable; build with {@link #builder()} and derive
 * variants with {@link #toBuilder()}.
 *
 * <table class="striped">
 *   <caption>Defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>heloName</td><td>required</td><td>the name in EHLO/HELO</td></tr>
 *   <tr><td>port</td><td>25</td><td>the port of MX hosts (tests point it elsewhere)</td></tr>
 *   <tr><td>smarthost</td><td>none</td><td>a relay that replaces MX routing</td></tr>
 *   <tr><td>connectTimeout</td><td>30 s</td><td>TCP connect</td></tr>
 *   <tr><td>greetingTimeout</td><td>2 min</td><td>the 220 greeting (RFC 5321 §4.5.3.2.1: 5 min)</td></tr>
 *   <tr><td>commandTimeout</td><td>2 min</td><td>EHLO, STARTTLS, AUTH, MAIL, RCPT, RSET
 *       (§4.5.3.2.2-3: 5 min)</td></tr>
 *   <tr><td>dataInitTimeout</td><td>2 min</td><td>the 354 reply (§4.5.3.2.4: 2 min)</td></tr>
 *   <tr><td>dataBlockTimeout</td><td>3 min</td><td>each write of the body (§4.5.3.2.5: 3 min)</td></tr>
 *   <tr><td>dataDoneTimeout</td><td>5 min</td><td>the reply to the final dot (§4.5.3.2.6: 10 min)</td></tr>
 *   <tr><td>destinationTimeout</td><td>9 min</td><td>everything for one destination (domain or
 *       smarthost) in one {@code deliver} call, all MX hosts included; then its recipients are
 *       deferred with 4.4.1. Below the queue's {@code attemptTimeout} (10 min), so the queue hears
 *       every other destination's outcome</td></tr>
 *   <tr><td>idleTimeout</td><td>5 s</td><td>how long a connection waits for the next message to
 *       the same destination (0: no reuse)</td></tr>
 *   <tr><td>maxIdleConnections</td><td>32</td><td>connections kept open for reuse, all destinations</td></tr>
 *   <tr><td>maxConnectionsPerDestination</td><td>10</td><td>concurrent deliveries per domain (or to
 *       the smarthost); more wait up to commandTimeout, then defer with 4.4.5</td></tr>
 *   <tr><td>maxMxHosts</td><td>5</td><td>MX hosts tried per attempt</td></tr>
 *   <tr><td>maxReplyLineLength</td><td>2048</td><td>octets per reply line (RFC 5321 §4.5.3.1.5 says 512)</td></tr>
 *   <tr><td>maxReplyLines</td><td>100</td><td>lines per reply</td></tr>
 *   <tr><td>pipelining</td><td>true</td><td>pipeline MAIL, RCPT and DATA when offered (RFC 2920)</td></tr>
 *   <tr><td>starttls</td><td>true</td><td>opportunistic STARTTLS (RFC 3207) when no policy requires it</td></tr>
 *   <tr><td>mtaSts</td><td>true</td><td>honour MTA-STS policies (RFC 8461)</td></tr>
 *   <tr><td>mtaStsPort</td><td>443</td><td>HTTPS port of {@code mta-sts.<domain>}</td></tr>
 *   <tr><td>mtaStsTimeout</td><td>10 s</td><td>connect and read of the policy fetch</td></tr>
 *   <tr><td>dane</td><td>true</td><td>honour authenticated TLSA records (RFC 7672)</td></tr>
 *   <tr><td>trust</td><td>the JDK's default</td><td>trust anchors for MTA-STS, the policy host and
 *       the smarthost</td></tr>
 * </table>
 *
 * @param heloName the name sent in EHLO and HELO
 * @param port the port of MX hosts
 * @param smarthost the relay for all mail, replacing MX routing
 * @param connectTimeout TCP connect timeout
 * @param greetingTimeout wait for the greeting
 * @param commandTimeout wait for the reply to EHLO, STARTTLS, AUTH, MAIL, RCPT, RSET
 * @param dataInitTimeout wait for the 354 after DATA
 * @param dataBlockTimeout the longest one write of message data may take
 * @param dataDoneTimeout wait for the reply after the final dot
 * @param destinationTimeout the longest delivery to one destination within one call
 * @param idleTimeout how long an idle connection is kept for reuse; zero turns reuse off
 * @param maxIdleConnections how many idle connections are kept in all
 * @param maxConnectionsPerDestination concurrent deliveries per destination
 * @param maxMxHosts how many MX hosts one attempt tries
 * @param maxReplyLineLength the longest reply line accepted
 * @param maxReplyLines the most lines of one reply
 * @param pipelining use PIPELINING when the server offers it
 * @param starttls use STARTTLS when offered, even when no policy requires it
 * @param mtaSts look up and apply MTA-STS policies
 * @param mtaStsPort the HTTPS port of policy hosts
 * @param mtaStsTimeout the timeout of a policy fetch
 * @param dane look up and apply TLSA records when DNSSEC-authenticated
 * @param trust the SSL context whose trust managers verify certificates for MTA-STS and the
 *     smarthost
 */
public record OutboundConfig(
    String heloName,
    int port,
    Optional<Smarthost> smarthost,
    Duration connectTimeout,
    Duration greetingTimeout,
    Duration commandTimeout,
    Duration dataInitTimeout,
    Duration dataBlockTimeout,
    Duration dataDoneTimeout,
    Duration destinationTimeout,
    Duration idleTimeout,
    int maxIdleConnections,
    int maxConnectionsPerDestination,
    int maxMxHosts,
    int maxReplyLineLength,
    int maxReplyLines,
    boolean pipelining,
    boolean starttls,
    boolean mtaSts,
    int mtaStsPort,
    Duration mtaStsTimeout,
    boolean dane,
    SSLContext trust) {

  /** Checks the components. */
  public OutboundConfig {
    requireNonNull(heloName, "heloName");
    if (heloName.isBlank() || heloName.chars().anyMatch(c -> c <= ' ' || c > '~')) {
      throw new IllegalArgumentException("bad heloName '" + heloName + "'");
    }
    checkPort(port, "port");
    checkPort(mtaStsPort, "mtaStsPort");
    requireNonNull(smarthost, "smarthost");
    positive(connectTimeout, "connectTimeout");
    positive(greetingTimeout, "greetingTimeout");
    positive(commandTimeout, "commandTimeout");
    positive(dataInitTimeout, "dataInitTimeout");
    positive(dataBlockTimeout, "dataBlockTimeout");
    positive(dataDoneTimeout, "dataDoneTimeout");
    positive(mtaStsTimeout, "mtaStsTimeout");
    positive(destinationTimeout, "destinationTimeout");
    requireNonNull(idleTimeout, "idleTimeout");
    if (idleTimeout.isNegative()) {
      throw new IllegalArgumentException("idleTimeout " + idleTimeout);
    }
    if (maxIdleConnections < 0
        || maxConnectionsPerDestination < 1
        || maxMxHosts < 1
        || maxReplyLineLength < 512
        || maxReplyLines < 1) {
      throw new IllegalArgumentException(
          "limits out of range: maxIdleConnections "
              + maxIdleConnections
              + ", maxConnectionsPerDestination "
              + maxConnectionsPerDestination
              + ", maxMxHosts "
              + maxMxHosts
              + ", maxReplyLineLength "
              + maxReplyLineLength
              + " (>= 512), maxReplyLines "
              + maxReplyLines);
    }
    requireNonNull(trust, "trust");
  }

  private static void checkPort(int port, String name) {
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException(name + " " + port);
    }
  }

  private static void positive(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " " + d);
    }
  }

  /** A builder with the defaults of the table above. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.heloName = heloName;
    b.port = port;
    b.smarthost = smarthost;
    b.connectTimeout = connectTimeout;
    b.greetingTimeout = greetingTimeout;
    b.commandTimeout = commandTimeout;
    b.dataInitTimeout = dataInitTimeout;
    b.dataBlockTimeout = dataBlockTimeout;
    b.dataDoneTimeout = dataDoneTimeout;
    b.destinationTimeout = destinationTimeout;
    b.idleTimeout = idleTimeout;
    b.maxIdleConnections = maxIdleConnections;
    b.maxConnectionsPerDestination = maxConnectionsPerDestination;
    b.maxMxHosts = maxMxHosts;
    b.maxReplyLineLength = maxReplyLineLength;
    b.maxReplyLines = maxReplyLines;
    b.pipelining = pipelining;
    b.starttls = starttls;
    b.mtaSts = mtaSts;
    b.mtaStsPort = mtaStsPort;
    b.mtaStsTimeout = mtaStsTimeout;
    b.dane = dane;
    b.trust = trust;
    return b;
  }

  /** Builds an {@link OutboundConfig}. Not thread-safe. */
  public static final class Builder {
    private String heloName;
    private int port = 25;
    private Optional<Smarthost> smarthost = Optional.empty();
    private Duration connectTimeout = Duration.ofSeconds(30);
    private Duration greetingTimeout = Duration.ofMinutes(2);
    private Duration commandTimeout = Duration.ofMinutes(2);
    private Duration dataInitTimeout = Duration.ofMinutes(2);
    private Duration dataBlockTimeout = Duration.ofMinutes(3);
    private Duration dataDoneTimeout = Duration.ofMinutes(5);
    private Duration destinationTimeout = Duration.ofMinutes(9);
    private Duration idleTimeout = Duration.ofSeconds(5);
    private int maxIdleConnections = 32;
    private int maxConnectionsPerDestination = 10;
    private int maxMxHosts = 5;
    private int maxReplyLineLength = 2048;
    private int maxReplyLines = 100;
    private boolean pipelining = true;
    private boolean starttls = true;
    private boolean mtaSts = true;
    private int mtaStsPort = 443;
    private Duration mtaStsTimeout = Duration.ofSeconds(10);
    private boolean dane = true;
    private SSLContext trust;

    private Builder() {}

    /** The name in EHLO/HELO (required). */
    public Builder heloName(String name) {
      this.heloName = name;
      return this;
    }

    /** The port of MX hosts (default 25). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Sends everything through this relay instead of MX hosts. */
    public Builder smarthost(Smarthost relay) {
      this.smarthost = Optional.of(relay);
      return this;
    }

    /** No smarthost: route by MX. */
    public Builder noSmarthost() {
      this.smarthost = Optional.empty();
      return this;
    }

    /** TCP connect timeout (default 30 s). */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = d;
      return this;
    }

    /** Greeting timeout (default 2 min). */
    public Builder greetingTimeout(Duration d) {
      this.greetingTimeout = d;
      return this;
    }

    /** EHLO/STARTTLS/AUTH/MAIL/RCPT/RSET reply timeout (default 2 min). */
    public Builder commandTimeout(Duration d) {
      this.commandTimeout = d;
      return this;
    }

    /** DATA's 354 timeout (default 2 min). */
    public Builder dataInitTimeout(Duration d) {
      this.dataInitTimeout = d;
      return this;
    }

    /** Timeout of each write of message data (default 3 min). */
    public Builder dataBlockTimeout(Duration d) {
      this.dataBlockTimeout = d;
      return this;
    }

    /** Timeout of the reply to the final dot (default 5 min). */
    public Builder dataDoneTimeout(Duration d) {
      this.dataDoneTimeout = d;
      return this;
    }

    /**
     * The longest delivery to one destination within one {@code deliver} call, every MX host
     * included (default 9 min: below the queue's 10 min attempt timeout).
     */
    public Builder destinationTimeout(Duration d) {
      this.destinationTimeout = d;
      return this;
    }

    /** Sets every per-operation timeout at once (tests); not {@code destinationTimeout}. */
    public Builder allTimeouts(Duration d) {
      connectTimeout = greetingTimeout = commandTimeout = d;
      dataInitTimeout = dataBlockTimeout = dataDoneTimeout = mtaStsTimeout = d;
      return this;
    }

    /** How long an idle connection waits for reuse (default 5 s; zero: no reuse). */
    public Builder idleTimeout(Duration d) {
      this.idleTimeout = d;
      return this;
    }

    /** Idle connections kept in all (default 32). */
    public Builder maxIdleConnections(int n) {
      this.maxIdleConnections = n;
      return this;
    }

    /** Concurrent deliveries per destination (default 10). */
    public Builder maxConnectionsPerDestination(int n) {
      this.maxConnectionsPerDestination = n;
      return this;
    }

    /** MX hosts tried per attempt (default 5). */
    public Builder maxMxHosts(int n) {
      this.maxMxHosts = n;
      return this;
    }

    /** Longest reply line (default 2048). */
    public Builder maxReplyLineLength(int n) {
      this.maxReplyLineLength = n;
      return this;
    }

    /** Most lines in one reply (default 100). */
    public Builder maxReplyLines(int n) {
      this.maxReplyLines = n;
      return this;
    }

    /** Use PIPELINING when offered (default true). */
    public Builder pipelining(boolean on) {
      this.pipelining = on;
      return this;
    }

    /** Opportunistic STARTTLS (default true). */
    public Builder starttls(boolean on) {
      this.starttls = on;
      return this;
    }

    /** Apply MTA-STS (default true). */
    public Builder mtaSts(boolean on) {
      this.mtaSts = on;
      return this;
    }

    /** HTTPS port of policy hosts (default 443). */
    public Builder mtaStsPort(int port) {
      this.mtaStsPort = port;
      return this;
    }

    /** Policy fetch timeout (default 10 s). */
    public Builder mtaStsTimeout(Duration d) {
      this.mtaStsTimeout = d;
      return this;
    }

    /** Apply DANE (default true). */
    public Builder dane(boolean on) {
      this.dane = on;
      return this;
    }

    /** Trust anchors for verified TLS (default: the JDK's). */
    public Builder trust(SSLContext context) {
      this.trust = context;
      return this;
    }

    /** The configuration; names a missing required setting. */
    public OutboundConfig build() {
      if (heloName == null) {
        throw new IllegalStateException("heloName is required");
      }
      SSLContext t = trust;
      if (t == null) {
        try {
          t = SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
          throw new IllegalStateException("no default SSLContext", e);
        }
      }
      return new OutboundConfig(
          heloName,
          port,
          smarthost,
          connectTimeout,
          greetingTimeout,
          commandTimeout,
          dataInitTimeout,
          dataBlockTimeout,
          dataDoneTimeout,
          destinationTimeout,
          idleTimeout,
          maxIdleConnections,
          maxConnectionsPerDestination,
          maxMxHosts,
          maxReplyLineLength,
          maxReplyLines,
          pipelining,
          starttls,
          mtaSts,
          mtaStsPort,
          mtaStsTimeout,
          dane,
          t);
    }
  }
}
