package org.carbonio.smtp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.carbonio.smtp.spi.SessionInfo;

/**
 * Runs an in-memory session the way the transport does, and checks {@code C:}/{@code S:} scripts
 * whose server lines are regular expressions.
 */
final class Transcript {

  static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.7", 40000);
  static final InetSocketAddress SERVER = new InetSocketAddress("198.51.100.1", 25);

  final SmtpSession session;
  private final SmtpSessionConfig config;
  private SmtpDecoder decoder;
  private final Deque<String> serverLines = new ArrayDeque<>();
  private boolean closed;
  private boolean tlsRequested;

  /** Feeds raw client bytes (UTF-8 text, for SMTPUTF8) as one read. */
  void sendUtf8(String client) {
    send(new String(client.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
  }

  Transcript(SmtpSessionConfig config, boolean tls) {
    this.config = config;
    this.session =
        new SmtpSession(
            config, new SessionInfo("s1", CLIENT, SERVER, "client.example.net", "", false, tls));
    this.decoder = new SmtpDecoder(config.limits(), config.compliance());
    apply(session.greeting());
  }

  boolean closed() {
    return closed;
  }

  /** Feeds client bytes as one read. */
  void send(String client) {
    ByteBuffer in = ByteBuffer.wrap(client.getBytes(StandardCharsets.ISO_8859_1));
    while (!closed) {
      Decoded d = decoder.decode(in);
      switch (d) {
        case Decoded.NeedMore n -> {
          return;
        }
        case Decoded.Command c -> apply(session.handle(c.command()));
        case Decoded.Bad b -> apply(session.handleBad(b));
        case Decoded.DataChunk ch -> session.data(ch.bytes());
        case Decoded.DataEnd e -> apply(session.endData(e));
        case Decoded.ChunkEnd e -> apply(session.endChunk(e));
        case Decoded.AuthResponse r -> apply(session.authResponse(r));
      }
      if (tlsRequested) {
        tlsRequested = false;
        decoder = new SmtpDecoder(config.limits(), config.compliance());
        session.tlsStarted();
      }
    }
  }

  private void apply(Outcome o) {
    for (SmtpReply r : o.replies()) {
      String wire = ReplyEncoder.encodeToString(r);
      assertThat(wire).endsWith("\r\n");
      serverLines.addAll(Arrays.asList(wire.substring(0, wire.length() - 2).split("\r\n")));
    }
    switch (o.action()) {
      case START_DATA -> decoder.startData();
      case START_TLS -> tlsRequested = true;
      case AUTH_RESPONSE -> decoder.startAuthResponse();
      case CLOSE -> closed = true;
      case CONTINUE -> {}
    }
  }

  /** Checks a script: "C: line" lines are sent together until the next "S: regex" line. */
  Transcript script(String... lines) {
    StringBuilder pending = new StringBuilder();
    for (String line : lines) {
      if (line.startsWith("C: ")) {
        pending.append(line.substring(3)).append("\r\n");
      } else if (line.startsWith("S: ")) {
        if (!pending.isEmpty()) {
          send(pending.toString());
          pending.setLength(0);
        }
        assertThat(serverLines).as("expected a server line matching %s", line).isNotEmpty();
        String actual = serverLines.poll();
        assertThat(actual).as("server line").matches(line.substring(3));
      } else {
        throw new IllegalArgumentException("script line " + line);
      }
    }
    if (!pending.isEmpty()) {
      send(pending.toString());
    }
    return this;
  }

  /**
   * Sends {@code command} (EHLO or LHLO) and checks that the reply lists exactly {@code keywords}
   * after the host name, in order.
   */
  Transcript ehlo(String command, String... keywords) {
    send(command + "\r\n");
    List<String> got = new ArrayList<>();
    while (true) {
      assertThat(serverLines).as("EHLO reply").isNotEmpty();
      String line = serverLines.poll();
      assertThat(line).startsWith("250");
      got.add(line.substring(4));
      if (line.charAt(3) == ' ') {
        break;
      }
    }
    assertThat(got.subList(1, got.size())).containsExactly(keywords);
    return this;
  }

  /** Consumes one multi-line 250 reply (EHLO/LHLO) without checking it. */
  Transcript skipEhlo() {
    while (true) {
      assertThat(serverLines).as("EHLO reply").isNotEmpty();
      String line = serverLines.poll();
      assertThat(line).startsWith("250");
      if (line.charAt(3) == ' ') {
        return this;
      }
    }
  }

  /** The standard keywords of this engine, without the optional ones. */
  static final String[] BASE =
      new String[] {
        "PIPELINING",
        "SIZE 52428800",
        "8BITMIME",
        "ENHANCEDSTATUSCODES",
        "DSN",
        "CHUNKING",
        "BINARYMIME",
        "SMTPUTF8"
      };

  /** {@link #BASE} followed by {@code more}. */
  static String[] base(String... more) {
    List<String> all = new ArrayList<>(List.of(BASE));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  /** Asserts that the server said nothing more. */
  void noMoreReplies() {
    assertThat(serverLines).isEmpty();
  }
}
