package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.carbonio.directory.internal.LdapServers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The carbonio directory kept in an OpenLDAP server (or any LDAPv3 server) that carries the
 * carbonio schema ({@code OpenLdapSchema} in carbonio-directory-testkit generates it) under {@code
 * o=carbonio}: the same model, provisioning and authentication as {@link EmbeddedDirectory}, for
 * installations whose directory must be replicated or shared by several nodes. Unlike {@link
 * ExternalDirectory}, which reads an organization's own tree, this one owns its tree and writes it.
 *
 * <p>Changes go through a failover pool bound as an account allowed to write {@code o=carbonio} and
 * read {@code userPassword}; the server makes each operation durable before it answers. Changes of
 * this process are serialised (so its uniqueness checks hold); a change made of several LDAP
 * operations is not atomic if the server fails half way, and nodes that write the same tree at the
 * same moment are not serialised with each other. Passwords are verified here, from the stored
 * hash, as in the embedded directory. Lookups are cached until this process changes something:
 * changes made by other writers are seen when the cache is next invalidated.
 *
 * <p>Thread-safe.
 */
public final class LdapServerDirectory extends LdapBackedDirectory {
  private static final Logger log = LoggerFactory.getLogger(LdapServerDirectory.class);

  private final LDAPConnectionPool pool;

  private LdapServerDirectory(LDAPConnectionPool pool, DirectoryLimits limits) {
    super(limits, Clock.systemUTC());
    this.pool = pool;
    this.server = pool;
  }

  /**
   * Connects (failover in the order given), and adds the skeleton entries the tree lacks.
   *
   * @param servers {@code ldap://} or {@code ldaps://} URIs; {@code ldap://} only to loopback
   *     ({@link LdapServers})
   * @param bindDn an account that may write {@code o=carbonio} and read password hashes
   * @param bindPassword its password
   * @param maxConnections connections in the pool
   * @throws IOException if no server accepts the account
   */
  public static LdapServerDirectory open(
      List<URI> servers,
      String bindDn,
      String bindPassword,
      int maxConnections,
      DirectoryLimits limits)
      throws IOException {
    requireNonNull(limits, "limits");
    LDAPConnectionPool pool;
    try {
      pool =
          new LDAPConnectionPool(
              LdapServers.failover(servers, false, Duration.ofSeconds(5), Duration.ofSeconds(30)),
              new SimpleBindRequest(bindDn, bindPassword),
              1,
              maxConnections);
    } catch (LDAPException e) {
      throw new IOException("cannot connect to " + servers + ": " + e.getMessage(), e);
    }
    pool.setRetryFailedOperationsDueToInvalidConnections(true);
    LdapServerDirectory d = new LdapServerDirectory(pool, limits);
    try {
      d.addMissingSkeleton();
    } catch (IOException e) {
      pool.close();
      throw e;
    }
    log.info("directory opened on {}", servers);
    return d;
  }

  @Override
  <T> T mutate(Mutation<T> m) throws DirectoryException {
    writeLock.lock();
    try {
      if (closed) {
        throw new DirectoryException.Unavailable("directory is closed", null);
      }
      try {
        return m.apply();
      } catch (LDAPException e) {
        throw new DirectoryException.Unavailable("directory change failed: " + e.getMessage(), e);
      }
    } finally {
      invalidateLookups();
      writeLock.unlock();
    }
  }

  @Override
  public void close() {
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      pool.close();
    } finally {
      writeLock.unlock();
    }
  }
}
