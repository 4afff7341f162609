package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.carbonio.mime.internal.Bytes;
import org.carbonio.mime.internal.CalendarText;
import org.carbonio.mime.internal.EnvelopeAddresses;
import org.carbonio.mime.internal.HeaderParams;
import org.carbonio.mime.internal.HtmlText;
import org.carbonio.mime.internal.TextCharsets;
import org.carbonio.mime.internal.TextCleanup;

/**
 * Extracts the text of a message for a search index: decoded subject and addresses, the body text a
 * reader sees, a summary of calendar invitations, and the names of attachments. Immutable and
 * thread-safe.
 *
 * {@snippet :
 * TextExtractor extractor = TextExtractor.builder().maxChars(256 * 1024).build();
 * ExtractedText text = extractor.extract(ParsedMessage.parse(bytes));
 * index.add(text.subject(), text.from(), text.body());
 * }
 *
 * <p>What is read, part by part (RFC 2045, RFC 2046):
 *
 * <ul>
 *   <li>{@code text/plain} and other readable {@code text/*} (not sent as {@code
 *       Content-Disposition: attachment}): transfer decoding undone, then the charset decoded with
 *       {@link Charsets#decode} (an unknown or missing charset: UTF-8 when the bytes are valid
 *       UTF-8, else windows-1252), with repairs for mislabelled text: valid UTF-8 is UTF-8 under
 *       any 8-bit label, "UTF-8" without one UTF-8 sequence is windows-1252, unlabelled ISO-2022-JP
 *       and Shift_JIS are recognised, GBK falls back to GB18030 (see the README). Uuencoded blocks
 *       are cut out and listed as attachments; inline PGP armour (signature blocks, encrypted
 *       blocks, the {@code BEGIN PGP SIGNED MESSAGE} header, RFC 4880 §7) is removed, the signed
 *       text kept; so are runs of three or more base64 lines (an encoded attachment in text that
 *       lost its MIME structure).
 *   <li>{@code text/plain} that opens with {@code <html} or {@code <!doctype html} (HTML sent
 *       without a Content-Type, or labelled text/plain): converted as {@code text/html}.
 *   <li>{@code text/html}: converted to plain text with jsoup (block elements break lines, scripts
 *       and styles dropped, entities decoded, links keep their text, images their {@code alt}
 *       unless it is a file name); a missing charset is taken from a {@code <meta>} charset when
 *       there is one.
 *   <li>{@code multipart/alternative}: the {@code text/plain} alternative, else the {@code
 *       text/html} one, else the first multipart one, else the last; a calendar alternative is
 *       summarised as well.
 *   <li>{@code text/calendar} (and {@code application/ics}): a summary read from the RFC 5545
 *       content lines (SUMMARY, LOCATION, DTSTART, DTEND, ORGANIZER, ATTENDEE CN, DESCRIPTION).
 *   <li>{@code message/rfc822} and {@code message/global}: the embedded message's Subject and From
 *       lines, then its text, recursively (also when the embedded message is base64 or
 *       quoted-printable encoded, up to {@value #MAX_ENCODED_NESTING} levels of such re-parsing).
 *   <li>{@code message/delivery-status}, {@code message/disposition-notification} and {@code
 *       text/rfc822-headers}: as plain text.
 *   <li>A part without Content-Type whose body is a multipart all the same (a line {@code --X}
 *       followed by a {@code Content-} field in its first 4 KiB): read as multipart with boundary
 *       X.
 *   <li>A multipart whose boundary never occurs: the entity its body starts with when that is a
 *       MIME header, else the body as plain text.
 *   <li>Skipped entirely (neither text nor attachment): signatures ({@code
 *       application/pkcs7-signature}, {@code application/x-pkcs7-signature}, {@code
 *       application/pgp-signature}) and the {@code application/pgp-encrypted} version part.
 *   <li>Everything else (images, audio, video, {@code application/*} including {@code
 *       application/pkcs7-mime}, {@code application/ms-tnef}, {@code message/partial}, {@code
 *       message/external-body}, {@code text/rtf}, text parts sent as attachments): an {@link
 *       ExtractedText.Attachment} with its file name, media type and decoded size; no text.
 * </ul>
 *
 * <p>Limits: the body holds at most {@link #maxChars()} chars, at most {@link #maxParts()} parts
 * are visited, and at most {@link #maxPartBytes()} decoded octets are read from any one part; when
 * any is reached, {@link ExtractedText#truncated()} is true. Memory is bounded by these limits, not
 * by the message: parts are decoded as streams and reading stops at the cap.
 */
