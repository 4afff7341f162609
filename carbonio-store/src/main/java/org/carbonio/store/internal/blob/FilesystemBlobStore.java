package org.carbonio.store.internal.blob;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import org.carbonio.store.BlobId;
import org.carbonio.store.BlobStoreOptions;
import org.carbonio.store.spi.BlobStore;

/**
 * Blobs as files {@code root/ab/cd/<sha256>}, or {@code root/ab/cd/<sha256>.zst} when stored
 * zstd-compressed ({@link BlobStoreOptions}); staged files live in {@code root/tmp} on the same
 * filesystem, so that publishing is one atomic hard link (every filesystem a mail store runs on has
 * them: ext4, XFS, Btrfs, ZFS, NFS, NTFS). Leftover staged files from a crash are removed when the
 * store opens. Either name satisfies a blob: a commit that finds the blob stored in the other form
 * publishes nothing, so one id never has both files.
 *
 * <p>Thread-safe.
 */
public final class FilesystemBlobStore implements BlobStore {
  private static final String STAGE_PREFIX = "stage-";
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private static final String ZST = ".zst";

  private final Path root;
  private final Path tmp;
  private final BlobStoreOptions options;

  /** Opens (creating) the blob directory {@code root} with {@link BlobStoreOptions#DEFAULTS}. */
  public FilesystemBlobStore(Path root) throws IOException {
    this(root, BlobStoreOptions.DEFAULTS);
  }

  /** Opens (creating) the blob directory {@code root}. */
  public FilesystemBlobStore(Path root, BlobStoreOptions options) throws IOException {
    this.root = root;
    this.options = requireNonNull(options, "options");
    this.tmp = root.resolve("tmp");
    Files.createDirectories(tmp);
    StagedFile.deleteLeftovers(tmp, STAGE_PREFIX);
    fsyncDirectory(root.getParent());
    fsyncDirectory(root);
  }

  /** The file that holds {@code id} when it is stored raw. */
  public Path path(BlobId id) {
    String h = id.sha256();
    return root.resolve(h.substring(0, 2)).resolve(h.substring(2, 4)).resolve(h);
  }

  /** The file that holds {@code id} when it is stored zstd-compressed. */
  public Path compressedPath(BlobId id) {
    Path raw = path(id);
    return raw.resolveSibling(raw.getFileName() + ZST);
  }

  @Override
  public Staged stage(InputStream content) throws IOException {
    return new FileStaged(StagedFile.write(tmp, STAGE_PREFIX, content, options));
  }

  @Override
  public InputStream open(BlobId id) throws IOException {
    try {
      return Files.newInputStream(path(id));
    } catch (NoSuchFileException e) {
      try {
        return ZstdCodec.decompressing(Files.newInputStream(compressedPath(id)));
      } catch (NoSuchFileException e2) {
        e2.addSuppressed(e);
        throw e2;
      }
    }
  }

  @Override
  public byte[] read(BlobId id) throws IOException {
    try {
      return Files.readAllBytes(path(id));
    } catch (NoSuchFileException e) {
      try (InputStream in = open(id)) {
        return in.readAllBytes();
      }
    }
  }

  @Override
  public boolean exists(BlobId id) throws IOException {
    return present(path(id)) || present(compressedPath(id));
  }

  /**
   * Opens the file rather than only looking its name up: on NFS an open revalidates the name with
   * the server (close-to-open consistency), where a cached lookup may still show a file that
   * another node deleted. Errors other than "no such file" propagate instead of reading as absent.
   */
  private static boolean present(Path p) throws IOException {
    try {
      FileChannel.open(p, READ).close();
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  @Override
  public void delete(BlobId id) throws IOException {
    Files.deleteIfExists(path(id));
    Files.deleteIfExists(compressedPath(id));
  }

  /**
   * Walks the fan-out directories {@code root/ab/cd/}; the staging directory and names that are not
   * blobs are skipped, as are files deleted during the walk.
   */
  @Override
  public void forEachBlob(BlobVisitor visitor) throws IOException {
    try (DirectoryStream<Path> level1 =
        Files.newDirectoryStream(root, FilesystemBlobStore::isFan)) {
      for (Path d1 : level1) {
        try (DirectoryStream<Path> level2 =
            Files.newDirectoryStream(d1, FilesystemBlobStore::isFan)) {
          for (Path d2 : level2) {
            visitDirectory(d1.getFileName().toString() + d2.getFileName(), d2, visitor);
          }
        } catch (NoSuchFileException e) {
          continue; // removed during the walk
        }
      }
    }
  }

  private static void visitDirectory(String fan, Path dir, BlobVisitor visitor) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        boolean compressed = name.endsWith(ZST);
        String hex = compressed ? name.substring(0, name.length() - ZST.length()) : name;
        if (!isSha256Hex(hex) || !hex.startsWith(fan)) {
          continue;
        }
        BasicFileAttributes attrs;
        try {
          attrs = Files.readAttributes(f, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
          continue; // deleted during the walk
        }
        if (attrs.isRegularFile()) {
          visitor.visit(
              new StoredBlob(
                  new BlobId(hex), attrs.size(), compressed, attrs.lastModifiedTime().toInstant()));
        }
      }
    } catch (NoSuchFileException e) {
      return; // removed during the walk
    }
  }

  private static boolean isFan(Path p) {
    String n = p.getFileName().toString();
    return n.length() == 2 && isLowerHex(n) && Files.isDirectory(p);
  }

  private static boolean isSha256Hex(String s) {
    return s.length() == 64 && isLowerHex(s);
  }

  private static boolean isLowerHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {}

  private final class FileStaged extends StagedFile {
    private boolean synced;

    FileStaged(Content content) {
      super(content);
    }

    /**
     * Links the fsynced staged file into place (atomic: the name appears with its whole content or
     * not at all) and fsyncs the directory. A link rather than a rename keeps the staged name, so
     * that a later commit can publish again if the blob was deleted meanwhile; close() drops it.
     */
    @Override
    void publish() throws IOException {
      Path target = compressed() ? compressedPath(id()) : path(id());
      Path other = compressed() ? path(id()) : compressedPath(id());
      if (present(target) || present(other)) {
        // Only ever linked into place after an fsync, so its bytes are durable; but a concurrent
        // writer of the same content may not have fsynced the directory entry yet: do it here.
        fsyncDirectory(target.getParent());
        return;
      }
      ensureDirectory(target.getParent());
      if (!synced) {
        try (FileChannel ch = FileChannel.open(file, WRITE)) {
          ch.force(true);
        }
        synced = true;
      }
      try {
        Files.createLink(target, file);
      } catch (FileAlreadyExistsException e) {
        // a concurrent writer of the same content linked it first
      } catch (UnsupportedOperationException | FileSystemException e) {
        copyIntoPlace(target); // a filesystem without hard links (FAT, SMB, some FUSE mounts)
      }
      fsyncDirectory(target.getParent());
    }

    /** Publishes a fsynced copy of the staged file by an atomic rename, keeping the staged file. */
    private void copyIntoPlace(Path target) throws IOException {
      Path copy = Files.createTempFile(tmp, STAGE_PREFIX, ".copy.tmp");
      try {
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(copy, WRITE)) {
          ch.force(true);
        }
        Files.move(copy, target, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(copy);
      }
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

  /** Makes a directory's entries durable (a link or create in it). No-op where unsupported. */
  static void fsyncDirectory(Path dir) throws IOException {
    if (WINDOWS || dir == null) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, READ)) {
      ch.force(true);
    }
  }
}
