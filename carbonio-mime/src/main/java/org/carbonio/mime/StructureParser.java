package org.carbonio.mime;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.carbonio.mime.internal.Bytes;
import org.carbonio.mime.internal.HeaderParams;
import org.carbonio.mime.internal.RawHeader;

/**
 * Splits a message into parts in one pass over its bytes, keeping a stack of the boundaries of the
 * open multiparts (RFC 2045, RFC 2046), the way Dovecot's message parser does. Not thread-safe: one
 * instance per parse.
 *
 * <p>Mime4j's token stream does not report byte offsets, which IMAP needs for {@code
 * BODY[section]}, so the part tree is built here on the raw bytes.
 */
final class StructureParser {

  private static final List<String[]> DEFAULT_PARAMS = List.<String[]>of();
  private static final Pattern COMMENT = Pattern.compile("\\([^)]*\\)");

  private final ByteBuffer b; // read by absolute index
  private final int length;
  private final MimeLimits limits;
  private final List<byte[]> stack = new ArrayList<>(); // boundaries of open multiparts
  private int parts;

  private StructureParser(ByteBuffer b, MimeLimits limits) {
    this.b = b;
    this.length = b.limit();
    this.limits = limits;
  }

  static MimePart parse(ByteBuffer message, MimeLimits limits) {
    return new StructureParser(message, limits).entity(0, 1, false).part;
  }

  /**
   * Where scanning stopped: at a boundary line {@code [lineStart, lineEnd)} of the boundary at
   * {@code level} of the stack, or at the end of the data ({@code level == -1}).
   */
  private record Stop(int lineStart, int lineEnd, int level, boolean close) {}

  private record Result(MimePart part, Stop stop) {}

