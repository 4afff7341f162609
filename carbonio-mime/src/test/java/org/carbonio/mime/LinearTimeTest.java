package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The whole module reads adversarial messages in time linear in their size: each shape is built at
 * scale n and 16n, and the best of three runs (after warm-up, in thread CPU time) of parse,
 * BODYSTRUCTURE, ENVELOPE, addresses, date and thread keys at 16n must stay under 16 × 4 times the
 * run at n (a quadratic would take 256 times as long).
 */
class LinearTimeTest {

  private static final long FLOOR_NANOS = 2_000_000; // below this, timer noise dominates

  /** Random details of a shape: a filler character and a token length. */
  private record Knobs(char fill, int len) {}

  private static Gen<Knobs> knobs() {
    return integers()
        .between(0, 25)
        .zip(integers().between(1, 8), (c, l) -> new Knobs((char) ('a' + c), l));
  }

  private record Shape(
      String name, int n, java.util.function.BiFunction<Knobs, Integer, String> build) {}

  private static String repeat(int count, IntFunction<String> piece) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < count; i++) {
      sb.append(piece.apply(i));
    }
    return sb.toString();
  }

  private static String headers(String extra) {
    return "From: a@b.example\r\nTo: c@d.example\r\nDate: Fri, 21 Nov 1997 09:55:06 -0600\r\n"
        + "Subject: s\r\nMessage-ID: <m@x>\r\n"
        + extra;
  }

  private static final List<Shape> SHAPES =
      List.of(
          // nested multiparts whose boundaries are prefixes of each other ("=_1", "=_10", ...)
          new Shape(
              "nested prefix boundaries",
              60,
              (k, n) ->
                  headers("")
                      + repeat(
                          n,
                          i ->
                              "Content-Type: multipart/mixed; boundary=\"=_"
                                  + i
                                  + "\"\r\n\r\n--=_"
                                  + (i / 10)
                                  + String.valueOf(k.fill).repeat(k.len)
                                  + "\r\n--=_"
                                  + i
                                  + "\r\n")
                      + repeat(n, i -> "--=_" + (n - 1 - i) + "--\r\n--=_" + i + "\r\n")),
          // open boundaries, never closed, then many lines that look like boundaries
          new Shape(
              "open boundaries",
              200,
              (k, n) ->
                  headers("Content-Type: multipart/mixed; boundary=b\r\n\r\n")
                      + repeat(
                          n,
                          i ->
                              "--b"
                                  + "\r\nContent-Type: multipart/mixed; boundary=b"
                                  + String.valueOf(k.fill).repeat(i % 50 + 1)
                                  + "\r\n\r\n")
                      + repeat(
                          n * 20, i -> "--b" + String.valueOf(k.fill).repeat(i % 60) + "x\r\n")),
          new Shape(
              "one long header line",
              65_536,
              (k, n) ->
                  "Subject: "
                      + String.valueOf(k.fill).repeat(n)
                      + "\r\nX-Long: "
                      + "(".repeat(n / 4)
                      + "\r\n"
                      + headers("\r\nbody\r\n")),
          new Shape(
              "encoded words",
              6_250,
              (k, n) ->
                  "Subject: Re: "
                      + "=?utf-8?q?"
                      + k.fill
                      + "=C3=A9?= ".repeat(n)
                      + "=?utf-8?q?x ".repeat(n)
                      + "\r\nFrom: "
                      + "=?utf-8?b?w6k=?= ".repeat(n)
                      + "<a@b>\r\nTo: x\r\n\r\nbody\r\n"),
          new Shape(
              "addresses",
              6_250,
              (k, n) ->
                  "To: "
                      + repeat(n, i -> k.fill + "" + i + " (c) <u" + i + "@d.example>, ")
                      + "\r\nCc: "
                      + "<a@b ".repeat(n)
                      + "\r\nBcc: "
                      + "g: a@b, ".repeat(n / 4)
                      + "\r\nFrom: "
                      + "x@y ".repeat(n)
                      + "\r\n\r\nbody\r\n"),
          new Shape(
              "many parts",
              600,
              (k, n) ->
                  headers("Content-Type: multipart/mixed; boundary=p\r\n\r\n")
                      + repeat(
                          n,
                          i ->
                              "--p\r\nContent-Type: text/plain; name=\""
                                  + String.valueOf(k.fill).repeat(k.len)
                                  + i
                                  + "\"\r\n\r\nx\r\n")
                      + "--p--\r\n"),
          new Shape(
              "thread and date headers",
              6_250,
              (k, n) ->
                  "References: "
                      + repeat(n, i -> "<" + k.fill + i + "@x> ")
                      + "\r\nIn-Reply-To: "
                      + "<".repeat(n)
                      + "\r\nSubject: "
                      + "Re: [l] ".repeat(n)
                      + "[fwd: ".repeat(n)
                      + "x"
                      + "]".repeat(n)
                      + " (fwd)".repeat(n)
                      + "\r\nDate: "
                      + "1 ".repeat(n)
                      + "\r\n\r\nbody\r\n"));

  private static void work(byte[] message) {
    ParsedMessage m = ParsedMessage.parse(message);
    m.bodyStructure();
    m.envelope();
    byte[] b = m.bytes();
    for (String name : List.of("From", "To", "Cc", "Bcc")) {
      MailAddresses.parse(HeaderFields.first(b, m.root().header(), name).orElse(""));
    }
    MailDates.parse(HeaderFields.first(b, m.root().header(), "Date").orElse(""));
    ThreadKeys.of(m);
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /**
   * This thread's CPU time where the JVM measures it (other processes and GC threads on a loaded
   * machine do not count), else wall time.
   */
  private static long now() {
    return THREADS.isCurrentThreadCpuTimeSupported()
        ? THREADS.getCurrentThreadCpuTime()
        : System.nanoTime();
  }

  /** Best of three runs of each, interleaved so that a change in machine load hits both. */
  private static long[] bestOfThree(byte[] small, byte[] big) {
    long[] best = {Long.MAX_VALUE, Long.MAX_VALUE};
    for (int run = 0; run < 3; run++) {
      for (int k = 0; k < 2; k++) {
        long t0 = now();
        work(k == 0 ? small : big);
        best[k] = Math.min(best[k], now() - t0);
      }
    }
    return best;
  }

  @Test
  void parsingShouldTakeLinearTimeWhenInputIsAdversarial() {
    for (Shape shape : SHAPES) {
      qt().withExamples(1)
          .withShrinkCycles(0)
          .forAll(knobs())
          .checkAssert(
              k -> {
                byte[] small = shape.build.apply(k, shape.n).getBytes(StandardCharsets.ISO_8859_1);
                byte[] big =
                    shape.build.apply(k, 16 * shape.n).getBytes(StandardCharsets.ISO_8859_1);
                work(small); // warm-up
                work(big);
                long[] t = bestOfThree(small, big);
                if (t[1] >= 16L * 4 * Math.max(t[0], FLOOR_NANOS)) {
                  t = bestOfThree(small, big); // once more: a loaded machine, a GC
                }
                long tSmall = Math.max(t[0], FLOOR_NANOS);
                long tBig = t[1];
                System.out.printf(
                    "%s %s: %d bytes %.1f ms, %d bytes %.1f ms%n",
                    shape.name, k, small.length, tSmall / 1e6, big.length, tBig / 1e6);
                assertThat(tBig)
                    .as(
                        "%s %s at 16n (%d bytes) vs n (%d bytes)",
                        shape.name, k, big.length, small.length)
                    .isLessThan(16L * 4 * tSmall);
              });
    }
  }
}
