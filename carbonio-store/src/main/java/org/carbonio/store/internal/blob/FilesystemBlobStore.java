package org.carbonio.store.internal.blob;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.carbonio.store.BlobId;
import org.carbonio.store.spi.BlobStore;

/**
 * Blobs as files {@code root/ab/cd/<sha256>}; staged files live in {@code root/tmp} on the same
 * filesystem so that the final rename is atomic. Leftover staged files from a crash are removed
 * when the store opens.
 *
 * <p>Thread-safe.
 */
public final class FilesystemBlobStore implements BlobStore {
  private static final String STAGE_PREFIX = "stage-";
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private final Path root;
  private final Path tmp;

  /** Opens (creating) the blob directory {@code root}. */
  public FilesystemBlobStore(Path root) throws IOException {
    this.root = root;
    this.tmp = root.resolve("tmp");
    Files.createDirectories(tmp);
    StagedFile.deleteLeftovers(tmp, STAGE_PREFIX);
    fsyncDirectory(root.getParent());
    fsyncDirectory(root);
  }

  /** The file that holds {@code id}. */
  public Path path(BlobId id) {
    String h = id.sha256();
    return root.resolve(h.substring(0, 2)).resolve(h.substring(2, 4)).resolve(h);
  }

  @Override
  public Staged stage(InputStream content) throws IOException {
    return new FileStaged(StagedFile.write(tmp, STAGE_PREFIX, content));
  }

  @Override
  public InputStream open(BlobId id) throws IOException {
    return Files.newInputStream(path(id));
  }

  @Override
  public byte[] read(BlobId id) throws IOException {
    return Files.readAllBytes(path(id));
  }

  @Override
  public boolean exists(BlobId id) {
    return Files.exists(path(id));
  }

  @Override
  public void delete(BlobId id) throws IOException {
    Files.deleteIfExists(path(id));
  }

  @Override
  public void close() {}

  private final class FileStaged extends StagedFile {

    FileStaged(Content content) {
      super(content);
    }

    @Override
    void publish() throws IOException {
      Path target = path(id());
      if (Files.exists(target)) {
        // Only ever renamed into place after an fsync, so its bytes are durable; but a concurrent
        // writer of the same content may not have fsynced the directory entry yet: do it here.
        Files.deleteIfExists(file);
        fsyncDirectory(target.getParent());
        return;
      }
      ensureDirectory(target.getParent());
      try (FileChannel ch = FileChannel.open(file, WRITE)) {
        ch.force(true);
      }
      try {
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        if (!Files.exists(target)) {
          throw e;
        }
        Files.deleteIfExists(file);
      }
      fsyncDirectory(target.getParent());
    }
  }

  private void ensureDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.getParent();
    ensureDirectory(parent);
    try {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      return; // another thread made it
    }
    fsyncDirectory(parent);
  }

  /** Makes a directory's entries durable (a rename or create in it). No-op where unsupported. */
  static void fsyncDirectory(Path dir) throws IOException {
    if (WINDOWS || dir == null) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, READ)) {
      ch.force(true);
    }
  }
}
