package org.carbonio.mime;

import static java.util.Objects.requireNonNull;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * A parsed message: a tree of {@link MimePart}s pointing at byte ranges of the original bytes, with
 * no copy of any body. Immutable (as long as the caller leaves the array alone) and thread-safe.
 *
 * {@snippet :
 * ParsedMessage m = ParsedMessage.parse(bytes);
 * String bs = m.bodyStructure();      // ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 12 1 NIL NIL NIL NIL)
 * ByteRange r = m.part(List.of(1)).orElseThrow().body();
 * }
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

  private final byte[] bytes;
  private final MimePart root;
  private String bodyStructure; // racy single-check caches: Strings are immutable
  private String body;
  private String envelope;

  private ParsedMessage(byte[] bytes, MimePart root) {
    this.bytes = bytes;
    this.root = root;
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
    return new ParsedMessage(message, StructureParser.parse(message, limits));
  }

  /** The original array, not copied: callers must not mutate it. */
  public byte[] bytes() {
    return bytes;
  }

  /** The message itself as a part: its header is the message header. */
  public MimePart root() {
    return root;
  }

  /** RFC 3501 §7.4.2 BODYSTRUCTURE, with extension data. */
  public String bodyStructure() {
    String s = bodyStructure;
    if (s == null) {
      s = ImapStructureWriter.bodyStructure(bytes, root, true);
      bodyStructure = s;
    }
    return s;
  }

  /** RFC 3501 §7.4.2 BODY: BODYSTRUCTURE without extension data. */
  public String body() {
    String s = body;
    if (s == null) {
      s = ImapStructureWriter.bodyStructure(bytes, root, false);
      body = s;
    }
    return s;
  }

  /** RFC 3501 §7.4.2 ENVELOPE of the message. */
  public String envelope() {
    String s = envelope;
    if (s == null) {
      s = ImapStructureWriter.envelope(bytes, root);
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
    if (r.end() > bytes.length) {
      throw new IllegalArgumentException("part " + r + " lies outside the message");
    }
    return org.carbonio.mime.internal.TransferDecoding.open(
        bytes, r.start(), r.end(), part.contentTransferEncoding());
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
