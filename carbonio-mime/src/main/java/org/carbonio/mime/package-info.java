/**
 * Message structure for IMAP servers: parse a message once into a tree of byte ranges ({@link
 * org.carbonio.mime.ParsedMessage}), then answer RFC 3501 BODYSTRUCTURE, ENVELOPE, {@code
 * BODY[section]} part addressing and {@code HEADER.FIELDS} selection, decode RFC 2047 encoded
 * words, and extract the text of a message for a search index ({@link
 * org.carbonio.mime.TextExtractor}).
 *
 * {@snippet :
 * ParsedMessage m = ParsedMessage.parse(bytes);
 * String structure = m.bodyStructure();
 * MimePart part = m.part(List.of(2, 1)).orElseThrow();
 * byte[] mime = HeaderFields.select(m.buffer(), part.header(), List.of("Content-Type"), false);
 * }
 */
package org.carbonio.mime;
