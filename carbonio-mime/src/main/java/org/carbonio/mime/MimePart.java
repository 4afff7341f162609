package org.carbonio.mime;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One part of a {@link ParsedMessage}: byte ranges into the message's bytes plus its parsed
 * Content-* fields. Immutable.
 *
 * <p>Every range lies inside {@link ParsedMessage#buffer()}, and a child's {@link #whole()} lies
 * inside its parent's {@link #body()}.
 */
public final class MimePart {

  private final ByteRange header;
  private final ByteRange body;
  private final String type;
  private final String subtype;
  private final Map<String, String> parameters;
  private final List<MimePart> children;
  private final MimePart embedded;
  private final PartFields fields;

  MimePart(
      ByteRange header,
      ByteRange body,
      String type,
      String subtype,
      Map<String, String> parameters,
      List<MimePart> children,
      MimePart embedded,
      PartFields fields) {
    this.header = header;
    this.body = body;
    this.type = type;
    this.subtype = subtype;
    this.parameters = Map.copyOf(parameters);
    this.children = List.copyOf(children);
    this.embedded = embedded;
    this.fields = fields;
  }

  /**
   * The header block including the blank line that ends it (RFC 5322 §2.1); what {@code
   * BODY[n.MIME]} and {@code BODY[HEADER]} return. For a part without a header it is the empty
   * range at the start of the body.
   */
  public ByteRange header() {
    return header;
  }

  /** The body: what {@code BODY[n]} and {@code BODY[TEXT]} return (RFC 3501 §6.4.5). */
  public ByteRange body() {
    return body;
  }

  /** Header and body together. */
  public ByteRange whole() {
    return new ByteRange(header.start(), body.end());
  }

  /** Lower-case media type, e.g. {@code "text"}; {@code "text"} when Content-Type is absent. */
  public String mediaType() {
    return type;
  }

  /** Lower-case media subtype, e.g. {@code "plain"}. */
  public String mediaSubtype() {
    return subtype;
  }

  /**
   * Content-Type parameters with lower-case names and values decoded (RFC 2231 continuations and
   * charsets, and RFC 2047 encoded words, which some senders put in file names). A part without
   * Content-Type has {@code charset=us-ascii} (RFC 2045 §5.2).
   */
  public Map<String, String> parameters() {
    return parameters;
  }

  /** The children of a multipart, in order; empty for any other part. */
  public List<MimePart> children() {
    return children;
  }

  /**
   * For a message/rfc822 or message/global part, the encapsulated message as a part whose {@link
   * #header()} is the nested message's header; empty otherwise, and when the part's transfer
   * encoding hides the message (RFC 2046 §5.2.1 allows only 7bit, 8bit and binary).
   */
  public Optional<MimePart> embeddedMessage() {
    return Optional.ofNullable(embedded);
  }

  /** True for a multipart whose boundary was found in its header (it may have no children). */
  public boolean isMultipart() {
    return fields.multipart();
  }

  /** Lower-case Content-Transfer-Encoding, {@code "7bit"} when absent or invalid. */
  public String contentTransferEncoding() {
    return fields.encoding();
  }

  PartFields fields() {
    return fields;
  }

  /** The same content seen as a body without a MIME header (RFC 3501 §6.4.5 part 1). */
  MimePart asHeaderless() {
    return new MimePart(
        new ByteRange(body.start(), body.start()),
        body,
        type,
        subtype,
        parameters,
        children,
        embedded,
        fields);
  }

  @Override
  public String toString() {
    return "MimePart[" + type + "/" + subtype + " header=" + header + " body=" + body + "]";
  }
}
