package org.carbonio.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.carbonio.mime.ExtractedText;
import org.carbonio.mime.ParsedMessage;
import org.carbonio.mime.TextExtractor;
import org.carbonio.mime.ThreadKeys;

/**
 * Reads a message file of any size with carbonio-mime (the file is mapped, not loaded) and prints
 * what an IMAP server, a search index and a threading store each take from it.
 *
 * <p>Run: {@code java ... org.carbonio.examples.MessageInspectorExample message.eml}
 */
public final class MessageInspectorExample {

  private MessageInspectorExample() {}

  public static void main(String[] args) throws IOException {
    inspect(Path.of(args[0]), System.out);
  }

  static void inspect(Path file, PrintStream out) throws IOException {
    ParsedMessage m = ParsedMessage.parse(file);
    out.println("BODYSTRUCTURE " + m.bodyStructure());
    out.println("ENVELOPE " + m.envelope());
    ThreadKeys keys = ThreadKeys.of(m);
    out.println(
        "thread: "
            + keys.messageId()
            + " refs "
            + keys.references()
            + " subject \""
            + keys.baseSubject()
            + "\"");
    ExtractedText text = TextExtractor.builder().build().extract(m);
    out.println("from " + text.from() + " to " + text.to() + ": " + text.subject());
    text.attachments().forEach(a -> out.println("attachment " + a.fileName() + " " + a.size()));
    out.println(text.body());
  }
}
