package org.carbonio.store.internal;

import static java.util.Objects.requireNonNull;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.carbonio.store.StoreException.quote;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.carbonio.store.AppendResult;
import org.carbonio.store.BlobId;
import org.carbonio.store.CheckOptions;
import org.carbonio.store.CheckReport;
import org.carbonio.store.MailStore;
import org.carbonio.store.Mailbox;
import org.carbonio.store.SharedFolder;
import org.carbonio.store.StoreConfig;
import org.carbonio.store.StoreException;
import org.carbonio.store.Watch;
import org.carbonio.store.internal.blob.BlobCache;
import org.carbonio.store.internal.blob.FilesystemBlobStore;
import org.carbonio.store.internal.check.BlobLister;
import org.carbonio.store.internal.check.CrashRecovery;
import org.carbonio.store.internal.check.StoreChecker;
import org.carbonio.store.internal.jdbc.JdbcMetadataStore;
import org.carbonio.store.internal.postgres.PostgresChangeListener;
import org.carbonio.store.internal.postgres.PostgresSettings;
import org.carbonio.store.internal.postgres.PostgresTransactor;
import org.carbonio.store.internal.sqlite.SqliteTransactor;
import org.carbonio.store.spi.BlobGoneException;
import org.carbonio.store.spi.BlobStore;
import org.carbonio.store.spi.MetadataStore;
import org.carbonio.store.spi.QuotaPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link MailStore}: a {@link BlobStore}, a {@link MetadataStore}, watch registrations and blob
 * garbage collection.
 *
 * <p>Blob lifecycle. A write that adds references holds the read side of {@link #blobGate} from
 * publishing its blob (rename into place) until its metadata commit; garbage collection of blobs
 * whose reference count dropped to zero holds the write side, re-checks the committed count and
 * only then deletes the file. So a blob is never deleted between "file exists, reuse it" and the
 * commit that references it, by this process. Other nodes sharing the metadata and the blobs are
 * excluded by blob locks in the database: a write confirms its blob under a shared lock that their
 * garbage collection takes exclusively, and on {@link BlobGoneException} publishes the blob again
 * from its staged copy. A crash between a publish and its commit, or between a commit and the
 * deletion, leaves an orphan blob file (harmless; a later sweep can remove it).
 *
 * <p>Thread-safe.
 */
public final class StoreImpl implements MailStore {
  private static final Logger log = LoggerFactory.getLogger(StoreImpl.class);

  /**
   * Publications of one blob for one write: more than one only when another node's garbage
   * collection deleted the blob between publish and commit (see {@link
   * MetadataStore#deleteUnreferenced}).
   */
  static final int MAX_PUBLISH_ATTEMPTS = 5;

  /** Maximum characters of an account id. */
  public static final int MAX_ACCOUNT_ID = 320;

  final BlobStore blobs;
  final MetadataStore meta;
  final ReentrantReadWriteLock blobGate = new ReentrantReadWriteLock();
  private final Map<Long, List<Runnable>> watchers = new ConcurrentHashMap<>();
  private final boolean ownsBlobs;
  private final FileChannel lockChannel; // null unless embedded
  private final FileLock dirLock; // null unless embedded
  private final Path dir; // null unless embedded: crash marker, recovery sweep
  private final QuotaPolicy quotaPolicy;
  private final BlobLister lister;
  private final int inlineLimit;
  final BlobCache blobCache;
  private volatile AutoCloseable listener; // other nodes' changes (PostgreSQL)
  private volatile boolean closed;

  private StoreImpl(
      BlobStore blobs,
      boolean ownsBlobs,
      MetadataStore meta,
      FileChannel lockChannel,
      FileLock dirLock,
      Path dir,
      QuotaPolicy quotaPolicy,
      int inlineLimit,
      long blobCacheBytes) {
    this.blobs = blobs;
    this.ownsBlobs = ownsBlobs;
    this.meta = meta;
    this.lockChannel = lockChannel;
    this.dirLock = dirLock;
    this.dir = dir;
    this.quotaPolicy = quotaPolicy;
    this.lister = BlobLister.of(blobs);
    this.inlineLimit = inlineLimit;
    this.blobCache = new BlobCache(blobCacheBytes);
  }

  /** See {@link MailStore#open(StoreConfig)}. */
  public static MailStore open(StoreConfig config) {
    requireNonNull(config, "config");
    if (config.directory().isEmpty() && config.blobs().isEmpty()) {
      throw new IllegalStateException("no place for blobs: call withBlobs on " + config);
    }
    Path dir = config.directory().orElse(null);
    boolean embedded = config.postgresUrl().isEmpty();
    FileChannel ch = null;
    FileLock lock = null;
    BlobStore ownedBlobs = null;
    MetadataStore meta = null;
    try {
      if (embedded) {
        Files.createDirectories(dir);
        ch =
            FileChannel.open(
                dir.resolve("store.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
          lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null;
        }
        if (lock == null) {
          throw new StoreException.Unavailable("store directory in use: " + dir, null);
        }
      }
      BlobStore blobs = config.blobs().orElse(null);
      if (blobs == null) {
        ownedBlobs = new FilesystemBlobStore(dir.resolve("blobs"));
        blobs = ownedBlobs;
      }
      PostgresSettings pg = null;
      PostgresTransactor pgTx = null;
      if (embedded) {
        meta = new JdbcMetadataStore(SqliteTransactor.open(dir.resolve("metadata.db")), blobs);
        // Only an embedded store owns its blobs alone (store.lock), so only it may sweep the
        // blobs a crashed run left behind; several nodes' stores share theirs.
        CrashRecovery.recover(dir, BlobLister.of(blobs), meta, blobs); // before any write
      } else {
        pg =
            PostgresSettings.of(
                config.postgresUrl().get(),
                config.postgresUser().get(),
                config.postgresPassword().get());
        pgTx = PostgresTransactor.openTransactor(pg);
        meta = new JdbcMetadataStore(pgTx, blobs);
      }
      StoreImpl store =
          new StoreImpl(
              blobs,
              ownedBlobs != null,
              meta,
              ch,
              lock,
              embedded ? dir : null,
              config.quotaPolicy(),
              config.inlineLimit(),
              config.blobCacheBytes());
      if (pgTx != null) {
        store.listener = PostgresChangeListener.start(pg, pgTx.nodeId(), store.remoteSink());
      }
      log.info("store opened: {}", config);
      return store;
    } catch (IOException | RuntimeException e) {
      closeQuietly(meta, e);
      closeQuietly(ownedBlobs, e);
      closeQuietly(ch, e);
      if (e instanceof StoreException se) {
        throw se;
      }
      throw new StoreException.Unavailable("cannot open store " + config + ": " + e, e);
    }
  }

  /** Turns changes committed by other nodes into the same callbacks as local ones. */
  private PostgresChangeListener.Sink remoteSink() {
    return new PostgresChangeListener.Sink() {
      @Override
      public void changed(Set<Long> changedFolders, Set<Long> deletedFolders) {
        notifyFolders(changedFolders);
        notifyFolders(deletedFolders);
        for (long id : deletedFolders) {
          watchers.remove(id);
        }
      }

      @Override
      public void lost() {
        notifyFolders(Set.copyOf(watchers.keySet()));
      }
    };
  }

  private static void closeQuietly(AutoCloseable c, Exception primary) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        primary.addSuppressed(e);
      }
    }
  }

  @Override
  public Mailbox mailbox(String accountId) {
    checkAccountId(accountId);
    checkOpen();
    if (!meta.accountExists(accountId)) {
      meta.createAccount(accountId);
    }
    return new MailboxImpl(this, accountId);
  }

  @Override
  public void deleteAccount(String accountId) {
    checkAccountId(accountId);
    checkOpen();
    afterCommit(meta.deleteAccount(accountId));
  }

  @Override
  public List<AppendResult> deliver(
      Collection<String> accountIds, String folder, InputStream content, Instant internalDate) {
    List<String> accounts = List.copyOf(accountIds);
    if (accounts.isEmpty()) {
      throw new StoreException.Invalid("no account to deliver to");
    }
    for (String account : accounts) {
      mailbox(account);
    }
    return append(accounts, FolderNames.canonical(folder), content, Set.of(), internalDate);
  }

  /**
   * Stores the content once, durably, then commits one message per account in one metadata
   * transaction; drops the blob again if that fails and nothing else references it.
   */
  List<AppendResult> append(
      List<String> accounts, String folder, InputStream content, Set<String> flags, Instant date) {
    requireNonNull(content, "content");
    checkOpen();
    Instant internalDate = date != null ? date : Instant.now();
    Map<String, OptionalLong> limits = new HashMap<>();
    for (String account : accounts) {
      meta.folderId(account, folder); // fail before reading the content if there is no folder
      limits.put(account, limit(account));
    }
    BlobId blob;
    MetadataStore.Outcome<List<AppendResult>> outcome = null;
    StoreException failure = null;
    AtomicBoolean published = new AtomicBoolean();
    HeaderCapture capture = new HeaderCapture(content);
    byte[] head;
    try {
      head = capture.readNBytes(inlineLimit + 1);
    } catch (IOException e) {
      throw new StoreException.Unavailable("cannot read message content: " + e, e);
    }
    if (head.length <= inlineLimit) {
      return appendInline(accounts, folder, head, flags, internalDate, capture, limits);
    }
    try (BlobStore.Staged staged =
        blobs.stage(new SequenceInputStream(new ByteArrayInputStream(head), capture))) {
      blob = staged.id();
      MetadataStore.ThreadRefs thread = capture.threadRefs(); // header only, outside the locks
      try {
        outcome =
            publishAndCommit(
                () -> {
                  staged.commit(); // durable at its address before the metadata commit
                  published.set(true);
                },
                () ->
                    meta.deliver(
                        accounts,
                        folder,
                        blob,
                        staged.size(),
                        flags,
                        internalDate,
                        thread,
                        limits,
                        Optional.empty()));
      } catch (StoreException e) {
        failure = e;
      }
    } catch (IOException e) {
      throw new StoreException.Unavailable("cannot store message content: " + e, e);
    }
    if (failure != null) {
      if (published.get()) {
        collect(Set.of(blob)); // drop the blob if nothing else references it
      }
      throw failure;
    }
    return afterCommit(outcome);
  }

  /** Makes blobs durable at their addresses; may run again (it writes nothing when they are). */
  @FunctionalInterface
  interface Publication {
    void publish() throws IOException;
  }

  /**
   * Publishes blobs and commits the metadata that references them, holding the read side of {@link
   * #blobGate} across both. If another node's garbage collection deleted a blob in between ({@link
   * BlobGoneException}), publishes again and retries, up to {@link #MAX_PUBLISH_ATTEMPTS} times.
   */
  <T> T publishAndCommit(Publication publication, Supplier<T> commit) throws IOException {
    for (int attempt = 1; ; attempt++) {
      blobGate.readLock().lock();
      try {
        checkOpen(); // close() holds the gate: nothing is published after a clean close
        publication.publish();
        return commit.get();
      } catch (BlobGoneException e) {
        if (attempt == MAX_PUBLISH_ATTEMPTS) {
          throw new StoreException.Unavailable(
              "blob deleted concurrently, " + attempt + " times", e);
        }
        log.debug("blobs {} collected by another node before commit; publishing again", e.blobs());
      } finally {
        blobGate.readLock().unlock();
      }
    }
  }

  /**
   * A message of at most {@link #inlineLimit} bytes: its content goes into the metadata transaction
   * (one WAL fsync shared by the group commit) instead of a blob file with its own fsyncs. The read
   * side of the blob gate is held across the commit, as for a published blob, since a known blob
   * keeps its existing storage, which garbage collection must not remove meanwhile.
   */
  private List<AppendResult> appendInline(
      List<String> accounts,
      String folder,
      byte[] content,
      Set<String> flags,
      Instant internalDate,
      HeaderCapture capture,
      Map<String, OptionalLong> limits) {
    BlobId blob = BlobId.of(content);
    MetadataStore.ThreadRefs thread = capture.threadRefs();
    MetadataStore.Outcome<List<AppendResult>> outcome;
    blobGate.readLock().lock();
    try {
      checkOpen();
      outcome =
          meta.deliver(
              accounts,
              folder,
              blob,
              content.length,
              flags,
              internalDate,
              thread,
              limits,
              Optional.of(content));
    } finally {
      blobGate.readLock().unlock();
    }
    return afterCommit(outcome);
  }

  /** The account's storage limit from the {@link QuotaPolicy}. */
  OptionalLong limit(String account) {
    OptionalLong limit;
    try {
      limit = quotaPolicy.limitBytes(account);
    } catch (RuntimeException e) {
      throw new StoreException.Unavailable("quota policy failed for " + quote(account), e);
    }
    return limit == null ? OptionalLong.empty() : limit;
  }

  @Override
  public List<SharedFolder> sharedWith(String accountId, Set<String> groups, String domain) {
    checkAccountId(accountId);
    requireNonNull(groups, "groups");
    requireNonNull(domain, "domain");
    checkOpen();
    return meta.sharedWith(accountId, Set.copyOf(groups), domain);
  }

  static void checkAccountId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_ACCOUNT_ID) {
      throw new StoreException.Invalid("account id must have 1 to " + MAX_ACCOUNT_ID + " chars");
    }
    for (int i = 0; i < id.length(); i++) {
      if (Character.isISOControl(id.charAt(i))) {
        throw new StoreException.Invalid("control character in account id " + quote(id));
      }
    }
  }

  void checkOpen() {
    if (closed) {
      throw new StoreException.Unavailable("store is closed", null);
    }
  }

  /**
   * Embedded: every write of the metadata is this process's, and notifies in {@link #afterCommit}.
   */
  @Override
  public boolean watchesSeeEveryChange() {
    return dir != null;
  }

  /** Runs the post-commit work of a write: blob collection, then notifications. */
  <T> T afterCommit(MetadataStore.Outcome<T> outcome) {
    collect(outcome.releasedBlobs());
    notifyFolders(outcome.changedFolders());
    notifyFolders(outcome.deletedFolders());
    for (long id : outcome.deletedFolders()) {
      watchers.remove(id);
    }
    return outcome.value();
  }

  /** Deletes blobs that no committed message references. */
  void collect(Set<BlobId> candidates) {
    if (candidates.isEmpty()) {
      return;
    }
    if (dir == null) {
      // Shared metadata: the blob rows interlock collection with every node's writers, this
      // node's included; holding the gate as well would stall local writes behind S3 DELETEs.
      meta.deleteUnreferenced(candidates);
      return;
    }
    blobGate.writeLock().lock();
    try {
      meta.deleteUnreferenced(candidates);
    } finally {
      blobGate.writeLock().unlock();
    }
  }

  private void notifyFolders(Set<Long> folderIds) {
    for (long id : folderIds) {
      List<Runnable> list = watchers.get(id);
      if (list == null) {
        continue;
      }
      for (Runnable r : list) {
        try {
          r.run();
        } catch (RuntimeException e) {
          log.warn("store watch callback failed", e);
        }
      }
    }
  }

  Watch watch(long folderId, Runnable onChange) {
    List<Runnable> list = watchers.computeIfAbsent(folderId, k -> new CopyOnWriteArrayList<>());
    // A distinct wrapper per registration, so that the same Runnable may be registered twice.
    Runnable entry = onChange::run;
    list.add(entry);
    return () -> list.remove(entry);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    boolean gated = false;
    try {
      // Let writes between blob publish and metadata commit finish; none starts after this.
      gated = blobGate.writeLock().tryLock(SqliteTransactor.LOCK_TIMEOUT.toMillis(), MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      AutoCloseable l = listener;
      if (l != null) {
        l.close();
      }
    } catch (Exception e) {
      log.warn("closing the change listener failed", e);
    }
    try {
      meta.close();
    } finally {
      if (ownsBlobs) {
        try {
          blobs.close();
        } catch (IOException e) {
          log.warn("closing blob store failed", e);
        }
      }
      if (gated) {
        if (dir != null) {
          try {
            CrashRecovery.markClean(dir);
          } catch (IOException e) {
            log.warn("cannot mark the store as cleanly closed", e);
          }
        }
        blobGate.writeLock().unlock();
      }
      try {
        if (dirLock != null) {
          dirLock.release();
          lockChannel.close();
        }
      } catch (IOException e) {
        log.warn("releasing store lock failed", e);
      }
      watchers.clear();
      log.info("store closed");
    }
  }

  @Override
  public CheckReport check(CheckOptions options) {
    requireNonNull(options, "options");
    options.account().ifPresent(StoreImpl::checkAccountId);
    checkOpen();
    return new StoreChecker(
            blobs,
            meta,
            blobGate.writeLock(),
            lister,
            this::afterCommit,
            dir != null ? java.time.Duration.ZERO : StoreChecker.SHARED_ORPHAN_GRACE)
        .check(options);
  }
}
