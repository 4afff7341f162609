/**
 * Message structure for IMAP servers: parse a message once into a tree of byte ranges ({@link
 * org.carbonio.mime.ParsedMessage}), then answer RFC 3501 BODYSTRUCTURE, ENVELOPE, {@code
 * BODY[section]} part addressing and {@code HEADER.FIELDS} selection, and decode RFC 2047 encoded
 * words.
 *
 * {@snippet :
 * ParsedMessage m = ParsedMessage.parse(bytes);
 * String structure = m.bodyStructure();
 * MimePart part = m.part(List.of(2, 1)).orElseThrow();
 * byte[] mime = HeaderFields.select(m.bytes(), part.header(), List.of("Content-Type"), false);
 * }
 */
package org.carbonio.mime;
