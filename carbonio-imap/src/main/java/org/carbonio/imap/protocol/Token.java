package org.carbonio.imap.protocol;

import java.nio.charset.StandardCharsets;

/** A lexical token of a command; package-private. */
sealed interface Token {
  record Atom(String text) implements Token {}

  record Quoted(String text) implements Token {}

  record Literal(ByteSource bytes) implements Token {
    String text() {
      try {
        return new String(bytes.readAllBytes(), StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        return "";
      }
    }
  }

  record Open() implements Token {}

  record Close() implements Token {}

  Open OPEN = new Open();
  Close CLOSE = new Close();
}
