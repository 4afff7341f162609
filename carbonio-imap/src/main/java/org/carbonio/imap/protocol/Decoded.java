package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

/** What {@link ImapDecoder#decode} produced from the bytes seen so far. */
public sealed interface Decoded {
  /** A complete command. */
  record Command(ImapCommand command) implements Decoded {
    public Command {
      requireNonNull(command, "command");
    }
  }

  /** All input was consumed; read more bytes. */
  record NeedMore() implements Decoded {}

  /**
   * A synchronizing literal was announced and accepted: the transport writes a continuation request
   * ({@code + Ready}) before reading more. Only returned for {@code sync == true}.
   */
  record NeedLiteral(long size, boolean sync) implements Decoded {}

  /**
   * The command was malformed or over a limit: reply {@code tag BAD text} ({@code *} when the tag
   * is unknown). The decoder has resynchronised at the next line.
   */
  record Bad(String tag, String text) implements Rejected {
    public Bad {
      requireNonNull(tag, "tag");
      requireNonNull(text, "text");
    }
  }

  /**
   * An APPEND literal is larger than the limit: reply {@code tag NO [TOOBIG] text} (RFC 7889). The
   * decoder skips the literal if the client sends it anyway.
   */
  record TooBig(String tag, String text) implements Rejected {
    public TooBig {
      requireNonNull(tag, "tag");
      requireNonNull(text, "text");
    }
  }

  /** A command the decoder refused: {@link Bad} or {@link TooBig}. */
  sealed interface Rejected extends Decoded permits Bad, TooBig {
    /** The command's tag, or {@code *} when it is unknown. */
    String tag();

    /** Human-readable reason. */
    String text();
  }

  /** The singleton {@link NeedMore}. */
  NeedMore NEED_MORE = new NeedMore();
}
