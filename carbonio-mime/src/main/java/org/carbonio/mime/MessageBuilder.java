package org.carbonio.mime;

import static java.util.Objects.requireNonNull;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.carbonio.mime.internal.HeaderEncoder;
import org.carbonio.mime.internal.HeaderParams;
import org.carbonio.mime.internal.Texts;
import org.carbonio.mime.internal.TransferEncoder;

/**
 * Composes an RFC 5322 message with MIME (RFC 2045-2049) parts, CRLF line endings throughout. Not
 * thread-safe: confine a builder to one thread. {@link #build()} returns a new array each time.
 *
 * {@snippet :
 * byte[] eml = new MessageBuilder()
 *     .from("Zoë Doe", "zoe@example.com")
 *     .to("bob@example.org")
 *     .subject("Résumé attached")
 *     .text("Hi Bob,\nsee attachment.")
 *     .attach("résumé.pdf", "application/pdf", pdfBytes)
 *     .build();
 * }
 *
 * <p>Structure: text alone is {@code text/plain}, html alone {@code text/html}, both a {@code
 * multipart/alternative}; inline images wrap the html in {@code multipart/related}; attachments
 * wrap everything in {@code multipart/mixed}. Each part gets the lightest transfer encoding that
 * fits: {@code 7bit} for ASCII with short lines, {@code quoted-printable} for mostly-ASCII data,
 * {@code base64} otherwise (RFC 2045 §6.7, §6.8, lines of at most 76 characters); streamed
 * attachments are always base64. Text bodies are UTF-8, with every line ending (CR, LF, CRLF)
 * turned into CRLF and no line ending added at the end. Bcc recipients are not written (RFC 5322
 * §3.6.3); {@link #recipients()} lists every envelope recipient.
 *
 * <p>Byte arrays passed in are kept, not copied, until the message is written: do not modify them
 * before {@link #build()} or {@link #writeTo(OutputStream)}.
 */
public final class MessageBuilder {

  /** Opens the content of a streamed attachment; called once each time the message is written. */
  @FunctionalInterface
  public interface InputStreamSupplier {
    /** A new stream over the content; the builder closes it. */
    InputStream open() throws IOException;
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", Locale.ENGLISH);
  private static final Pattern CONTROLS = Pattern.compile("\\p{Cntrl}");
  private static final Pattern MSG_ID = Pattern.compile("<[^<>\\s]+>");

  /** How much of an original's text an inline forward quotes. */
  public static final int FORWARDED_TEXT_CHARS = 1 << 20;

  private static final TextExtractor FORWARDED_TEXT =
      TextExtractor.builder().maxChars(FORWARDED_TEXT_CHARS).build();
  private static final Pattern REPLY =
      Pattern.compile("(?i)^\\s*re\\s*(\\[\\d+])?\\s*:.*", Pattern.DOTALL);
  private static final Pattern FORWARD =
      Pattern.compile("(?i)^\\s*(fwd?|fw)\\s*:.*", Pattern.DOTALL);
  private static final Set<String> MANAGED =
      Set.of(
          "date",
          "from",
          "sender",
          "to",
          "cc",
          "bcc",
          "reply-to",
          "subject",
          "message-id",
          "in-reply-to",
          "references",
          "mime-version");

  private Address from;
  private Address sender;
  private final List<Address> to = new ArrayList<>();
  private final List<Address> cc = new ArrayList<>();
  private final List<Address> bcc = new ArrayList<>();
  private final List<Address> replyTo = new ArrayList<>();
  private String subject;
  private OffsetDateTime date;
  private String messageId;
  private String inReplyTo;
  private final List<String> references = new ArrayList<>();
  private final List<String[]> headers = new ArrayList<>();
  private boolean utf8;
  private String text;
  private String html;
  private String forwardedText;
  private final List<Attachment> attachments = new ArrayList<>();
  private final List<Attachment> inlines = new ArrayList<>();

  /** An empty builder: set at least {@link #from(String)} before building. */
  public MessageBuilder() {}

  // ---------------------------------------------------------------- addresses

  /** Sets From (RFC 5322 §3.6.2). */
  public MessageBuilder from(String address) {
    return from(null, address);
  }

