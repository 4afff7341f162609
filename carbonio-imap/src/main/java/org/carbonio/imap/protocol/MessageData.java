package org.carbonio.imap.protocol;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import org.carbonio.mime.ByteRange;
import org.carbonio.mime.EncodedWords;
import org.carbonio.mime.HeaderFields;
import org.carbonio.mime.MimePart;
import org.carbonio.mime.ParsedMessage;

/** One message's bytes with lazy parsing, for FETCH and SEARCH. Package-private. */
final class MessageData {
  private final byte[] bytes;
  private ParsedMessage parsed;

  MessageData(byte[] bytes) {
    this.bytes = bytes;
  }

  byte[] bytes() {
    return bytes;
  }

  ParsedMessage parsed() {
    if (parsed == null) parsed = ParsedMessage.parse(bytes);
    return parsed;
  }

  /** The EMAILID derived from the content (RFC 8474 §5.1), see {@link ObjectIds#emailIdOf}. */
  String emailId() {
    return ObjectIds.emailIdOf(bytes);
  }

  String envelope() {
    return parsed().envelope();
  }

  String structure(boolean extensible) {
    return extensible ? parsed().bodyStructure() : parsed().body();
  }

  /** The bytes of a section (RFC 3501 §6.4.5), or null when the part does not exist. */
  ByteSource section(Section s) {
    ParsedMessage pm = parsed();
    MimePart target;
    if (s.part().isEmpty()) {
      target = pm.root();
      if (s.text() == Section.Text.ALL) return ByteSource.of(bytes);
    } else {
      Optional<MimePart> part = pm.part(s.part());
      if (part.isEmpty()) return null;
      MimePart p = part.get();
      switch (s.text()) {
        case ALL -> {
          return slice(p.body());
        }
        case MIME -> {
          return slice(p.header());
        }
        default -> {
          Optional<MimePart> inner = p.embeddedMessage();
          if (inner.isEmpty()) return null;
          target = inner.get();
        }
      }
    }
    return switch (s.text()) {
      case HEADER -> slice(target.header());
      case TEXT -> slice(target.body());
      case HEADER_FIELDS ->
          ByteSource.of(HeaderFields.select(bytes, target.header(), s.fields(), false));
      case HEADER_FIELDS_NOT ->
          ByteSource.of(HeaderFields.select(bytes, target.header(), s.fields(), true));
      case ALL, MIME -> slice(target.whole());
    };
  }

  private ByteSource slice(ByteRange r) {
    return ByteSource.of(bytes, r.start(), r.length());
  }

  /** The decoded value of the first header field, if any. */
  Optional<String> header(String name) {
    return HeaderFields.first(bytes, parsed().root().header(), name).map(EncodedWords::decode);
  }

  /** The raw (undecoded, one char per octet) value of the first header field, if any. */
  Optional<String> rawHeader(String name) {
    return HeaderFields.first(bytes, parsed().root().header(), name);
  }

  String bodyText() {
    ByteRange r = parsed().root().body();
    return new String(bytes, r.start(), r.length(), StandardCharsets.UTF_8);
  }

  String wholeText() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The date of the Date header in its own zone (RFC 5322 §3.3), if parseable. */
  Optional<LocalDate> sentDate() {
    Optional<String> v = header("Date");
    if (v.isEmpty()) return Optional.empty();
    String s = v.get().replaceAll("\\([^)]*\\)", "").trim().replaceAll("\\s+", " ");
    try {
      return Optional.of(
          ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toLocalDate());
    } catch (DateTimeParseException e) {
      int comma = s.indexOf(',');
      String noDay = comma >= 0 ? s.substring(comma + 1).trim() : s;
      String[] p = noDay.split(" ");
      if (p.length >= 3) {
        return Optional.ofNullable(CommandParser.parseDate(p[0] + "-" + p[1] + "-" + p[2]));
      }
      return Optional.empty();
    }
  }

  static boolean containsIgnoreCase(String haystack, String needle) {
    return haystack.toLowerCase(Locale.ROOT).contains(needle.toLowerCase(Locale.ROOT));
  }
}