  /** Parses the entity (header + body) starting at {@code start}. */
  private Result entity(int start, int depth, boolean inDigest) {
    parts++;
    // the header ends at its blank line, or at an enclosing boundary line (no body then)
    int blank = Bytes.indexOfBlankLine(b, start, length);
    int headerEnd = blank < 0 ? length : RawHeader.lineEnd(b, blank, length);
    Stop headerStop = null;
    int searchEnd = blank < 0 ? length : blank;
    for (int dash = firstDashLine(start, searchEnd);
        dash >= 0;
        dash = Bytes.indexOfAfterLf(b, (byte) '-', dash + 1, searchEnd)) {
      Stop st = boundaryAt(dash);
      if (st != null) {
        headerEnd = contentEnd(start, dash);
        headerStop = st;
        break;
      }
    }
    ByteRange header = new ByteRange(start, headerEnd);
    int bodyStart = headerEnd;

    String contentType = null;
    String encodingValue = null;
    String id = null;
    String description = null;
    String md5 = null;
    String disposition = null;
    String language = null;
    String location = null;
    // only Content-* fields matter here, so only the lines starting with 'c' or 'C' are looked at
    // (what RawHeader.fields would list, minus the fields this loop would skip)
    int fieldsLimit = (int) Math.min(headerEnd, (long) start + limits.maxHeaderBytes());
    int p =
        start < fieldsLimit && (b.get(start) | 0x20) == 'c'
            ? start
            : Bytes.indexOfAfterLfIgnoreCase(b, (byte) 'c', start + 1, fieldsLimit);
    for (; p >= 0; p = Bytes.indexOfAfterLfIgnoreCase(b, (byte) 'c', p + 1, fieldsLimit)) {
      RawHeader.Field f = RawHeader.fieldAt(b, p, headerEnd);
      if (!RawHeader.nameStartsWith(b, f, "content-")) {
        continue; // compared in place
      }
      // the first occurrence of each field wins, as in Dovecot
      if (RawHeader.nameIs(b, f, "content-type")) {
        contentType = first(contentType, f);
      } else if (RawHeader.nameIs(b, f, "content-transfer-encoding")) {
        encodingValue = first(encodingValue, f);
      } else if (RawHeader.nameIs(b, f, "content-id")) {
        id = first(id, f);
      } else if (RawHeader.nameIs(b, f, "content-description")) {
        description = first(description, f);
      } else if (RawHeader.nameIs(b, f, "content-md5")) {
        md5 = first(md5, f);
      } else if (RawHeader.nameIs(b, f, "content-disposition")) {
        disposition = first(disposition, f);
      } else if (RawHeader.nameIs(b, f, "content-language")) {
        language = first(language, f);
      } else if (RawHeader.nameIs(b, f, "content-location")) {
        location = first(location, f);
      }
    }

    String type;
    String subtype;
    List<String[]> rawParams;
    Map<String, String> params;
    boolean defaultType = false;
    HeaderParams.Parsed ct = contentType == null ? null : HeaderParams.parse(contentType);
    String[] ts = ct == null ? null : splitType(ct.value());
    if (ts != null) {
      type = ts[0];
      subtype = ts[1];
      rawParams = ct.raw();
      params = ct.decoded();
    } else if (inDigest) {
      // RFC 2046 §5.1.5: the default in a digest is message/rfc822
      type = "message";
      subtype = "rfc822";
      rawParams = DEFAULT_PARAMS;
      params = Map.of();
      defaultType = true;
    } else {
      // RFC 2045 §5.2: text/plain; charset=us-ascii
      type = "text";
      subtype = "plain";
      rawParams = DEFAULT_PARAMS;
      params = Map.of("charset", "us-ascii");
      defaultType = true;
    }

    String encoding = "7bit";
    boolean encodingGiven = false;
    if (encodingValue != null) {
      String e = HeaderParams.parse(encodingValue).value();
      // RFC 2045 §6.1: the mechanism is one token; "8 bit" or "quoted printable" is invalid
      String word =
          encodingValue.indexOf('(') < 0 && encodingValue.indexOf(';') < 0
              ? encodingValue.strip() // nothing for the pattern and the split to do
              : COMMENT.matcher(encodingValue).replaceAll(" ").split(";", 2)[0].strip();
      if (HeaderParams.isToken(e) && word.indexOf(' ') < 0 && word.indexOf('\t') < 0) {
        encoding = e;
        encodingGiven = true;
      }
    }

    String dispositionType = null;
    List<String[]> dispositionParams = List.of();
    if (disposition != null) {
      HeaderParams.Parsed d = HeaderParams.parse(disposition);
      if (HeaderParams.isToken(d.value())) {
        dispositionType = d.value();
        dispositionParams = d.raw();
      }
    }

    boolean tooDeep = depth >= limits.maxDepth() || parts >= limits.maxParts();
    List<MimePart> children = new ArrayList<>();
    MimePart embedded = null;
    boolean multipart = false;
    boolean opaque = false;
    Stop stop;
    int end;
    if (headerStop != null) {
      // no body at all: a message part has nothing to embed
      stop = headerStop;
      end = headerEnd;
      multipart = type.equals("multipart") && boundaryOf(params, rawParams) != null;
      opaque = (!multipart && type.equals("multipart")) || isMessage(type, subtype);
    } else if (type.equals("multipart")) {
      String boundary = boundaryOf(params, rawParams);
      if (boundary == null || tooDeep) {
        opaque = true;
        stop = scan(bodyStart);
        end = contentEnd(bodyStart, stop);
      } else {
        multipart = true;
        stack.add(boundary.getBytes(StandardCharsets.ISO_8859_1));
        int level = stack.size() - 1;
        boolean digest = subtype.equals("digest");
        Stop s = scan(bodyStart); // preamble
        int lastChildEnd = -1;
        // RFC 2046 §5.1.1: a body part follows a delimiter's CRLF; a delimiter on the last line
        // without a line ending opens no part (it ends the multipart like a close delimiter)
        while (s.level == level && !s.close && !lastLineWithoutEnding(s)) {
          if (parts >= limits.maxParts()) {
            s = scan(s.lineEnd); // over the limit: the rest is opaque
            continue;
          }
          Result r = entity(s.lineEnd, depth + 1, digest);
          children.add(r.part);
          lastChildEnd = r.part.whole().end();
          s = r.stop;
        }
        stack.remove(level);
        if (s.level == level) {
          // close delimiter: the epilogue runs to an enclosing boundary
          s = scan(s.lineEnd);
          end = contentEnd(bodyStart, s);
        } else if (lastChildEnd >= 0 && s.level >= 0) {
          // an enclosing boundary cut this multipart short inside its last child
          end = lastChildEnd;
        } else {
          end = contentEnd(bodyStart, s);
        }
        stop = s;
      }
    } else if (isMessage(type, subtype)) {
      boolean identity =
          encoding.equals("7bit") || encoding.equals("8bit") || encoding.equals("binary");
      if (!identity || tooDeep) {
        opaque = true;
        stop = scan(bodyStart);
        end = contentEnd(bodyStart, stop);
      } else {
        Result r = entity(bodyStart, depth + 1, false);
        embedded = r.part;
        stop = r.stop;
        end = embedded.whole().end();
      }
    } else {
      stop = scan(bodyStart);
      end = contentEnd(bodyStart, stop);
    }
    ByteRange body = new ByteRange(bodyStart, end);

    List<String> languages = language == null ? List.of() : splitLanguages(language);
    PartFields fields =
        new PartFields(
            multipart,
            opaque,
            defaultType,
            rawParams,
            id,
            description,
            encoding,
            encodingGiven,
            md5,
            dispositionType,
            dispositionParams,
            languages,
            location);
    return new Result(
        new MimePart(header, body, type, subtype, params, children, embedded, fields), stop);
  }

  private static boolean isMessage(String type, String subtype) {
    return type.equals("message") && (subtype.equals("rfc822") || subtype.equals("global"));
  }

  private static String boundaryOf(Map<String, String> params, List<String[]> rawParams) {
    String raw = rawParam(rawParams, "boundary");
    String boundary = raw != null && !raw.isEmpty() ? raw : params.get("boundary");
    return boundary == null || boundary.isEmpty() ? null : boundary;
  }

