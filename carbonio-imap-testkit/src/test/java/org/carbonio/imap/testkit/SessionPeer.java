package org.carbonio.imap.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.carbonio.imap.protocol.Decoded;
import org.carbonio.imap.protocol.DecoderLimits;
import org.carbonio.imap.protocol.ImapCommand;
import org.carbonio.imap.protocol.ImapDecoder;
import org.carbonio.imap.protocol.ImapEncoder;
import org.carbonio.imap.protocol.ImapResponse;
import org.carbonio.imap.protocol.ImapSession;
import org.carbonio.imap.protocol.SessionOptions;
import org.carbonio.imap.spi.MailboxBackend;

/** Drives decoder + session + encoder in memory, as the transport does, without sockets. */
final class SessionPeer implements Transcript.Peer {
  private final ImapDecoder decoder;
  private final ImapSession session;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final Deque<String> lines = new ArrayDeque<>();
  private boolean busy;
  private boolean pending;

  SessionPeer(MailboxBackend backend, InMemoryAuthenticator auth, DecoderLimits limits) {
    session =
        new ImapSession(
            new SessionOptions(
                "test ready", false, true, limits.maxLiteralSize(), Clock.systemUTC()),
            auth,
            backend,
            null,
            false);
    decoder =
        new ImapDecoder(
            limits,
            org.carbonio.imap.protocol.LiteralSink.Factory.IN_MEMORY,
            session::acceptLiteral);
    // IDLE and NOTIFY pushes happen synchronously on the thread that changed the mailbox, or right
    // after this session's own command when the change was its own
    session.setChangeListener(
        () -> {
          if (busy) pending = true;
          else write(session.pollUpdates());
        });
    write(List.of(session.greeting()));
  }

  ImapSession session() {
    return session;
  }

  @Override
  public void send(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    while (true) {
      Decoded d = decoder.decode(in);
      switch (d) {
        case Decoded.NeedMore m -> {
          return;
        }
        case Decoded.NeedLiteral l -> raw("+ Ready for literal data\r\n");
        case Decoded.Bad b ->
            write(
                List.of(
                    b.tag().equals("*")
                        ? new ImapResponse.Untagged(ImapResponse.Status.BAD, null, b.text())
                        : new ImapResponse.Tagged(
                            b.tag(), ImapResponse.Status.BAD, null, b.text())));
        case Decoded.TooBig t ->
            write(
                List.of(
                    new ImapResponse.Tagged(t.tag(), ImapResponse.Status.NO, "TOOBIG", t.text())));
        case Decoded.Command c -> {
          busy = true;
          List<ImapResponse> r;
          try {
            r = session.handle(c.command());
          } finally {
            busy = false;
          }
          if (c.command() instanceof ImapCommand.Append a) a.message().close();
          if (c.command() instanceof ImapCommand.AppendMessages a) a.close();
          if (c.command() instanceof ImapCommand.Replace a) a.close();
          write(r);
          decoder.utf8(session.utf8Accept());
          if (pending) {
            pending = false;
            write(session.pollUpdates());
          }
          if (session.mode() == ImapSession.Mode.AUTH_CONTINUATION
              || session.mode() == ImapSession.Mode.IDLE) {
            decoder.expectContinuationLine();
          }
        }
      }
    }
  }

  private void raw(String s) {
    out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    split();
  }

  private void write(List<ImapResponse> responses) {
    for (ImapResponse r : responses) {
      try {
        ImapEncoder.encode(r, out);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    split();
  }

  private void split() {
    byte[] all = out.toByteArray();
    int start = 0;
    for (int i = 0; i + 1 < all.length; i++) {
      if (all[i] == '\r' && all[i + 1] == '\n') {
        lines.add(new String(all, start, i - start, StandardCharsets.UTF_8));
        start = i + 2;
        i++;
      }
    }
    out.reset();
    out.write(all, start, all.length - start);
  }

  @Override
  public String readLine() {
    String l = lines.poll();
    if (l == null) throw new AssertionError("server sent nothing more");
    return l;
  }

  @Override
  public void close() {
    session.close();
    decoder.close();
  }
}