  /** Sets From with a display name ({@code null} or empty for none). */
  public MessageBuilder from(String displayName, String address) {
    from = Address.of(displayName, address);
    return this;
  }

  /** Sets Sender (RFC 5322 §3.6.2), the mailbox that actually sent the message. */
  public MessageBuilder sender(String address) {
    return sender(null, address);
  }

  /** Sets Sender with a display name. */
  public MessageBuilder sender(String displayName, String address) {
    sender = Address.of(displayName, address);
    return this;
  }

  /** Adds a To recipient. */
  public MessageBuilder to(String address) {
    return to(null, address);
  }

  /** Adds a To recipient with a display name. */
  public MessageBuilder to(String displayName, String address) {
    to.add(Address.of(displayName, address));
    return this;
  }

  /** Adds a Cc recipient. */
  public MessageBuilder cc(String address) {
    return cc(null, address);
  }

  /** Adds a Cc recipient with a display name. */
  public MessageBuilder cc(String displayName, String address) {
    cc.add(Address.of(displayName, address));
    return this;
  }

  /** Adds a Bcc recipient: listed by {@link #recipients()}, never written into the message. */
  public MessageBuilder bcc(String address) {
    return bcc(null, address);
  }

  /** Adds a Bcc recipient with a display name. */
  public MessageBuilder bcc(String displayName, String address) {
    bcc.add(Address.of(displayName, address));
    return this;
  }

  /** Adds a Reply-To address (RFC 5322 §3.6.2). */
  public MessageBuilder replyTo(String address) {
    return replyTo(null, address);
  }

  /** Adds a Reply-To address with a display name. */
  public MessageBuilder replyTo(String displayName, String address) {
    replyTo.add(Address.of(displayName, address));
    return this;
  }

  // ---------------------------------------------------------------- other fields

  /** Sets Subject; encoded as RFC 2047 words when it is not plain printable ASCII. */
  public MessageBuilder subject(String subject) {
    requireNonNull(subject, "subject");
    this.subject = subject;
    return this;
  }

  /** Sets Date (RFC 5322 §3.3); by default the time of the first {@link #build()}/write. */
  public MessageBuilder date(OffsetDateTime date) {
    this.date = requireNonNull(date, "date");
    return this;
  }

  /**
   * Sets Message-ID, without angle brackets ({@code "abc@example.com"}); by default a random one at
   * the From (or Sender) domain, made on the first build and kept for later ones.
   */
  public MessageBuilder messageId(String id) {
    requireNonNull(id, "id");
    String bare = id.startsWith("<") && id.endsWith(">") ? id.substring(1, id.length() - 1) : id;
    if (bare.isEmpty() || !MSG_ID.matcher("<" + bare + ">").matches() || !isVisibleAscii(bare)) {
      throw new IllegalArgumentException("invalid message id: " + Texts.escape(id));
    }
    this.messageId = "<" + bare + ">";
    return this;
  }

  /**
   * Adds a header field. The value may hold any text but no CR, LF or other control characters
   * (header injection); non-ASCII text is encoded (RFC 2047) unless {@link #utf8Headers(boolean)}.
   *
   * @throws IllegalArgumentException for an invalid name, a control character in the value, or a
   *     field this builder writes itself (Date, From, To, Subject, Message-ID, Content-*, ...)
   */
  public MessageBuilder header(String name, String value) {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    HeaderEncoder.checkFieldName(name);
    String lower = name.toLowerCase(Locale.ROOT);
    if (MANAGED.contains(lower) || lower.startsWith("content-")) {
      throw new IllegalArgumentException("header " + name + " is set by the builder");
    }
    checkNoControls("header value", value);
    headers.add(new String[] {name, value});
    return this;
  }

  /**
   * RFC 6532: write non-ASCII display names, subjects, header values and address local parts as raw
   * UTF-8 instead of RFC 2047 encoded words (only for servers announcing SMTPUTF8). Default false,
   * in which case a non-ASCII local part makes {@link #build()} fail.
   */
  public MessageBuilder utf8Headers(boolean utf8) {
    this.utf8 = utf8;
    return this;
  }

  // ---------------------------------------------------------------- content

