package org.carbonio.imap.protocol;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.james.mime4j.codec.Base64InputStream;
import org.apache.james.mime4j.codec.QuotedPrintableInputStream;
import org.carbonio.mime.ByteRange;
import org.carbonio.mime.HeaderFields;
import org.carbonio.mime.MimePart;
import org.carbonio.mime.ParsedMessage;

/**
 * FETCH BINARY, BINARY.PEEK and BINARY.SIZE (RFC 3516, RFC 9051 §6.4.5): a part's content with its
 * Content-Transfer-Encoding removed by Mime4j's streaming decoders. The decoded bytes are never
 * held whole: their size is found by decoding once and counting, and each read decodes again.
 * Package-private; stateless.
 */
final class BinaryFetch {
  private BinaryFetch() {}

  /** The part's encoding is unknown: the FETCH fails with {@code NO [UNKNOWN-CTE]}. */
  static final class UnknownCte extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnknownCte(String encoding) {
      super("unknown Content-Transfer-Encoding " + Texts.sanitize(encoding), null, false, false);
    }
  }

  static String spec(List<Integer> part) {
    StringBuilder sb = new StringBuilder();
    for (int p : part) {
      if (!sb.isEmpty()) sb.append('.');
      sb.append(p);
    }
    return sb.toString();
  }

  /** Parses {@code BINARY[1.2]<0.10>}, {@code BINARY.PEEK[...]}, {@code BINARY.SIZE[...]}. */
  static FetchAttribute parse(String raw, String upper) throws CommandParser.ParseError {
    int open;
    boolean peek = false;
    boolean size = false;
    if (upper.startsWith("BINARY.PEEK[")) {
      peek = true;
      open = 11;
    } else if (upper.startsWith("BINARY.SIZE[")) {
      size = true;
      open = 11;
    } else if (upper.startsWith("BINARY[")) {
      open = 6;
    } else {
      throw new CommandParser.ParseError("unknown fetch attribute " + Texts.sanitize(raw));
    }
    int close = raw.indexOf(']', open);
    if (close < 0) throw new CommandParser.ParseError("missing ] in " + Texts.sanitize(raw));
    // RFC 3516 §4.1: section-binary = "[" [section-part] "]", only part numbers
    List<Integer> part = new ArrayList<>();
    String spec = raw.substring(open + 1, close);
    if (!spec.isEmpty()) {
      for (String p : spec.split("\\.", -1)) {
        long n = CommandParser.number(p);
        if (n < 1 || n > Integer.MAX_VALUE || p.length() > 9) {
          throw new CommandParser.ParseError("bad binary section " + Texts.sanitize(raw));
        }
        part.add((int) n);
      }
    }
    String rest = raw.substring(close + 1);
    if (size) {
      if (!rest.isEmpty()) throw new CommandParser.ParseError("partial with BINARY.SIZE");
      return new FetchAttribute.BinarySize(part);
    }
    long offset = 0;
    long length = -1;
    if (!rest.isEmpty()) {
      int dot = rest.indexOf('.');
      if (!rest.startsWith("<") || !rest.endsWith(">") || dot < 0) {
        throw new CommandParser.ParseError("bad partial " + Texts.sanitize(rest));
      }
      offset = CommandParser.number(rest.substring(1, dot));
      length = CommandParser.number(rest.substring(dot + 1, rest.length() - 1));
      if (offset < 0 || length <= 0) {
        throw new CommandParser.ParseError("bad partial " + Texts.sanitize(rest));
      }
    }
    return new FetchAttribute.Binary(part, peek, offset, length);
  }

  /** The FETCH item for BINARY[...]; NIL when the part does not exist. */
  static ImapResponse.FetchItem.Binary binary(MessageData data, FetchAttribute.Binary b) {
    Decoded d = decoded(data, b.part());
    if (d == null) return new ImapResponse.FetchItem.Binary(b.responseName(), null, false);
    ByteSource content = d;
    if (b.partialLength() >= 0) content = new Partial(d, b.partialOffset(), b.partialLength());
    return new ImapResponse.FetchItem.Binary(b.responseName(), content, d.hasNul());
  }

  /** The FETCH item for BINARY.SIZE[...]; 0 when the part does not exist. */
  static ImapResponse.FetchItem.BinarySize size(MessageData data, FetchAttribute.BinarySize b) {
    Decoded d = decoded(data, b.part());
    return new ImapResponse.FetchItem.BinarySize(
        "BINARY.SIZE[" + spec(b.part()) + "]", d == null ? 0 : d.size());
  }

  private static Decoded decoded(MessageData data, List<Integer> path) {
    byte[] bytes = data.bytes();
    if (path.isEmpty()) return new Decoded(bytes, 0, bytes.length, "binary");
    ParsedMessage pm = data.parsed();
    Optional<MimePart> found = pm.part(path);
    if (found.isEmpty()) return null;
    MimePart p = found.get();
    ByteRange header = p.header();
    if (header.length() == 0 && path.size() == 1 && !pm.root().isMultipart()) {
      header = pm.root().header(); // part 1 of a non-multipart message: the root's body
    }
    String cte =
        HeaderFields.first(bytes, header, "Content-Transfer-Encoding")
            .map(v -> v.trim().toLowerCase(Locale.ROOT))
            .orElse("7bit");
    int semi = cte.indexOf(';');
    if (semi >= 0) cte = cte.substring(0, semi).trim();
    switch (cte) {
      case "7bit", "8bit", "binary", "base64", "quoted-printable" -> {}
      default -> throw new UnknownCte(cte);
    }
    if (p.isMultipart()) cte = "binary";
    ByteRange body = p.body();
    return new Decoded(bytes, body.start(), body.length(), cte);
  }

  /** Not thread-safe: a part's decoded content; size and NUL presence found on first need. */
  private static final class Decoded implements ByteSource {
    private final byte[] bytes;
    private final int offset;
    private final int length;
    private final String cte;
    private long size = -1;
    private boolean nul;

    Decoded(byte[] bytes, int offset, int length, String cte) {
      this.bytes = bytes;
      this.offset = offset;
      this.length = length;
      this.cte = cte;
    }

    @Override
    public long size() {
      scan();
      return size;
    }

    boolean hasNul() {
      scan();
      return nul;
    }

    private void scan() {
      if (size >= 0) return;
      long n = 0;
      boolean z = false;
      byte[] buf = new byte[8192];
      try (InputStream in = openStream()) {
        for (int r; (r = in.read(buf)) > 0; ) {
          n += r;
          for (int i = 0; i < r && !z; i++) z = buf[i] == 0;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      size = n;
      nul = z;
    }

    @Override
    public InputStream openStream() throws IOException {
      InputStream raw = new ByteArrayInputStream(bytes, offset, length);
      return switch (cte) {
        case "base64" -> new Base64InputStream(raw);
        case "quoted-printable" -> new QuotedPrintableInputStream(raw);
        default -> raw;
      };
    }
  }

  /** Not thread-safe: a window of another source (RFC 3501 §6.4.5 partial). */
  private static final class Partial implements ByteSource {
    private final ByteSource source;
    private final long offset;
    private final long length;

    Partial(ByteSource source, long offset, long length) {
      this.source = source;
      this.offset = offset;
      this.length = length;
    }

    @Override
    public long size() {
      return Math.max(0, Math.min(length, source.size() - offset));
    }

    @Override
    public InputStream openStream() throws IOException {
      InputStream in = source.openStream();
      in.skipNBytes(Math.min(offset, source.size()));
      long limit = size();
      return new FilterInputStream(in) {
        long left = limit;

        @Override
        public int read() throws IOException {
          if (left <= 0) return -1;
          int b = super.read();
          if (b >= 0) left--;
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (left <= 0) return -1;
          int n = super.read(b, off, (int) Math.min(len, left));
          if (n > 0) left -= n;
          return n;
        }
      };
    }
  }
}
