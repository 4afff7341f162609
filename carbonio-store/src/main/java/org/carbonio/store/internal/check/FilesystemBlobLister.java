package org.carbonio.store.internal.check;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.function.Consumer;
import org.carbonio.store.BlobId;

/**
 * Lists the blobs of a {@link org.carbonio.store.internal.blob.FilesystemBlobStore}: the files
 * {@code root/ab/cd/<sha256>} of the two-level fan-out ({@code tmp/} and stray names are skipped).
 * A leaf directory whose modification time is before {@code since} is not read at all: adding a
 * blob renames it into its leaf directory, which updates the directory's time.
 *
 * <p>Thread-safe.
 */
public final class FilesystemBlobLister implements BlobLister {
  private final Path root;

  /** Lists the blobs under {@code root}. */
  public FilesystemBlobLister(Path root) {
    this.root = root;
  }

  @Override
  public void forEach(Instant since, Consumer<Listed> action) throws IOException {
    for (Path first : children(root, 2)) {
      for (Path second : children(first, 2)) {
        Instant dirTime;
        try {
          dirTime = Files.getLastModifiedTime(second).toInstant();
        } catch (NoSuchFileException e) {
          continue;
        }
        if (dirTime.isBefore(since)) {
          continue;
        }
        String prefix = first.getFileName().toString() + second.getFileName();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(second)) {
          for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.length() != 64 || !name.startsWith(prefix) || !isLowerHex(name)) {
              continue;
            }
            BasicFileAttributes a;
            try {
              a = Files.readAttributes(file, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
              continue; // deleted meanwhile
            }
            Instant modified = a.lastModifiedTime().toInstant();
            if (a.isRegularFile() && !modified.isBefore(since)) {
              action.accept(new Listed(new BlobId(name), a.size(), modified));
            }
          }
        } catch (NoSuchFileException e) {
          // the directory went away meanwhile
        }
      }
    }
  }

  /** Subdirectories of {@code dir} whose names are {@code length} lowercase hex digits. */
  private static Iterable<Path> children(Path dir, int length) throws IOException {
    if (!Files.isDirectory(dir)) {
      return java.util.List.of();
    }
    try (var stream = Files.list(dir)) {
      return stream
          .filter(
              p -> {
                String n = p.getFileName().toString();
                return n.length() == length && isLowerHex(n) && Files.isDirectory(p);
              })
          .sorted()
          .toList();
    }
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
}
