package org.carbonio.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.carbonio.mime.MessageBuilder;
import org.carbonio.mime.ParsedMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageInspectorExampleTest {

  @Test
  void inspectorShouldPrintStructureThreadAndTextWhenGivenAReply(@TempDir Path dir)
      throws Exception {
    byte[] original =
        new MessageBuilder()
            .from("Zoë", "zoe@example.com")
            .to("bob@example.org")
            .subject("Quarterly report")
            .messageId("q1@example.com")
            .text("See attached.")
            .build();
    byte[] reply =
        new MessageBuilder()
            .from("bob@example.org")
            .replyTo(ParsedMessage.parse(original), false)
            .text("Thanks!")
            .attach("notes.txt", "text/plain", "n".getBytes(StandardCharsets.US_ASCII))
            .build();
    Path file = Files.write(dir.resolve("reply.eml"), reply);

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    MessageInspectorExample.inspect(file, new PrintStream(printed, true, StandardCharsets.UTF_8));

    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("BODYSTRUCTURE ((\"TEXT\" \"PLAIN\"")
        .contains("refs [q1@example.com]")
        .contains("subject \"Quarterly report\"")
        .contains("to Zoë <zoe@example.com>: Re: Quarterly report")
        .contains("attachment notes.txt 1")
        .contains("Thanks!");
  }
}
