package org.carbonio.server;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Typed configuration of the reference server. Immutable.
 *
 * <p>Every listener port is its documented base port (see {@link Listener.Kind}) plus {@code
 * portOffset}; with {@code ephemeralPorts} every listener binds port 0 instead, which is what tests
 * use (the chosen ports are printed and written to {@code DIR/server.json}).
 *
 * @param dataDir where the directory, the store, the TLS key and the admin password live
 * @param bind the address the mail listeners (SMTP, IMAP) bind (default 127.0.0.1)
 * @param adminBind the address the admin listeners (HTTP admin API, LDAP) bind (default 127.0.0.1):
 *     they carry admin credentials without TLS, so they stay on loopback unless an operator moves
 *     them on purpose
 * @param portOffset added to every base port
 * @param ephemeralPorts bind port 0 everywhere (overrides the offset)
 * @param domain the mail domain created on first start; the admin account is {@code admin@domain}
 * @param hostname the name the server gives itself in greetings and trace headers
 * @param tlsCertificate a PEM certificate chain to use instead of the generated self-signed one
 * @param tlsKey the PEM private key that goes with {@code tlsCertificate}
 * @param store where mail is kept (default {@link StoreBackends#EMBEDDED})
 * @param directory which directory holds the accounts (default {@link DirectoryBackend#EMBEDDED})
 * @param mta relaying, outbound delivery and content checks (default {@link MtaConfig#DEFAULTS})
 */
public record ServerConfig(
    Path dataDir,
    InetAddress bind,
    InetAddress adminBind,
    int portOffset,
    boolean ephemeralPorts,
    String domain,
    String hostname,
    Optional<Path> tlsCertificate,
    Optional<Path> tlsKey,
    StoreBackends store,
    DirectoryBackend directory,
    MtaConfig mta) {

  /** The default mail domain when none is given. */
  public static final String DEFAULT_DOMAIN = "localhost";

  public ServerConfig {
    requireNonNull(dataDir, "dataDir");
    requireNonNull(bind, "bind");
    requireNonNull(adminBind, "adminBind");
    requireNonNull(domain, "domain");
    requireNonNull(hostname, "hostname");
    requireNonNull(tlsCertificate, "tlsCertificate");
    requireNonNull(tlsKey, "tlsKey");
    requireNonNull(store, "store");
    requireNonNull(directory, "directory");
    requireNonNull(mta, "mta");
    if (portOffset < 0 || portOffset > 60_000) {
      throw new IllegalArgumentException("port offset out of range: " + portOffset);
    }
    if (tlsCertificate.isPresent() != tlsKey.isPresent()) {
      throw new IllegalArgumentException("a TLS certificate and its key are configured together");
    }
  }

  /** Defaults: loopback, documented base ports, domain {@value #DEFAULT_DOMAIN}. */
  public static ServerConfig defaults(Path dataDir) {
    return new ServerConfig(
        dataDir,
        InetAddress.getLoopbackAddress(),
        InetAddress.getLoopbackAddress(),
        0,
        false,
        DEFAULT_DOMAIN,
        DEFAULT_DOMAIN,
        Optional.empty(),
        Optional.empty(),
        StoreBackends.EMBEDDED,
        DirectoryBackend.EMBEDDED,
        MtaConfig.DEFAULTS);
  }

  /** The port a listener of this kind binds. */
  public int port(Listener.Kind kind) {
    return ephemeralPorts ? 0 : kind.basePort() + portOffset;
  }

  /** The address and port a listener of this kind binds. */
  public InetSocketAddress address(Listener.Kind kind) {
    return new InetSocketAddress(kind.administrative() ? adminBind : bind, port(kind));
  }

  public ServerConfig withEphemeralPorts() {
    return new ServerConfig(
        dataDir,
        bind,
        adminBind,
        portOffset,
        true,
        domain,
        hostname,
        tlsCertificate,
        tlsKey,
        store,
        directory,
        mta);
  }

  public ServerConfig withBind(InetAddress newBind) {
    return new ServerConfig(
        dataDir,
        newBind,
        adminBind,
        portOffset,
        ephemeralPorts,
        domain,
        hostname,
        tlsCertificate,
        tlsKey,
        store,
        directory,
        mta);
  }

  public ServerConfig withPortOffset(int newOffset) {
    return new ServerConfig(
        dataDir,
        bind,
        adminBind,
        newOffset,
        ephemeralPorts,
        domain,
        hostname,
        tlsCertificate,
        tlsKey,
        store,
        directory,
        mta);
  }

  public ServerConfig withStore(StoreBackends newStore) {
    return new ServerConfig(
        dataDir,
        bind,
        adminBind,
        portOffset,
        ephemeralPorts,
        domain,
        hostname,
        tlsCertificate,
        tlsKey,
        newStore,
        directory,
        mta);
  }

  public ServerConfig withDirectory(DirectoryBackend newDirectory) {
    return new ServerConfig(
        dataDir,
        bind,
        adminBind,
        portOffset,
        ephemeralPorts,
        domain,
        hostname,
        tlsCertificate,
        tlsKey,
        store,
        newDirectory,
        mta);
  }

  public ServerConfig withMta(MtaConfig newMta) {
    return new ServerConfig(
        dataDir,
        bind,
        adminBind,
        portOffset,
        ephemeralPorts,
        domain,
        hostname,
        tlsCertificate,
        tlsKey,
        store,
        directory,
        newMta);
  }
}
