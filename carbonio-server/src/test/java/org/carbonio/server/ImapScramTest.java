package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLSocket;
import org.carbonio.directory.DirectoryLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * AUTHENTICATE SCRAM-SHA-256 (RFC 7677) and LOGIN against the real server over IMAPS, with the
 * directory's verifier of a real account; then IMAP4rev2 and UNAUTHENTICATE on that connection.
 */
class ImapScramTest {

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension().account("alice@localhost", "alice-Secret-1");

  /** A line-level IMAPS client: what the server says, and raw lines sent. */
  private static final class Client implements AutoCloseable {
    private final SSLSocket socket;
    private final BufferedReader in;
    private final OutputStream out;

    Client(ServerExtension carbonio) throws Exception {
      socket = (SSLSocket) E2E.trusting(carbonio.dataDir()).getSocketFactory().createSocket();
      socket.connect(
          new InetSocketAddress("127.0.0.1", carbonio.port(Listener.Kind.IMAPS)), 10_000);
      socket.setSoTimeout(30_000);
      socket.startHandshake();
      in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      out = socket.getOutputStream();
    }

    String line() throws IOException {
      String l = in.readLine();
      if (l == null) throw new IOException("connection closed");
      return l;
    }

    void send(String line) throws IOException {
      out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    String challenge() throws IOException {
      String l = line();
      assertThat(l).startsWith("+ ");
      return l.substring(2);
    }

    /** Every line up to and including the completion tagged {@code tag}. */
    List<String> until(String tag) throws IOException {
      List<String> lines = new ArrayList<>();
      String l;
      do {
        l = line();
        lines.add(l);
      } while (!l.startsWith(tag + " "));
      return lines;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void scramShouldLogInWhenDirectoryAccountProvesPassword() throws Exception {
    try (Client c = new Client(carbonio)) {
      assertThat(c.line()).contains("AUTH=SCRAM-SHA-256").contains("AUTH=LOGIN");
      Scram scram = new Scram("alice@localhost", "alice-Secret-1", "x4Yc9Lk2pQ0vRt7nWm");
      c.send("a1 AUTHENTICATE SCRAM-SHA-256 " + scram.first());
      c.send(scram.last(c.challenge()));
      assertThat(scram.verify(c.challenge())).isTrue(); // the server knows the verifier
      c.send("");
      assertThat(c.line()).matches("a1 OK \\[CAPABILITY IMAP4rev1 IMAP4rev2 .*\\] Logged in");

      c.send("a2 ENABLE IMAP4rev2");
      assertThat(c.until("a2")).containsExactly("* ENABLED IMAP4rev2", "a2 OK ENABLE completed");
      c.send("a3 SELECT INBOX");
      List<String> select = c.until("a3");
      assertThat(select).anyMatch(l -> l.matches("\\* LIST \\(.*\\) \"/\" \"?INBOX\"?"));
      assertThat(select).noneMatch(l -> l.contains("RECENT"));
      assertThat(select.getLast()).isEqualTo("a3 OK [READ-WRITE] SELECT completed");
      c.send("a4 EXAMINE INBOX");
      assertThat(c.until("a4")).first().isEqualTo("* OK [CLOSED] Previous mailbox closed");
      c.send("a5 UNAUTHENTICATE");
      assertThat(c.until("a5")).containsExactly("a5 OK UNAUTHENTICATE completed");
      c.send("a6 SELECT INBOX");
      assertThat(c.line()).startsWith("a6 BAD ");
    }
  }

  @Test
  void scramShouldFailWhenProofIsWrongOrUserUnknown() throws Exception {
    try (Client c = new Client(carbonio)) {
      c.line();
      for (String user : List.of("alice@localhost", "nobody@localhost")) {
        Scram scram = new Scram(user, "not-the-password", "aaaaaaaaaaaaaaaa");
        c.send("a1 AUTHENTICATE SCRAM-SHA-256");
        assertThat(c.challenge()).isEmpty();
        c.send(scram.first());
        c.send(scram.last(c.challenge()));
        assertThat(c.line()).isEqualTo("a1 NO [AUTHENTICATIONFAILED] Authentication failed");
      }
      // a malformed client-final message
      Scram scram = new Scram("alice@localhost", "alice-Secret-1", "bbbbbbbbbbbbbbbb");
      c.send("a2 AUTHENTICATE SCRAM-SHA-256 " + scram.first());
      c.challenge();
      c.send(Base64.getEncoder().encodeToString("c=biws,r=x".getBytes(StandardCharsets.UTF_8)));
      assertThat(c.line()).isEqualTo("a2 NO [AUTHENTICATIONFAILED] Authentication failed");
    }
  }

  @Test
  void scramShouldBeRefusedEvenWithTheRightProofWhenTooManyWrongProofsCameBefore()
      throws Exception {
    try (Client c = new Client(carbonio)) {
      c.line();
      int limit = DirectoryLimits.DEFAULT_MAX_FAILURES_PER_ACCOUNT_AND_CLIENT;
      for (int i = 0; i < limit; i++) {
        Scram wrong = new Scram("alice@localhost", "guess-" + i, "cccccccccccccccc");
        c.send("a" + i + " AUTHENTICATE SCRAM-SHA-256 " + wrong.first());
        c.send(wrong.last(c.challenge()));
        assertThat(c.line())
            .isEqualTo("a" + i + " NO [AUTHENTICATIONFAILED] Authentication failed");
      }
      // The directory's limit now refuses this account from this client: the right proof fails
      // like a wrong one, and so does the right password through LOGIN (one counter for both).
      Scram right = new Scram("alice@localhost", "alice-Secret-1", "dddddddddddddddd");
      c.send("b1 AUTHENTICATE SCRAM-SHA-256 " + right.first());
      c.send(right.last(c.challenge()));
      assertThat(c.line()).isEqualTo("b1 NO [AUTHENTICATIONFAILED] Authentication failed");
      c.send("b2 LOGIN alice@localhost alice-Secret-1");
      assertThat(c.line()).startsWith("b2 NO ");
    }
  }

  @Test
  void loginMechanismShouldLogInWhenPasswordIsRight() throws Exception {
    try (Client c = new Client(carbonio)) {
      c.line();
      c.send("a1 AUTHENTICATE LOGIN");
      assertThat(c.challenge()).isEqualTo(b64("Username:"));
      c.send(b64("alice@localhost"));
      assertThat(c.challenge()).isEqualTo(b64("Password:"));
      c.send(b64("alice-Secret-1"));
      assertThat(c.line()).startsWith("a1 OK [CAPABILITY ");
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** The client side of SCRAM-SHA-256 (RFC 5802 §3), ASCII names and passwords only. */
  private static final class Scram {
    private final String user;
    private final String password;
    private final String nonce;
    private String clientFirstBare;
    private byte[] salted;
    private String authMessage;

    Scram(String user, String password, String nonce) {
      this.user = user;
      this.password = password;
      this.nonce = nonce;
    }

    String first() {
      clientFirstBare = "n=" + user + ",r=" + nonce;
      return b64("n,," + clientFirstBare);
    }

    String last(String serverFirstB64) throws GeneralSecurityException {
      String serverFirst =
          new String(Base64.getDecoder().decode(serverFirstB64), StandardCharsets.UTF_8);
      Map<String, String> a = new HashMap<>();
      for (String part : serverFirst.split(",")) a.put(part.substring(0, 1), part.substring(2));
      assertThat(a.get("r")).startsWith(nonce);
      salted =
          SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
              .generateSecret(
                  new PBEKeySpec(
                      password.toCharArray(),
                      Base64.getDecoder().decode(a.get("s")),
                      Integer.parseInt(a.get("i")),
                      256))
              .getEncoded();
      byte[] clientKey = hmac(salted, "Client Key");
      byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
      String withoutProof = "c=biws,r=" + a.get("r");
      authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
      byte[] signature = hmac(storedKey, authMessage);
      byte[] proof = new byte[clientKey.length];
      for (int i = 0; i < proof.length; i++) proof[i] = (byte) (clientKey[i] ^ signature[i]);
      return b64(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof));
    }

    boolean verify(String serverFinalB64) throws GeneralSecurityException {
      String serverFinal =
          new String(Base64.getDecoder().decode(serverFinalB64), StandardCharsets.UTF_8);
      byte[] serverKey = hmac(salted, "Server Key");
      return serverFinal.equals(
          "v=" + Base64.getEncoder().encodeToString(hmac(serverKey, authMessage)));
    }

    private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }
  }
}
