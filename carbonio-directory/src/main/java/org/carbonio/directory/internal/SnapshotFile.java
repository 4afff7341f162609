package org.carbonio.directory.internal;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldif.LDIFReader;
import com.unboundid.ldif.LDIFWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The durable copy of the directory in a data directory: {@value #SNAPSHOT}, an LDIF export of
 * every entry, replaced atomically (write {@value #TEMP}, fsync, rename, fsync the directory). Its
 * first line is a comment with the last {@link DirectoryJournal} sequence it holds. {@value #LOCK}
 * holds an exclusive lock while open, so that two processes never share a data directory.
 *
 * <p>Not thread-safe: the caller serialises {@link #save}.
 */
public final class SnapshotFile implements AutoCloseable {
  public static final String SNAPSHOT = "directory.ldif";
  static final String TEMP = "directory.ldif.tmp";
  static final String LOCK = "directory.lock";
  static final String SEQUENCE_COMMENT = "# journal sequence:";

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final Set<StandardOpenOption> WRITE_NEW =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private SnapshotFile(Path dir, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Creates the directory if needed (owner-only on POSIX), locks it, and removes a temp file left
   * by a crash.
   */
  public static SnapshotFile open(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      if (POSIX) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(dir);
      }
    }
    FileChannel ch =
        FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      ch.close();
      throw new IOException("data directory in use by another directory: " + dir);
    }
    Files.deleteIfExists(dir.resolve(TEMP));
    return new SnapshotFile(dir, ch, lock);
  }

  /** Returns whether a snapshot exists. */
  public boolean exists() {
    return Files.exists(dir.resolve(SNAPSHOT));
  }

  /** Replaces the server's content with the snapshot. */
  public void load(InMemoryDirectoryServer server) throws IOException {
    Path file = dir.resolve(SNAPSHOT);
    try (LDIFReader reader = new LDIFReader(file.toFile())) {
      server.importFromLDIF(true, reader);
    } catch (LDAPException e) {
      throw new IOException("cannot load " + file + ": " + e.getMessage(), e);
    }
  }

  /** The data directory. */
  public Path dir() {
    return dir;
  }

  /**
   * The journal sequence recorded by {@link #save(InMemoryDirectoryServer, long)} in the snapshot's
   * first line; 0 for a snapshot without one.
   */
  public long sequence() throws IOException {
    Path file = dir.resolve(SNAPSHOT);
    try (java.io.BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = r.readLine();
      if (first != null && first.startsWith(SEQUENCE_COMMENT)) {
        try {
          return Long.parseLong(first.substring(SEQUENCE_COMMENT.length()).strip());
        } catch (NumberFormatException e) {
          throw new IOException(file + ": bad first line " + first, e);
        }
      }
      return 0;
    }
  }

  /**
   * Writes the server's content durably (when this returns, a crash cannot lose it), recording in a
   * first comment line that it holds every journal block up to {@code sequence}.
   */
  public void save(InMemoryDirectoryServer server, long sequence) throws IOException {
    Path tmp = dir.resolve(TEMP);
    Files.deleteIfExists(tmp);
    // The snapshot holds password hashes: readable by the owner only.
    try (FileChannel ch =
        POSIX ? FileChannel.open(tmp, WRITE_NEW, OWNER_ONLY) : FileChannel.open(tmp, WRITE_NEW)) {
      OutputStream out = Channels.newOutputStream(ch);
      out.write((SEQUENCE_COMMENT + " " + sequence + "\n\n").getBytes(StandardCharsets.US_ASCII));
      LDIFWriter writer = new LDIFWriter(out);
      try {
        server.exportToLDIF(writer, true, true, false);
      } catch (LDAPException e) {
        throw new IOException("cannot export the directory: " + e.getMessage(), e);
      }
      writer.flush();
      ch.force(true);
    }
    try {
      Files.move(
          tmp,
          dir.resolve(SNAPSHOT),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("file system cannot rename atomically: " + dir, e);
    }
    fsyncDirectory();
  }

  // POSIX: the rename is durable only once the directory itself is synced.
  private void fsyncDirectory() throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      if (!System.getProperty("os.name", "").startsWith("Windows")) {
        throw e;
      }
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      lockChannel.close();
    }
  }
}
