package org.carbonio.mime;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.carbonio.mime.internal.HeaderParams;
import org.carbonio.mime.internal.RawHeader;

/**
 * Splits a message into parts by scanning its bytes once per nesting level (RFC 2045, RFC 2046).
 * Not thread-safe: one instance per parse.
 *
 * <p>Mime4j's token stream does not report byte offsets, which IMAP needs for {@code
 * BODY[section]}, so the part tree is built here on the raw bytes.
 */
final class StructureParser {

  private static final List<String[]> DEFAULT_PARAMS = List.<String[]>of();

  private final byte[] b;
  private final MimeLimits limits;
  private int parts;

  private StructureParser(byte[] b, MimeLimits limits) {
    this.b = b;
    this.limits = limits;
  }

  static MimePart parse(byte[] message, MimeLimits limits) {
    return new StructureParser(message, limits).entity(0, message.length, 1, false);
  }

  /** Parses the entity (header + body) in {@code [start, end)}. */
  private MimePart entity(int start, int end, int depth, boolean inDigest) {
    parts++;
    int headerEnd = headerEnd(start, end);
    ByteRange header = new ByteRange(start, headerEnd);
    ByteRange body = new ByteRange(headerEnd, end);

    String contentType = null;
    String encodingValue = null;
    String id = null;
    String description = null;
    String md5 = null;
    String disposition = null;
    String language = null;
    String location = null;
    for (RawHeader.Field f : RawHeader.fields(b, start, headerEnd, limits.maxHeaderBytes())) {
      String name = RawHeader.name(b, f);
      if (name == null || !name.startsWith("content-")) {
        continue;
      }
      // the first occurrence of each field wins, as in Dovecot
      switch (name) {
        case "content-type" -> contentType = first(contentType, f);
        case "content-transfer-encoding" -> encodingValue = first(encodingValue, f);
        case "content-id" -> id = first(id, f);
        case "content-description" -> description = first(description, f);
        case "content-md5" -> md5 = first(md5, f);
        case "content-disposition" -> disposition = first(disposition, f);
        case "content-language" -> language = first(language, f);
        case "content-location" -> location = first(location, f);
        default -> {}
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
      if (HeaderParams.isToken(e)) {
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
    if (type.equals("multipart")) {
      String boundary = params.get("boundary");
      String rawBoundary = rawParam(rawParams, "boundary");
      if (rawBoundary != null && !rawBoundary.isEmpty()) {
        boundary = rawBoundary;
      }
      if (boundary == null || boundary.isEmpty() || tooDeep) {
        opaque = true;
      } else {
        multipart = true;
        byte[] delimiter = boundary.getBytes(StandardCharsets.ISO_8859_1);
        for (int[] r : split(body.start(), body.end(), delimiter)) {
          if (parts >= limits.maxParts()) {
            break;
          }
          children.add(entity(r[0], r[1], depth + 1, subtype.equals("digest")));
        }
      }
    } else if (type.equals("message") && (subtype.equals("rfc822") || subtype.equals("global"))) {
      boolean identity =
          encoding.equals("7bit") || encoding.equals("8bit") || encoding.equals("binary");
      if (!identity || tooDeep) {
        opaque = true;
      } else {
        embedded = entity(body.start(), body.end(), depth + 1, false);
      }
    }

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
    return new MimePart(header, body, type, subtype, params, children, embedded, fields);
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

  /** Offset after the blank line ending the header that starts at {@code start}, or end. */
  private int headerEnd(int start, int end) {
    int pos = start;
    while (pos < end) {
      int le = RawHeader.lineEnd(b, pos, end);
      if (RawHeader.isBlankLine(b, pos, le)) {
        return le;
      }
      pos = le;
    }
    return end;
  }

  /**
   * Child ranges of a multipart body (RFC 2046 §5.1.1). The line ending before a delimiter line
   * belongs to the delimiter. Without a close delimiter, the last part runs to the end.
   */
  private List<int[]> split(int start, int end, byte[] boundary) {
    List<int[]> out = new ArrayList<>();
    int partStart = -1;
    int pos = start;
    while (pos < end) {
      int le = RawHeader.lineEnd(b, pos, end);
      int kind = delimiter(pos, le, boundary);
      if (kind != 0) {
        if (partStart >= 0) {
          out.add(new int[] {partStart, contentEnd(partStart, pos)});
        }
        if (kind == 2) {
          return out;
        }
        partStart = le;
      }
      pos = le;
    }
    if (partStart >= 0) {
      out.add(new int[] {partStart, end});
    }
    return out;
  }

  /** End of a part whose delimiter line starts at {@code delim}: before the CRLF or LF. */
  private int contentEnd(int partStart, int delim) {
    int e = delim;
    if (e > partStart && b[e - 1] == '\n') {
      e--;
      if (e > partStart && b[e - 1] == '\r') {
        e--;
      }
    }
    return e;
  }

  /** 0: not a delimiter line, 1: delimiter, 2: close delimiter. */
  private int delimiter(int pos, int lineEnd, byte[] boundary) {
    int n = boundary.length;
    if (lineEnd - pos < n + 2 || b[pos] != '-' || b[pos + 1] != '-') {
      return 0;
    }
    if (!Arrays.equals(b, pos + 2, pos + 2 + n, boundary, 0, n)) {
      return 0;
    }
    int p = pos + 2 + n;
    if (p + 1 < lineEnd && b[p] == '-' && b[p + 1] == '-') {
      return 2;
    }
    // RFC 2046 §5.1.1: transport padding (linear whitespace) may follow the boundary
    while (p < lineEnd && (b[p] == ' ' || b[p] == '\t')) {
      p++;
    }
    if (p == lineEnd || b[p] == '\n' || (b[p] == '\r' && (p + 1 == lineEnd || b[p + 1] == '\n'))) {
      return 1;
    }
    return 0;
  }
}
