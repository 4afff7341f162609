package org.carbonio.directory.sasl;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding of client responses. */
final class Utf8 {
  private Utf8() {}

  /** The decoded string, or null if {@code bytes} is not UTF-8 or too long. */
  static String decode(byte[] bytes) {
    if (bytes.length > SaslMechanism.MAX_RESPONSE_BYTES) {
      return null;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
