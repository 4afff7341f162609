package org.carbonio.imap.protocol;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Decides, before the decoder buffers or spools anything and before the transport sends a
 * continuation request, whether a literal announced by the client may be received (RFC 3501 §7.5,
 * RFC 7888 §4). {@link ImapSession#acceptLiteral} is the usual implementation. Called on the
 * decoder's thread; implementations must not block.
 */
@FunctionalInterface
public interface LiteralGate {

  /**
   * Returns empty to accept the literal, or the rejection to send. On rejection the decoder skips
   * the literal if it is non-synchronizing and the rest of the command.
   */
  Optional<Decoded.Rejected> check(Request request);

  /** Accepts every literal (the decoder's own limits still apply). */
  LiteralGate ACCEPT_ALL = request -> Optional.empty();

  /**
   * Immutable: a literal announcement.
   *
   * @param tag the command's tag, or {@code *} when it is not valid
   * @param command the command name as sent (e.g. {@code LOGIN}, {@code UID})
   * @param size the announced size in bytes
   * @param synchronizing whether the client waits for a continuation request ({@code {n}}) or sends
   *     the bytes right away ({@code {n+}})
   */
  record Request(String tag, String command, long size, boolean synchronizing) {
    public Request {
      requireNonNull(tag, "tag");
      requireNonNull(command, "command");
      if (size < 0) throw new IllegalArgumentException("size " + size);
    }
  }
}
