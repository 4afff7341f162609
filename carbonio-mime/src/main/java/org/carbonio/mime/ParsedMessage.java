package org.carbonio.mime;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A parsed message: a tree of {@link MimePart}s pointing at byte ranges of the original bytes, with
 * no copy of any body. Immutable (as long as nobody changes the bytes it was parsed from) and
 * thread-safe.
 *
 * {@snippet :
 * ParsedMessage m = ParsedMessage.parse(bytes);   // or parse(Path), parse(InputStream)
 * String bs = m.bodyStructure();      // ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 12 1 NIL NIL NIL NIL)
 * ByteRange r = m.part(List.of(1)).orElseThrow().body();
 * }
 *
 * <p>Where the bytes live depends on the entry point, and memory use with it:
 *
 * <ul>
 *   <li>{@link #parse(byte[])} keeps the caller's array; {@link #bytes()} returns it.
 *   <li>{@link #parse(Path)} maps the file read-only into memory ({@link FileChannel#map}): the
 *       bytes stay outside the Java heap, so a message of any size up to {@value #MAX_SIZE} bytes
 *       is parsed, described and decoded with a small, constant heap. The file must not change
 *       while the message is in use (a truncated mapped file makes reads fail with an {@link
 *       InternalError}).
 *   <li>{@link #parse(InputStream)} reads a message shorter than {@value #SPILL_THRESHOLD} bytes
 *       into the heap; a longer one is written to a temporary file (owner-only permissions, in
 *       {@code java.io.tmpdir}) that is mapped and then deleted at once: on POSIX systems the
 *       mapping stays valid and the space is freed when the mapping is garbage-collected, so there
 *       is nothing to close. Where a mapped file cannot be deleted (Windows) it is deleted when the
 *       JVM exits.
 * </ul>
 *
 * {@link #buffer()} gives the bytes in every case. Offsets ({@link ByteRange}) are absolute indices
 * into it, so messages are limited to {@value #MAX_SIZE} bytes (2 GiB - 1).
 *
 * <p>The strings returned by {@link #bodyStructure()}, {@link #body()} and {@link #envelope()} are
 * byte strings: each char is one octet (ISO-8859-1), so write them with {@code
 * StandardCharsets.ISO_8859_1} to get the octets of the original header values back. Values that
 * hold 8-bit octets are written as IMAP literals ({@code {n}\r\n...}, n counting octets); NUL
 * octets are dropped; CR and LF never occur in values (headers are unfolded).
 *
 * <p>Sizes and line counts are those of the bytes as stored: for a message stored with CRLF line
 * endings they equal what Dovecot reports. Store messages with CRLF (see {@link #toCrlf(byte[])})
 * when serving them over IMAP.
 */
public final class ParsedMessage {

  /** Largest message accepted, in bytes: offsets are {@code int}s. */
  public static final int MAX_SIZE = Integer.MAX_VALUE;

  /** Bytes of a stream kept in the heap before {@link #parse(InputStream)} spills to a file. */
  public static final int SPILL_THRESHOLD = 8 << 20;

  private final ByteBuffer buffer; // read by absolute index only; never written
  private final byte[] array; // the caller's array for parse(byte[]), else null
  private final MimePart root;
  private String bodyStructure; // racy single-check caches: Strings are immutable
  private String body;
  private String envelope;

  private ParsedMessage(ByteBuffer buffer, byte[] array, MimeLimits limits) {
    this.buffer = buffer;
    this.array = array;
    this.root = StructureParser.parse(buffer, limits);
  }

  /** Parses {@code message} with {@link MimeLimits#DEFAULTS}. Never throws on any content. */
  public static ParsedMessage parse(byte[] message) {
    return parse(message, MimeLimits.DEFAULTS);
  }

  /**
   * Parses {@code message}. Never throws on any content; malformed structure is read the way
   * Dovecot reads it, and limits make the rest of the tree opaque (see {@link MimeLimits}).
   *
   * <p>The array is kept, not copied: callers must not modify it afterwards.
   */
  public static ParsedMessage parse(byte[] message, MimeLimits limits) {
    requireNonNull(message, "message");
    requireNonNull(limits, "limits");
    return new ParsedMessage(nativeOrder(ByteBuffer.wrap(message)), message, limits);
  }

  /**
   * Parses the file {@code file} with {@link MimeLimits#DEFAULTS}; see {@link #parse(Path,
   * MimeLimits)}.
   */
  public static ParsedMessage parse(Path file) throws IOException {
    return parse(file, MimeLimits.DEFAULTS);
  }

  /**
   * Parses the message in {@code file}, mapped read-only into memory (outside the Java heap; the
   * mapping is released when the result is garbage-collected). The file must not be modified or
   * truncated while the result is in use. Never throws on any content.
   *
   * @throws IllegalArgumentException when the file is longer than {@value #MAX_SIZE} bytes
   * @throws IOException when the file cannot be opened or mapped
   */
  public static ParsedMessage parse(Path file, MimeLimits limits) throws IOException {
    requireNonNull(file, "file");
    requireNonNull(limits, "limits");
    return new ParsedMessage(map(file), null, limits);
  }

  /**
   * Parses {@code in} with {@link MimeLimits#DEFAULTS}; see {@link #parse(InputStream,
   * MimeLimits)}.
   */
  public static ParsedMessage parse(InputStream in) throws IOException {
    return parse(in, MimeLimits.DEFAULTS);
  }

  /**
   * Reads {@code in} to its end and parses the message. A message shorter than {@value
   * #SPILL_THRESHOLD} bytes is held in the heap; a longer one goes to a temporary file that is
   * mapped like {@link #parse(Path, MimeLimits)} and deleted right away (see the class comment).
   * The result does not depend on how the stream splits its reads. The stream is not closed. Never
   * throws on any content.
   *
   * @throws IllegalArgumentException when the stream holds more than {@value #MAX_SIZE} bytes
   * @throws IOException when reading the stream or writing the temporary file fails
   */
  public static ParsedMessage parse(InputStream in, MimeLimits limits) throws IOException {
    return parse(in, limits, SPILL_THRESHOLD);
  }

  /**
   * {@link #parse(InputStream, MimeLimits)} that spills past {@code threshold} bytes (for tests).
   */
  static ParsedMessage parse(InputStream in, MimeLimits limits, int threshold) throws IOException {
    requireNonNull(in, "in");
    requireNonNull(limits, "limits");
    byte[] buf = new byte[Math.min(8192, Math.max(threshold, 1))];
    int n = 0;
    while (true) {
      if (n == buf.length) {
        if (n >= threshold) {
          return new ParsedMessage(spill(buf, n, in), null, limits);
        }
        buf = Arrays.copyOf(buf, (int) Math.min((long) n * 2, threshold));
      }
      int r = in.read(buf, n, buf.length - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    return new ParsedMessage(nativeOrder(ByteBuffer.wrap(buf, 0, n).slice()), null, limits);
  }

  /** Writes {@code head[0, n)} and the rest of {@code in} to a temporary file and maps it. */
  private static ByteBuffer spill(byte[] head, int n, InputStream in) throws IOException {
    Path tmp = Files.createTempFile("carbonio-mime-", ".eml"); // owner-only on POSIX
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        long size = n;
        writeFully(ch, ByteBuffer.wrap(head, 0, n));
        byte[] chunk = head.length >= 65536 ? head : new byte[65536];
        for (int r; (r = in.read(chunk)) >= 0; ) {
          size += r;
          if (size > MAX_SIZE) {
            throw tooLarge("stream holds more than " + MAX_SIZE + " bytes");
          }
          writeFully(ch, ByteBuffer.wrap(chunk, 0, r));
        }
      }
      return map(tmp);
    } finally {
      try {
        Files.delete(tmp); // POSIX unlink(2): a mapping keeps the data until it is unmapped
      } catch (IOException e) {
        tmp.toFile().deleteOnExit(); // a system that refuses to delete a mapped file
      }
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private static ByteBuffer map(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > MAX_SIZE) {
        throw tooLarge(file + " holds " + size + " bytes");
      }
      return nativeOrder(ch.map(FileChannel.MapMode.READ_ONLY, 0, size));
    }
  }

  /** Bytes scans eight octets at a time with getLong: native order spares byte swaps. */
  private static ByteBuffer nativeOrder(ByteBuffer b) {
    return b.order(ByteOrder.nativeOrder());
  }

  private static IllegalArgumentException tooLarge(String what) {
    return new IllegalArgumentException(
        what + "; ParsedMessage accepts messages of at most " + MAX_SIZE + " bytes");
  }

  /**
   * The array given to {@link #parse(byte[], MimeLimits)}, not copied: callers must not mutate it.
   *
   * @throws IllegalStateException when the message was parsed from a file or a stream: use {@link
   *     #buffer()}
   */
  public byte[] bytes() {
    if (array == null) {
      throw new IllegalStateException(
          "message parsed from a file or stream has no byte[]; use buffer()");
    }
    return array;
  }

  /**
   * The message bytes, whatever the entry point: a new read-only view with position 0 and limit the
   * message length, to read by absolute index ({@link ByteRange} offsets) or relative reads of its
   * own. Creating one copies nothing.
   */
  public ByteBuffer buffer() {
    return buffer.asReadOnlyBuffer().clear();
  }

  /**
   * The whole message as a stream reading its bytes in place (nothing is copied up front); needs no
   * closing. Each call returns a new stream, which is not thread-safe.
   */
  public InputStream openStream() {
    return org.carbonio.mime.internal.TransferDecoding.open(buffer, 0, buffer.limit(), "binary");
  }

  /**
   * The unfolded raw value of the first field named {@code name} (case-insensitive) in the message
   * header, as {@link HeaderFields#first(ByteBuffer, ByteRange, String)} reads it: a byte string,
   * encoded words left as they are.
   */
  public Optional<String> header(String name) {
    requireNonNull(name, "name");
    return HeaderFields.first(buffer, root.header(), name);
  }

  /** The message itself as a part: its header is the message header. */
  public MimePart root() {
    return root;
  }

  /** RFC 3501 §7.4.2 BODYSTRUCTURE, with extension data. */
  public String bodyStructure() {
    String s = bodyStructure;
    if (s == null) {
      s = ImapStructureWriter.bodyStructure(buffer, root, true);
      bodyStructure = s;
    }
    return s;
  }

  /** RFC 3501 §7.4.2 BODY: BODYSTRUCTURE without extension data. */
  public String body() {
    String s = body;
    if (s == null) {
      s = ImapStructureWriter.bodyStructure(buffer, root, false);
      body = s;
    }
    return s;
  }

  /** RFC 3501 §7.4.2 ENVELOPE of the message. */
  public String envelope() {
    String s = envelope;
    if (s == null) {
      s = ImapStructureWriter.envelope(buffer, root);
      envelope = s;
    }
    return s;
  }

  /**
   * The part at an RFC 3501 §6.4.5 part number, e.g. {@code [2, 1]} for "2.1". An empty path is the
   * whole message. For a non-multipart message (and a non-multipart embedded message), part {@code
   * 1} is its body, returned as a part with an empty header range; a message/rfc822 part {@code n}
   * is followed into its embedded message, so {@code [n, m]} is the m-th part of it.
   *
   * @return the part, or empty when no part has that number (including numbers below 1)
   */
  public Optional<MimePart> part(List<Integer> path) {
    requireNonNull(path, "path");
    MimePart cur = root;
    boolean messageLevel = true; // cur is a message (root or embedded), not a MIME body part
    for (Integer n : path) {
      if (n == null || n < 1) {
        return Optional.empty();
      }
      if (!messageLevel) {
        Optional<MimePart> inner = cur.embeddedMessage();
        if (inner.isPresent()) {
          cur = inner.get();
          messageLevel = true;
        }
      }
      if (cur.isMultipart()) {
        if (n > cur.children().size()) {
          return Optional.empty();
        }
        cur = cur.children().get(n - 1);
        messageLevel = false;
      } else if (messageLevel && n == 1) {
        cur = cur.asHeaderless();
        messageLevel = false;
      } else {
        return Optional.empty();
      }
    }
    return Optional.of(cur);
  }

  /**
   * The body of {@code part} (a part of this message) decoded for its Content-Transfer-Encoding
   * (RFC 2045 §6): base64 and quoted-printable are decoded leniently, 7bit, 8bit, binary and
   * unknown encodings come back unchanged. The stream reads this message's bytes in place as it
   * goes (nothing is copied up front; memory stays constant), never throws on any content, and
   * needs no closing. Each call returns a new stream, which is not thread-safe.
   *
   * <p>Base64 ignores characters outside its alphabet, stops at the padding {@code =} and tolerates
   * missing padding; quoted-printable removes soft line breaks and trailing blanks, and passes a
   * malformed {@code =} through. Line ends are kept as stored. Charsets are not touched: the stream
   * yields octets.
   *
   * @throws IllegalArgumentException when the part's body range lies outside this message
   */
  public InputStream decodedBody(MimePart part) {
    requireNonNull(part, "part");
    ByteRange r = part.body();
    if (r.end() > buffer.limit()) {
      throw new IllegalArgumentException("part " + r + " lies outside the message");
    }
    return org.carbonio.mime.internal.TransferDecoding.open(
        buffer, r.start(), r.end(), part.contentTransferEncoding());
  }

  /**
   * A copy of {@code message} with every bare LF (and bare CR) turned into CRLF, as IMAP requires
   * on the wire (RFC 3501 §2.3.1). Returns the same array when it needs no change.
   */
  public static byte[] toCrlf(byte[] message) {
    requireNonNull(message, "message");
    int extra = 0;
    for (int i = 0; i < message.length; i++) {
      byte c = message[i];
      if (c == '\n' && (i == 0 || message[i - 1] != '\r')) {
        extra++;
      } else if (c == '\r' && (i + 1 == message.length || message[i + 1] != '\n')) {
        extra++;
      }
    }
    if (extra == 0) {
      return message;
    }
    byte[] out = new byte[message.length + extra];
    int j = 0;
    for (int i = 0; i < message.length; i++) {
      byte c = message[i];
      if (c == '\n' && (i == 0 || message[i - 1] != '\r')) {
        out[j++] = '\r';
        out[j++] = '\n';
      } else if (c == '\r' && (i + 1 == message.length || message[i + 1] != '\n')) {
        out[j++] = '\r';
        out[j++] = '\n';
      } else {
        out[j++] = c;
      }
    }
    return out;
  }
}
