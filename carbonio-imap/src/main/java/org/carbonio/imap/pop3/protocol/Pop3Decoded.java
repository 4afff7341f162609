package org.carbonio.imap.pop3.protocol;

import static java.util.Objects.requireNonNull;

/**
 * What {@link Pop3Decoder#decode} found in the bytes it was given.
 *
 * <p>Immutable.
 */
public sealed interface Pop3Decoded {
  /** A whole line, parsed. */
  record Command(Pop3Command command) implements Pop3Decoded {
    public Command {
      requireNonNull(command, "command");
    }
  }

  /** The bytes end inside a line: read more and call again. */
  record NeedMore() implements Pop3Decoded {}

  /**
   * A line grew past the limit; the rest of it, up to its line end, is skipped without another
   * result. The session answers {@link Pop3Session#lineTooLong()}.
   */
  record TooLong(int limit) implements Pop3Decoded {}
}
