package org.carbonio.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.carbonio.imap.protocol.Decoded;
import org.carbonio.imap.protocol.DecoderLimits;
import org.carbonio.imap.protocol.ImapDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding a pipelined batch of typical client commands (what mail clients send on sync).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ImapDecodeBench -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ImapDecodeBench {

  private static final String[] COMMANDS = {
    "a1 UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (From To Cc"
        + " Subject Date Message-ID References In-Reply-To)])",
    "a2 UID STORE 100:200 +FLAGS.SILENT (\\Seen $Forwarded)",
    "a3 UID SEARCH OR (FROM \"alice\" SINCE 1-Jan-2026) (NOT SEEN LARGER 10000)",
    "a4 SELECT \"Archive/2026/Projekt &AMQ-rger\"",
    "a5 NOOP",
  };

  private byte[] batch;

  @Setup
  public void setUp() {
    batch = (String.join("\r\n", COMMANDS) + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Decodes the five commands; returns how many it got. */
  @Benchmark
  public int pipelinedCommands(Blackhole hole) {
    ImapDecoder decoder = new ImapDecoder(DecoderLimits.DEFAULTS);
    ByteBuffer in = ByteBuffer.wrap(batch);
    int commands = 0;
    while (in.hasRemaining()) {
      Decoded decoded = decoder.decode(in);
      hole.consume(decoded);
      if (decoded instanceof Decoded.Command) {
        commands++;
      } else {
        break;
      }
    }
    decoder.close();
    return commands;
  }
}
