package org.carbonio.store.internal.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.carbonio.store.BlobId;
import org.carbonio.store.spi.BlobStore;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BlobStore} must do. A backend's test implements this interface and supplies a
 * fresh, empty store per test method.
 */
interface BlobStoreContract {

  /** The store under test; empty at the start of each test. */
  BlobStore store();

  /** How many blobs the backend holds (files, objects). */
  long storedBlobCount() throws IOException;

  /** How many staged temporary copies exist. */
  long stagedCount() throws IOException;

  @Test
  default void putShouldReadBackSameBytesWhenCommitted() throws Exception {
    BlobStore blobs = store();
    byte[] data = new byte[300_000];
    new Random(1).nextBytes(data);
    BlobStore.Staged s = blobs.put(new ByteArrayInputStream(data));
    assertThat(s.id()).isEqualTo(new BlobId(sha256Hex(data)));
    assertThat(s.size()).isEqualTo(data.length);
    assertThat(blobs.exists(s.id())).isTrue();
    assertThat(blobs.read(s.id())).isEqualTo(data);
    try (InputStream in = blobs.open(s.id())) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    assertThat(stagedCount()).isZero();
  }

  @Test
  default void putShouldRoundTripWhenContentIsEmpty() throws Exception {
    BlobStore blobs = store();
    BlobStore.Staged s = blobs.put(InputStream.nullInputStream());
    assertThat(s.id()).isEqualTo(new BlobId(sha256Hex(new byte[0])));
    assertThat(s.size()).isZero();
    assertThat(blobs.read(s.id())).isEmpty();
  }

  @Test
  default void putShouldStoreOnceWhenSameContentStoredTwice() throws Exception {
    BlobStore blobs = store();
    byte[] data = "same content".getBytes(StandardCharsets.US_ASCII);
    BlobId a = blobs.put(new ByteArrayInputStream(data)).id();
    BlobId b = blobs.put(new ByteArrayInputStream(data)).id();
    assertThat(a).isEqualTo(b);
    assertThat(storedBlobCount()).isEqualTo(1);
    assertThat(blobs.read(a)).isEqualTo(data);
    assertThat(stagedCount()).isZero();
  }

  @Test
  default void stageShouldLeaveNothingWhenClosedWithoutCommit() throws Exception {
    BlobStore blobs = store();
    BlobId id;
    try (BlobStore.Staged s = blobs.stage(new ByteArrayInputStream(new byte[] {1, 2}))) {
      id = s.id();
      assertThat(stagedCount()).isEqualTo(1);
    }
    assertThat(stagedCount()).isZero();
    assertThat(storedBlobCount()).isZero();
    assertThat(blobs.exists(id)).isFalse();
  }

  @Test
  default void stageShouldPropagateWhenContentStreamFails() throws Exception {
    BlobStore blobs = store();
    InputStream broken =
        new InputStream() {
          int n;

          @Override
          public int read() throws IOException {
            if (n++ > 10) {
              throw new IOException("client went away");
            }
            return 'x';
          }
        };
    assertThatThrownBy(() -> blobs.stage(broken)).hasMessage("client went away");
    assertThat(stagedCount()).isZero();
  }

  @Test
  default void openShouldThrowNoSuchFileWhenBlobMissing() throws Exception {
    BlobStore blobs = store();
    BlobId missing = new BlobId(sha256Hex("never stored".getBytes(StandardCharsets.US_ASCII)));
    assertThat(blobs.exists(missing)).isFalse();
    assertThatThrownBy(() -> blobs.open(missing)).isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> blobs.read(missing)).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  default void deleteShouldRemoveBlobWhenPresentAndDoNothingWhenMissing() throws Exception {
    BlobStore blobs = store();
    BlobId id = blobs.put(new ByteArrayInputStream(new byte[] {7})).id();
    blobs.delete(id);
    assertThat(blobs.exists(id)).isFalse();
    assertThat(storedBlobCount()).isZero();
    assertThatThrownBy(() -> blobs.read(id)).isInstanceOf(NoSuchFileException.class);
    blobs.delete(id);
    assertThat(blobs.exists(id)).isFalse();
  }

  @Test
  default void putShouldStreamWhenContentIsLarge() throws Exception {
    BlobStore blobs = store();
    long size = 20L << 20;
    String expected;
    try (InputStream in = new GeneratedContent(size, 42)) {
      expected = sha256Hex(in);
    }
    BlobStore.Staged s = blobs.put(new GeneratedContent(size, 42));
    assertThat(s.size()).isEqualTo(size);
    assertThat(s.id().sha256()).isEqualTo(expected);
    try (InputStream in = blobs.open(s.id())) {
      CountingDigest back = CountingDigest.of(in);
      assertThat(back.count()).isEqualTo(size);
      assertThat(back.hex()).isEqualTo(expected);
    }
    assertThat(stagedCount()).isZero();
  }

  @Test
  default void putShouldStoreOnceWhenEightThreadsPutSameContent() throws Exception {
    BlobStore blobs = store();
    byte[] data = new byte[100_000];
    new Random(8).nextBytes(data);
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<BlobId>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return blobs.put(new ByteArrayInputStream(data)).id();
                }));
      }
      start.countDown();
      for (Future<BlobId> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(new BlobId(sha256Hex(data)));
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(storedBlobCount()).isEqualTo(1);
    assertThat(blobs.read(new BlobId(sha256Hex(data)))).isEqualTo(data);
    assertThat(stagedCount()).isZero();
  }

  static String sha256Hex(byte[] data) {
    return HexFormat.of().formatHex(sha256().digest(data));
  }

  static String sha256Hex(InputStream in) throws IOException {
    return CountingDigest.of(in).hex();
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The SHA-256 and length of a stream, read in chunks. */
  record CountingDigest(String hex, long count) {
    static CountingDigest of(InputStream in) throws IOException {
      MessageDigest sha = sha256();
      byte[] buf = new byte[64 * 1024];
      long count = 0;
      int n;
      while ((n = in.read(buf)) != -1) {
        sha.update(buf, 0, n);
        count += n;
      }
      return new CountingDigest(HexFormat.of().formatHex(sha.digest()), count);
    }
  }

  /** {@code size} pseudo-random bytes made on the fly, so large content is never in memory. */
  final class GeneratedContent extends InputStream {
    private final Random random;
    private long remaining;

    GeneratedContent(long size, long seed) {
      this.random = new Random(seed);
      this.remaining = size;
    }

    @Override
    public int read() {
      if (remaining == 0) {
        return -1;
      }
      remaining--;
      return random.nextInt(256);
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (remaining == 0) {
        return -1;
      }
      int n = (int) Math.min(len, remaining);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) random.nextInt(256);
      }
      remaining -= n;
      return n;
    }
  }
}