  private static String rawParam(List<String[]> raw, String name) {
    for (String[] p : raw) {
      if (p[0].equals(name)) {
        return p[1];
      }
    }
    return null;
  }

  private String first(String current, RawHeader.Field f) {
    return current != null ? current : RawHeader.value(b, f);
  }

  /** "type/subtype" as two valid lower-case tokens, or null. */
  private static String[] splitType(String v) {
    int slash = v.indexOf('/');
    if (slash < 0) {
      return null;
    }
    String t = v.substring(0, slash).strip().toLowerCase(Locale.ROOT);
    String s = v.substring(slash + 1).strip().toLowerCase(Locale.ROOT);
    if (!HeaderParams.isToken(t) || !HeaderParams.isToken(s)) {
      return null;
    }
    return new String[] {t, s};
  }

  private static List<String> splitLanguages(String v) {
    List<String> out = new ArrayList<>();
    for (String s : v.split("[,\\s]+")) {
      String t = s.strip();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }

  /** Scans lines from {@code pos} for a boundary line of the stack, innermost first. */
  private Stop scan(int pos) {
    if (stack.isEmpty()) {
      return new Stop(length, length, -1, false); // no boundary can end this content
    }
    // a boundary line starts with "--": jump from line-starting dash to line-starting dash
    for (int dash = firstDashLine(pos, length);
        dash >= 0;
        dash = Bytes.indexOfAfterLf(b, (byte) '-', dash + 1, length)) {
      Stop s = boundaryAt(dash);
      if (s != null) {
        return s;
      }
    }
    return new Stop(length, length, -1, false);
  }

  /** The first line in {@code [lineStart, to)} that starts with '-', or -1 (none, or no stack). */
  private int firstDashLine(int lineStart, int to) {
    return stack.isEmpty() ? -1 : Bytes.indexOfAtLineStart(b, (byte) '-', lineStart, to);
  }

  /**
   * The boundary line at the line start {@code pos}, or null. Looks at the line's end only when the
   * line starts with "--" and an open boundary: most lines with a leading dash are no boundary.
   */
  private Stop boundaryAt(int pos) {
    if (pos + 2 >= length || b.get(pos) != '-' || b.get(pos + 1) != '-') {
      return null;
    }
    for (byte[] boundary : stack) {
      if (pos + 2 + boundary.length <= length && Bytes.regionEquals(b, pos + 2, boundary)) {
        return boundaryAt(pos, RawHeader.lineEnd(b, pos, length));
      }
    }
    return null;
  }

  /**
   * The boundary line at {@code pos}, or null. RFC 2046 §5.1.1: the line need only start with "--"
   * and the boundary ("an exact match of the entire candidate line is not required"). The innermost
   * boundary is tried first, but when several open boundaries are prefixes of the line the longest
   * wins (nested boundaries "a" and "ab": "--ab" ends the outer multipart), as in Dovecot 2.3.
   */
  private Stop boundaryAt(int pos, int lineEnd) {
    if (stack.isEmpty() || lineEnd - pos < 3 || b.get(pos) != '-' || b.get(pos + 1) != '-') {
      return null;
    }
    int end = lineEnd;
    while (end > pos + 2 && " \t\r\n".indexOf(b.get(end - 1)) >= 0) {
      end--;
    }
    int len = end - pos - 2; // the line after "--", without trailing blanks and line ending
    int best = -1;
    for (int level = stack.size() - 1; level >= 0; level--) {
      byte[] boundary = stack.get(level);
      int n = boundary.length;
      if (lineEnd - pos >= n + 2 && Bytes.regionEquals(b, pos + 2, boundary)) {
        if (best < 0 || n > stack.get(best).length) {
          best = level;
        }
        boolean exact =
            n == len || (n + 2 == len && b.get(end - 1) == '-' && b.get(end - 2) == '-');
        if (exact) {
          break;
        }
      }
    }
    if (best < 0) {
      return null;
    }
    int p = pos + 2 + stack.get(best).length;
    boolean close = p + 1 < lineEnd && b.get(p) == '-' && b.get(p + 1) == '-';
    return new Stop(pos, lineEnd, best, close);
  }

  private boolean lastLineWithoutEnding(Stop s) {
    return s.lineEnd >= length && b.get(s.lineEnd - 1) != '\n';
  }

  /**
   * End of content that runs from {@code from} to a stop: the line ending before a boundary line
   * belongs to the boundary (RFC 2046 §5.1.1).
   */
  private int contentEnd(int from, Stop stop) {
    return stop.level < 0 ? length : contentEnd(from, stop.lineStart);
  }

  private int contentEnd(int from, int lineStart) {
    int e = lineStart;
    if (e > from && b.get(e - 1) == '\n') {
      e--;
      if (e > from && b.get(e - 1) == '\r') {
        e--;
      }
    }
    return e;
  }
}
