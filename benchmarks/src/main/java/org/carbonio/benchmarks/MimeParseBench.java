package org.carbonio.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.carbonio.mime.ParsedMessage;
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

/**
 * Parse + BODYSTRUCTURE + ENVELOPE of one message: what an IMAP FETCH of structure costs.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar MimeParseBench -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MimeParseBench {

  /** Attachment size in bytes of the multipart message. */
  @Param({"1024", "1048576"})
  int attachmentBytes;

  private byte[] message;

  @Setup
  public void setUp() throws IOException {
    message = Messages.multipart(attachmentBytes).getBytes(StandardCharsets.US_ASCII);
  }

  @Benchmark
  public String bodyStructure() {
    return ParsedMessage.parse(message).bodyStructure();
  }

  @Benchmark
  public String envelope() {
    return ParsedMessage.parse(message).envelope();
  }
}
