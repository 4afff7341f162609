package org.carbonio.imap.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Serialises {@link ImapResponse} values to the wire (RFC 3501 §7). Thread-safe (stateless). All
 * reply wording lives here and in the session's response values.
 */
public final class ImapEncoder {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final DateTimeFormatter INTERNALDATE =
      DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  private ImapEncoder() {}

  /** Writes one response including its CRLF; body literals are streamed from their source. */
  public static void encode(ImapResponse r, OutputStream out) throws IOException {
    switch (r) {
      case ImapResponse.Fetch f -> fetch(f, out);
      case ImapResponse.Utf8 u when u.response() instanceof ImapResponse.Fetch f -> fetch(f, out);
      default -> {
        write(out, line(r));
        out.write(CRLF);
      }
    }
  }

  /** Convenience for tests and logs: the response as a string (literals inlined). */
  public static String toString(ImapResponse r) {
    var bos = new java.io.ByteArrayOutputStream();
    try {
      encode(r, bos);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bos.toString(StandardCharsets.UTF_8);
  }

  private static String line(ImapResponse r) {
    return line(r, false);
  }

  /** {@code utf8}: mailbox names in UTF-8 (RFC 6855 §3), otherwise modified UTF-7. */
  private static String line(ImapResponse r, boolean utf8) {
    return switch (r) {
      case ImapResponse.Tagged t -> t.tag() + " " + t.status() + code(t.code()) + " " + t.text();
      case ImapResponse.Untagged u -> "* " + u.status() + code(u.code()) + " " + u.text();
      case ImapResponse.Continuation c -> c.text().isEmpty() ? "+ " : "+ " + c.text();
      case ImapResponse.Capability c -> "* CAPABILITY " + String.join(" ", c.capabilities());
      case ImapResponse.ListItem l ->
          "* "
              + (l.lsub() ? "LSUB" : "LIST")
              + " ("
              + String.join(" ", new TreeSet<>(l.attributes()))
              + ") \"/\" "
              + (utf8 ? Texts.utf8Mailbox(l.name()) : Texts.mailbox(l.name()));
      case ImapResponse.StatusData s -> {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Long> e : s.items()) parts.add(e.getKey() + " " + e.getValue());
        if (s.mailboxId() != null) parts.add("MAILBOXID (" + s.mailboxId() + ")"); // RFC 8474
        String name = utf8 ? Texts.utf8Mailbox(s.mailbox()) : Texts.mailbox(s.mailbox());
        yield "* STATUS " + name + " (" + String.join(" ", parts) + ")";
      }
      case ImapResponse.Flags f -> "* FLAGS (" + String.join(" ", f.flags()) + ")";
      case ImapResponse.Exists e -> "* " + e.count() + " EXISTS";
      case ImapResponse.Recent e -> "* " + e.count() + " RECENT";
      case ImapResponse.Expunge e -> "* " + e.msn() + " EXPUNGE";
      case ImapResponse.Search s -> {
        StringBuilder sb = new StringBuilder("* SEARCH");
        for (long n : s.numbers()) sb.append(' ').append(n);
        if (s.modSeq() > 0) sb.append(" (MODSEQ ").append(s.modSeq()).append(')'); // RFC 7162
        yield sb.toString();
      }
      case ImapResponse.Vanished v ->
          "* VANISHED " + (v.earlier() ? "(EARLIER) " : "") + SequenceSet.format(v.uids());
      case ImapResponse.ESearch e -> {
        StringBuilder sb = new StringBuilder("* ESEARCH (TAG ").append(Texts.nstring(e.tag()));
        sb.append(')');
        if (e.uid()) sb.append(" UID");
        for (Map.Entry<String, String> d : e.data()) {
          sb.append(' ').append(d.getKey()).append(' ').append(d.getValue());
        }
        yield sb.toString();
      }
      case ImapResponse.Sort s -> {
        StringBuilder sb = new StringBuilder("* SORT");
        for (long n : s.numbers()) sb.append(' ').append(n);
        yield sb.toString();
      }
      case ImapResponse.Thread t -> t.threads().isEmpty() ? "* THREAD" : "* THREAD " + t.threads();
      case ImapResponse.Namespace n -> "* NAMESPACE ((\"\" \"/\")) NIL NIL";
      case ImapResponse.Id id -> {
        if (id.parameters().isEmpty()) yield "* ID NIL";
        List<String> parts = new ArrayList<>();
        for (var e : new java.util.TreeMap<>(id.parameters()).entrySet()) {
          parts.add(Texts.nstring(e.getKey()) + " " + Texts.nstring(e.getValue()));
        }
        yield "* ID (" + String.join(" ", parts) + ")";
      }
      case ImapResponse.Enabled e ->
          e.capabilities().isEmpty()
              ? "* ENABLED"
              : "* ENABLED " + String.join(" ", e.capabilities());
      case ImapResponse.Utf8 u -> line(u.response(), true);
      case ImapResponse.Fetch f -> throw new IllegalStateException("fetch is streamed");
      case ImapResponse.MailboxExt m -> MailboxExtEncoding.line(m);
    };
  }

  private static String code(String code) {
    return code == null ? "" : " [" + code + "]";
  }

