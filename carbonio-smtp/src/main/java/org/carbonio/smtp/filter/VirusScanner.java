package org.carbonio.smtp.filter;

import java.io.IOException;
import org.carbonio.smtp.MessageContent;

/**
 * A virus scanner {@link ContentFilter} calls, such as {@link ClamdClient}. Implementations must be
 * thread-safe and must bound the time a scan takes.
 */
@FunctionalInterface
public interface VirusScanner {

  /**
   * Scans one message.
   *
   * @return {@link VirusScanResult.Clean}, {@link VirusScanResult.Infected} or {@link
   *     VirusScanResult.TooLarge}
   * @throws IOException when the scanner is unreachable, times out or reports an error
   */
  VirusScanResult scan(MessageContent content) throws IOException;
}
