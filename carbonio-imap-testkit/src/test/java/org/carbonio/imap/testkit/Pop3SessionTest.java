package org.carbonio.imap.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.carbonio.directory.sasl.ScramCredentials;
import org.carbonio.directory.sasl.ScramSha256Mechanism;
import org.carbonio.imap.pop3.protocol.MaildropLocks;
import org.carbonio.imap.pop3.protocol.Pop3Command;
import org.carbonio.imap.pop3.protocol.Pop3Reply;
import org.carbonio.imap.pop3.protocol.Pop3Session;
import org.carbonio.imap.pop3.protocol.Pop3SessionOptions;
import org.carbonio.imap.pop3.protocol.SaslOffer;
import org.carbonio.imap.spi.BackendException;
import org.carbonio.imap.spi.MailboxBackend;
import org.junit.jupiter.api.Test;

/** The POP3 session in memory: UPDATE semantics, login delay, backend failures, SCRAM. */
class Pop3SessionTest {
  private final InMemoryMailboxBackend backend = new InMemoryMailboxBackend();
  private final InMemoryAuthenticator auth = new InMemoryAuthenticator().user("alice", "secret");
  private final MaildropLocks locks = new MaildropLocks();

  Pop3SessionTest() {
    for (String m : Pop3TranscriptTest.MESSAGES) backend.deliver("alice", m.getBytes(UTF_8));
  }

  private Pop3Session session(Pop3SessionOptions options, MailboxBackend b) {
    return new Pop3Session(options, auth, b, locks, null, false);
  }

  private static Pop3Reply login(Pop3Session s) {
    s.handle(new Pop3Command.User("alice"));
    return s.handle(new Pop3Command.Pass("secret")).getFirst();
  }

  @Test
  void closeShouldDeleteNothingWhenNoQuit() {
    Pop3Session s = session(Pop3SessionOptions.defaults(), backend);
    assertThat(login(s)).isInstanceOf(Pop3Reply.Ok.class);
    s.handle(new Pop3Command.Dele(1));
    s.handle(new Pop3Command.Dele(3));
    s.close();
    assertThat(backend.messages("alice", "INBOX")).hasSize(3);
    assertThat(locks.isLocked("alice")).isFalse();
  }

  @Test
  void quitShouldExpungeExactlyTheMarkedMessagesWhenUpdate() {
    backend.deliver("alice", "Subject: four\r\n\r\n4\r\n".getBytes(UTF_8));
    Pop3Session s = session(Pop3SessionOptions.defaults(), backend);
    login(s);
    s.handle(new Pop3Command.Dele(2));
    s.handle(new Pop3Command.Dele(4));
    assertThat(s.handle(new Pop3Command.Quit()))
        .containsExactly(new Pop3Reply.Ok("Carbonio POP3 server signing off (2 messages left)"));
    assertThat(s.mode()).isEqualTo(Pop3Session.Mode.CLOSED);
    assertThat(backend.messages("alice", "INBOX")).extracting(m -> m.uid()).containsExactly(1L, 3L);
    assertThat(locks.isLocked("alice")).isFalse();
  }

  @Test
  void retrShouldSayRemovedWhenAnotherSessionExpungedTheMessage() throws Exception {
    Pop3Session s = session(Pop3SessionOptions.defaults(), backend);
    login(s);
    try (var imap = backend.open("alice")) {
      imap.setFlags(
          "INBOX",
          List.of(1L),
          org.carbonio.imap.spi.FlagOperation.ADD,
          java.util.Set.of("\\Deleted"));
      imap.expunge("INBOX", Optional.empty());
    }
    assertThat(s.handle(new Pop3Command.Retr(1)))
        .containsExactly(new Pop3Reply.Err("", "Message 1 was removed by another session"));
    s.handle(new Pop3Command.Dele(1));
    assertThat(s.handle(new Pop3Command.Quit()).getFirst()).isInstanceOf(Pop3Reply.Ok.class);
  }

  @Test
  void loginShouldGetLoginDelayWhenTooSoon() {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    Pop3SessionOptions base = Pop3SessionOptions.defaults();
    Pop3SessionOptions options =
        new Pop3SessionOptions(
            base.greeting(),
            base.implementation(),
            false,
            true,
            base.mechanisms(),
            10,
            3,
            Duration.ofMinutes(5),
            Clock.fixed(t0, ZoneOffset.UTC));
    Pop3Session first = session(options, backend);
    assertThat(login(first)).isInstanceOf(Pop3Reply.Ok.class);
    first.handle(new Pop3Command.Quit());
    Pop3Session second = session(options, backend);
    assertThat(second.handle(new Pop3Command.Capa()))
        .contains(
            new Pop3Reply.Lines(
                List.of(
                    "TOP",
                    "UIDL",
                    "RESP-CODES",
                    "AUTH-RESP-CODE",
                    "PIPELINING",
                    "EXPIRE NEVER",
                    "LOGIN-DELAY 300",
                    "USER",
                    "SASL PLAIN LOGIN",
                    "IMPLEMENTATION Carbonio")));
    assertThat(login(second))
        .isEqualTo(
            new Pop3Reply.Err(
                "LOGIN-DELAY", "Minimum time between logins not reached; wait 300 s"));
  }

