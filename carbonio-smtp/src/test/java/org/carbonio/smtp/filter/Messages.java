package org.carbonio.smtp.filter;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.carbonio.smtp.MessageContent;

/** In-memory {@link MessageContent} for tests. */
final class Messages {
  private Messages() {}

  static MessageContent of(byte[] bytes) {
    return new MessageContent() {
      @Override
      public InputStream open() {
        return new ByteArrayInputStream(bytes);
      }

      @Override
      public long size() {
        return bytes.length;
      }
    };
  }

  static MessageContent of(String text) {
    return of(text.getBytes(UTF_8));
  }

  /** A message of {@code size} bytes that is never held in memory. */
  static MessageContent ofSize(long size) {
    return new MessageContent() {
      @Override
      public InputStream open() {
        return new InputStream() {
          long left = size;

          @Override
          public int read() {
            if (left <= 0) {
              return -1;
            }
            left--;
            return 'a';
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (left <= 0) {
              return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 'a');
            left -= n;
            return n;
          }
        };
      }

      @Override
      public long size() {
        return size;
      }
    };
  }
}
