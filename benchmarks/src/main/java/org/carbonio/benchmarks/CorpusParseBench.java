package org.carbonio.benchmarks;

import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimePart;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;
import org.carbonio.mime.ParsedMessage;
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

/**
 * The whole shared corpus (5,000 real messages, ../shared/corpus) parsed, its structure computed
 * and every leaf body decoded, by carbonio-mime and, side by side in the same run, by Jakarta Mail
 * (Angus) {@code MimeMessage} and Mime4j's {@code DefaultMessageBuilder} doing the same work, and
 * by loops that only read the bytes and find line ends (the ceilings). One operation is one pass
 * over the corpus, held in memory; each benchmark returns the number of decoded octets plus the
 * number of messages its parser threw on, so the work cannot be optimised away.
 *
 * <p>Run: {@code java -Dcarbonio.corpus=../shared/corpus -jar benchmarks/target/benchmarks.jar
 * CorpusParseBench -prof gc}; MB/s is corpus bytes / time per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class CorpusParseBench {

  private List<byte[]> corpus;
  private Session session;
  private DefaultMessageBuilder mime4j;
  private final byte[] sink = new byte[8192];

  @Setup
  public void setUp() {
    corpus = load(corpusDir());
    session = Session.getInstance(new Properties());
    mime4j = new DefaultMessageBuilder();
    mime4j.setMimeEntityConfig(MimeConfig.PERMISSIVE);
    long bytes = corpus.stream().mapToLong(b -> b.length).sum();
    System.out.printf("%ncorpus: %d messages, %d bytes%n", corpus.size(), bytes);
  }

  /** carbonio-mime: parse, BODYSTRUCTURE and ENVELOPE, then decode every leaf body. */
  @Benchmark
  public long carbonio() throws IOException {
    long n = 0;
    for (byte[] raw : corpus) {
      ParsedMessage m = ParsedMessage.parse(raw);
      n += m.bodyStructure().length() + m.envelope().length();
      n += decodeLeaves(m, m.root());
    }
    return n;
  }

  private long decodeLeaves(ParsedMessage m, org.carbonio.mime.MimePart p) throws IOException {
    if (p.isMultipart()) {
      long n = 0;
      for (org.carbonio.mime.MimePart c : p.children()) {
        n += decodeLeaves(m, c);
      }
      return n;
    }
    if (p.embeddedMessage().isPresent()) {
      return decodeLeaves(m, p.embeddedMessage().get());
    }
    try (InputStream in = m.decodedBody(p)) {
      return drain(in);
    }
  }

  /**
   * Jakarta Mail (Angus): the same work through the public API: the envelope fields, then for every
   * part its content type, disposition, file name, encoding, size and line count (what
   * BODYSTRUCTURE needs) and its decoded body.
   */
  @Benchmark
  public long jakartaMail() {
    long n = 0;
    for (byte[] raw : corpus) {
      try {
        MimeMessage m = new MimeMessage(session, new ByteArrayInputStream(raw));
        n += String.valueOf(m.getSubject()).length();
        n += m.getFrom() == null ? 0 : m.getFrom().length;
        n += m.getAllRecipients() == null ? 0 : m.getAllRecipients().length;
        n += m.getSentDate() == null ? 0 : 1;
        n += String.valueOf(m.getMessageID()).length();
        n += jakartaPart(m);
      } catch (Exception e) {
        n += 1_000_000_000L; // counted: Jakarta throws on some real messages
      }
    }
    return n;
  }

  private long jakartaPart(MimePart p) throws Exception {
    long n = String.valueOf(p.getContentType()).length();
    n += String.valueOf(p.getDisposition()).length() + String.valueOf(p.getFileName()).length();
    n += String.valueOf(p.getEncoding()).length() + p.getSize() + p.getLineCount();
    if (p.isMimeType("multipart/*")) {
      Multipart mp = (Multipart) p.getContent();
      for (int i = 0; i < mp.getCount(); i++) {
        n += jakartaPart((MimePart) mp.getBodyPart(i));
      }
    } else if (p.isMimeType("message/rfc822") && p.getContent() instanceof MimeMessage inner) {
      n += jakartaPart(inner);
    } else {
      try (InputStream in = ((Part) p).getInputStream()) {
        n += drain(in);
      }
    }
    return n;
  }

  /**
   * Mime4j DOM: DefaultMessageBuilder (permissive config) builds the message, then the envelope
   * fields and every part's fields and decoded body are read.
   */
  @Benchmark
  public long mime4jDom() {
    long n = 0;
    for (byte[] raw : corpus) {
      try {
        Message m = mime4j.parseMessage(new ByteArrayInputStream(raw));
        n += String.valueOf(m.getSubject()).length();
        n += m.getFrom() == null ? 0 : m.getFrom().size();
        n += m.getTo() == null ? 0 : m.getTo().size();
        n += m.getDate() == null ? 0 : 1;
        n += String.valueOf(m.getMessageId()).length();
        n += mime4jEntity(m);
        m.dispose();
      } catch (Exception e) {
        n += 1_000_000_000L;
      }
    }
    return n;
  }

  private long mime4jEntity(Entity e) throws IOException {
    long n = e.getMimeType().length() + String.valueOf(e.getDispositionType()).length();
    n += String.valueOf(e.getFilename()).length() + e.getContentTransferEncoding().length();
    n += String.valueOf(e.getCharset()).length();
    Body body = e.getBody();
    if (body instanceof org.apache.james.mime4j.dom.Multipart mp) {
      for (Entity c : mp.getBodyParts()) {
        n += mime4jEntity(c);
      }
    } else if (body instanceof Message inner) {
      n += mime4jEntity(inner);
    } else if (body instanceof SingleBody single) {
      try (InputStream in = single.getInputStream()) {
        n += drain(in);
      }
    }
    return n;
  }

  /**
   * The reference loop of the issue: read each message from a stream, as the parsers do, and find
   * every line end (one pass, a byte at a time, per line its length).
   */
  @Benchmark
  public long lineReader() throws IOException {
    long n = 0;
    for (byte[] raw : corpus) {
      InputStream in = new ByteArrayInputStream(raw);
      int lineLength = 0;
      for (int r; (r = in.read(sink)) > 0; ) {
        for (int i = 0; i < r; i++) {
          if (sink[i] == '\n') {
            n += lineLength;
            lineLength = 0;
          } else {
            lineLength++;
          }
        }
      }
      n += lineLength;
    }
    return n;
  }

  /** A tighter ceiling: count the line feeds of the in-memory bytes (the JIT vectorises it). */
  @Benchmark
  public long lineScan() {
    long n = 0;
    for (byte[] raw : corpus) {
      for (byte b : raw) {
        if (b == '\n') {
          n++;
        }
      }
    }
    return n;
  }

  private long drain(InputStream in) throws IOException {
    long n = 0;
    for (int r; (r = in.read(sink)) > 0; ) {
      n += r;
    }
    return n;
  }

  static Path corpusDir() {
    for (String candidate :
        new String[] {
          System.getProperty("carbonio.corpus", "../shared/corpus"), "../../shared/corpus"
        }) {
      Path p = Path.of(candidate);
      if (Files.isDirectory(p)) {
        return p;
      }
    }
    throw new IllegalStateException(
        "corpus not found: pass -Dcarbonio.corpus=PATH (the shared corpus folder)");
  }

  private static List<byte[]> load(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      List<byte[]> out = new ArrayList<>();
      for (Path p : files.filter(f -> f.toString().endsWith(".eml")).sorted().toList()) {
        out.add(Files.readAllBytes(p));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
