package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Where an {@link ExternalDirectory} finds an organization's LDAP directory and how to read it.
 *
 * <p>Immutable.
 *
 * @param servers {@code ldap://host:port} or {@code ldaps://host:port} URIs, tried in order
 *     (failover: the first that answers serves, later ones take over when it fails)
 * @param bindDn the service account that searches (read access to users and groups)
 * @param bindPassword its password
 * @param baseDn where users and groups are searched (the whole subtree)
 * @param domains the mail domains the directory serves (addresses in other domains are not local)
 * @param mapping how entries map to accounts and lists
 * @param maxConnections connections per pool (one pool searches, one checks passwords by bind)
 * @param connectTimeout how long a connection attempt to one server may take
 * @param responseTimeout how long one operation may take
 * @param cacheTtl how long lookups and verified logins are reused, since the directory does not
 *     tell this one about changes (zero disables the caches)
 * @param limits brute-force limits and password length (the hashing fields are unused: the
 *     directory checks passwords)
 * @param allowPlaintext whether {@code ldap://} may reach a host other than loopback (passwords
 *     then cross the network in clear); false by default
 */
public record ExternalDirectoryConfig(
    List<URI> servers,
    String bindDn,
    String bindPassword,
    String baseDn,
    List<String> domains,
    AttributeMapping mapping,
    int maxConnections,
    Duration connectTimeout,
    Duration responseTimeout,
    Duration cacheTtl,
    DirectoryLimits limits,
    boolean allowPlaintext) {

  /** Connections per pool unless set: {@value}. */
  public static final int DEFAULT_MAX_CONNECTIONS = 10;

  public ExternalDirectoryConfig {
    servers = List.copyOf(servers);
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("no LDAP server given");
    }
    for (URI u : servers) {
      if (!"ldap".equalsIgnoreCase(u.getScheme()) && !"ldaps".equalsIgnoreCase(u.getScheme())
          || u.getHost() == null) {
        throw new IllegalArgumentException("not an ldap:// or ldaps:// URI with a host: " + u);
      }
    }
    requireNonNull(bindDn, "bindDn");
    requireNonNull(bindPassword, "bindPassword");
    requireNonNull(baseDn, "baseDn");
    domains = List.copyOf(domains);
    requireNonNull(mapping, "mapping");
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1");
    }
    requireNonNull(connectTimeout, "connectTimeout");
    requireNonNull(responseTimeout, "responseTimeout");
    requireNonNull(cacheTtl, "cacheTtl");
    requireNonNull(limits, "limits");
  }

  /**
   * A configuration with the defaults: {@value #DEFAULT_MAX_CONNECTIONS} connections per pool, 5 s
   * to connect, 10 s per operation, caches of 60 s, {@link DirectoryLimits#DEFAULTS}.
   */
  public static ExternalDirectoryConfig of(
      List<URI> servers,
      String bindDn,
      String bindPassword,
      String baseDn,
      List<String> domains,
      AttributeMapping mapping) {
    return new ExternalDirectoryConfig(
        servers,
        bindDn,
        bindPassword,
        baseDn,
        domains,
        mapping,
        DEFAULT_MAX_CONNECTIONS,
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(60),
        DirectoryLimits.DEFAULTS,
        false);
  }

  /** The same configuration with other caches' time to live. */
  public ExternalDirectoryConfig withCacheTtl(Duration ttl) {
    return new ExternalDirectoryConfig(
        servers,
        bindDn,
        bindPassword,
        baseDn,
        domains,
        mapping,
        maxConnections,
        connectTimeout,
        responseTimeout,
        ttl,
        limits,
        allowPlaintext);
  }

  /** The same configuration with other limits. */
  public ExternalDirectoryConfig withLimits(DirectoryLimits newLimits) {
    return new ExternalDirectoryConfig(
        servers,
        bindDn,
        bindPassword,
        baseDn,
        domains,
        mapping,
        maxConnections,
        connectTimeout,
        responseTimeout,
        cacheTtl,
        newLimits,
        allowPlaintext);
  }

  /** The same configuration allowing (or not) {@code ldap://} to hosts other than loopback. */
  public ExternalDirectoryConfig withAllowPlaintext(boolean allow) {
    return new ExternalDirectoryConfig(
        servers,
        bindDn,
        bindPassword,
        baseDn,
        domains,
        mapping,
        maxConnections,
        connectTimeout,
        responseTimeout,
        cacheTtl,
        limits,
        allow);
  }

  @Override
  public String toString() {
    return "ExternalDirectoryConfig[servers="
        + servers
        + ", bindDn="
        + bindDn
        + ", baseDn="
        + baseDn
        + ", domains="
        + domains
        + "]"; // never the password
  }
}
