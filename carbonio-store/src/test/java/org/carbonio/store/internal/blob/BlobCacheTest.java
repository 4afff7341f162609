package org.carbonio.store.internal.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.HexFormat;
import org.carbonio.store.BlobId;
import org.junit.jupiter.api.Test;

class BlobCacheTest {
  private static BlobId id(int n) {
    byte[] b = new byte[32];
    b[0] = (byte) n;
    b[1] = (byte) (n >> 8);
    return new BlobId(HexFormat.of().formatHex(b));
  }

  @Test
  void getShouldReturnTheLeastRecentlyUsedOutFirstWhenFull() {
    BlobCache c = new BlobCache(1600); // entries up to 100 bytes
    for (int i = 0; i < 16; i++) c.put(id(i), new byte[100]);
    assertThat(c.get(id(0))).isNotNull(); // now the most recently used
    c.put(id(16), new byte[100]);
    assertThat(c.get(id(1))).isNull();
    assertThat(c.get(id(0))).hasSize(100);
    assertThat(c.get(id(16))).hasSize(100);
    assertThat(c.size()).isEqualTo(1600);
  }

  @Test
  void putShouldKeepNothingWhenTheContentIsLargerThanASixteenthOrTheCacheIsOff() {
    BlobCache c = new BlobCache(1600);
    c.put(id(1), new byte[101]);
    assertThat(c.get(id(1))).isNull();
    BlobCache off = new BlobCache(0);
    off.put(id(1), new byte[0]);
    assertThat(off.get(id(1))).isNull();
    assertThat(off.size()).isZero();
  }

  @Test
  void sizeShouldStayWithinCapacityAndEqualWhatIsHeldWhateverIsPut() {
    qt().forAll(lists().of(integers().between(0, 400)).ofSizeBetween(0, 200))
        .checkAssert(
            sizes -> {
              BlobCache c = new BlobCache(4000);
              for (int i = 0; i < sizes.size(); i++) c.put(id(i % 37), new byte[sizes.get(i)]);
              long held = 0;
              for (int i = 0; i < 37; i++) {
                byte[] b = c.get(id(i));
                if (b != null) held += b.length;
              }
              assertThat(c.size()).isEqualTo(held).isLessThanOrEqualTo(4000);
            });
  }
}
