package org.carbonio.mime;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The text of a message for indexing, as {@link TextExtractor} finds it. Immutable.
 *
 * @param subject the decoded Subject (RFC 2047), empty when absent
 * @param from the From addresses for display ({@code Name <local@domain>}, comma-separated, groups
 *     as {@code name: members;}, display names decoded), empty when absent
 * @param to the To addresses, as {@code from}
 * @param cc the Cc addresses, as {@code from}
 * @param body the text a reader sees, lines ending in LF; embedded messages follow their parent's
 *     text
 * @param attachments the parts shown as attachments, in message order
 * @param truncated true when a limit of the extractor cut the text or the walk short
 */
public record ExtractedText(
    String subject,
    String from,
    String to,
    String cc,
    String body,
    List<Attachment> attachments,
    boolean truncated) {

  /** Validates and copies. */
  public ExtractedText {
    requireNonNull(subject, "subject");
    requireNonNull(from, "from");
    requireNonNull(to, "to");
    requireNonNull(cc, "cc");
    requireNonNull(body, "body");
    attachments = List.copyOf(attachments);
  }

  /**
   * One attachment. Immutable.
   *
   * @param fileName the decoded file name (Content-Disposition {@code filename}, else Content-Type
   *     {@code name}, RFC 2231 and RFC 2047 decoded, or the uuencode {@code begin} line's name);
   *     empty when the part has none
   * @param mediaType lower-case {@code type/subtype}
   * @param size octets of the decoded content (after the transfer encoding is undone); at most the
   *     extractor's {@code maxPartBytes}, past which counting stops
   */
  public record Attachment(String fileName, String mediaType, long size) {

    /** Validates. */
    public Attachment {
      requireNonNull(fileName, "fileName");
      requireNonNull(mediaType, "mediaType");
      if (size < 0) {
        throw new IllegalArgumentException("size " + size);
      }
    }
  }
}
