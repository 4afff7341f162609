package org.carbonio.store.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.carbonio.store.BlobId;
import org.carbonio.store.spi.BlobStore;

/**
 * A blob store that can hold the next commit after it published its blob, so that a test can act
 * between a write's publish and its metadata commit, the window another node's garbage collection
 * must not exploit.
 */
final class PausingBlobStore implements BlobStore {
  /** Opened by the paused commit once it published; the test opens {@code proceed} to let it go. */
  record Pause(CountDownLatch published, CountDownLatch proceed) {}

  private final BlobStore delegate;
  private final AtomicReference<Pause> next = new AtomicReference<>();

  PausingBlobStore(BlobStore delegate) {
    this.delegate = delegate;
  }

  /** Holds the next commit (only that one) after it published. */
  Pause pauseNextCommit() {
    Pause p = new Pause(new CountDownLatch(1), new CountDownLatch(1));
    next.set(p);
    return p;
  }

  @Override
  public Staged stage(InputStream content) throws IOException {
    Staged staged = delegate.stage(content);
    return new Staged() {
      @Override
      public BlobId id() {
        return staged.id();
      }

      @Override
      public long size() {
        return staged.size();
      }

      @Override
      public void commit() throws IOException {
        staged.commit();
        Pause p = next.getAndSet(null);
        if (p != null) {
          p.published().countDown();
          try {
            if (!p.proceed().await(60, TimeUnit.SECONDS)) {
              throw new IOException("test never let the paused commit proceed");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while paused", e);
          }
        }
      }

      @Override
      public void close() throws IOException {
        staged.close();
      }
    };
  }

  @Override
  public InputStream open(BlobId id) throws IOException {
    return delegate.open(id);
  }

  @Override
  public byte[] read(BlobId id) throws IOException {
    return delegate.read(id);
  }

  @Override
  public boolean exists(BlobId id) throws IOException {
    return delegate.exists(id);
  }

  @Override
  public void delete(BlobId id) throws IOException {
    delegate.delete(id);
  }

  @Override
  public void forEachBlob(BlobVisitor visitor) throws IOException {
    delegate.forEachBlob(visitor);
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }
}