  private static void fetch(ImapResponse.Fetch f, OutputStream out) throws IOException {
    StringBuilder sb = new StringBuilder("* ").append(f.msn()).append(" FETCH (");
    boolean first = true;
    for (ImapResponse.FetchItem item : f.items()) {
      if (!first) sb.append(' ');
      first = false;
      switch (item) {
        case ImapResponse.FetchItem.Flags fl ->
            sb.append("FLAGS (").append(String.join(" ", fl.flags())).append(')');
        case ImapResponse.FetchItem.Uid u -> sb.append("UID ").append(u.uid());
        case ImapResponse.FetchItem.InternalDate d ->
            sb.append("INTERNALDATE \"").append(internalDate(d.date())).append('"');
        case ImapResponse.FetchItem.Size s -> sb.append("RFC822.SIZE ").append(s.size());
        case ImapResponse.FetchItem.Envelope e -> sb.append("ENVELOPE ").append(e.imap());
        case ImapResponse.FetchItem.Structure s ->
            sb.append(s.extensible() ? "BODYSTRUCTURE " : "BODY ").append(s.imap());
        case ImapResponse.FetchItem.ModSeq m ->
            sb.append("MODSEQ (").append(m.modSeq()).append(')');
        case ImapResponse.FetchItem.EmailId e -> sb.append("EMAILID (").append(e.id()).append(')');
        case ImapResponse.FetchItem.ThreadId t ->
            sb.append("THREADID ").append(t.id() == null ? "NIL" : "(" + t.id() + ")");
        case ImapResponse.FetchItem.SaveDate d ->
            sb.append("SAVEDATE ")
                .append(d.date() == null ? "NIL" : "\"" + internalDate(d.date()) + "\"");
        case ImapResponse.FetchItem.Preview p -> {
          sb.append("PREVIEW ");
          if (p.text() == null) {
            sb.append("NIL");
          } else {
            // RFC 8970 §3: UTF-8 text; a literal unless plain ASCII fits a quoted string
            byte[] utf8 = p.text().getBytes(StandardCharsets.UTF_8);
            if (utf8.length == p.text().length()) {
              sb.append(Texts.nstring(p.text()));
            } else {
              sb.append('{').append(utf8.length).append("}\r\n");
              sb.append(new String(utf8, StandardCharsets.ISO_8859_1));
            }
          }
        }
        case ImapResponse.FetchItem.BinarySize z ->
            sb.append(z.name()).append(' ').append(z.size());
        case ImapResponse.FetchItem.Binary b -> {
          sb.append(b.name()).append(' ');
          if (b.content() == null) {
            sb.append("NIL");
          } else {
            literal(sb, b.content(), b.literal8(), out);
          }
        }
        case ImapResponse.FetchItem.Body b -> {
          sb.append(b.name()).append(' ');
          if (b.content() == null) {
            sb.append("NIL");
          } else {
            sb.append('{').append(b.content().size()).append("}\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            sb.setLength(0);
            try (InputStream in = b.content().openStream()) {
              long copied = copyMappingNul(in, out);
              if (copied != b.content().size()) {
                throw new IOException(
                    "literal source gave " + copied + " of " + b.content().size() + " bytes");
              }
            }
          }
        }
      }
    }
    sb.append(')');
    // ENVELOPE/BODYSTRUCTURE strings from carbonio-mime are octet strings (one char per byte)
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.write(CRLF);
  }

  /**
   * Writes a BINARY[...] literal, streaming its source byte for byte: {@code ~{n}} (literal8, RFC
   * 3516 §4.3) when it holds NUL octets, which it then carries unchanged; a plain literal only when
   * it holds none, so no mapping is needed.
   */
  private static void literal(
      StringBuilder sb, ByteSource content, boolean literal8, OutputStream out) throws IOException {
    if (literal8) sb.append('~');
    sb.append('{').append(content.size()).append("}\r\n");
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    sb.setLength(0);
    try (InputStream in = content.openStream()) {
      long copied = in.transferTo(out);
      if (copied != content.size()) {
        throw new IOException("literal source gave " + copied + " of " + content.size() + " bytes");
      }
    }
  }

  /**
   * Copies a non-BINARY FETCH literal, writing each NUL octet as 0x80. RFC 9051 §4.3 and RFC 3501
   * §9: {@code literal = "{" number "}" CRLF *CHAR8} and CHAR8 excludes %x00; only {@code literal8}
   * (BINARY, RFC 3516 §4.3, RFC 9051 §6.4.5) may carry NUL. As Dovecot does, the mapping is one
   * octet for one, so the announced size and partial offsets stay those of the stored bytes. The
   * chunk buffer is the only copy; the source is never held whole.
   */
  static long copyMappingNul(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[8192];
    long total = 0;
    for (int n; (n = in.read(buf)) >= 0; ) {
      for (int i = 0; i < n; i++) {
        if (buf[i] == 0) buf[i] = (byte) 0x80;
      }
      out.write(buf, 0, n);
      total += n;
    }
    return total;
  }

  /** INTERNALDATE in the RFC 3501 date-time form, UTC. */
  public static String internalDate(Instant instant) {
    String s = INTERNALDATE.format(instant);
    return s.charAt(0) == '0' ? " " + s.substring(1) : s;
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
  }
}
