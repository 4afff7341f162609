package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedAddRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedAddResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedDeleteRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedDeleteResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedExtendedRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyDNRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyDNResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSASLBindRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPResult;
import com.unboundid.ldap.sdk.OperationType;
import com.unboundid.ldap.sdk.ResultCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Optional;
import java.util.function.Consumer;
import org.carbonio.directory.internal.DirectoryJournal;
import org.carbonio.directory.internal.LdapLayout;
import org.carbonio.directory.internal.LdapWrites;
import org.carbonio.directory.internal.SnapshotFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Directory} on an in-process LDAP server (UnboundID {@link InMemoryDirectoryServer}),
 * durable in a data directory, and optionally served read-only over LDAP.
 *
 * {@snippet :
 * try (EmbeddedDirectory dir = EmbeddedDirectory.builder()
 *     .dataDir(Path.of("/var/lib/carbonio/directory"))
 *     .ldapListener(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1389))
 *     .ldapAdminPassword(adminPassword)
 *     .build()) {
 *   dir.createDomain("example.com");
 *   dir.createAccount("alice@example.com", "correct horse battery staple");
 *   Optional<Account> who = dir.authenticate("alice@example.com", password, clientAddress);
 * }
 * }
 *
 * <p>Every change, through this API or over LDAP, is appended to {@code journal.ldif} as LDIF
 * change records and fsynced (concurrent writers share one fsync) before the method (or the LDAP
 * result) returns, so an acknowledged change survives a crash or {@code kill -9}; every 1,000
 * changes and at close the whole directory is written to {@code directory.ldif} and the journal
 * starts again. Changes are serialised; reads and authentications run concurrently. A change is
 * visible to concurrent readers a moment before it is durable.
 *
 * <p>Over LDAP, only {@code cn=admin,o=carbonio} (with the password given to the builder) can bind;
 * anonymous clients can do nothing but bind. The admin can search and write; clear-text {@code
 * userPassword} values it writes are hashed.
 *
 * <p>Thread-safe.
 */