  /** Sets the plain-text body. */
  public MessageBuilder text(String text) {
    this.text = requireNonNull(text, "text");
    return this;
  }

  /** Sets the html body; with a text body too, the two become multipart/alternative. */
  public MessageBuilder html(String html) {
    this.html = requireNonNull(html, "html");
    return this;
  }

  /**
   * Attaches bytes (kept, not copied). A non-ASCII or long file name is written as RFC 2231 §4
   * {@code filename*} and as an RFC 2047 {@code name=} fallback for Outlook.
   *
   * @param mediaType {@code type/subtype}, without parameters, not multipart
   */
  public MessageBuilder attach(String filename, String mediaType, byte[] content) {
    requireNonNull(content, "content");
    attachments.add(
        new Attachment(checkName(filename), checkMediaType(mediaType), content, null, null));
    return this;
  }

  /**
   * Attaches streamed content, always base64: {@code content} is opened each time the message is
   * written and streamed through, never held in memory whole.
   */
  public MessageBuilder attach(String filename, String mediaType, InputStreamSupplier content) {
    requireNonNull(content, "content");
    attachments.add(
        new Attachment(checkName(filename), checkMediaType(mediaType), null, content, null));
    return this;
  }

  /**
   * Adds an inline image (or any related part) that the html body references as {@code
   * cid:contentId} (RFC 2392); the html and these parts become multipart/related (RFC 2387).
   *
   * @param contentId the id without angle brackets, e.g. {@code "logo@example.com"}
   */
  public MessageBuilder inline(String contentId, String mediaType, byte[] content) {
    requireNonNull(contentId, "contentId");
    requireNonNull(content, "content");
    if (contentId.isEmpty() || !isVisibleAscii(contentId) || contentId.matches(".*[<>\"\\\\].*")) {
      throw new IllegalArgumentException("invalid content id: " + Texts.escape(contentId));
    }
    inlines.add(new Attachment(null, checkMediaType(mediaType), content, null, contentId));
    return this;
  }

  // ---------------------------------------------------------------- replies and forwards

  /**
   * Makes this message a reply to {@code original}: To is the original's Reply-To, else its From;
   * with {@code replyAll}, Cc is the original's To and Cc. Addresses equal to this builder's From
   * or Sender are dropped (so set From first), as are duplicates. Subject becomes "Re: " + the
   * original's (unless it already is a reply); In-Reply-To is the original's Message-ID and
   * References the original's References (or its In-Reply-To when it has none and that holds a
   * single id) followed by its Message-ID (RFC 5322 §3.6.4).
   */
  public MessageBuilder replyTo(ParsedMessage original, boolean replyAll) {
    requireNonNull(original, "original");
    Set<String> seen = new HashSet<>(); // never the replier, never twice
    to.forEach(a -> seen.add(a.key()));
    cc.forEach(a -> seen.add(a.key()));
    if (from != null) {
      seen.add(from.key());
    }
    if (sender != null) {
      seen.add(sender.key());
    }
    List<Address> primary = originalAddresses(original, "Reply-To");
    if (primary.isEmpty()) {
      primary = originalAddresses(original, "From");
    }
    addNew(primary, to, seen);
    if (replyAll) {
      addNew(originalAddresses(original, "To"), to.isEmpty() ? to : cc, seen);
      addNew(originalAddresses(original, "Cc"), cc, seen);
    }
    String s = originalField(original, "Subject").map(EncodedWords::decode).orElse("");
    subject = REPLY.matcher(s).matches() ? s : "Re: " + s;
    ThreadKeys keys = ThreadKeys.of(original);
    Optional<String> id =
        keys.messageId().filter(MessageBuilder::isVisibleAscii).map(i -> "<" + i + ">");
    references.clear();
    // RFC 5322 §3.6.4: without References, the parent's In-Reply-To counts only when it holds a
    // single id (ThreadKeys, following RFC 5256 for threading, takes the first of several)
    boolean parentHasReferences =
        !ThreadKeys.msgIds(original.header("References").orElse("")).isEmpty();
    boolean singleInReplyTo =
        ThreadKeys.msgIds(original.header("In-Reply-To").orElse("")).size() == 1;
    List<String> parentRefs =
        parentHasReferences || singleInReplyTo ? keys.references() : List.of();
    for (String r : parentRefs) {
      if (isVisibleAscii(r)) {
        references.add("<" + r + ">");
      }
    }
    id.ifPresent(references::add);
    inReplyTo = id.orElse(null);
    return this;
  }

