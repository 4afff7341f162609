package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

/** Immutable: one FETCH data item (RFC 3501 §6.4.5); macros are expanded by the parser. */
public sealed interface FetchAttribute {
  record Flags() implements FetchAttribute {}

  record Uid() implements FetchAttribute {}

  record InternalDate() implements FetchAttribute {}

  record Rfc822Size() implements FetchAttribute {}

  record Envelope() implements FetchAttribute {}

  /** MODSEQ (RFC 7162 §3.1.4). */
  record ModSeq() implements FetchAttribute {}

  /** EMAILID (RFC 8474 §5.1). */
  record EmailId() implements FetchAttribute {}

  /** THREADID (RFC 8474 §5.2). */
  record ThreadId() implements FetchAttribute {}

  /** SAVEDATE (RFC 8514 §4). */
  record SaveDate() implements FetchAttribute {}

  /** PREVIEW or PREVIEW (LAZY) (RFC 8970 §3). */
  record Preview(boolean lazy) implements FetchAttribute {}

  /** BODYSTRUCTURE ({@code extensible == true}) or BODY without section. */
  record BodyStructure(boolean extensible) implements FetchAttribute {}

  /**
   * BODY[section]&lt;partial&gt; or BODY.PEEK[...]; RFC822 (= BODY[]), RFC822.HEADER (=
   * BODY.PEEK[HEADER]) and RFC822.TEXT (= BODY[TEXT]) keep their own response names via {@code
   * rfc822Name}.
   *
   * @param partialLength -1 when there is no partial
   * @param rfc822Name "RFC822", "RFC822.HEADER", "RFC822.TEXT" or null
   */
  record Body(
      Section section, boolean peek, long partialOffset, long partialLength, String rfc822Name)
      implements FetchAttribute {
    public Body {
      requireNonNull(section, "section");
    }

    /** Whether the fetch sets \Seen (RFC 3501 §6.4.5). */
    public boolean setsSeen() {
      return !peek;
    }

    /** The name used in the FETCH response, e.g. {@code BODY[1.TEXT]<0>}. */
    public String responseName() {
      if (rfc822Name != null) return rfc822Name;
      String s = "BODY[" + section.spec() + "]";
      return partialLength >= 0 ? s + "<" + partialOffset + ">" : s;
    }
  }

  /**
   * BINARY[part]&lt;partial&gt; or BINARY.PEEK[...] (RFC 3516 §4.1): the part's content with its
   * Content-Transfer-Encoding removed.
   *
   * @param part the part path; empty for the whole message
   * @param partialLength -1 when there is no partial
   */
  record Binary(java.util.List<Integer> part, boolean peek, long partialOffset, long partialLength)
      implements FetchAttribute {
    public Binary {
      part = java.util.List.copyOf(part);
    }

    /** The name used in the FETCH response, e.g. {@code BINARY[1.2]<0>}. */
    public String responseName() {
      String s = "BINARY[" + BinaryFetch.spec(part) + "]";
      return partialLength >= 0 ? s + "<" + partialOffset + ">" : s;
    }
  }

  /** BINARY.SIZE[part] (RFC 3516 §4.2): the size of the decoded part. */
  record BinarySize(java.util.List<Integer> part) implements FetchAttribute {
    public BinarySize {
      part = java.util.List.copyOf(part);
    }
  }
}
