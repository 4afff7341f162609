package org.carbonio.mime;

import static org.carbonio.mime.internal.ImapStrings.nstring;
import static org.carbonio.mime.internal.ImapStrings.string;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import org.carbonio.mime.internal.Bytes;
import org.carbonio.mime.internal.EnvelopeAddresses;
import org.carbonio.mime.internal.RawHeader;

/** Writes BODY, BODYSTRUCTURE and ENVELOPE (RFC 3501 §7.4.2). Thread-safe (stateless). */
final class ImapStructureWriter {

  private ImapStructureWriter() {}

  static String bodyStructure(ByteBuffer b, MimePart root, boolean extended) {
    StringBuilder out = new StringBuilder(256);
    part(out, b, root, extended);
    return out.toString();
  }

  private static void part(StringBuilder out, ByteBuffer b, MimePart p, boolean ext) {
    PartFields f = p.fields();
    out.append('(');
    if (p.isMultipart()) {
      if (p.children().isEmpty()) {
        // RFC 3501 requires one part at least; Dovecot writes an empty text/plain
        out.append("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 0 0");
        out.append(ext ? " NIL NIL NIL NIL)" : ")");
      }
      for (MimePart c : p.children()) {
        part(out, b, c, ext);
      }
      out.append(' ');
      string(out, upper(p.mediaSubtype()));
      if (ext) {
        out.append(' ');
        params(out, f.rawParams(), false);
        extension(out, f);
      }
      out.append(')');
      return;
    }
    String type = p.mediaType();
    String subtype = p.mediaSubtype();
    boolean message = p.embeddedMessage().isPresent();
    if (f.opaque()) {
      // a multipart or message part we did not parse (no boundary, encoded, over the limits):
      // Dovecot reports it as application/octet-stream so clients do not expect children
      type = "application";
      subtype = "octet-stream";
    }
    string(out, upper(type));
    out.append(' ');
    string(out, upper(subtype));
    out.append(' ');
    params(out, f.rawParams(), type.equals("text"));
    out.append(' ');
    nstring(out, f.id());
    out.append(' ');
    nstring(out, f.description());
    out.append(' ');
    string(out, upper(f.encoding()));
    out.append(' ').append(p.body().length());
    if (message) {
      MimePart inner = p.embeddedMessage().orElseThrow();
      out.append(' ');
      envelope(out, b, inner);
      out.append(' ');
      part(out, b, inner, ext);
      out.append(' ').append(lines(b, p.body()));
    } else if (type.equals("text")) {
      out.append(' ').append(lines(b, p.body()));
    }
    if (ext) {
      out.append(' ');
      nstring(out, f.md5());
      extension(out, f);
    }
    out.append(')');
  }

  /** body-fld-dsp, body-fld-lang, body-fld-loc (RFC 3501 §9 body-ext-1part / body-ext-mpart). */
  private static void extension(StringBuilder out, PartFields f) {
    out.append(' ');
    if (f.dispositionType() == null) {
      out.append("NIL");
    } else {
      out.append('(');
      string(out, upper(f.dispositionType()));
      out.append(' ');
      params(out, f.dispositionParams(), false);
      out.append(')');
    }
    out.append(' ');
    if (f.languages().isEmpty()) {
      out.append("NIL");
    } else {
      out.append('(');
      for (int i = 0; i < f.languages().size(); i++) {
        if (i > 0) {
          out.append(' ');
        }
        string(out, f.languages().get(i));
      }
      out.append(')');
    }
    out.append(' ');
    nstring(out, f.location());
  }

  private static void params(StringBuilder out, List<String[]> params, boolean defaultCharset) {
    boolean charset = false;
    for (String[] p : params) {
      // RFC 2231 §3, §4: charset* and charset*0 (extended or continued) name the charset too
      if (p[0].equals("charset") || p[0].startsWith("charset*")) {
        charset = true;
      }
    }
    boolean addCharset = defaultCharset && !charset;
    if (params.isEmpty() && !addCharset) {
      out.append("NIL");
      return;
    }
    out.append('(');
    boolean first = true;
    for (String[] p : params) {
      if (!first) {
        out.append(' ');
      }
      first = false;
      string(out, upper(p[0]));
      out.append(' ');
      string(out, p[1]);
    }
    if (addCharset) {
      // Dovecot adds the RFC 2045 §5.2 default charset to text parts that lack one
      out.append(first ? "" : " ").append("\"CHARSET\" \"us-ascii\"");
    }
    out.append(')');
  }

