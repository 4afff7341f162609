package org.carbonio.mime;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What threading (RFC 5256 ORDEREDSUBJECT and REFERENCES, conversation grouping) needs of one
 * message. Immutable.
 *
 * {@snippet :
 * ThreadKeys k = ThreadKeys.of(ParsedMessage.parse(bytes));
 * String parent = k.references().isEmpty() ? null : k.references().getLast();
 * }
 *
 * <p>Message IDs (RFC 5322 §3.6.4 msg-id) are given without the angle brackets, CFWS removed, and
 * otherwise exactly as written: RFC 5256 compares them as octets, and RFC 5322 leaves the case
 * meaning of id-left to the sender, so nothing is lower-cased. A msg-id is valid when it is a
 * bracketed, non-empty text (whitespace inside is removed), or (sent without brackets) a word
 * holding an {@code @}.
 *
 * @param messageId the Message-ID, if it holds a valid msg-id
 * @param references the parents, oldest first: the References msg-ids in order, duplicates and the
 *     message's own ID removed, at most the last {@link #MAX_REFERENCES}; when References holds
 *     none, the first In-Reply-To msg-id (RFC 5256 §5 REFERENCES step 1)
 * @param inReplyTo the first valid In-Reply-To msg-id
 * @param baseSubject the RFC 5256 §2.1 base subject, see {@link #baseSubject(String)}
 * @param isReplyOrForward whether the base-subject extraction removed a reply or forward marker
 *     (RFC 5256 §2.1 and the REFERENCES algorithm)
 */
public record ThreadKeys(
    Optional<String> messageId,
    List<String> references,
    Optional<String> inReplyTo,
    String baseSubject,
    boolean isReplyOrForward) {

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private static final Pattern WORD_SEPARATORS = Pattern.compile("[\\s,]+");

  /** Reference lists keep their last (nearest) this many msg-ids: {@value} */
  public static final int MAX_REFERENCES = 1_000;

  /** Header values beyond this many chars are ignored: {@value} */
  public static final int MAX_LENGTH = 65_536;

  /**
   * Reply and forward prefixes besides RFC 5256's {@code re}, {@code fw} and {@code fwd}, compared
   * case-insensitively, each followed by optional blanks and {@code :} (or the full-width {@code
   * ：}): German {@code aw} and {@code wg}, Scandinavian {@code sv}, {@code vs} and {@code vb},
   * Dutch {@code antw} and {@code doorst}, French {@code réf}, {@code ref} and {@code tr}, Italian
   * {@code r}, {@code rif} and {@code i}, Spanish and Portuguese {@code rv}, {@code res} and {@code
   * enc}, Polish {@code odp}, Turkish {@code ynt} and {@code ilt}, Greek {@code απ} and {@code
   * σχετ}, Chinese {@code 回复}, {@code 回覆}, {@code 答复} and {@code 转发}, {@code 轉寄}. A trailing {@code
   * .} is allowed ({@code Réf. :}).
   */
  public static final List<String> LOCALIZED_PREFIXES =
      List.of(
          "aw", "wg", "sv", "vs", "vb", "antw", "doorst", "réf", "ref", "tr", "r", "rif", "i", "rv",
          "res", "enc", "odp", "ynt", "ilt", "απ", "σχετ", "回复", "回覆", "答复", "转发", "轉寄");

  /** Validates and copies. */
  public ThreadKeys {
    requireNonNull(messageId, "messageId");
    references = List.copyOf(references);
    requireNonNull(inReplyTo, "inReplyTo");
    requireNonNull(baseSubject, "baseSubject");
  }

  /**
   * The keys of a message, read from its top-level Message-ID, References, In-Reply-To and Subject
   * fields. Never throws on any content.
   */
  public static ThreadKeys of(ParsedMessage message) {
    requireNonNull(message, "message");
    return of(
        message.header("Message-ID").orElse(null),
        message.header("References").orElse(null),
        message.header("In-Reply-To").orElse(null),
        message.header("Subject").orElse(null));
  }

  /**
   * The keys from raw header values (byte strings or text; null for an absent field). Never throws
   * on any content.
   */
  public static ThreadKeys of(
      String messageId, String references, String inReplyTo, String subject) {
    Optional<String> id = msgIds(messageId).stream().findFirst();
    Optional<String> reply = msgIds(inReplyTo).stream().findFirst();
    Set<String> refs = new LinkedHashSet<>(msgIds(references));
    if (refs.isEmpty()) {
      reply.ifPresent(refs::add); // RFC 5256 §5 REFERENCES (1)
    }
    id.ifPresent(refs::remove); // a message is not its own parent (RFC 5256 §5 (1)(B))
    Subject s = base(subject == null ? "" : subject);
    return new ThreadKeys(
        id,
        new ArrayList<>(refs).subList(Math.max(0, refs.size() - MAX_REFERENCES), refs.size()),
        reply,
        s.base,
        s.replyOrForward);
  }

  /**
   * The RFC 5256 §2.1 base subject of a Subject value (byte string or text): encoded words decoded,
   * whitespace runs collapsed to one space, then, repeatedly, trailing {@code (fwd)} and blanks
   * removed, leading {@code re:}, {@code fw:}, {@code fwd:} (and the {@link #LOCALIZED_PREFIXES}),
   * each optionally with a {@code [blob]} before the colon ({@code Re[2]:}), and {@code [blob]}s
   * before them removed, a leading {@code [blob]} removed when text remains, and a {@code [fwd:
   * ...]} wrapper unwrapped. Case is kept; compare case-insensitively. Never throws.
   */
  public static String baseSubject(String subject) {
    return base(requireNonNull(subject, "subject")).base;
  }

  private record Subject(String base, boolean replyOrForward) {}

  // start and end move inwards only, so the work is linear in the subject's length
  private static Subject base(String raw) {
    String s = raw.length() > MAX_LENGTH ? raw.substring(0, MAX_LENGTH) : raw;
    // (1) decode, tabs and runs of whitespace to one space
    s = WHITESPACE.matcher(EncodedWords.decode(s)).replaceAll(" ");
    boolean marker = false;
    int start = 0;
    int end = s.length();
    while (true) {
      // (2) subj-trailer: "(fwd)" / WSP, repeated
      while (end > start) {
        if (s.charAt(end - 1) == ' ') {
          end--;
        } else if (end - start >= 5 && s.regionMatches(true, end - 5, "(fwd)", 0, 5)) {
          end -= 5;
          marker = true;
        } else {
          break;
        }
      }
      // (3) subj-leader, (4) subj-blob when text remains, (5) repeated; the *subj-blob of a
      // subj-leader is removed blob by blob by (4), which gives the same result
      while (start < end) {
        int r = s.charAt(start) == ' ' ? start + 1 : refwd(s, start, end);
        if (r > start) {
          marker |= s.charAt(start) != ' ';
          start = r;
          continue;
        }
        int blob = blob(s, start, end);
        if (blob > start && blob < end) {
          start = blob;
          continue;
        }
        break;
      }
      // (6) "[fwd:" subject "]"
      if (end - start >= 6
          && s.regionMatches(true, start, "[fwd:", 0, 5)
          && s.charAt(end - 1) == ']') {
        start += 5;
        end--;
        marker = true;
        continue;
      }
      return new Subject(s.substring(start, end), marker);
    }
  }

  /**
   * RFC 5256 subj-refwd at pos: ("re" / "fw" / "fwd" / a localized prefix) ["."] *WSP [subj-blob]
   * ":"; returns its end, or -1.
   */
  private static int refwd(String s, int pos, int end) {
    for (int k = 0; k < 3 + LOCALIZED_PREFIXES.size(); k++) {
      String w = k < 3 ? List.of("re", "fw", "fwd").get(k) : LOCALIZED_PREFIXES.get(k - 3);
      int p = pos + w.length();
      if (p > end || !s.regionMatches(true, pos, w, 0, w.length())) {
        continue;
      }
      if (p < end && s.charAt(p) == '.') {
        p++; // "Réf."
      }
      while (p < end && s.charAt(p) == ' ') {
        p++;
      }
      p = blob(s, p, end);
      if (p < end && (s.charAt(p) == ':' || s.charAt(p) == '\uff1a')) {
        return p + 1;
      }
    }
    return -1;
  }

  /** RFC 5256 subj-blob at pos: "[" *BLOBCHAR "]" *WSP; returns the end, or pos when none. */
  private static int blob(String s, int pos, int end) {
    if (pos >= end || s.charAt(pos) != '[') {
      return pos;
    }
    int p = pos + 1;
    while (p < end && s.charAt(p) != ']' && s.charAt(p) != '[') {
      p++;
    }
    if (p >= end || s.charAt(p) != ']') {
      return pos;
    }
    p++;
    while (p < end && s.charAt(p) == ' ') {
      p++;
    }
    return p;
  }

  /** The msg-ids of a header value, in order (RFC 5322 §3.6.4, leniently). */
  static List<String> msgIds(String value) {
    List<String> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    String v = value.length() > MAX_LENGTH ? value.substring(0, MAX_LENGTH) : value;
    v = stripComments(v);
    boolean bracketed = false;
    int k = 0;
    while (k < v.length()) {
      int open = v.indexOf('<', k);
      if (open < 0) {
        break;
      }
      int close = v.indexOf('>', open + 1);
      if (close < 0) {
        break;
      }
      int reopen = v.lastIndexOf('<', close);
      String id = v.substring(reopen + 1, close);
      if (!id.isBlank() && WHITESPACE.matcher(id).find()) {
        id = WHITESPACE.matcher(id).replaceAll("");
      }
      bracketed = true;
      if (!id.isEmpty()) {
        out.add(id);
      }
      k = close + 1;
    }
    if (!bracketed) {
      for (String w : WORD_SEPARATORS.split(v)) {
        if (w.indexOf('@') > 0 && w.indexOf('@') < w.length() - 1) {
          out.add(w);
        }
      }
    }
    return out;
  }

  private static String stripComments(String v) {
    if (v.indexOf('(') < 0) {
      return v;
    }
    StringBuilder sb = new StringBuilder(v.length());
    int depth = 0;
    boolean quoted = false;
    for (int k = 0; k < v.length(); k++) {
      char c = v.charAt(k);
      if (c == '"' && depth == 0) {
        quoted = !quoted;
      } else if (c == '(' && !quoted) {
        depth++;
        continue;
      } else if (c == ')' && depth > 0) {
        depth--;
        continue;
      }
      if (depth == 0) {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
