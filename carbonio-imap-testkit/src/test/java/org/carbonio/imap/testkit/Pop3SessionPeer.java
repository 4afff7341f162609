package org.carbonio.imap.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.carbonio.imap.pop3.protocol.MaildropLocks;
import org.carbonio.imap.pop3.protocol.Pop3Decoded;
import org.carbonio.imap.pop3.protocol.Pop3Decoder;
import org.carbonio.imap.pop3.protocol.Pop3Encoder;
import org.carbonio.imap.pop3.protocol.Pop3Reply;
import org.carbonio.imap.pop3.protocol.Pop3Session;
import org.carbonio.imap.pop3.protocol.Pop3SessionOptions;
import org.carbonio.imap.spi.MailboxBackend;

/** Drives the POP3 decoder + session + encoder in memory, as the transport does. */
final class Pop3SessionPeer implements Transcript.Peer {
  private final Pop3Decoder decoder;
  private final Pop3Session session;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final Deque<String> lines = new ArrayDeque<>();

  Pop3SessionPeer(
      MailboxBackend backend,
      InMemoryAuthenticator auth,
      MaildropLocks locks,
      Pop3SessionOptions options,
      int maxLineLength) {
    decoder = new Pop3Decoder(maxLineLength);
    session = new Pop3Session(options, auth, backend, locks, null, false);
    write(List.of(session.greeting()));
  }

  Pop3Session session() {
    return session;
  }

  @Override
  public void send(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    while (in.hasRemaining() && session.mode() != Pop3Session.Mode.CLOSED) {
      Pop3Decoded d = decoder.decode(in);
      switch (d) {
        case Pop3Decoded.NeedMore m -> {}
        case Pop3Decoded.TooLong t -> write(session.lineTooLong());
        case Pop3Decoded.Command c -> write(session.handle(c.command()));
      }
      if (session.mode() == Pop3Session.Mode.SASL) decoder.expectSaslResponse();
    }
  }

  private void write(List<Pop3Reply> replies) {
    for (Pop3Reply r : replies) {
      try {
        Pop3Encoder.encode(r, out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
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
  }
}