  /** Number of LF octets in the range: lines as stored (Dovecot counts the same way). */
  static int lines(ByteBuffer b, ByteRange r) {
    return Bytes.count(b, (byte) '\n', r.start(), r.end());
  }

  private static String upper(String s) {
    return s.toUpperCase(Locale.ROOT);
  }

  static String envelope(ByteBuffer b, MimePart message) {
    StringBuilder out = new StringBuilder(256);
    envelope(out, b, message);
    return out.toString();
  }

  // RFC 3501 §7.4.2 ENVELOPE
  private static void envelope(StringBuilder out, ByteBuffer b, MimePart message) {
    String date = null;
    String subject = null;
    String from = null;
    String sender = null;
    String replyTo = null;
    String to = null;
    String cc = null;
    String bcc = null;
    String inReplyTo = null;
    String messageId = null;
    ByteRange h = message.header();
    for (RawHeader.Field f : RawHeader.fields(b, h.start(), h.end(), Integer.MAX_VALUE)) {
      // names compared in place, without a lower-cased copy of every field name; the length
      // picks the candidates
      switch (RawHeader.nameLength(b, f)) {
        case 2 -> {
          if (to == null && RawHeader.nameIs(b, f, "to")) {
            to = RawHeader.value(b, f);
          } else if (cc == null && RawHeader.nameIs(b, f, "cc")) {
            cc = RawHeader.value(b, f);
          }
        }
        case 3 -> {
          if (bcc == null && RawHeader.nameIs(b, f, "bcc")) {
            bcc = RawHeader.value(b, f);
          }
        }
        case 4 -> {
          if (date == null && RawHeader.nameIs(b, f, "date")) {
            date = RawHeader.value(b, f);
          } else if (from == null && RawHeader.nameIs(b, f, "from")) {
            from = RawHeader.value(b, f);
          }
        }
        case 6 -> {
          if (sender == null && RawHeader.nameIs(b, f, "sender")) {
            sender = RawHeader.value(b, f);
          }
        }
        case 7 -> {
          if (subject == null && RawHeader.nameIs(b, f, "subject")) {
            subject = RawHeader.value(b, f);
          }
        }
        case 8 -> {
          if (replyTo == null && RawHeader.nameIs(b, f, "reply-to")) {
            replyTo = RawHeader.value(b, f);
          }
        }
        case 10 -> {
          if (messageId == null && RawHeader.nameIs(b, f, "message-id")) {
            messageId = RawHeader.value(b, f);
          }
        }
        case 11 -> {
          if (inReplyTo == null && RawHeader.nameIs(b, f, "in-reply-to")) {
            inReplyTo = RawHeader.value(b, f);
          }
        }
        default -> {}
      }
    }
    List<EnvelopeAddresses.Address> fromList = addresses(from);
    List<EnvelopeAddresses.Address> senderList = addresses(sender);
    List<EnvelopeAddresses.Address> replyToList = addresses(replyTo);
    // RFC 3501 §7.4.2: absent or empty Sender and Reply-To take the value of From
    if (senderList.isEmpty()) {
      senderList = fromList;
    }
    if (replyToList.isEmpty()) {
      replyToList = fromList;
    }
    out.append('(');
    nstring(out, date);
    out.append(' ');
    nstring(out, subject);
    out.append(' ');
    addressList(out, fromList);
    out.append(' ');
    addressList(out, senderList);
    out.append(' ');
    addressList(out, replyToList);
    out.append(' ');
    addressList(out, addresses(to));
    out.append(' ');
    addressList(out, addresses(cc));
    out.append(' ');
    addressList(out, addresses(bcc));
    out.append(' ');
    nstring(out, inReplyTo);
    out.append(' ');
    nstring(out, messageId);
    out.append(')');
  }

  private static List<EnvelopeAddresses.Address> addresses(String value) {
    return value == null ? List.of() : EnvelopeAddresses.parse(value);
  }

  private static void addressList(StringBuilder out, List<EnvelopeAddresses.Address> list) {
    if (list.isEmpty()) {
      out.append("NIL");
      return;
    }
    out.append('(');
    for (EnvelopeAddresses.Address a : list) {
      out.append('(');
      nstring(out, a.name());
      out.append(' ');
      nstring(out, a.adl());
      out.append(' ');
      nstring(out, a.mailbox());
      out.append(' ');
      nstring(out, a.host());
      out.append(')');
    }
    out.append(')');
  }
}