  @Test
  void loginShouldGetSysTempWhenBackendUnavailable() {
    Pop3Session s =
        session(
            Pop3SessionOptions.defaults(),
            user -> {
              throw new BackendException.Unavailable("down");
            });
    assertThat(login(s))
        .isEqualTo(
            new Pop3Reply.Err("SYS/TEMP", "Maildrop temporarily unavailable, try again later"));
    assertThat(s.mode()).isEqualTo(Pop3Session.Mode.AUTHORIZATION);
    assertThat(locks.isLocked("alice")).isFalse();
  }

  @Test
  void commandsShouldGetErrWhenWrongState() {
    Pop3Session s = session(Pop3SessionOptions.defaults(), backend);
    for (Pop3Command c :
        List.of(
            new Pop3Command.Stat(),
            new Pop3Command.List(OptionalInt.empty()),
            new Pop3Command.Retr(1),
            new Pop3Command.Dele(1),
            new Pop3Command.Top(1, 1),
            new Pop3Command.Uidl(OptionalInt.empty()),
            new Pop3Command.Rset(),
            new Pop3Command.Noop())) {
      assertThat(s.handle(c))
          .as("%s", c)
          .containsExactly(new Pop3Reply.Err("", "Command not valid in this state"));
    }
  }

  // ---- SCRAM-SHA-256 through SaslOffer (RFC 5802, RFC 7677, RFC 5034 §4) ----

  private static final Map<String, ScramCredentials> SCRAM =
      Map.of("alice", ScramCredentials.derive("secret"));

  private static SaslOffer scram() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return new SaslOffer(
        ScramSha256Mechanism.NAME,
        false,
        () -> new ScramSha256Mechanism(u -> Optional.ofNullable(SCRAM.get(u)), secret),
        name -> SCRAM.containsKey(name) ? Optional.of(name) : Optional.empty());
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(UTF_8));
  }

  private static String unb64(Pop3Reply r) {
    return new String(Base64.getDecoder().decode(((Pop3Reply.Challenge) r).data()), UTF_8);
  }

  private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data.getBytes(UTF_8));
  }

  @Test
  void authScramShouldLogInWhenProofRightAndFailWhenWrong() throws Exception {
    Pop3SessionOptions base = Pop3SessionOptions.defaults();
    Pop3SessionOptions options =
        new Pop3SessionOptions(
            base.greeting(),
            base.implementation(),
            false,
            false, // SCRAM is not plaintext: offered without TLS
            List.of(SaslOffer.PLAIN, scram()),
            10,
            3,
            Duration.ZERO,
            Clock.systemUTC());
    for (String password : List.of("wrong", "secret")) {
      Pop3Session s = session(options, backend);
      assertThat(s.handle(new Pop3Command.Capa()))
          .contains(
              new Pop3Reply.Lines(
                  List.of(
                      "TOP",
                      "UIDL",
                      "RESP-CODES",
                      "AUTH-RESP-CODE",
                      "PIPELINING",
                      "EXPIRE NEVER",
                      "SASL SCRAM-SHA-256",
                      "IMPLEMENTATION Carbonio")));
      String clientFirstBare = "n=alice,r=clientnonce123";
      List<Pop3Reply> r =
          s.handle(
              new Pop3Command.Auth(
                  Optional.of("SCRAM-SHA-256"), Optional.of(b64("n,," + clientFirstBare))));
      assertThat(s.mode()).isEqualTo(Pop3Session.Mode.SASL);
      String serverFirst = unb64(r.getFirst());
      Map<String, String> f = new java.util.HashMap<>();
      for (String kv : serverFirst.split(",")) f.put(kv.substring(0, 1), kv.substring(2));
      byte[] salt = Base64.getDecoder().decode(f.get("s"));
      int iterations = Integer.parseInt(f.get("i"));
      byte[] salted =
          SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
              .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
              .getEncoded();
      byte[] clientKey = hmac(salted, "Client Key");
      byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
      String withoutProof = "c=biws,r=" + f.get("r");
      String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
      byte[] signature = hmac(storedKey, authMessage);
      byte[] proof = new byte[clientKey.length];
      for (int i = 0; i < proof.length; i++) proof[i] = (byte) (clientKey[i] ^ signature[i]);
      String clientFinal = withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
      r = s.handle(new Pop3Command.SaslResponse(b64(clientFinal)));
      if (password.equals("wrong")) {
        assertThat(r).containsExactly(new Pop3Reply.Err("AUTH", "Authentication failed"));
        assertThat(s.mode()).isEqualTo(Pop3Session.Mode.AUTHORIZATION);
        continue;
      }
      // RFC 5034 §4: the server-final message as a challenge, answered by an empty line
      assertThat(unb64(r.getFirst())).startsWith("v=");
      r = s.handle(new Pop3Command.SaslResponse(""));
      assertThat(r).containsExactly(new Pop3Reply.Ok("Maildrop has 3 messages (133 octets)"));
      assertThat(s.mode()).isEqualTo(Pop3Session.Mode.TRANSACTION);
      s.close();
    }
  }
}
