package org.carbonio.imap.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.carbonio.imap.protocol.DecoderLimits;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AUTHENTICATE SCRAM-SHA-256 (RFC 7677, RFC 5802) end to end with a small client, in memory and
 * over a socket; and LITERAL- (RFC 7888) before login.
 */
class ScramAuthTest {
  @RegisterExtension
  ImapServerExtension imap = ImapServerExtension.builder().user("alice", "secret").build();

  private Transcript.Peer peer(String kind) {
    Supplier<Transcript.Peer> memory =
        () ->
            new SessionPeer(
                new InMemoryMailboxBackend(),
                new InMemoryAuthenticator().user("alice", "secret"),
                DecoderLimits.DEFAULTS);
    return kind.equals("memory") ? memory.get() : new SocketPeer(imap.host(), imap.port());
  }

  private static void send(Transcript.Peer p, String line) throws Exception {
    p.send((line + "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  private static String challenge(Transcript.Peer p) throws Exception {
    String l = p.readLine();
    assertThat(l).startsWith("+ ");
    return l.substring(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "socket"})
  void authenticateShouldLogInWhenScramProofIsRight(String kind) throws Exception {
    try (Transcript.Peer p = peer(kind)) {
      assertThat(p.readLine()).contains("AUTH=SCRAM-SHA-256");
      ScramClient c = new ScramClient("alice", "secret", "fyko+d2lbbFgONRv9qkxdawL");
      send(p, "a1 AUTHENTICATE SCRAM-SHA-256");
      assertThat(challenge(p)).isEmpty();
      send(p, c.first());
      send(p, c.last(challenge(p)));
      // RFC 9051 §6.2.2: server-final as a challenge, answered with an empty line
      assertThat(c.verify(challenge(p))).isTrue();
      send(p, "");
      assertThat(p.readLine()).matches("a1 OK \\[CAPABILITY IMAP4rev1 .*\\] Logged in");
      send(p, "a2 SELECT INBOX");
      String l;
      do l = p.readLine();
      while (l.startsWith("* "));
      assertThat(l).isEqualTo("a2 OK [READ-WRITE] SELECT completed");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "socket"})
  void authenticateShouldLogInWhenScramStartsWithInitialResponse(String kind) throws Exception {
    try (Transcript.Peer p = peer(kind)) {
      p.readLine();
      ScramClient c = new ScramClient("alice", "secret", "rOprNGfwEbeRWgbNEkqO");
      send(p, "a1 AUTHENTICATE SCRAM-SHA-256 " + c.first()); // RFC 4959 SASL-IR
      send(p, c.last(challenge(p)));
      assertThat(c.verify(challenge(p))).isTrue();
      send(p, "=");
      assertThat(p.readLine()).startsWith("a1 OK [CAPABILITY ");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "socket"})
  void authenticateShouldFailWhenScramProofIsWrong(String kind) throws Exception {
    try (Transcript.Peer p = peer(kind)) {
      p.readLine();
      for (String user : new String[] {"alice", "nobody"}) {
        ScramClient c = new ScramClient(user, "wrong", "abcdefgh");
        send(p, "a1 AUTHENTICATE SCRAM-SHA-256 " + c.first());
        send(p, c.last(challenge(p)));
        assertThat(p.readLine()).isEqualTo("a1 NO [AUTHENTICATIONFAILED] Authentication failed");
      }
      send(p, "a2 NOOP");
      assertThat(p.readLine()).isEqualTo("a2 OK NOOP completed");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "socket"})
  void authenticateShouldBeBadWhenServerFinalGetsNonEmptyAnswer(String kind) throws Exception {
    try (Transcript.Peer p = peer(kind)) {
      p.readLine();
      ScramClient c = new ScramClient("alice", "secret", "abcdefgh");
      send(p, "a1 AUTHENTICATE SCRAM-SHA-256 " + c.first());
      send(p, c.last(challenge(p)));
      challenge(p);
      send(p, "Zm9v");
      assertThat(p.readLine()).isEqualTo("a1 BAD Expected an empty response");
      send(p, "a2 CAPABILITY");
      assertThat(p.readLine()).contains("AUTH=SCRAM-SHA-256"); // still not authenticated
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "socket"})
  void literalShouldBeRefusedWhenNonSyncOverLiteralMinusLimitBeforeLogin(String kind)
      throws Exception {
    try (Transcript.Peer p = peer(kind)) {
      assertThat(p.readLine()).contains(" LITERAL- ").doesNotContain("LITERAL+");
      // RFC 7888 §5: tagged BAD [TOOBIG]; the literal's bytes are skipped, not executed
      p.send(
          ("a1 LOGIN alice {5000+}\r\n" + "x".repeat(4990) + "\r\nb NOOP\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      assertThat(p.readLine())
          .isEqualTo(
              "a1 BAD [TOOBIG] non-synchronizing literal of 5000 bytes exceeds LITERAL- (limit"
                  + " 4096)");
      send(p, "a2 LOGIN alice {6+}\r\nsecret");
      assertThat(p.readLine()).matches("a2 OK \\[CAPABILITY .* LITERAL\\+ .*\\] Logged in");
      send(p, "a3 APPEND INBOX {5000+}\r\n" + "y".repeat(5000));
      assertThat(p.readLine()).startsWith("a3 OK [APPENDUID ");
    }
  }
}
