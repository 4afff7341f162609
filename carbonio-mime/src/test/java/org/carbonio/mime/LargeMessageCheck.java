package org.carbonio.mime;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The child JVM of {@link LargeMessageTest}: parses a large message file ({@code path}) or a stream
 * of it ({@code stream}), then prints its structure, envelope, the SHA-256 of the decoded part 2
 * and the peak heap used, one {@code key=value} per line.
 */
final class LargeMessageCheck {

  private LargeMessageCheck() {}

  public static void main(String[] args) throws IOException, NoSuchAlgorithmException {
    Path file = Path.of(args[1]);
    long t0 = System.nanoTime();
    ParsedMessage m;
    if (args[0].equals("stream")) {
      try (InputStream in = Files.newInputStream(file)) {
        m = ParsedMessage.parse(in);
      }
    } else {
      m = ParsedMessage.parse(file);
    }
    String bodyStructure = m.bodyStructure();
    long t1 = System.nanoTime();
    System.out.println("bodystructure=" + bodyStructure);
    System.out.println("envelope=" + m.envelope());
    MimePart attachment = m.part(List.of(2)).orElseThrow();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long decoded = 0;
    try (InputStream in = m.decodedBody(attachment)) {
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
        decoded += n;
      }
    }
    long t2 = System.nanoTime();
    System.out.println("decoded=" + decoded);
    System.out.println("parseMillis=" + (t1 - t0) / 1_000_000);
    System.out.println("decodeAndDigestMillis=" + (t2 - t1) / 1_000_000);
    System.out.println("sha256=" + HexFormat.of().formatHex(sha.digest()));
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    System.out.println("peakHeapUsed=" + peak);
    System.out.println(
        "heapUsedAtEnd=" + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    System.out.println(
        "maxHeap=" + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax());
  }
}
