package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

/**
 * Immutable: the RFC 5256 §2.1 base subject of a Subject field, used by SORT SUBJECT and both
 * THREAD algorithms, and whether the extraction found a reply or forward marker (the REFERENCES
 * algorithm, RFC 5256 §4 step 5, needs that).
 *
 * <p>Exactly the RFC's grammar, no localized prefixes: {@code subj-refwd = ("re" / ("fw" ["d"]))
 * *WSP [subj-blob] ":"}, {@code subj-blob = "[" *BLOBCHAR "]" *WSP}, {@code subj-leader =
 * (*subj-blob subj-refwd) / WSP}, {@code subj-trailer = "(fwd)" / WSP}, {@code subj-fwd = "[fwd:"
 * subject "]"}, all case-insensitive. BLOBCHAR is any character but {@code [} and {@code ]}: after
 * step (1) the subject is Unicode, so non-ASCII characters are allowed in a blob.
 *
 * @param base the base subject, case kept (compare it with {@link UnicodeCasemap})
 * @param replyOrForward whether a subj-refwd, a {@code (fwd)} trailer or a {@code [fwd: ...]}
 *     wrapper was removed
 */
public record BaseSubject(String base, boolean replyOrForward) {
  public BaseSubject {
    requireNonNull(base, "base");
  }

  /**
   * Extracts the base subject of a subject whose RFC 2047 encoded words are already decoded (step
   * (1) of RFC 5256 §2.1 decodes them; {@link MessageData} does so when it reads the header). Runs
   * in time linear in the length: the bounds only move inwards. Never throws.
   */
  public static BaseSubject of(String subject) {
    String s = collapse(requireNonNull(subject, "subject"));
    boolean marker = false;
    int start = 0;
    int end = s.length();
    while (true) {
      // (2) remove subj-trailer ("(fwd)" / WSP) repeatedly
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
      // (3) subj-leader, (4) subj-blob when a non-empty base remains, (5) until neither matches
      while (start < end) {
        if (s.charAt(start) == ' ') {
          start++;
          continue;
        }
        // the run of subj-blobs here, then a subj-refwd (3) or not (4)
        int chainEnd = start;
        int lastBlob = start;
        for (int b = blob(s, chainEnd, end); b > chainEnd; b = blob(s, chainEnd, end)) {
          lastBlob = chainEnd;
          chainEnd = b;
        }
        int refwd = refwd(s, chainEnd, end);
        if (refwd > 0) {
          start = refwd; // (3) *subj-blob subj-refwd
          marker = true;
          continue;
        }
        // (4) blob by blob while a non-empty base remains: all of them, or all but the last
        // when they run to the end; nothing after them is a leader, so (5) ends here too
        start = chainEnd < end ? chainEnd : lastBlob;
        break;
      }
      // (6) subj-fwd-hdr ... subj-fwd-trl: unwrap and repeat from (2)
      if (end - start >= 6
          && s.regionMatches(true, start, "[fwd:", 0, 5)
          && s.charAt(end - 1) == ']') {
        start += 5;
        end--;
        marker = true;
        continue;
      }
      return new BaseSubject(s.substring(start, end), marker);
    }
  }

  /** (1): tabs, CR, LF (continuations) become spaces and runs of spaces one space. */
  static String collapse(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    boolean space = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        if (!space) sb.append(' ');
        space = true;
      } else {
        sb.append(c);
        space = false;
      }
    }
    return sb.toString();
  }

  /** subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"; its end, or -1. */
  private static int refwd(String s, int pos, int end) {
    int p;
    if (end - pos >= 2 && s.regionMatches(true, pos, "re", 0, 2)) {
      p = pos + 2;
    } else if (end - pos >= 2 && s.regionMatches(true, pos, "fw", 0, 2)) {
      p = pos + 2;
      if (p < end && (s.charAt(p) == 'd' || s.charAt(p) == 'D')) p++;
    } else {
      return -1;
    }
    while (p < end && s.charAt(p) == ' ') p++;
    p = blob(s, p, end);
    return p < end && s.charAt(p) == ':' ? p + 1 : -1;
  }

  /** subj-blob = "[" *BLOBCHAR "]" *WSP at pos; its end, or pos when there is none. */
  private static int blob(String s, int pos, int end) {
    if (pos >= end || s.charAt(pos) != '[') return pos;
    int p = pos + 1;
    while (p < end && s.charAt(p) != ']') {
      if (s.charAt(p) == '[') return pos;
      p++;
    }
    if (p >= end) return pos;
    p++;
    while (p < end && s.charAt(p) == ' ') p++;
    return p;
  }
}
