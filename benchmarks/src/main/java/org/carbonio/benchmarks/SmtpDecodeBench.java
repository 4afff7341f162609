package org.carbonio.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.carbonio.smtp.Compliance;
import org.carbonio.smtp.SmtpLimits;
import org.carbonio.smtp.protocol.Decoded;
import org.carbonio.smtp.protocol.SmtpDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * DATA decoding (dot-unstuffing, end detection) of one message, in bytes per second.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SmtpDecodeBench -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SmtpDecodeBench {

  /** Attachment size in bytes of the message sent as DATA. */
  @Param({"1024", "1048576"})
  int attachmentBytes;

  private byte[] data;

  @Setup
  public void setUp() {
    String message = Messages.multipart(attachmentBytes).replace("\r\n.", "\r\n..");
    data = (message + ".\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  @Benchmark
  public void dataUnstuffing(Blackhole hole) {
    SmtpDecoder decoder = new SmtpDecoder(SmtpLimits.DEFAULTS, Compliance.LENIENT);
    decoder.startData();
    ByteBuffer in = ByteBuffer.wrap(data);
    while (true) {
      Decoded decoded = decoder.decode(in);
      hole.consume(decoded);
      if (decoded instanceof Decoded.DataEnd || decoded instanceof Decoded.NeedMore) {
        return;
      }
    }
  }
}
