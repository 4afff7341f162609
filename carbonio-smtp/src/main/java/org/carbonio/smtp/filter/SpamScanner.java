package org.carbonio.smtp.filter;

import java.io.IOException;
import org.carbonio.smtp.MessageContent;

/**
 * A spam scanner {@link ContentFilter} calls, such as {@link SpamdClient}. Implementations must be
 * thread-safe and must bound the time a check takes.
 */
@FunctionalInterface
public interface SpamScanner {

  /**
   * Scores one message.
   *
   * @return {@link SpamScanResult.Scored} or {@link SpamScanResult.TooLarge}
   * @throws IOException when the scanner is unreachable, times out or reports an error
   */
  SpamScanResult check(MessageContent content) throws IOException;
}