public final class TextExtractor {

  /** Default {@link #maxChars()}: 1 MiB of chars. */
  public static final int DEFAULT_MAX_CHARS = 1 << 20;

  /** Default {@link #maxParts()}. */
  public static final int DEFAULT_MAX_PARTS = 1000;

  /** Default {@link #maxPartBytes()}: 8 MiB. */
  public static final int DEFAULT_MAX_PART_BYTES = 8 << 20;

  /** How many times an encoded (base64, quoted-printable) message/rfc822 is parsed again. */
  public static final int MAX_ENCODED_NESTING = 4;

  private static final Pattern META_CHARSET =
      Pattern.compile("(?i)<meta[^>]{0,200}?charset\\s*=\\s*[\"']?([A-Za-z0-9_.:+-]{1,40})");

  private final int maxChars;
  private final int maxParts;
  private final int maxPartBytes;

  private TextExtractor(Builder b) {
    this.maxChars = b.maxChars;
    this.maxParts = b.maxParts;
    this.maxPartBytes = b.maxPartBytes;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this extractor's settings. */
  public Builder toBuilder() {
    return new Builder().maxChars(maxChars).maxParts(maxParts).maxPartBytes(maxPartBytes);
  }

  /** Most chars of {@link ExtractedText#body()}; default {@value #DEFAULT_MAX_CHARS}. */
  public int maxChars() {
    return maxChars;
  }

  /**
   * Most MIME parts visited per message, nested ones included; default {@value #DEFAULT_MAX_PARTS}.
   */
  public int maxParts() {
    return maxParts;
  }

  /** Most decoded octets read from one part; default {@value #DEFAULT_MAX_PART_BYTES}. */
  public int maxPartBytes() {
    return maxPartBytes;
  }

  /** Parses {@code message} with {@link MimeLimits#DEFAULTS} and extracts it. Never throws. */
  public ExtractedText extract(byte[] message) {
    return extract(ParsedMessage.parse(requireNonNull(message, "message")));
  }

  /** Extracts the text of {@code message}. Never throws on any content. */
  public ExtractedText extract(ParsedMessage message) {
    requireNonNull(message, "message");
    Walk w = new Walk();
    ByteBuffer b = message.buffer();
    MimePart root = message.root();
    String cs = guard(() -> bodyCharset(root));
    String subject = guard(() -> subject(b, root, cs));
    String from = guard(() -> addresses(b, root, "from", cs));
    String to = guard(() -> addresses(b, root, "to", cs));
    String cc = guard(() -> addresses(b, root, "cc", cs));
    w.visit(message, root, 0);
    return new ExtractedText(
        subject, from, to, cc, w.body.toString().strip(), w.attachments, w.truncated);
  }

  private interface StringSupplier {
    String get();
  }

  private static String guard(StringSupplier s) {
    try {
      return s.get();
    } catch (RuntimeException e) { // a bug in a helper must not lose the rest of the text
      return "";
    }
  }

  private static String subject(ByteBuffer b, MimePart p, String charset) {
    return clean(
        HeaderFields.first(b, p.header(), "subject").map(v -> header(v, charset)).orElse(""));
  }

  /**
   * The charset of the first text part that names one other than US-ASCII and UTF-8: what raw 8-bit
   * header text that is not UTF-8 (RFC 6532) most likely is, as mail readers guess it.
   */
  static String bodyCharset(MimePart p) {
    String cs = p.parameters().get("charset");
    if (p.mediaType().equals("text") && cs != null) {
      String n = cs.strip().toLowerCase(Locale.ROOT);
      if (!n.isEmpty() && !n.contains("ascii") && !n.startsWith("utf")) {
        return cs;
      }
    }
    for (MimePart kid : p.children()) {
      String k = bodyCharset(kid);
      if (k != null) {
        return k;
      }
    }
    return null;
  }

  /**
   * Decodes a header value (a byte string): RFC 2047 encoded words, and raw 8-bit words that are
   * not UTF-8 in {@code charset} (the body's) when there is one.
   */
  static String header(String raw, String charset) {
    if (charset == null || !has8bit(raw)) {
      return EncodedWords.decode(raw);
    }
    byte[] octets = raw.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    if (Charsets.decode(octets, 0, octets.length, "utf-8").indexOf('\uFFFD') < 0
        && Charsets.decode(octets, 0, octets.length, null)
            .equals(Charsets.decode(octets, 0, octets.length, "utf-8"))) {
      return EncodedWords.decode(raw); // valid UTF-8: RFC 6532
    }
    StringBuilder out = new StringBuilder();
    StringBuilder ascii = new StringBuilder();
    for (String word : raw.split("(?<=[ \t])|(?=[ \t])")) {
      if (has8bit(word)) {
        out.append(EncodedWords.decode(ascii.toString()));
        ascii.setLength(0);
        byte[] w = word.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        out.append(Charsets.decode(w, 0, w.length, charset));
      } else {
        ascii.append(word);
      }
    }
    return out.append(EncodedWords.decode(ascii.toString())).toString();
  }

  private static boolean has8bit(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return true;
      }
    }
    return false;
  }

  /** Display form of an address header: {@code Name <local@domain>, other@domain}. */
  static String addresses(ByteBuffer b, MimePart p, String field, String charset) {
    Optional<String> raw = HeaderFields.first(b, p.header(), field);
    if (raw.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    List<EnvelopeAddresses.Address> parsed = EnvelopeAddresses.parse(raw.get());
    boolean first = true; // no separator needed before the next element
    for (EnvelopeAddresses.Address a : parsed) {
      if (a.host() == null && a.mailbox() != null) {
        // RFC 5322 §3.4 group start: shown as "name: members;" the way it is written
        out.append(out.isEmpty() ? "" : ", ")
            .append(clean(header(a.mailbox(), charset)))
            .append(':');
        first = true;
        continue;
      }
      if (a.host() == null) {
        out.append(';'); // group end
        first = false;
        continue;
      }
      // the parser's placeholders for a missing local part or domain are no text of the message
      String mailbox = a.mailbox() == null ? "" : a.mailbox();
      String addr = mailbox.equals(EnvelopeAddresses.MISSING_MAILBOX) ? "" : mailbox;
      if (!a.host().equals(EnvelopeAddresses.MISSING_DOMAIN) && !addr.isEmpty()) {
        addr = addr + "@" + a.host();
      }
      addr = header(addr, charset);
      String name = a.name() == null ? "" : clean(header(a.name(), charset));
      if (name.isEmpty() && addr.isEmpty()) {
        continue; // RFC 5322 §4.4: a null member
      }
      boolean inGroupStart = !out.isEmpty() && out.charAt(out.length() - 1) == ':';
      out.append(inGroupStart ? " " : first ? "" : ", ");
      out.append(name.isEmpty() ? addr : addr.isEmpty() ? name : name + " <" + addr + ">");
      first = false;
    }
    if (parsed.isEmpty()) {
      return clean(header(raw.get(), charset)); // no address syntax at all: the text as sent
    }
    return clean(out.toString());
  }

  private static String clean(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    return sb.toString().strip();
  }

  /** One extraction: the body collected so far and the limits left. Not thread-safe. */
  private final class Walk {
    final StringBuilder body = new StringBuilder();
    final List<ExtractedText.Attachment> attachments = new ArrayList<>();
    final java.util.Set<String> calendars = new java.util.HashSet<>();
    boolean truncated;
    int parts;

    boolean full() {
      return body.length() >= maxChars;
    }

    void visit(ParsedMessage m, MimePart p, int nesting) {
      if (full()) {
        truncated = true;
        return;
      }
      if (++parts > maxParts) {
        truncated = true;
        return;
      }
      try {
        dispatch(m, p, nesting);
      } catch (RuntimeException e) {
        // defensive: one unreadable part must not cost the rest of the message its text
      }
    }

    private void dispatch(ParsedMessage m, MimePart p, int nesting) {
      String type = p.mediaType();
      String sub = p.mediaSubtype();
      if (p.isMultipart() && p.children().isEmpty()) {
        // no boundary line found (RFC 2046 §5.1.1): a body that starts with a MIME header is the
        // one part the sender meant; anything else is preamble text
        ByteRange r = p.body();
        ByteBuffer b = m.buffer();
        if (nesting < MAX_ENCODED_NESTING && startsWithContentField(b, r)) {
          int end = (int) Math.min(r.end(), (long) r.start() + maxPartBytes);
          ParsedMessage entity = ParsedMessage.parse(slice(b, r.start(), end - r.start()));
          parts--; // stands for the part already counted
          visit(entity, entity.root(), nesting + 1);
        } else {
          plain(m, p);
        }
        return;
      }
      if (p.isMultipart()) {
        if (sub.equals("alternative")) {
          alternative(m, p, nesting);
        } else {
          for (MimePart kid : p.children()) {
            visit(m, kid, nesting);
          }
        }
        return;
      }
      Optional<MimePart> inner = p.embeddedMessage();
      if (inner.isPresent()) {
        embedded(m, inner.get(), nesting);
        return;
      }
      String mt = type + "/" + sub;
      switch (mt) {
        case "application/pkcs7-signature",
            "application/x-pkcs7-signature",
            "application/pgp-signature",
            "application/pgp-encrypted" -> {
          return; // signatures and the PGP/MIME version part: nothing a reader reads
        }
        default -> {}
      }
      if (type.equals("message")
          && (sub.equals("rfc822") || sub.equals("global"))
          && nesting < MAX_ENCODED_NESTING) {
        // RFC 2046 §5.2.1 forbids encoding it, yet senders do: decode and parse again
        Read r = read(m, p, maxPartBytes);
        embeddedBytes(r.bytes, nesting + 1);
        return;
      }
      Disposition d = disposition(m, p);
      boolean attachment = d.attachment;
      if (isCalendar(mt)) {
        if (attachment || !d.fileName.isEmpty()) {
          attachments.add(new ExtractedText.Attachment(d.fileName, mt, size(m, p)));
        }
        Read r = read(m, p, maxPartBytes);
        String ics = Charsets.decode(r.bytes, 0, r.bytes.length, charsetOr(p, "utf-8"));
        String summary = CalendarText.summary(ics);
        if (calendars.add(summary)) { // the same invitation as text/calendar and .ics
          append(summary);
        }
        return;
      }
      if (!attachment && mt.equals("text/html")) {
        html(m, p);
        return;
      }
      if (!attachment && isPlain(type, sub)) {
        if (!lostMultipart(m, p, nesting)) {
          plain(m, p);
        }
        return;
      }
      attachments.add(new ExtractedText.Attachment(d.fileName, mt, size(m, p)));
    }

    private void alternative(ParsedMessage m, MimePart p, int nesting) {
      MimePart plain = null;
      MimePart html = null;
      MimePart multi = null;
      List<MimePart> calendars = new ArrayList<>();
      for (MimePart kid : p.children()) {
        String mt = kid.mediaType() + "/" + kid.mediaSubtype();
        if (kid.isMultipart()) {
          multi = multi == null ? kid : multi;
        } else if (mt.equals("text/plain")) {
          plain = plain == null ? kid : plain;
        } else if (mt.equals("text/html")) {
          html = html == null ? kid : html;
        } else if (isCalendar(mt)) {
          calendars.add(kid);
        }
      }
      MimePart chosen = plain != null ? plain : html != null ? html : multi;
      if (chosen == null && !p.children().isEmpty() && calendars.isEmpty()) {
        chosen = p.children().get(p.children().size() - 1);
      }
      if (chosen != null) {
        int before = body.length();
        visit(m, chosen, nesting);
        if (chosen == plain && html != null && body.length() == before) {
          visit(m, html, nesting); // an empty text/plain alternative: the HTML one is the text
        }
      }
      for (MimePart c : calendars) {
        visit(m, c, nesting);
      }
    }

    private void embedded(ParsedMessage m, MimePart inner, int nesting) {
      ByteBuffer b = m.buffer();
      StringBuilder head = new StringBuilder();
      String cs = bodyCharset(inner);
      String subject = subject(b, inner, cs);
      String from = addresses(b, inner, "from", cs);
      if (!subject.isEmpty()) {
        head.append("Subject: ").append(subject).append('\n');
      }
      if (!from.isEmpty()) {
        head.append("From: ").append(from).append('\n');
      }
      append(head.toString().strip());
      visit(m, inner, nesting);
    }

    private void embeddedBytes(byte[] message, int nesting) {
      ParsedMessage nested = ParsedMessage.parse(message);
      parts--; // the nested root stands for the part already counted
      embedded(nested, nested.root(), nesting);
    }

    /**
     * A part without Content-Type (so text/plain, RFC 2045 §5.2) whose body is a multipart all the
     * same: within its first 4 KiB a line {@code --X} followed by a {@code Content-} field. Such
     * mail lost its multipart header on the way; it is read as multipart with boundary X (two
     * parts, text/plain then text/html, as multipart/alternative). Returns false when it is not.
     */
    private boolean lostMultipart(ParsedMessage m, MimePart p, int nesting) {
      if (nesting >= MAX_ENCODED_NESTING
          || !p.fields().defaultType()
          || !p.mediaSubtype().equals("plain")) {
        return false;
      }
      String boundary = lostBoundary(m.buffer(), p.body());
      if (boundary == null) {
        return false;
      }
      ByteRange r = p.body();
      int end = (int) Math.min(r.end(), (long) r.start() + maxPartBytes);
      byte[] head =
          ("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      byte[] whole = new byte[head.length + end - r.start()];
      System.arraycopy(head, 0, whole, 0, head.length);
      m.buffer().get(r.start(), whole, head.length, end - r.start());
      ParsedMessage n = ParsedMessage.parse(whole);
      MimePart root = n.root();
      if (!root.isMultipart() || root.children().isEmpty()) {
        return false;
      }
      List<MimePart> kids = root.children();
      if (kids.size() == 2
          && kids.get(0).mediaSubtype().equals("plain")
          && kids.get(1).mediaSubtype().equals("html")) {
        alternative(n, root, nesting + 1);
      } else {
        for (MimePart kid : kids) {
          visit(n, kid, nesting + 1);
        }
      }
      return true;
    }

    private void plain(ParsedMessage m, MimePart p) {
      String label = p.parameters().get("charset");
      String enc = p.contentTransferEncoding();
      int cap = textCap();
      List<UuencodedBlock> blocks =
          switch (enc) {
            case "7bit", "8bit", "binary", "x-uuencode", "x-uue", "uuencode" ->
                Uuencode.find(m.buffer(), p.body());
            default -> List.of();
          };
      StringBuilder text = new StringBuilder();
      if (blocks.isEmpty()) {
        Read r = read(m, p, cap);
        text.append(dropCutChar(TextCharsets.decode(r.bytes, r.bytes.length, label), r.cut));
      } else {
        ByteBuffer b = m.buffer();
        int pos = p.body().start();
        for (UuencodedBlock u : blocks) {
          int len = Math.min(u.range().start() - pos, cap);
          text.append(TextCharsets.decode(slice(b, pos, len), len, label));
          attachments.add(
              new ExtractedText.Attachment(
                  EncodedWords.decode(u.filename()),
                  "application/octet-stream",
                  count(u.decoded(), maxPartBytes)));
          pos = u.range().end();
        }
        int len = Math.min(p.body().end() - pos, cap);
        text.append(TextCharsets.decode(slice(b, pos, len), len, label));
      }
      if (blocks.isEmpty() && p.mediaSubtype().equals("plain") && looksLikeHtml(text)) {
        append(HtmlText.toText(text.toString())); // HTML sent without (or as) text/plain
        return;
      }
      String t = TextCleanup.tidy(text);
      if (p.mediaType().equals("text") && p.mediaSubtype().equals("rfc822-headers")) {
        t = decodeHeaderLines(t);
      }
      append(dropBase64Runs(Pgp.strip(t)));
    }

    private void html(ParsedMessage m, MimePart p) {
      Read r = read(m, p, maxPartBytes);
      String label = p.parameters().get("charset");
      if (label == null || label.isBlank()) {
        String head = new String(r.bytes, 0, Math.min(r.bytes.length, 4096), US_ASCII);
        Matcher mc = META_CHARSET.matcher(head);
        label = mc.find() ? mc.group(1) : null;
      }
      append(
          HtmlText.toText(dropCutChar(TextCharsets.decode(r.bytes, r.bytes.length, label), r.cut)));
    }

    /** Octets worth reading for the chars still allowed (4 octets per char at most, UTF-8). */
    private int textCap() {
      long left = (long) (maxChars - body.length()) * 4 + 64;
      return (int) Math.min(maxPartBytes, left);
    }

    private Read read(ParsedMessage m, MimePart p, int cap) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(cap, 8192));
      byte[] buf = new byte[8192];
      boolean cut = false;
      try (InputStream in = m.decodedBody(p)) {
        int n;
        while (out.size() < cap
            && (n = in.read(buf, 0, Math.min(buf.length, cap - out.size()))) > 0) {
          out.write(buf, 0, n);
        }
        if (out.size() >= cap && in.read() >= 0) {
          truncated = true;
          cut = true;
        }
      } catch (IOException e) {
        // the streams read a byte array and do not fail; keep what was read
      }
      return new Read(out.toByteArray(), cut);
    }

    private long size(ParsedMessage m, MimePart p) {
      return count(m.decodedBody(p), maxPartBytes);
    }

    private void append(String text) {
      if (text.isBlank()) {
        return;
      }
      if (!body.isEmpty()) {
        body.append("\n\n");
      }
      int left = maxChars - body.length();
      if (left <= 0) {
        truncated = true;
        body.setLength(maxChars);
        return;
      }
      if (text.length() > left) {
        int cut = left;
        if (Character.isHighSurrogate(text.charAt(cut - 1))) {
          cut--;
        }
        body.append(text, 0, cut);
        truncated = true;
      } else {
        body.append(text);
      }
    }
  }

  /** Octets read from a part; {@code cut} when the cap stopped the reading. */
  private record Read(byte[] bytes, boolean cut) {}

  /** A text cut at an octet cap may end inside a multi-octet character. */
  private static String dropCutChar(String s, boolean cut) {
    return cut && s.endsWith("\uFFFD") ? s.substring(0, s.length() - 1) : s;
  }

  private record Disposition(boolean attachment, String fileName) {}

  private static Disposition disposition(ParsedMessage m, MimePart p) {
    Optional<String> cd = HeaderFields.first(m.buffer(), p.header(), "content-disposition");
    boolean attachment = false;
    String name = null;
    if (cd.isPresent()) {
      HeaderParams.Parsed d = HeaderParams.parse(cd.get());
      attachment = d.value().equals("attachment");
      name = d.decoded().get("filename");
    }
    if (name == null || name.isBlank()) {
      name = p.parameters().get("name");
    }
    return new Disposition(attachment, name == null ? "" : clean(EncodedWords.decode(name)));
  }

  private static final Pattern BASE64_LINE = Pattern.compile("[A-Za-z0-9+/]{60,}={0,2}");

  private static final Pattern BASE64_TAIL = Pattern.compile("[A-Za-z0-9+/]{1,}={0,2}");

  /**
   * Removes runs of three or more base64 lines (60 or more characters of the base64 alphabet, RFC
   * 2045 §6.8), with the shorter line that ends such a run: encoded attachments inside text that
   * carries no MIME structure (a multipart sent without its Content-Type). No reader reads them.
   */
  static String dropBase64Runs(String text) {
    if (text.length() < 180) {
      return text;
    }
    String[] lines = text.split("\n", -1);
    StringBuilder out = new StringBuilder(text.length());
    boolean dropped = false;
    int i = 0;
    while (i < lines.length) {
      int j = i;
      while (j < lines.length && BASE64_LINE.matcher(lines[j]).matches()) {
        j++;
      }
      if (j - i >= 3) {
        if (j < lines.length && BASE64_TAIL.matcher(lines[j]).matches()) {
          j++;
        }
        dropped = true;
        i = j;
        continue;
      }
      for (int k = i; k <= j && k < lines.length; k++) {
        out.append(lines[k]).append('\n');
      }
      i = j + 1;
    }
    return dropped ? TextCleanup.tidy(out) : text;
  }

  /** The X of the first line {@code --X} followed by a {@code Content-} field, in 4 KiB. */
  private static String lostBoundary(ByteBuffer b, ByteRange r) {
    int limit = Math.min(r.end(), r.start() + 4096);
    int line = r.start();
    while (line < limit) {
      int eol = line;
      while (eol < r.end() && b.get(eol) != '\n') {
        eol++;
      }
      int next = Math.min(eol + 1, r.end());
      if (eol - line > 3
          && b.get(line) == '-'
          && b.get(line + 1) == '-'
          && startsWithContentField(b, new ByteRange(next, r.end()))
          && next < r.end()
          && b.get(next) != '\r'
          && b.get(next) != '\n') {
        String x = Bytes.latin1(b, line + 2, eol).strip();
        boolean ok = !x.isEmpty() && x.length() <= 200;
        for (int i = 0; ok && i < x.length(); i++) {
          char c = x.charAt(i);
          ok = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
        }
        return ok ? x : null;
      }
      line = next;
    }
    return null;
  }

  /** Text that opens with an HTML document's first tag ({@code <html}, {@code <!doctype html}). */
  static boolean looksLikeHtml(CharSequence text) {
    int i = 0;
    int n = text.length();
    while (i < n && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    String head = text.subSequence(i, Math.min(n, i + 14)).toString().toLowerCase(Locale.ROOT);
    return head.startsWith("<html") || head.startsWith("<!doctype html");
  }

  private static boolean startsWithContentField(ByteBuffer b, ByteRange r) {
    int i = r.start();
    while (i < r.end() && (b.get(i) == '\r' || b.get(i) == '\n')) {
      i++;
    }
    String prefix = "content-";
    if (r.end() - i < prefix.length()) {
      return false;
    }
    for (int k = 0; k < prefix.length(); k++) {
      if (Character.toLowerCase((char) b.get(i + k)) != prefix.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isCalendar(String mt) {
    return mt.equals("text/calendar")
        || mt.equals("text/x-vcalendar")
        || mt.equals("application/ics");
  }

  private static boolean isPlain(String type, String sub) {
    if (type.equals("message")) {
      return sub.equals("delivery-status") || sub.equals("disposition-notification");
    }
    if (!type.equals("text")) {
      return false;
    }
    return switch (sub) {
      case "rtf", "html", "calendar", "x-vcalendar" -> false;
      default -> true;
    };
  }

  private static String charsetOr(MimePart p, String fallback) {
    String cs = p.parameters().get("charset");
    return cs == null || cs.isBlank() ? fallback : cs;
  }

  private static byte[] slice(ByteBuffer b, int from, int len) {
    byte[] out = new byte[Math.max(0, len)];
    b.get(from, out);
    return out;
  }

  /** Unfolds header lines (RFC 5322 §2.2.3) and decodes their encoded words. */
  private static String decodeHeaderLines(String text) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n")) {
      if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && !out.isEmpty()) {
        out.setLength(out.length() - 1);
        out.append(' ').append(line.strip()).append('\n');
      } else {
        out.append(line).append('\n');
      }
    }
    StringBuilder dec = new StringBuilder();
    for (String line : out.toString().split("\n")) {
      dec.append(line.indexOf("=?") >= 0 ? EncodedWords.decode(line) : line).append('\n');
    }
    return dec.toString();
  }

  private static long count(InputStream in, int cap) {
    long n = 0;
    byte[] buf = new byte[8192];
    try (in) {
      int r;
      while (n < cap && (r = in.read(buf)) > 0) {
        n += r;
      }
    } catch (IOException e) {
      // byte-array streams do not fail
    }
    return Math.min(n, cap);
  }

  /** Builds a {@link TextExtractor}. Not thread-safe. */
  public static final class Builder {
    private int maxChars = DEFAULT_MAX_CHARS;
    private int maxParts = DEFAULT_MAX_PARTS;
    private int maxPartBytes = DEFAULT_MAX_PART_BYTES;

    private Builder() {}

    /** Most chars of the body (at least 1). */
    public Builder maxChars(int value) {
      maxChars = positive("maxChars", value);
      return this;
    }

    /** Most parts visited (at least 1). */
    public Builder maxParts(int value) {
      maxParts = positive("maxParts", value);
      return this;
    }

    /** Most decoded octets read from one part (at least 1). */
    public Builder maxPartBytes(int value) {
      maxPartBytes = positive("maxPartBytes", value);
      return this;
    }

    /** The extractor. */
    public TextExtractor build() {
      return new TextExtractor(this);
    }

    private static int positive(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be at least 1: " + value);
      }
      return value;
    }
  }

  /** Inline PGP armour (RFC 4880 §6.2, §7) removed from plain text. */
  static final class Pgp {
    private Pgp() {}

    static String strip(String text) {
      if (!text.contains("-----BEGIN PGP ")) {
        return text;
      }
      StringBuilder out = new StringBuilder(text.length());
      String skipUntil = null;
      boolean signedHeader = false;
      boolean signedText = false;
      for (String line : text.split("\n", -1)) {
        String t = line.strip();
        if (skipUntil != null) {
          if (t.startsWith(skipUntil)) {
            skipUntil = null;
          }
          continue;
        }
        if (signedHeader) {
          if (t.isEmpty()) {
            signedHeader = false; // RFC 4880 §7: armor headers end at the blank line
          }
          continue;
        }
        if (t.equals("-----BEGIN PGP SIGNED MESSAGE-----")) {
          signedHeader = true;
          signedText = true;
          continue;
        }
        if (t.startsWith("-----BEGIN PGP ") && t.endsWith("-----")) {
          String kind = t.substring("-----BEGIN PGP ".length(), t.length() - 5);
          skipUntil = "-----END PGP " + kind;
          signedText = false;
          continue;
        }
        // RFC 4880 §7.1: dash-escaped text
        out.append(signedText && line.startsWith("- ") ? line.substring(2) : line).append('\n');
      }
      return out.toString();
    }
  }
}
