package org.carbonio.store.internal.check;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.carbonio.store.BlobId;
import org.carbonio.store.spi.BlobStore;
import org.carbonio.store.spi.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the orphan blobs an unclean stop left behind. A kill between a blob's publish and its
 * metadata commit leaves a blob file that no row references: never acknowledged, so no data, but a
 * leak.
 *
 * <p>The marker file {@value #MARKER} is created when the store opens and deleted when it closes
 * cleanly. Finding it at open means the previous run stopped without closing; then, before the
 * store accepts any write, every blob file modified since that run started (the marker's
 * modification time, less {@link #CLOCK_SLACK} for coarse file times) is deleted unless a blob row
 * or a message references it. Blob files are immutable, so their modification time is when they
 * were written; leaf directories older than that are skipped unread.
 *
 * <p>Not covered: a crash between a commit that dropped a blob's last reference and the deletion of
 * its file leaves an orphan written in an earlier run; {@code MailStore.check} with repair finds
 * and removes those.
 *
 * <p>Not thread-safe: call at open, with the store directory locked and before any write.
 */
public final class CrashRecovery {
  private static final Logger log = LoggerFactory.getLogger(CrashRecovery.class);

  /** The marker file, in the store directory. */
  public static final String MARKER = "store.running";

  /** Subtracted from the marker's time, for file systems with coarse time stamps. */
  public static final Duration CLOCK_SLACK = Duration.ofSeconds(2);

  private CrashRecovery() {}

  /**
   * Sweeps orphans if the previous run did not close cleanly, then marks this run as started.
   *
   * @return the number of orphan blobs deleted
   */
  public static int recover(Path dir, BlobLister lister, MetadataStore meta, BlobStore blobs)
      throws IOException {
    Path marker = dir.resolve(MARKER);
    int deleted = 0;
    if (Files.exists(marker)) {
      Instant since = Files.getLastModifiedTime(marker).toInstant().minus(CLOCK_SLACK);
      List<BlobId> candidates = new ArrayList<>();
      lister.forEach(since, listed -> candidates.add(listed.id()));
      for (BlobId id : candidates) {
        if (!meta.blobKnown(id)) {
          blobs.delete(id);
          deleted++;
        }
      }
      log.warn(
          "store at {} was not closed cleanly; checked {} blob(s) written since {}, deleted {}"
              + " orphan(s)",
          dir,
          candidates.size(),
          since,
          deleted);
    }
    writeMarker(marker);
    return deleted;
  }

  /** Marks a clean stop: the next open does not sweep. */
  public static void markClean(Path dir) throws IOException {
    Files.deleteIfExists(dir.resolve(MARKER));
  }

  /** (Re)writes the marker durably, so that its time is this run's start. */
  private static void writeMarker(Path marker) throws IOException {
    String text =
        String.format(
            Locale.ROOT,
            "pid %d started %s%n",
            ProcessHandle.current().pid(),
            Instant.now().toString());
    try (FileChannel ch = FileChannel.open(marker, CREATE, WRITE, TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(text.getBytes(UTF_8));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
      try (FileChannel ch = FileChannel.open(marker.getParent(), READ)) {
        ch.force(true); // the marker's directory entry, before any blob is written
      }
    }
  }
}
