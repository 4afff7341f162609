package org.carbonio.store.internal.blob;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.carbonio.store.BlobId;

/**
 * The most recently read blob contents, least recently used out first, bounded in bytes. A blob is
 * named by the SHA-256 of its content, so a cached content never goes stale; a collected blob only
 * lingers until it is evicted, and nobody asks for it (no message names it any more). Like
 * Carbonio's message cache ({@code zimbraMessageCacheSize}): IMAP clients fetch the same messages'
 * headers and bodies again and again.
 *
 * <p>Thread-safe.
 */
public final class BlobCache {
  /**
   * Contents larger than this fraction of the capacity are not kept (one blob cannot flush all).
   */
  private static final int LARGEST_SHARE = 16;

  private final long capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final LinkedHashMap<BlobId, byte[]> entries = new LinkedHashMap<>(256, 0.75f, true);
  private long bytes;

  /**
   * @param capacity bytes kept at most; 0 keeps nothing
   */
  public BlobCache(long capacity) {
    if (capacity < 0) throw new IllegalArgumentException("negative capacity: " + capacity);
    this.capacity = capacity;
  }

  /** The cached content, or null. The caller must not change the array. */
  public byte[] get(BlobId id) {
    if (capacity == 0) return null;
    lock.lock();
    try {
      return entries.get(id);
    } finally {
      lock.unlock();
    }
  }

  /** Keeps {@code content} (not copied: the caller must not change it afterwards). */
  public void put(BlobId id, byte[] content) {
    if (content.length > capacity / LARGEST_SHARE) return;
    lock.lock();
    try {
      byte[] old = entries.put(id, content);
      bytes += content.length - (old == null ? 0 : old.length);
      var it = entries.entrySet().iterator();
      while (bytes > capacity && it.hasNext()) {
        Map.Entry<BlobId, byte[]> eldest = it.next();
        bytes -= eldest.getValue().length;
        it.remove();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Bytes held now. */
  public long size() {
    lock.lock();
    try {
      return bytes;
    } finally {
      lock.unlock();
    }
  }
}
