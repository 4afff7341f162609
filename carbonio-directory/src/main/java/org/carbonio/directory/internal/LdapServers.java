package org.carbonio.directory.internal;

import com.unboundid.ldap.sdk.FailoverServerSet;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import java.io.IOException;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;

/**
 * A failover set of LDAP servers from {@code ldap://} and {@code ldaps://} URIs, tried in order:
 * ldaps with the JVM's trust store and hostname verification (RFC 6125; UnboundID does not check by
 * default), ldap:// only to loopback unless plaintext is allowed on purpose (binds would carry
 * passwords in clear). Connections to a later server age out after 10 minutes, so pools return to
 * the first server once it is back.
 *
 * <p>Thread-safe (stateless).
 */
public final class LdapServers {
  private LdapServers() {}

  public static FailoverServerSet failover(
      List<URI> servers, boolean allowPlaintext, Duration connectTimeout, Duration responseTimeout)
      throws IOException {
    String[] hosts = new String[servers.size()];
    int[] ports = new int[hosts.length];
    boolean tls = false;
    for (int i = 0; i < hosts.length; i++) {
      URI u = servers.get(i);
      boolean ldaps = "ldaps".equalsIgnoreCase(u.getScheme());
      if (i > 0 && ldaps != tls) {
        throw new IOException("mix of ldap:// and ldaps:// servers");
      }
      tls = ldaps;
      hosts[i] = u.getHost();
      ports[i] = u.getPort() > 0 ? u.getPort() : (ldaps ? 636 : 389);
      if (!ldaps && !allowPlaintext && !isLoopback(hosts[i])) {
        throw new IOException(
            "ldap:// to "
                + hosts[i]
                + " would send passwords in clear: use ldaps:// (or allow plaintext on purpose)");
      }
    }
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setConnectTimeoutMillis((int) connectTimeout.toMillis());
    options.setResponseTimeoutMillis(responseTimeout.toMillis());
    options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
    SocketFactory sockets;
    try {
      sockets = tls ? SSLContext.getDefault().getSocketFactory() : SocketFactory.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new IOException("no TLS", e);
    }
    FailoverServerSet set = new FailoverServerSet(hosts, ports, sockets, options);
    set.setMaxFailoverConnectionAgeMillis(600_000L);
    return set;
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }
}
