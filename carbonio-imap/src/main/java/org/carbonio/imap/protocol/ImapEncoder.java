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
              + Texts.mailbox(l.name());
      case ImapResponse.StatusData s -> {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Long> e : s.items()) parts.add(e.getKey() + " " + e.getValue());
        yield "* STATUS " + Texts.mailbox(s.mailbox()) + " (" + String.join(" ", parts) + ")";
      }
      case ImapResponse.Flags f -> "* FLAGS (" + String.join(" ", f.flags()) + ")";
      case ImapResponse.Exists e -> "* " + e.count() + " EXISTS";
      case ImapResponse.Recent e -> "* " + e.count() + " RECENT";
      case ImapResponse.Expunge e -> "* " + e.msn() + " EXPUNGE";
      case ImapResponse.Search s -> {
        StringBuilder sb = new StringBuilder("* SEARCH");
        for (long n : s.numbers()) sb.append(' ').append(n);
        yield sb.toString();
      }
      case ImapResponse.Namespace n -> "* NAMESPACE ((\"\" \"/\")) NIL NIL";
      case ImapResponse.Id id -> {
        if (id.parameters().isEmpty()) yield "* ID NIL";
        List<String> parts = new ArrayList<>();
        for (var e : new java.util.TreeMap<>(id.parameters()).entrySet()) {
          parts.add(Texts.nstring(e.getKey()) + " " + Texts.nstring(e.getValue()));
        }
        yield "* ID (" + String.join(" ", parts) + ")";
      }
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
        case ImapResponse.FetchItem.Body b -> {
          sb.append(b.name()).append(' ');
          if (b.content() == null) {
            sb.append("NIL");
          } else {
            sb.append('{').append(b.content().size()).append("}\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            sb.setLength(0);
            try (InputStream in = b.content().openStream()) {
              long copied = in.transferTo(out);
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

  /** INTERNALDATE in the RFC 3501 date-time form, UTC. */
  public static String internalDate(Instant instant) {
    String s = INTERNALDATE.format(instant);
    return s.charAt(0) == '0' ? " " + s.substring(1) : s;
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
  }
}