public final class EmbeddedDirectory extends LdapBackedDirectory {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDirectory.class);

  private final Path dataDir;
  private final SnapshotFile snapshot;
  private final DirectoryJournal journal;
  private final LdapWrites ldapWrites;
  private final InetSocketAddress ldapAddress;

  /** Cached account and domain lookups, each; emptied on any change or when full. */
  public static final int LOOKUP_CACHE_ENTRIES = LdapBackedDirectory.LOOKUP_CACHE_ENTRIES;

  private final InMemoryDirectoryServer inMemory;

  private EmbeddedDirectory(Builder b, SnapshotFile snapshot) throws IOException {
    super(b.limits, b.clock);
    this.dataDir = b.dataDir;
    this.snapshot = snapshot;
    this.ldapWrites = new LdapWrites(hasher, b.limits.maxPasswordChars());
    this.inMemory = newServer(b, new AdminOnly());
    this.server = inMemory;
    this.journal =
        DirectoryJournal.open(
            writeLock,
            inMemory,
            snapshot,
            LdapLayout.skeleton(),
            b.snapshotEveryChanges,
            b.snapshotEveryBytes);
    if (b.ldapListener != null) {
      try {
        inMemory.startListening();
      } catch (LDAPException e) {
        try {
          journal.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw new IOException("cannot listen on " + b.ldapListener + ": " + e.getMessage(), e);
      }
      this.ldapAddress =
          new InetSocketAddress(inMemory.getListenAddress("ldap"), inMemory.getListenPort("ldap"));
      log.info("directory LDAP listening on {}", ldapAddress);
    } else {
      this.ldapAddress = null;
    }
    addMissingSkeleton();
    log.info("directory opened at {}", dataDir);
  }

  /** Opens (or creates) a directory in {@code dataDir}, without an LDAP listener. */
  public static EmbeddedDirectory open(Path dataDir) throws IOException {
    return builder().dataDir(dataDir).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The address the LDAP listener is bound to (its real port when 0 was asked), if any. */
  public Optional<InetSocketAddress> ldapAddress() {
    return Optional.ofNullable(ldapAddress);
  }

  public Path dataDir() {
    return dataDir;
  }

  // ---- lifecycle ----

  @Override
  public void close() {
    // Outside the lock: an LDAP write in flight holds it until its result is journaled.
    inMemory.shutDown(true);
    writeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        journal.close(); // final snapshot: the next open replays nothing
      } catch (IOException e) {
        log.warn("cannot write the final snapshot in {}; the journal has every change", dataDir, e);
      }
      try {
        snapshot.close();
      } catch (IOException e) {
        log.warn("cannot release the lock of {}", dataDir, e);
      }
      log.info("directory closed at {}", dataDir);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Runs one change under the write lock and journals it (fsynced) before returning; undoes it if
   * it fails half way or cannot be journaled.
   */
  @Override
  <T> T mutate(Mutation<T> m) throws DirectoryException {
    T result;
    long ticket;
    writeLock.lock();
    try {
      if (closed) {
        throw new DirectoryException.Unavailable("directory is closed", null);
      }
      try {
        result = m.apply();
      } catch (LDAPException e) {
        journal.rollback();
        throw new DirectoryException.Unavailable("directory change failed: " + e.getMessage(), e);
      } catch (DirectoryException | RuntimeException e) {
        journal.rollback();
        throw e;
      }
      try {
        ticket = journal.append(); // rolls back itself if it fails
      } catch (IOException e) {
        throw new DirectoryException.Unavailable("cannot persist the change: " + e, e);
      }
    } finally {
      // Whatever happened (applied, rolled back, or half-applied then restored), no answer from
      // before it is served again.
      invalidateLookups();
      writeLock.unlock();
    }
    // The fsync happens outside the lock, so that the writers queued behind share it.
    try {
      journal.awaitDurable(ticket);
    } catch (IOException e) {
      invalidateLookups(); // rolled back to the last durable change
      throw new DirectoryException.Unavailable("cannot persist the change: " + e, e);
    }
    return result;
  }

  private static InMemoryDirectoryServer newServer(Builder b, AdminOnly interceptor)
      throws IOException {
    try {
      InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(LdapLayout.BASE);
      config.setSchema(LdapLayout.schema());
      // Only the admin (the only DN that can bind) can search, compare or write.
      config.setAuthenticationRequiredOperationTypes(
          EnumSet.of(
              OperationType.ADD,
              OperationType.COMPARE,
              OperationType.DELETE,
              OperationType.EXTENDED,
              OperationType.MODIFY,
              OperationType.MODIFY_DN,
              OperationType.SEARCH));
      DirectoryJournal.configure(config);
      config.addInMemoryOperationInterceptor(interceptor);
      if (b.ldapListener != null) {
        config.addAdditionalBindCredentials(LdapLayout.ADMIN_DN, b.ldapAdminPassword);
        config.setListenerConfigs(
            InMemoryListenerConfig.createLDAPConfig(
                "ldap", b.ldapListener.getAddress(), b.ldapListener.getPort(), null));
      }
      return new InMemoryDirectoryServer(config);
    } catch (LDAPException e) {
      throw new IOException("cannot configure the directory: " + e.getMessage(), e);
    }
  }

  /**
   * Guards the LDAP listener and journals its writes. Only the admin DN can bind, since user
   * entries hold hashes the in-memory server would compare as clear text; SASL binds and extended
   * operations other than Who am I? (RFC 4532) are refused (password modify and transactions would
   * bypass hashing). An add, modify, delete or modify DN takes the write lock in its request hook,
   * after hashing clear-text passwords, and keeps it while the in-memory server applies it; the
   * result hook journals it (fsync) before the result goes back, so that the journal order is the
   * apply order; it releases the lock before waiting for the fsync, which it shares with the
   * writers queued behind (group commit). Both hooks run on the connection's thread; the server's
   * own authorization check (between them) refuses writes from anonymous clients. The in-memory
   * server answers every failure between the hooks with a result, so the result hook always runs
   * after a request hook that took the lock; an unchecked exception from it (a bug) would leave the
   * lock held. Calls made by this class on the server do not pass through interceptors.
   */
  private final class AdminOnly extends InMemoryOperationInterceptor {
    private static final DN ADMIN = adminDn();
    private static final String WHO_AM_I = "1.3.6.1.4.1.4203.1.11.3";

    private static DN adminDn() {
      try {
        return new DN(LdapLayout.ADMIN_DN);
      } catch (LDAPException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void processSimpleBindRequest(InMemoryInterceptedSimpleBindRequest request)
        throws LDAPException {
      String dn = request.getRequest().getBindDN();
      if (dn.isEmpty()) {
        return; // anonymous bind: allowed, but it can do nothing
      }
      if (!ADMIN.equals(new DN(dn))) {
        throw new LDAPException(ResultCode.INVALID_CREDENTIALS, "only the admin can bind");
      }
    }

    @Override
    public void processSASLBindRequest(InMemoryInterceptedSASLBindRequest request)
        throws LDAPException {
      throw new LDAPException(ResultCode.AUTH_METHOD_NOT_SUPPORTED, "use a simple bind");
    }

    @Override
    public void processExtendedRequest(InMemoryInterceptedExtendedRequest request)
        throws LDAPException {
      if (!WHO_AM_I.equals(request.getRequest().getOID())) {
        throw new LDAPException(
            ResultCode.UNWILLING_TO_PERFORM,
            "extended operation " + request.getRequest().getOID() + " not supported");
      }
    }

    @Override
    public void processAddRequest(InMemoryInterceptedAddRequest request) throws LDAPException {
      request.setRequest(ldapWrites.hashPasswords(request.getRequest())); // slow: before the lock
      beginWrite();
    }

    @Override
    public void processAddResult(InMemoryInterceptedAddResult result) {
      endWrite(result.getResult(), result::setResult, result.getRequest().getDN());
    }

    @Override
    public void processModifyRequest(InMemoryInterceptedModifyRequest request)
        throws LDAPException {
      request.setRequest(ldapWrites.hashPasswords(request.getRequest()));
      beginWrite();
    }

    @Override
    public void processModifyResult(InMemoryInterceptedModifyResult result) {
      endWrite(result.getResult(), result::setResult, result.getRequest().getDN());
    }

    @Override
    public void processDeleteRequest(InMemoryInterceptedDeleteRequest request)
        throws LDAPException {
      beginWrite();
    }

    @Override
    public void processDeleteResult(InMemoryInterceptedDeleteResult result) {
      endWrite(result.getResult(), result::setResult, result.getRequest().getDN());
    }

    @Override
    public void processModifyDNRequest(InMemoryInterceptedModifyDNRequest request)
        throws LDAPException {
      beginWrite();
    }

    @Override
    public void processModifyDNResult(InMemoryInterceptedModifyDNResult result) {
      // Accounts below a renamed entry get new addresses, which have no cached logins.
      endWrite(result.getResult(), result::setResult, result.getRequest().getDN());
    }

    private void beginWrite() throws LDAPException {
      writeLock.lock();
      if (closed) {
        writeLock.unlock();
        throw new LDAPException(ResultCode.UNAVAILABLE, "directory is closed");
      }
    }

    private void endWrite(LDAPResult result, Consumer<LDAPResult> replace, String dn) {
      if (!writeLock.isHeldByCurrentThread()) {
        return;
      }
      long ticket = 0;
      try {
        if (result.getResultCode() == ResultCode.SUCCESS) {
          ticket = journal.append();
        } else {
          journal.rollback(); // nothing to undo unless the server failed half way
        }
      } catch (IOException | RuntimeException e) {
        unavailable(result, replace, dn, e);
      } finally {
        invalidateLookups();
        LdapWrites.accountAddress(dn).ifPresent(cache::forget);
        writeLock.unlock();
      }
      try {
        journal.awaitDurable(ticket); // shared fsync, outside the lock
      } catch (IOException e) {
        invalidateLookups();
        unavailable(result, replace, dn, e);
      }
    }

    private static void unavailable(
        LDAPResult result, Consumer<LDAPResult> replace, String dn, Exception e) {
      log.error("cannot persist an LDAP write to {}", dn, e);
      replace.accept(
          new LDAPResult(
              result.getMessageID(),
              ResultCode.UNAVAILABLE,
              "cannot persist the change: " + e.getMessage(),
              null,
              (String[]) null,
              null));
    }
  }

  /**
   * Configures an {@link EmbeddedDirectory}.
   *
   * <p>Not thread-safe: confine to one thread.
   */
  public static final class Builder {
    private Path dataDir;
    private InetSocketAddress ldapListener;
    private String ldapAdminPassword;
    private DirectoryLimits limits = DirectoryLimits.DEFAULTS;
    private Clock clock = Clock.systemUTC();
    private int snapshotEveryChanges = DirectoryJournal.DEFAULT_SNAPSHOT_EVERY_CHANGES;
    private long snapshotEveryBytes = DirectoryJournal.DEFAULT_SNAPSHOT_EVERY_BYTES;

    private Builder() {}

    /**
     * Write a snapshot and start an empty journal after this many journaled changes (default
     * {@value DirectoryJournal#DEFAULT_SNAPSHOT_EVERY_CHANGES}) or journal bytes (default 16 MiB),
     * whichever comes first; and at close.
     */
    public Builder snapshotEvery(int changes, long journalBytes) {
      if (changes < 1 || journalBytes < 1) {
        throw new IllegalArgumentException(
            "snapshot every " + changes + " changes, " + journalBytes + " bytes");
      }
      this.snapshotEveryChanges = changes;
      this.snapshotEveryBytes = journalBytes;
      return this;
    }

    /** Required: where {@code directory.ldif} and {@code journal.ldif} live; created if missing. */
    public Builder dataDir(Path dir) {
      this.dataDir = requireNonNull(dir, "dir");
      return this;
    }

    /** Serve LDAP on this address (port 0 picks a free port); null (the default) for none. */
    public Builder ldapListener(InetSocketAddress address) {
      this.ldapListener = address;
      return this;
    }

    /** Password of {@code cn=admin,o=carbonio}; required with {@link #ldapListener}. */
    public Builder ldapAdminPassword(String password) {
      this.ldapAdminPassword = requireNonNull(password, "password");
      return this;
    }

    public Builder limits(DirectoryLimits limits) {
      this.limits = requireNonNull(limits, "limits");
      return this;
    }

    /** Clock of the failure window and the login cache; for tests. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Opens the directory: locks the data directory, loads the snapshot (or creates an empty
     * directory), replays the journal (cutting off a record torn by a crash) and starts the
     * listener.
     *
     * @throws IOException if the data directory is unusable, locked by another directory, holds a
     *     corrupt snapshot or journal, or the listener cannot bind
     */
    public EmbeddedDirectory build() throws IOException {
      if (dataDir == null) {
        throw new IllegalStateException("dataDir is required");
      }
      if (ldapListener != null && (ldapAdminPassword == null || ldapAdminPassword.isEmpty())) {
        throw new IllegalStateException("ldapAdminPassword is required with ldapListener");
      }
      SnapshotFile snapshot = SnapshotFile.open(dataDir);
      try {
        return new EmbeddedDirectory(this, snapshot);
      } catch (IOException | RuntimeException e) {
        try {
          snapshot.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
  }
}
