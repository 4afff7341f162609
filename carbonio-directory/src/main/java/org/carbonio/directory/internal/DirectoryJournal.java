package org.carbonio.directory.internal;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryDirectoryServerSnapshot;
import com.unboundid.ldap.sdk.ChangeLogEntry;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldif.LDIFAddChangeRecord;
import com.unboundid.ldif.LDIFChangeRecord;
import com.unboundid.ldif.LDIFDeleteChangeRecord;
import com.unboundid.ldif.LDIFException;
import com.unboundid.ldif.LDIFReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes an {@link InMemoryDirectoryServer} durable with a change journal and periodic snapshots.
 *
 * <p>Changes are found in the server's own change log (draft-good-ldap-changelog, enabled by {@link
 * #configure}), whoever made them: API calls on the server object or LDAP clients through the
 * listener. {@link #append} writes the change records made since the last append to {@value
 * #JOURNAL} as one block, and {@link #awaitDurable} fsyncs it (group commit: one fsync covers every
 * block appended before it, and concurrent waiters share it):
 *
 * <pre>
 * # journal sequence=17 bytes=412 crc32c=8a3f00c1
 * dn: uid=alice,ou=people,ou=example.com,ou=domains,o=carbonio
 * changetype: add
 * ...
 * (blank line; then the next record of the block, up to exactly 412 bytes)
 * </pre>
 *
 * The header is an LDIF comment, so the journal is plain LDIF change records. Sequences increase by
 * one per block and never restart. The snapshot ({@link SnapshotFile}) records the sequence of the
 * last block it contains; at open the snapshot is loaded and the blocks after it are replayed in
 * order. A torn or corrupt block ends the journal: it and anything after it are cut off. They were
 * never acknowledged: a block is acknowledged only after an fsync that covers it and every block
 * before it, which would have kept the torn one whole.
 *
 * <p>After {@code snapshotEveryChanges} blocks or {@code snapshotEveryBytes} of journal, and at
 * {@link #close}, a snapshot is written (temp file, fsync, rename, directory fsync) and the journal
 * is truncated. A crash between the two leaves blocks the snapshot already holds; their sequences
 * make replay skip them. Changes the change log cannot describe (a {@code deleteSubtree}, found by
 * counting entries) or too many at once (more than {@value #CHANGE_LOG_WINDOW}) are made durable by
 * writing a snapshot at once instead.
 *
 * <p>If a block cannot be written, the file is cut back, memory is rolled back to the blocks
 * appended before (the in-memory copy taken at the last snapshot, plus the blocks since) and the
 * append throws. If an fsync fails, memory and file are rolled back to the blocks known durable,
 * every waiter for a later block gets the exception, and the journal refuses every later change
 * (after a failed fsync the page cache cannot be trusted).
 *
 * <p>Thread-safe only as follows: the caller holds its write lock (given to {@link #open}) around
 * every change to the server and every call except {@link #awaitDurable}, which it calls without
 * the lock; so the journal order is the order in which changes were applied.
 */
public final class DirectoryJournal implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DirectoryJournal.class);

  public static final String JOURNAL = "journal.ldif";

  /** Default: blocks between snapshots. */
  public static final int DEFAULT_SNAPSHOT_EVERY_CHANGES = 1_000;

  /** Default: journal bytes between snapshots (16 MiB). */
  public static final long DEFAULT_SNAPSHOT_EVERY_BYTES = 16L << 20;

  /** Change-log entries the server keeps; more changes in one commit force a snapshot. */
  public static final int CHANGE_LOG_WINDOW = 1_000;

  private static final Pattern HEADER =
      Pattern.compile("# journal sequence=(\\d{1,18}) bytes=(\\d{1,10}) crc32c=([0-9a-f]{8})");
  private static final int MAX_HEADER = 128;
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private final InMemoryDirectoryServer server;
  private final SnapshotFile snapshot;
  private final Path file;
  private final FileChannel channel;
  private final int snapshotEveryChanges;
  private final long snapshotEveryBytes;

  private final ReentrantLock writeLock; // the caller's: serialises changes and appends

  // Guarded by writeLock.
  private long sequence; // last appended block
  private long size; // bytes in the file
  private long blocksSinceSnapshot;
  private long lastChange; // last change-log number accounted for
  private long changeLogSize;
  private long entryCount; // countEntries(true) after the last commit
  private InMemoryDirectoryServerSnapshot checkpoint;
  private final List<Appended> sinceCheckpoint = new ArrayList<>();
  private boolean closed;

  // Group commit: positions count every byte appended since open, across truncations.
  private volatile long written; // changed under writeLock
  private volatile long durable; // changed under syncLock
  private final ReentrantLock syncLock = new ReentrantLock();
  private final Condition synced = syncLock.newCondition();
  private boolean syncing; // guarded by syncLock
  private long fsyncs; // guarded by syncLock
  private volatile boolean broken; // terminal: after a failed fsync the page cache is unreliable

  // Tests: the next append's write, or the next fsync, fails as if the disk did.
  volatile IOException failNextAppend;
  volatile IOException failNextSync;

  private record Appended(long end, List<LDIFChangeRecord> records) {}

  private DirectoryJournal(
      ReentrantLock writeLock,
      InMemoryDirectoryServer server,
      SnapshotFile snapshot,
      Path file,
      FileChannel channel,
      int snapshotEveryChanges,
      long snapshotEveryBytes) {
    this.writeLock = writeLock;
    this.server = server;
    this.snapshot = snapshot;
    this.file = file;
    this.channel = channel;
    this.snapshotEveryChanges = snapshotEveryChanges;
    this.snapshotEveryBytes = snapshotEveryBytes;
  }

  /** Enables the change log the journal reads; call on the config before creating the server. */
  public static void configure(InMemoryDirectoryServerConfig config) {
    config.setMaxChangeLogEntries(CHANGE_LOG_WINDOW);
  }

  /**
   * Loads the snapshot (or creates the directory from {@code skeleton}), replays the journal, cuts
   * off a torn last block and takes the in-memory checkpoint.
   *
   * @throws IOException if the files cannot be read or a complete block does not apply
   */
  public static DirectoryJournal open(
      ReentrantLock writeLock,
      InMemoryDirectoryServer server,
      SnapshotFile snapshot,
      Entry[] skeleton,
      int snapshotEveryChanges,
      long snapshotEveryBytes)
      throws IOException {
    if (snapshotEveryChanges < 1 || snapshotEveryBytes < 1) {
      throw new IllegalArgumentException(
          "snapshot every " + snapshotEveryChanges + " changes, " + snapshotEveryBytes + " bytes");
    }
    Path file = snapshot.dir().resolve(JOURNAL);
    FileChannel ch = openChannel(file);
    DirectoryJournal j =
        new DirectoryJournal(
            writeLock, server, snapshot, file, ch, snapshotEveryChanges, snapshotEveryBytes);
    try {
      j.load(skeleton);
    } catch (IOException | RuntimeException e) {
      try {
        ch.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    return j;
  }

  private static FileChannel openChannel(Path file) throws IOException {
    if (POSIX && !Files.exists(file)) {
      // The journal holds password hashes: readable by the owner only.
      return FileChannel.open(
          file,
          java.util.Set.of(
              StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    return FileChannel.open(
        file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  private void load(Entry[] skeleton) throws IOException {
    if (!snapshot.exists()) {
      try {
        server.addEntries(skeleton);
      } catch (LDAPException e) {
        throw new IOException("cannot initialise the directory: " + e.getMessage(), e);
      }
      snapshot.save(server, 0);
      truncate(0);
      sequence = 0;
    } else {
      snapshot.load(server);
      sequence = snapshot.sequence();
      replay();
    }
    takeCheckpoint();
  }

  private void replay() throws IOException {
    byte[] all = Files.readAllBytes(file);
    int pos = 0;
    int replayed = 0;
    long expected = sequence + 1;
    while (pos < all.length) {
      Block b = Block.parse(all, pos);
      if (b == null) {
        break;
      }
      if (b.sequence > sequence) {
        if (b.sequence != expected) {
          throw new IOException(
              file + ": block " + b.sequence + " follows " + (expected - 1) + " (a block is lost)");
        }
        for (LDIFChangeRecord r : b.records(file)) {
          try {
            r.processChange(server);
          } catch (LDAPException e) {
            throw new IOException(
                file + ": block " + b.sequence + " does not apply: " + e.getMessage(), e);
          }
        }
        expected++;
        replayed++;
      }
      pos = b.end;
    }
    if (pos < all.length) {
      log.warn(
          "{}: cut off {} bytes of an unacknowledged block torn by a crash",
          file,
          all.length - pos);
      truncate(pos);
    }
    sequence = expected - 1;
    size = pos;
    blocksSinceSnapshot = replayed;
    if (replayed > 0) {
      log.info("{}: replayed {} change blocks up to sequence {}", file, replayed, sequence);
    }
  }

  /** Sequence of the last durable block (tests, diagnostics). */
  public long sequence() {
    return sequence;
  }

  /** Journal fsyncs so far (tests: group commit). */
  public long fsyncs() {
    syncLock.lock();
    try {
      return fsyncs;
    } finally {
      syncLock.unlock();
    }
  }

  /** Blocks in the journal since the last snapshot. */
  public long blocksSinceSnapshot() {
    return blocksSinceSnapshot;
  }

  /** {@link #append} then {@link #awaitDurable}: for a caller without concurrent writers. */
  public void commit() throws IOException {
    awaitDurable(append());
  }

  /**
   * Appends the changes applied to the server since the last append as one block, without waiting
   * for the disk; call under the write lock, then {@link #awaitDurable} after releasing it, so that
   * writers queued behind share one fsync (group commit). Nothing is written if there is no change.
   *
   * @return the ticket to pass to {@link #awaitDurable}
   * @throws IOException if the block cannot be written; the server is then rolled back to the
   *     blocks appended before
   */
  public long append() throws IOException {
    if (closed) {
      throw new IllegalStateException("journal closed");
    }
    Pending p = pending();
    if (p.records.isEmpty() && !p.untracked) {
      return 0;
    }
    if (broken) {
      rollback();
      throw new IOException("the journal failed earlier; restart the directory");
    }
    if (p.untracked) {
      // The change log cannot replay these changes: make all of memory durable at once.
      try {
        snapshotNow();
      } catch (IOException e) {
        rollback();
        throw e;
      }
      return 0;
    }
    byte[] block = Block.encode(sequence + 1, p.records);
    try {
      IOException injected = failNextAppend;
      if (injected != null) {
        failNextAppend = null;
        channel.write(ByteBuffer.wrap(block, 0, block.length / 2), size);
        throw injected;
      }
      writeFully(block, size);
    } catch (IOException e) {
      log.error("cannot append to {}; rolling the change back", file, e);
      try {
        channel.truncate(size);
      } catch (IOException again) {
        broken = true;
        e.addSuppressed(again);
        log.error("cannot cut the failed block off {}; refusing further changes", file, again);
      }
      rollback();
      throw e;
    }
    sequence++;
    size += block.length;
    written += block.length;
    long ticket = written;
    blocksSinceSnapshot++;
    sinceCheckpoint.add(new Appended(ticket, p.records));
    accept(p);
    if (blocksSinceSnapshot >= snapshotEveryChanges || size >= snapshotEveryBytes) {
      try {
        snapshotNow();
      } catch (IOException e) {
        // The journal keeps every change; try again after the next batch of changes.
        blocksSinceSnapshot = 0;
        log.error("cannot write the snapshot in {}; the journal keeps growing", file, e);
      }
    }
    return ticket;
  }

  /**
   * Returns once the block of {@code ticket} (and every block before it) is on disk: the first
   * waiter fsyncs for everyone appended so far, the others wait for it. Call without the write
   * lock.
   *
   * @throws IOException if the fsync failed; the journal then refuses every later change, and the
   *     server is rolled back to the blocks known durable
   */
  public void awaitDurable(long ticket) throws IOException {
    syncLock.lock();
    try {
      while (durable < ticket) {
        if (broken) {
          throw new IOException("the journal failed; restart the directory");
        }
        if (syncing) {
          synced.awaitUninterruptibly();
          continue;
        }
        syncing = true;
        long target = written;
        IOException failure = null;
        syncLock.unlock();
        try {
          IOException injected = failNextSync;
          if (injected != null) {
            failNextSync = null;
            throw injected;
          }
          channel.force(false);
        } catch (IOException e) {
          failure = e;
        } finally {
          if (failure != null) {
            failed(target, failure);
          }
          syncLock.lock();
          syncing = false;
          synced.signalAll();
        }
        fsyncs++;
        if (failure == null) {
          markDurable(target);
        } else if (durable < ticket) {
          throw failure;
        }
      }
    } finally {
      syncLock.unlock();
    }
  }

  private void markDurable(long position) {
    syncLock.lock();
    try {
      if (position > durable) {
        durable = position;
      }
      synced.signalAll();
    } finally {
      syncLock.unlock();
    }
  }

  /** A failed fsync: undo, in memory and in the file, everything not known durable. */
  private void failed(long target, IOException e) {
    writeLock.lock();
    try {
      if (durable >= target) {
        return; // a snapshot (or close) made it durable meanwhile
      }
      broken = true;
      log.error("cannot fsync {}; rolling back to the last durable change", file, e);
      long keep = durable;
      server.restoreSnapshot(checkpoint);
      List<Appended> kept = new ArrayList<>();
      for (Appended a : sinceCheckpoint) {
        if (a.end() <= keep) {
          redo(a);
          kept.add(a);
        }
      }
      sinceCheckpoint.retainAll(kept);
      baseline();
      try {
        channel.truncate(size - (written - keep));
        channel.force(true);
      } catch (IOException again) {
        e.addSuppressed(again);
      }
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Undoes every change applied to the server since the last append (a change that failed half
   * way). Costs nothing if there is none; otherwise restores the in-memory checkpoint and replays
   * the blocks appended since.
   */
  public void rollback() {
    Pending p = pending();
    if (p.records.isEmpty() && !p.untracked) {
      return;
    }
    server.restoreSnapshot(checkpoint);
    for (Appended a : sinceCheckpoint) {
      redo(a);
    }
    baseline();
  }

  private void redo(Appended a) {
    for (LDIFChangeRecord r : a.records()) {
      try {
        r.processChange(server);
      } catch (LDAPException e) {
        broken = true;
        throw new IllegalStateException("cannot redo an appended change: " + r, e);
      }
    }
  }

  /**
   * Writes a snapshot of the server (which makes every appended block durable) and empties the
   * journal.
   */
  public void snapshotNow() throws IOException {
    snapshot.save(server, sequence);
    markDurable(written);
    // The blocks left in the journal are in the snapshot and replay skips them, so a failure to
    // empty the journal is only a waste of space.
    try {
      truncate(0);
    } catch (IOException e) {
      log.warn("cannot empty {} after a snapshot", file, e);
    }
    takeCheckpoint();
  }

  /** Writes a final snapshot unless the journal failed, and closes the journal file. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (!broken) {
        rollback(); // anything not appended was never acknowledged
        snapshot.save(server, sequence);
        markDurable(written);
        truncate(0);
      }
    } finally {
      channel.close();
    }
  }

  // ---- internals ----

  private void takeCheckpoint() {
    checkpoint = server.createSnapshot();
    sinceCheckpoint.clear();
    blocksSinceSnapshot = 0;
    baseline();
  }

  private void baseline() {
    Entry root = rootDse();
    long first = number(root, "firstChangeNumber");
    lastChange = number(root, "lastChangeNumber");
    changeLogSize = lastChange == 0 ? 0 : lastChange - first + 1;
    entryCount = server.countEntries(true);
  }

  private void accept(Pending p) {
    lastChange = p.last;
    changeLogSize = p.changeLogSize;
    entryCount = p.entryCount;
  }

  private record Pending(
      List<LDIFChangeRecord> records,
      boolean untracked,
      long last,
      long changeLogSize,
      long entryCount) {}

  /** What changed since the last commit, read from the change log. */
  private Pending pending() {
    long count = server.countEntries(true);
    Entry root = rootDse();
    long first = number(root, "firstChangeNumber");
    long last = number(root, "lastChangeNumber");
    long logSize = last == 0 ? 0 : last - first + 1;
    List<LDIFChangeRecord> records = new ArrayList<>();
    boolean untracked = false;
    long delta = 0; // entries added minus deleted, by the change log
    for (long n = lastChange + 1; n <= last; n++) {
      Entry e;
      try {
        e = server.getEntry("changeNumber=" + n + ",cn=changelog");
      } catch (LDAPException ex) {
        e = null;
      }
      if (e == null) {
        untracked = true; // already dropped from the change-log window
        break;
      }
      LDIFChangeRecord r;
      try {
        r = new ChangeLogEntry(e).toLDIFChangeRecord();
      } catch (LDAPException ex) {
        untracked = true;
        break;
      }
      if (r instanceof LDIFAddChangeRecord) {
        delta++;
      } else if (r instanceof LDIFDeleteChangeRecord) {
        delta--;
      }
      records.add(r);
    }
    // Entries added or removed without a change-log entry (deleteSubtree) show in the count.
    if (!untracked && count - entryCount != delta + (logSize - changeLogSize)) {
      untracked = true;
    }
    if (untracked) {
      records.clear();
    }
    return new Pending(List.copyOf(records), untracked, last, logSize, count);
  }

  private Entry rootDse() {
    try {
      return server.getRootDSE();
    } catch (LDAPException e) {
      throw new IllegalStateException("in-memory root DSE unavailable", e);
    }
  }

  private static long number(Entry root, String attribute) {
    Long v = root.getAttributeValueAsLong(attribute);
    return v == null ? 0 : v;
  }

  private void truncate(long length) throws IOException {
    channel.truncate(length);
    channel.force(true);
    size = length;
  }

  private void writeFully(byte[] bytes, long position) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    long at = position;
    while (buf.hasRemaining()) {
      at += channel.write(buf, at);
    }
  }

  /** One framed block of change records. */
  private static final class Block {
    final long sequence;
    final byte[] all;
    final int bodyStart;
    final int end;

    private Block(long sequence, byte[] all, int bodyStart, int end) {
      this.sequence = sequence;
      this.all = all;
      this.bodyStart = bodyStart;
      this.end = end;
    }

    static byte[] encode(long sequence, List<LDIFChangeRecord> records) {
      StringBuilder body = new StringBuilder();
      for (LDIFChangeRecord r : records) {
        for (String line : r.toLDIF()) { // unwrapped: no continuation lines
          body.append(line).append('\n');
        }
        body.append('\n');
      }
      byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
      CRC32C crc = new CRC32C();
      crc.update(bytes);
      String header =
          String.format(
              "# journal sequence=%d bytes=%d crc32c=%08x%n",
              sequence, bytes.length, crc.getValue());
      ByteArrayOutputStream out = new ByteArrayOutputStream(header.length() + bytes.length);
      out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(bytes);
      return out.toByteArray();
    }

    /** The block at {@code pos}, or null if it is torn or corrupt. */
    static Block parse(byte[] all, int pos) {
      int nl = -1;
      for (int i = pos; i < all.length && i < pos + MAX_HEADER; i++) {
        if (all[i] == '\n') {
          nl = i;
          break;
        }
      }
      if (nl < 0) {
        return null;
      }
      Matcher m = HEADER.matcher(new String(all, pos, nl - pos, StandardCharsets.US_ASCII).strip());
      if (!m.matches()) {
        return null;
      }
      long seq = Long.parseLong(m.group(1));
      long bytes = Long.parseLong(m.group(2));
      int start = nl + 1;
      if (bytes > all.length - start) {
        return null;
      }
      CRC32C crc = new CRC32C();
      crc.update(all, start, (int) bytes);
      if (crc.getValue() != Long.parseLong(m.group(3), 16)) {
        return null;
      }
      return new Block(seq, all, start, start + (int) bytes);
    }

    List<LDIFChangeRecord> records(Path file) throws IOException {
      List<LDIFChangeRecord> out = new ArrayList<>();
      try (LDIFReader reader =
          new LDIFReader(new ByteArrayInputStream(all, bodyStart, end - bodyStart))) {
        LDIFChangeRecord r;
        while ((r = reader.readChangeRecord()) != null) {
          out.add(r);
        }
      } catch (LDIFException e) {
        // The checksum matched: this is not a tear but a bug or tampering.
        throw new IOException(file + ": block " + sequence + " is not LDIF: " + e.getMessage(), e);
      }
      return out;
    }
  }
}