  /**
   * Makes this message a forward of {@code original}: Subject "Fwd: " + the original's (unless it
   * already is a forward), and the original either attached whole as message/rfc822 ({@code
   * asAttachment}) or its text appended to this message's text (and html) body as quoted lines
   * ("&gt; ") under a short header block. Recipients are left to the caller.
   */
  public MessageBuilder forward(ParsedMessage original, boolean asAttachment) {
    requireNonNull(original, "original");
    String s = originalField(original, "Subject").map(EncodedWords::decode).orElse("");
    subject = FORWARD.matcher(s).matches() ? s : "Fwd: " + s;
    if (asAttachment) {
      String name = s.replaceAll("[\\\\/:*?\"<>|\\p{Cntrl}]", "_").strip();
      attachments.add(
          new Attachment(
              (name.isEmpty() ? "forwarded" : name) + ".eml",
              "message/rfc822",
              ParsedMessage.toCrlf(readAll(original.openStream())),
              null,
              null));
    } else {
      StringBuilder b = new StringBuilder("\n\n---------- Forwarded message ----------\n");
      for (String f : List.of("From", "Date", "Subject", "To", "Cc")) {
        Optional<String> v = originalField(original, f).map(EncodedWords::decode);
        v.ifPresent(x -> b.append(f).append(": ").append(x).append('\n'));
      }
      b.append('\n');
      for (String line : originalText(original).split("\r\n|\r|\n", -1)) {
        b.append(line.isEmpty() ? ">" : "> " + line).append('\n');
      }
      forwardedText = b.toString();
    }
    return this;
  }

  private static Optional<String> originalField(ParsedMessage m, String name) {
    return m.header(name);
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // the streams of ParsedMessage read memory
    }
  }

  private static List<Address> originalAddresses(ParsedMessage m, String name) {
    return originalField(m, name).map(MessageBuilder::parseAddressList).orElse(List.of());
  }

  private static void addNew(List<Address> from, List<Address> into, Set<String> seen) {
    for (Address a : from) {
      if (seen.add(a.key())) {
        into.add(a);
      }
    }
  }

  /**
   * The text a reader of {@code m} sees, as {@link TextExtractor} gives it: charsets repaired, HTML
   * through jsoup, at most {@link #FORWARDED_TEXT_CHARS} chars.
   */
  private static String originalText(ParsedMessage m) {
    return FORWARDED_TEXT.extract(m).body();
  }

  // ---------------------------------------------------------------- output

  /** Every envelope recipient (To, Cc, Bcc) as an addr-spec, in order, without duplicates. */
  public List<String> recipients() {
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (List<Address> l : List.of(to, cc, bcc)) {
      for (Address a : l) {
        if (seen.add(a.key())) {
          out.add(a.addrSpec(true));
        }
      }
    }
    return out;
  }

