package org.carbonio.imap.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;
import org.carbonio.imap.protocol.ImapResponse.Status;
import org.carbonio.imap.protocol.ImapResponse.Tagged;
import org.carbonio.imap.spi.AppendResult;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.MailboxStatus;
import org.carbonio.imap.spi.NewMessage;
import org.carbonio.imap.spi.UserMailboxes;

/**
 * MULTIAPPEND (RFC 3502) and CATENATE (RFC 4469) for the session, and the message preparation that
 * REPLACE (RFC 8508) shares. Text parts stay where the decoder put them (memory or spool file); URL
 * parts are sliced from the referenced message; the parts are concatenated as a stream, never
 * copied into one buffer. Package-private; stateless.
 */
final class AppendCommands {
  private AppendCommands() {}

  /** A refusal that becomes {@code tag NO [code] text}. No stack trace: it is a value. */
  static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final String code;

    Refusal(String code, String text) {
      super(text, null, false, false);
      this.code = code;
    }

    Tagged reply(String tag) {
      return new Tagged(tag, Status.NO, code, getMessage());
    }
  }

  /** APPEND of one or more messages, all or nothing (RFC 3502 §6.3.11). */
  static Tagged append(
      ImapCommand.AppendMessages c,
      UserMailboxes mailboxes,
      String user,
      String selected,
      SessionOptions options)
      throws BackendException {
    String name = ImapSession.normalize(c.mailbox());
    List<NewMessage> prepared = new ArrayList<>(c.messages().size());
    try {
      for (AppendMessage m : c.messages()) {
        prepared.add(prepare(m, mailboxes, user, selected, options));
      }
    } catch (Refusal r) {
      return r.reply(c.tag());
    }
    List<AppendResult> results;
    try {
      results = mailboxes.appendAll(name, prepared);
    } catch (BackendException.NotFound e) {
      return new Tagged(c.tag(), Status.NO, "TRYCREATE", "No such mailbox");
    }
    List<Long> uids = results.stream().map(AppendResult::uid).toList();
    long validity = results.isEmpty() ? 0 : results.get(0).uidValidity();
    return new Tagged(
        c.tag(),
        Status.OK,
        "APPENDUID " + validity + " " + SequenceSet.format(uids),
        "APPEND completed");
  }

  /** Resolves a message's parts and checks APPENDLIMIT (RFC 7889 {@code [TOOBIG]}). */
  static NewMessage prepare(
      AppendMessage m,
      UserMailboxes mailboxes,
      String user,
      String selected,
      SessionOptions options)
      throws Refusal, BackendException {
    List<ByteSource> parts = new ArrayList<>(m.parts().size());
    long total = 0;
    for (AppendMessage.AppendPart p : m.parts()) {
      ByteSource b =
          switch (p) {
            case AppendMessage.AppendPart.Text t -> t.bytes();
            case AppendMessage.AppendPart.Url u -> resolve(u.url(), mailboxes, user, selected);
          };
      total += b.size();
      if (total > options.appendLimit()) {
        throw new Refusal("TOOBIG", "Message larger than " + options.appendLimit() + " bytes");
      }
      parts.add(b);
    }
    Set<String> flags = new LinkedHashSet<>(m.flags());
    flags.remove("\\Recent");
    Instant date = m.internalDate().orElseGet(() -> options.clock().instant());
    ByteSource all = parts.size() == 1 ? parts.get(0) : new Concat(parts, total);
    return new NewMessage(flags, date, total, all::openStream);
  }

  /**
   * Resolves a CATENATE URL (RFC 4469 §3, RFC 5092) to the bytes it names in the user's own
   * mailboxes: {@code /INBOX;UIDVALIDITY=x/;UID=y[/;SECTION=z][/;PARTIAL=o.l]}, the same after
   * {@code imap://user@host}, or {@code ;UID=y...} relative to the selected mailbox. Anything else,
   * another user, URLAUTH, a stale UIDVALIDITY or a missing message or part is {@code [BADURL]}.
   */
  static ByteSource resolve(String url, UserMailboxes mailboxes, String user, String selected)
      throws Refusal {
    Refusal bad = new Refusal("BADURL " + Texts.sanitize(url).replace("]", ""), "Bad URL");
    ImapUrl u = ImapUrl.parse(url, user, selected);
    if (u == null) throw bad;
    byte[] content;
    try {
      String name = ImapSession.normalize(u.mailbox());
      if (u.uidValidity() > 0) {
        MailboxStatus st = mailboxes.status(name);
        if (st.uidValidity() != u.uidValidity()) throw bad;
      }
      content = mailboxes.content(name, u.uid());
    } catch (BackendException e) {
      throw bad;
    }
    ByteSource b = ByteSource.of(content);
    if (u.section() != null) {
      Section s = Section.parse(u.section());
      if (s == null) throw bad;
      b = new MessageData(content).section(s);
      if (b == null) throw bad;
    }
    if (u.partialOffset() >= 0) {
      byte[] all;
      try {
        all = b.readAllBytes();
      } catch (IOException e) {
        throw bad;
      }
      int from = (int) Math.min(u.partialOffset(), all.length);
      long len = u.partialLength() < 0 ? all.length - from : u.partialLength();
      b = ByteSource.of(all, from, (int) Math.min(len, all.length - from));
    }
    return b;
  }

  /**
   * Immutable: a parsed IMAP URL of one message (RFC 5092 §6).
   *
   * @param uidValidity 0 when absent
   * @param section null when absent
   * @param partialOffset -1 when absent
   * @param partialLength -1 when absent or open-ended
   */
  record ImapUrl(
      String mailbox,
      long uidValidity,
      long uid,
      String section,
      long partialOffset,
      long partialLength) {

    /** Returns null for anything this server does not resolve. */
    static ImapUrl parse(String url, String user, String selected) {
      String rest = url;
      String upper = rest.toUpperCase(Locale.ROOT);
      if (upper.contains(";URLAUTH=") || upper.contains(";EXPIRE=")) return null;
      if (upper.startsWith("IMAP://")) {
        int slash = rest.indexOf('/', 7);
        String authority = slash < 0 ? rest.substring(7) : rest.substring(7, slash);
        int at = authority.lastIndexOf('@');
        if (at < 0) return null;
        String u = authority.substring(0, at);
        int semi = u.indexOf(';');
        if (semi >= 0) u = u.substring(0, semi);
        String decoded = percentDecode(u);
        if (decoded == null || user == null || !decoded.equalsIgnoreCase(user)) return null;
        if (slash < 0) return null;
        rest = rest.substring(slash);
        upper = rest.toUpperCase(Locale.ROOT);
      }
      String mailbox;
      if (upper.startsWith(";UID=")) {
        if (selected == null) return null; // RFC 5092 §5: relative to the selected mailbox
        mailbox = selected;
        rest = "/" + rest;
        upper = "/" + upper;
      } else {
        if (!rest.startsWith("/") || rest.startsWith("//")) return null;
        mailbox = null;
      }
      int uidAt = upper.indexOf("/;UID=");
      if (uidAt < 0) return null;
      long validity = 0;
      if (mailbox == null) {
        String path = rest.substring(1, uidAt);
        int v = path.toUpperCase(Locale.ROOT).indexOf(";UIDVALIDITY=");
        if (v >= 0) {
          validity = CommandParser.number(path.substring(v + 13));
          if (validity <= 0) return null;
          path = path.substring(0, v);
        }
        mailbox = percentDecode(path);
        if (mailbox == null || mailbox.isEmpty()) return null;
        mailbox = ModifiedUtf7.decode(mailbox);
      }
      String tail = rest.substring(uidAt + 6);
      String upperTail = tail.toUpperCase(Locale.ROOT);
      int end = upperTail.indexOf("/;");
      long uid = CommandParser.number(end < 0 ? tail : tail.substring(0, end));
      if (uid <= 0 || uid > 0xFFFF_FFFFL) return null;
      String section = null;
      long offset = -1;
      long length = -1;
      while (end >= 0) {
        tail = tail.substring(end + 2);
        upperTail = upperTail.substring(end + 2);
        end = upperTail.indexOf("/;");
        String item = end < 0 ? tail : tail.substring(0, end);
        String upperItem = item.toUpperCase(Locale.ROOT);
        if (upperItem.startsWith("SECTION=") && section == null && offset < 0) {
          section = percentDecode(item.substring(8));
          if (section == null) return null;
        } else if (upperItem.startsWith("PARTIAL=") && offset < 0) {
          String range = item.substring(8);
          int dot = range.indexOf('.');
          offset = CommandParser.number(dot < 0 ? range : range.substring(0, dot));
          if (offset < 0) return null;
          if (dot >= 0) {
            length = CommandParser.number(range.substring(dot + 1));
            if (length <= 0) return null;
          }
        } else {
          return null;
        }
      }
      return new ImapUrl(mailbox, validity, uid, section, offset, length);
    }

    private static String percentDecode(String s) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '%') {
          if (i + 2 >= s.length()) return null;
          int hi = Character.digit(s.charAt(i + 1), 16);
          int lo = Character.digit(s.charAt(i + 2), 16);
          if (hi < 0 || lo < 0) return null;
          out.write(hi * 16 + lo);
          i += 2;
        } else if (c < 0x20 || c >= 0x7f) {
          return null;
        } else {
          out.write(c);
        }
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  /** Immutable: parts read one after another; each opened only when the previous one ends. */
  static final class Concat implements ByteSource {
    private final List<ByteSource> parts;
    private final long size;

    Concat(List<ByteSource> parts, long size) {
      this.parts = List.copyOf(parts);
      this.size = size;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public InputStream openStream() {
      Iterator<ByteSource> it = parts.iterator();
      return new SequenceInputStream(
          new Enumeration<InputStream>() {
            @Override
            public boolean hasMoreElements() {
              return it.hasNext();
            }

            @Override
            public InputStream nextElement() {
              if (!it.hasNext()) throw new NoSuchElementException();
              try {
                return it.next().openStream();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
          });
    }
  }
}
