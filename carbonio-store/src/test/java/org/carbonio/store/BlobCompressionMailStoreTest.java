package org.carbonio.store;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.carbonio.store.spi.BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages above the compression threshold go through the mailbox API unchanged. */
class BlobCompressionMailStoreTest {
  @TempDir Path dir;

  @Test
  void appendShouldStoreLargeMessageCompressedAndReadItBackWhenCompressible() throws Exception {
    StringBuilder sb = new StringBuilder("Subject: report\r\n\r\n");
    for (int i = 0; sb.length() < 200_000; i++) {
      sb.append("line ").append(i % 50).append(" of the quarterly report, nothing new\r\n");
    }
    byte[] message = sb.toString().getBytes(US_ASCII);
    try (MailStore store = MailStore.open(dir)) {
      Mailbox box = store.mailbox("alice@example.org");
      AppendResult r = box.append("INBOX", new ByteArrayInputStream(message), Set.of(), null);
      MessageInfo info = box.snapshot("INBOX").messages().get(0);
      assertThat(info.size()).isEqualTo(message.length);
      String hex = info.blobId().sha256();
      Path zst = dir.resolve("blobs").resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4));
      assertThat(zst.resolve(hex + ".zst")).exists();
      assertThat(Files.size(zst.resolve(hex + ".zst"))).isLessThan(message.length / 2);
      assertThat(box.read("INBOX", r.uid())).isEqualTo(message);
      try (InputStream in = box.open("INBOX", r.uid())) {
        assertThat(in.readAllBytes()).isEqualTo(message);
      }
    }
  }

  @Test
  void readmeBlobStorageExampleShouldRunWhenCopied() throws Exception {
    Path eml = dir.resolve("message.eml");
    Files.writeString(eml, "Subject: hi\r\n\r\n" + "hello\r\n".repeat(10_000), US_ASCII);
    BlobStoreOptions options = BlobStoreOptions.DEFAULTS.withCompressionThreshold(64 * 1024);
    try (BlobStore blobs = BlobStores.filesystem(dir.resolve("blobs"), options);
        InputStream in0 = Files.newInputStream(eml)) {
      BlobId id = blobs.put(in0).id();
      try (InputStream in = blobs.open(id)) {
        assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(eml));
      }
      StringBuilder out = new StringBuilder();
      blobs.forEachBlob(b -> out.append(b.id()).append(' ').append(b.compressed()));
      assertThat(out.toString()).isEqualTo(id + " true");
    }
  }
}