  /**
   * The message as a new array.
   *
   * @throws IllegalStateException when From is missing, inline parts have no html body, or an
   *     address needs {@link #utf8Headers(boolean)}
   * @throws UncheckedIOException when a streamed attachment fails to open or read
   */
  public byte[] build() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Writes the message to {@code out} (flushed, not closed). Streamed attachments are read and
   * encoded as they are written; byte arrays are written without copies.
   *
   * @throws IllegalStateException as {@link #build()}
   */
  public void writeTo(OutputStream out) throws IOException {
    requireNonNull(out, "out");
    Node body = structure();
    String boundaryBase = boundaryBase(body);
    StringBuilder h = new StringBuilder();
    messageHeaders(h);
    OutputStream o = new BufferedOutputStream(out, 16384);
    o.write(h.toString().getBytes(StandardCharsets.UTF_8));
    int[] counter = {0};
    writeNode(body, o, boundaryBase, counter);
    o.flush();
  }

  private void messageHeaders(StringBuilder h) {
    if (from == null) {
      throw new IllegalStateException("from is required (RFC 5322 §3.6)");
    }
    if (date == null) {
      date = OffsetDateTime.now();
    }
    if (messageId == null) {
      Address origin = sender != null ? sender : from;
      String domain = origin.domain;
      try {
        domain = domain.startsWith("[") ? "localhost" : IDN.toASCII(domain);
      } catch (IllegalArgumentException e) {
        domain = "localhost";
      }
      byte[] r = new byte[16];
      RANDOM.nextBytes(r);
      messageId = "<" + HexFormat.of().formatHex(r) + "@" + domain + ">";
    }
    h.append(HeaderEncoder.fold("Date", DATE.format(date)));
    h.append(HeaderEncoder.fold("From", from.render(utf8)));
    if (sender != null) {
      h.append(HeaderEncoder.fold("Sender", sender.render(utf8)));
    }
    addressField(h, "To", to);
    addressField(h, "Cc", cc);
    addressField(h, "Reply-To", replyTo);
    if (subject != null) {
      h.append(HeaderEncoder.fold("Subject", HeaderEncoder.unstructured(subject, utf8)));
    }
    h.append(HeaderEncoder.fold("Message-ID", messageId));
    if (inReplyTo != null) {
      h.append(HeaderEncoder.fold("In-Reply-To", inReplyTo));
    }
    if (!references.isEmpty()) {
      h.append(HeaderEncoder.fold("References", String.join(" ", references)));
    }
    for (String[] f : headers) {
      h.append(HeaderEncoder.fold(f[0], HeaderEncoder.unstructured(f[1], utf8)));
    }
    h.append("MIME-Version: 1.0\r\n");
  }

  private void addressField(StringBuilder h, String name, List<Address> list) {
    if (list.isEmpty()) {
      return;
    }
    List<String> parts = new ArrayList<>();
    for (Address a : list) {
      parts.add(a.render(utf8));
    }
    h.append(HeaderEncoder.fold(name, String.join(", ", parts)));
  }

  // ---------------------------------------------------------------- MIME tree

  private sealed interface Node permits Leaf, Multi {}

  /** A leaf: its Content-* header values, and bytes or a stream in the given encoding. */
  private record Leaf(
      List<String[]> fields, byte[] data, InputStreamSupplier stream, String encoding)
      implements Node {}

  private record Multi(String subtype, List<Node> children) implements Node {}

  private Node structure() {
    if (!inlines.isEmpty() && html == null) {
      throw new IllegalStateException("inline parts need an html body that references them");
    }
    String plain = text;
    String rich = html;
    if (forwardedText != null) {
      plain = (plain == null ? "" : plain) + forwardedText;
      if (rich != null) {
        rich = rich + "<pre>" + escapeHtml(forwardedText) + "</pre>";
      }
    }
    Node htmlNode = rich == null ? null : textLeaf("html", rich);
    if (htmlNode != null && !inlines.isEmpty()) {
      List<Node> related = new ArrayList<>();
      related.add(htmlNode);
      for (Attachment a : inlines) {
        related.add(attachmentLeaf(a));
      }
      htmlNode = new Multi("related", related);
    }
    Node main;
    if (plain != null && htmlNode != null) {
      main = new Multi("alternative", List.of(textLeaf("plain", plain), htmlNode));
    } else if (htmlNode != null) {
      main = htmlNode;
    } else {
      main = textLeaf("plain", plain == null ? "" : plain);
    }
    if (attachments.isEmpty()) {
      return main;
    }
    List<Node> mixed = new ArrayList<>();
    mixed.add(main);
    for (Attachment a : attachments) {
      mixed.add(attachmentLeaf(a));
    }
    return new Multi("mixed", mixed);
  }

  private static Leaf textLeaf(String subtype, String s) {
    byte[] data =
        s.replace("\r\n", "\n")
            .replace('\r', '\n')
            .replace("\n", "\r\n")
            .getBytes(StandardCharsets.UTF_8);
    List<String[]> fields = new ArrayList<>();
    fields.add(new String[] {"Content-Type", "text/" + subtype + "; charset=utf-8"});
    String enc = TransferEncoder.choose(data);
    fields.add(new String[] {"Content-Transfer-Encoding", enc});
    return new Leaf(fields, data, null, enc);
  }

  private Leaf attachmentLeaf(Attachment a) {
    List<String[]> fields = new ArrayList<>();
    String enc;
    if (a.stream != null) {
      enc = "base64";
    } else if (a.mediaType.startsWith("message/")) {
      enc = TransferEncoder.identityEncoding(a.data); // RFC 2046 §5.2.1
    } else {
      enc = TransferEncoder.choose(a.data);
    }
    if (a.filename != null) {
      fields.add(
          new String[] {
            "Content-Type", a.mediaType + "; " + HeaderEncoder.rfc2047Parameter("name", a.filename)
          });
      fields.add(new String[] {"Content-Transfer-Encoding", enc});
      fields.add(
          new String[] {
            "Content-Disposition",
            "attachment; "
                + String.join("; ", HeaderEncoder.rfc2231Parameter("filename", a.filename))
          });
    } else {
      fields.add(new String[] {"Content-Type", a.mediaType});
      fields.add(new String[] {"Content-Transfer-Encoding", enc});
      fields.add(new String[] {"Content-Disposition", "inline"});
      fields.add(new String[] {"Content-ID", "<" + a.contentId + ">"});
    }
    return new Leaf(fields, a.data, a.stream, enc);
  }

  /**
   * A random boundary stem that no line of any unencoded part starts with (RFC 2046 §5.1.1); base64
   * and quoted-printable output never holds "=_", so only identity-encoded data is checked. Each
   * multipart appends its own number, so no boundary is a prefix of another.
   */
  private static String boundaryBase(Node root) {
    while (true) {
      byte[] r = new byte[12];
      RANDOM.nextBytes(r);
      String base = "=_cb" + HexFormat.of().formatHex(r);
      if (!occurs(root, ("--" + base).getBytes(StandardCharsets.US_ASCII))) {
        return base;
      }
    }
  }

  private static boolean occurs(Node n, byte[] prefix) {
    return switch (n) {
      case Leaf l ->
          l.data != null
              && !l.encoding.equals("base64")
              && !l.encoding.equals("quoted-printable")
              && TransferEncoder.hasLineStartingWith(l.data, prefix);
      case Multi m -> m.children.stream().anyMatch(c -> occurs(c, prefix));
    };
  }

  private static void writeNode(Node n, OutputStream o, String base, int[] counter)
      throws IOException {
    switch (n) {
      case Leaf l -> {
        StringBuilder h = new StringBuilder();
        for (String[] f : l.fields) {
          h.append(HeaderEncoder.fold(f[0], f[1]));
        }
        o.write(h.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        if (l.data != null) {
          TransferEncoder.write(l.data, l.encoding, o);
        } else {
          try (InputStream in = l.stream.open()) {
            TransferEncoder.base64(in, o);
          }
        }
      }
      case Multi m -> {
        String boundary = base + "_" + counter[0]++;
        String ct = "multipart/" + m.subtype + "; boundary=\"" + boundary + "\"";
        o.write(
            (HeaderEncoder.fold("Content-Type", ct) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] delimiter = ("--" + boundary + "\r\n").getBytes(StandardCharsets.US_ASCII);
        for (Node c : m.children) {
          o.write(delimiter);
          writeNode(c, o, base, counter);
          o.write('\r');
          o.write('\n');
        }
        o.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
      }
    }
  }

  private static String escapeHtml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  // ---------------------------------------------------------------- validation

  private record Attachment(
      String filename,
      String mediaType,
      byte[] data,
      InputStreamSupplier stream,
      String contentId) {}

  private static String checkName(String filename) {
    requireNonNull(filename, "filename");
    if (filename.isEmpty()) {
      throw new IllegalArgumentException("empty file name");
    }
    checkNoControls("file name", filename);
    return filename;
  }

  private static String checkMediaType(String mediaType) {
    requireNonNull(mediaType, "mediaType");
    String t = mediaType.strip().toLowerCase(Locale.ROOT);
    int slash = t.indexOf('/');
    if (slash < 0
        || !HeaderParams.isToken(t.substring(0, slash))
        || !HeaderParams.isToken(t.substring(slash + 1))
        || t.startsWith("multipart/")) {
      throw new IllegalArgumentException("invalid media type: " + Texts.escape(mediaType));
    }
    return t;
  }

  private static void checkNoControls(String what, String s) {
    if (!HeaderEncoder.hasNoControls(s)) {
      throw new IllegalArgumentException(what + " holds a control character: " + Texts.escape(s));
    }
  }

  private static boolean isVisibleAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- addresses

  /** A mailbox: optional display name and an addr-spec split at its last "@". */
  record Address(String name, String local, String domain) {

    static Address of(String displayName, String address) {
      requireNonNull(address, "address");
      String name = displayName == null ? "" : displayName;
      checkNoControls("display name", name);
      String a = address.strip();
      int at = a.lastIndexOf('@');
      if (at <= 0 || at == a.length() - 1) {
        throw new IllegalArgumentException(
            "address without local part or domain: " + Texts.escape(address));
      }
      String local = a.substring(0, at);
      String domain = a.substring(at + 1);
      if (local.length() > 1 && local.startsWith("\"") && local.endsWith("\"")) {
        local = unquote(local);
      }
      checkNoControls("address", a);
      if (!domain.matches("\\[[^\\[\\]\\\\\\s]+]")
          && !domain.matches("[^\\s@<>()\\[\\]\\\\,;:\"]+")) {
        throw new IllegalArgumentException("invalid domain: " + Texts.escape(address));
      }
      if (!domain.startsWith("[") && !HeaderEncoder.isPrintableAscii(domain)) {
        IDN.toASCII(domain); // RFC 5890: refused here (IllegalArgumentException), not at build()
      }
      return new Address(name, local, domain);
    }

    /** Lower-cased addr-spec, for comparing addresses. */
    String key() {
      return (local + "@" + domain).toLowerCase(Locale.ROOT);
    }

    String addrSpec(boolean utf8) {
      String l = local;
      if (!isDotAtom(l)) {
        l = HeaderEncoder.quote(l);
      }
      if (!utf8 && !HeaderEncoder.isPrintableAscii(l)) {
        // RFC 2047 §5 forbids encoded words in an addr-spec; only RFC 6532 can carry it
        throw new IllegalStateException(
            "non-ASCII local part needs utf8Headers(true): " + Texts.escape(local));
      }
      String d = domain;
      if (!utf8 && !d.startsWith("[") && !HeaderEncoder.isPrintableAscii(d)) {
        d = IDN.toASCII(d); // RFC 5890 A-labels
      }
      return l + "@" + d;
    }

    String render(boolean utf8) {
      String spec = addrSpec(utf8);
      return name.isEmpty() ? spec : HeaderEncoder.phrase(name, utf8) + " <" + spec + ">";
    }

    private static boolean isDotAtom(String s) {
      if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
        return false;
      }
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c != '.' && !HeaderEncoder.isAtext(c) && c < 0x80) {
          return false; // 8-bit chars are UTF-8 atext under RFC 6532 §3.2
        }
      }
      return true;
    }
  }

