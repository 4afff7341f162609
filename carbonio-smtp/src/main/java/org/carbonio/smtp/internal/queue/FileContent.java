package org.carbonio.smtp.internal.queue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.carbonio.smtp.MessageContent;

/**
 * The message bytes of a queue file: from {@code offset} to the end. Immutable.
 *
 * @param file the {@code .msg} file
 * @param offset where the message starts
 * @param size the message's length
 */
public record FileContent(Path file, long offset, long size) implements MessageContent {

  @Override
  public InputStream open() throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      ch.position(offset);
      return Channels.newInputStream(ch);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }
}
