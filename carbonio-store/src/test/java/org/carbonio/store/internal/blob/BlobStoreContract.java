package org.carbonio.store.internal.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.carbonio.store.BlobId;
import org.carbonio.store.BlobStoreOptions;
import org.carbonio.store.spi.BlobStore;
import org.carbonio.store.spi.BlobStore.StoredBlob;
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

  /** Examples per property; a backend with slow round trips may lower it. */
  default int propertyExamples() {
    return 40;
  }

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
    byte[] data = new byte[100_000];
    new Random(8).nextBytes(data);
    putConcurrently(data);
  }

  @Test
  default void putShouldStoreOnceWhenEightThreadsPutSameCompressibleContent() throws Exception {
    putConcurrently(CompressibleContent.bytes(100_000, 8));
    assertThat(listed(store()).values()).singleElement().matches(StoredBlob::compressed);
  }

  private void putConcurrently(byte[] data) throws Exception {
    BlobStore blobs = store();
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

  @Test
  default void putShouldStoreCompressedAndReadBackWhenLargeAndCompressible() throws Exception {
    BlobStore blobs = store();
    byte[] data = CompressibleContent.bytes(200_000, 3);
    BlobStore.Staged s = blobs.put(new ByteArrayInputStream(data));
    assertThat(s.id()).isEqualTo(new BlobId(sha256Hex(data)));
    assertThat(s.size()).isEqualTo(data.length);
    StoredBlob stored = listed(blobs).get(s.id());
    assertThat(stored.compressed()).isTrue();
    assertThat(stored.storedSize()).isLessThan(data.length / 2);
    assertThat(blobs.read(s.id())).isEqualTo(data);
    try (InputStream in = blobs.open(s.id())) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    assertThat(storedBlobCount()).isEqualTo(1);
    assertThat(stagedCount()).isZero();
  }

  @Test
  default void putShouldStoreRawWhenContentIsIncompressible() throws Exception {
    BlobStore blobs = store();
    byte[] data = new byte[200_000];
    new Random(5).nextBytes(data);
    BlobId id = blobs.put(new ByteArrayInputStream(data)).id();
    StoredBlob stored = listed(blobs).get(id);
    assertThat(stored.compressed()).isFalse();
    assertThat(stored.storedSize()).isEqualTo(data.length);
    assertThat(blobs.read(id)).isEqualTo(data);
  }

  @Test
  default void putShouldStoreRawWhenBelowCompressionThreshold() throws Exception {
    BlobStore blobs = store();
    byte[] data = CompressibleContent.bytes(BlobStoreOptions.DEFAULT_COMPRESSION_THRESHOLD - 1, 4);
    BlobId id = blobs.put(new ByteArrayInputStream(data)).id();
    StoredBlob stored = listed(blobs).get(id);
    assertThat(stored.compressed()).isFalse();
    assertThat(stored.storedSize()).isEqualTo(data.length);
  }

  @Test
  default void openShouldStreamDecompressedWhenLargeCompressibleBlob() throws Exception {
    BlobStore blobs = store();
    long size = 20L << 20;
    String expected;
    try (InputStream in = new CompressibleContent(size, 9)) {
      expected = sha256Hex(in);
    }
    BlobStore.Staged s = blobs.put(new CompressibleContent(size, 9));
    assertThat(s.size()).isEqualTo(size);
    assertThat(s.id().sha256()).isEqualTo(expected);
    StoredBlob stored = listed(blobs).get(s.id());
    assertThat(stored.compressed()).isTrue();
    assertThat(stored.storedSize()).isLessThan(size / 2);
    try (InputStream in = blobs.open(s.id())) {
      CountingDigest back = CountingDigest.of(in);
      assertThat(back.count()).isEqualTo(size);
      assertThat(back.hex()).isEqualTo(expected);
    }
    assertThat(stagedCount()).isZero();
  }

  @Test
  default void openShouldAllowEarlyCloseWhenCompressedBlobPartlyRead() throws Exception {
    BlobStore blobs = store();
    byte[] data = CompressibleContent.bytes(1_000_000, 10);
    BlobId id = blobs.put(new ByteArrayInputStream(data)).id();
    for (int i = 0; i < 3; i++) {
      try (InputStream in = blobs.open(id)) {
        assertThat(in.read()).isEqualTo(data[0] & 0xff);
        assertThat(in.readNBytes(999)).isEqualTo(Arrays.copyOfRange(data, 1, 1000));
      }
    }
    assertThat(blobs.read(id)).isEqualTo(data);
  }

  @Test
  default void deleteShouldRemoveCompressedBlobWhenPresent() throws Exception {
    BlobStore blobs = store();
    BlobId id = blobs.put(new ByteArrayInputStream(CompressibleContent.bytes(100_000, 6))).id();
    assertThat(blobs.exists(id)).isTrue();
    blobs.delete(id);
    assertThat(blobs.exists(id)).isFalse();
    assertThat(storedBlobCount()).isZero();
    assertThatThrownBy(() -> blobs.open(id)).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  default void putShouldRoundTripWhenSizeAndContentVaryAroundThreshold() throws Exception {
    BlobStore blobs = store();
    int t = (int) BlobStoreOptions.DEFAULT_COMPRESSION_THRESHOLD;
    qt().withExamples(propertyExamples())
        .withShrinkCycles(50)
        .forAll(
            integers().between(t - 2048, t + 2048).mix(integers().between(0, 80_000)),
            integers().between(0, 2),
            integers().all())
        .checkAssert(
            (size, kind, seed) -> {
              byte[] data = content(size, kind, seed);
              try {
                BlobStore.Staged s = blobs.put(new ByteArrayInputStream(data));
                assertThat(s.id().sha256()).isEqualTo(sha256Hex(data));
                assertThat(s.size()).isEqualTo(data.length);
                assertThat(blobs.read(s.id())).isEqualTo(data);
                try (InputStream in = blobs.open(s.id())) {
                  assertThat(in.readAllBytes()).isEqualTo(data);
                }
                StoredBlob stored = listed(blobs).get(s.id());
                if (stored.compressed()) {
                  assertThat(data.length).isGreaterThanOrEqualTo(t);
                  assertThat(stored.storedSize() * 10).isLessThanOrEqualTo(data.length * 9L);
                } else {
                  assertThat(stored.storedSize()).isEqualTo(data.length);
                }
                blobs.delete(s.id());
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    assertThat(stagedCount()).isZero();
  }

  @Test
  default void forEachBlobShouldReportEveryCommittedBlobWhenStoreHoldsSeveral() throws Exception {
    BlobStore blobs = store();
    Instant before = Instant.now().minusSeconds(60);
    byte[] small = "small".getBytes(StandardCharsets.US_ASCII);
    byte[] random = new byte[50_000];
    new Random(11).nextBytes(random);
    byte[] text = CompressibleContent.bytes(50_000, 12);
    BlobId a = blobs.put(new ByteArrayInputStream(small)).id();
    BlobId b = blobs.put(new ByteArrayInputStream(random)).id();
    BlobId c = blobs.put(new ByteArrayInputStream(text)).id();
    BlobId gone = blobs.put(new ByteArrayInputStream(new byte[] {1})).id();
    blobs.delete(gone);
    try (BlobStore.Staged uncommitted = blobs.stage(new ByteArrayInputStream(new byte[] {2}))) {
      Map<BlobId, StoredBlob> listed = listed(blobs);
      assertThat(listed).containsOnlyKeys(a, b, c).doesNotContainKey(uncommitted.id());
      assertThat(listed.get(a).storedSize()).isEqualTo(small.length);
      assertThat(listed.get(a).compressed()).isFalse();
      assertThat(listed.get(b).storedSize()).isEqualTo(random.length);
      assertThat(listed.get(c).compressed()).isTrue();
      assertThat(listed.get(c).storedSize()).isLessThan(text.length);
      Instant after = Instant.now().plusSeconds(60);
      for (StoredBlob blob : listed.values()) {
        assertThat(blob.lastModified()).isBetween(before, after);
      }
    }
  }

  @Test
  default void forEachBlobShouldReportNothingWhenStoreEmpty() throws Exception {
    List<StoredBlob> seen = new ArrayList<>();
    store().forEachBlob(seen::add);
    assertThat(seen).isEmpty();
  }

  @Test
  default void forEachBlobShouldPropagateWhenVisitorFails() throws Exception {
    BlobStore blobs = store();
    blobs.put(new ByteArrayInputStream(new byte[] {3}));
    assertThatThrownBy(
            () ->
                blobs.forEachBlob(
                    blob -> {
                      throw new IOException("checker gave up");
                    }))
        .hasMessage("checker gave up");
  }

  /** Every stored blob by id, each reported once. */
  static Map<BlobId, StoredBlob> listed(BlobStore blobs) throws IOException {
    Map<BlobId, StoredBlob> all = new HashMap<>();
    blobs.forEachBlob(
        blob -> assertThat(all.put(blob.id(), blob)).as("reported twice: %s", blob).isNull());
    return all;
  }

  /** Content of one of three kinds: 0 random, 1 text-like, 2 half text then half random. */
  static byte[] content(int size, int kind, int seed) {
    Random random = new Random(seed);
    return switch (kind) {
      case 0 -> {
        byte[] b = new byte[size];
        random.nextBytes(b);
        yield b;
      }
      case 1 -> CompressibleContent.bytes(size, seed);
      default -> {
        byte[] b = CompressibleContent.bytes(size, seed);
        byte[] tail = new byte[size - size / 2];
        random.nextBytes(tail);
        System.arraycopy(tail, 0, b, size / 2, tail.length);
        yield b;
      }
    };
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

  /**
   * {@code size} bytes of mail-like text (words from a small vocabulary, CRLF lines) made on the
   * fly; zstd shrinks it to well under half.
   */
  final class CompressibleContent extends InputStream {
    private static final String[] WORDS = {
      "the",
      "meeting",
      "is",
      "moved",
      "to",
      "Thursday",
      "please",
      "confirm",
      "your",
      "attendance",
      "Regards",
      "invoice",
      "attached",
      "project",
      "deadline",
      "Subject:",
      "From:",
      "Re:",
      "and",
      "of",
      "a",
      "budget",
      "review",
      "quarter",
      "report",
      "team",
      "update",
      "schedule",
      "call"
    };
    private static final byte[][] WORD_BYTES =
        Arrays.stream(WORDS).map(w -> w.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
    private final Random random;
    private final byte[] line = new byte[256];
    private int lineLen;
    private int linePos;
    private long remaining;

    CompressibleContent(long size, long seed) {
      this.random = new Random(seed);
      this.remaining = size;
    }

    static byte[] bytes(long size, long seed) {
      try (InputStream in = new CompressibleContent(size, seed)) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void nextLine() {
      int words = 4 + random.nextInt(10);
      lineLen = 0;
      for (int i = 0; i < words; i++) {
        if (i > 0) {
          line[lineLen++] = ' ';
        }
        byte[] w = WORD_BYTES[random.nextInt(WORD_BYTES.length)];
        System.arraycopy(w, 0, line, lineLen, w.length);
        lineLen += w.length;
      }
      line[lineLen++] = '\r';
      line[lineLen++] = '\n';
      linePos = 0;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (remaining == 0) {
        return -1;
      }
      int n = 0;
      while (n < len && remaining > 0) {
        if (linePos == lineLen) {
          nextLine();
        }
        int k = (int) Math.min(Math.min(len - n, lineLen - linePos), remaining);
        System.arraycopy(line, linePos, b, off + n, k);
        linePos += k;
        n += k;
        remaining -= k;
      }
      return n;
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