  private static String unquote(String q) {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < q.length() - 1; i++) {
      char c = q.charAt(i);
      if (c == '\\' && i + 1 < q.length() - 1) {
        c = q.charAt(++i);
      }
      b.append(c);
    }
    return b.toString();
  }

  /**
   * The mailboxes of an address list (RFC 5322 §3.4, read by {@link MailAddresses}), group members
   * included, for replies. Addresses that {@link Address#of} refuses are dropped; control
   * characters in display names become spaces. The value is a byte string as {@link
   * HeaderFields#first} returns it.
   */
  static List<Address> parseAddressList(String value) {
    List<Address> out = new ArrayList<>();
    for (AddressEntry e : MailAddresses.parse(value)) {
      List<AddressEntry.Mailbox> boxes =
          switch (e) {
            case AddressEntry.Mailbox m -> List.of(m);
            case AddressEntry.Group g -> g.members();
          };
      for (AddressEntry.Mailbox m : boxes) {
        String name = CONTROLS.matcher(m.displayName()).replaceAll(" ").strip();
        try {
          out.add(Address.of(name, m.address())); // the checks of every address the caller sets
        } catch (IllegalArgumentException unusable) {
          // controls, a malformed domain, no local part: such an address cannot be replied to
        }
      }
    }
    return out;
  }
}
