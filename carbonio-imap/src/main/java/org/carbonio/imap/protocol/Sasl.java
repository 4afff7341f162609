package org.carbonio.imap.protocol;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.carbonio.directory.sasl.LoginMechanism;
import org.carbonio.directory.sasl.SaslError;
import org.carbonio.directory.sasl.SaslMechanism;
import org.carbonio.directory.sasl.ScramSha256Mechanism;
import org.carbonio.imap.protocol.ImapResponse.Status;
import org.carbonio.imap.protocol.ImapResponse.Tagged;
import org.carbonio.imap.spi.ScramAccount;
import org.carbonio.imap.spi.ScramSupport;

/** AUTHENTICATE mechanisms beyond PLAIN (RFC 9051 §6.2.2, RFC 4959). Package-private; stateless. */
final class Sasl {
  static final String PLAIN = "PLAIN";
  static final String LOGIN = LoginMechanism.NAME;
  static final String SCRAM_SHA_256 = "SCRAM-SHA-256";

  private Sasl() {}

  /** The AUTH= capabilities. */
  static List<String> mechanisms(boolean scram) {
    List<String> caps = new ArrayList<>(List.of("AUTH=" + PLAIN, "AUTH=" + LOGIN));
    if (scram) caps.add("AUTH=" + SCRAM_SHA_256);
    return caps;
  }

  /**
   * A fresh mechanism for {@code name} (upper case), or null when not offered. PLAIN is handled by
   * the session itself.
   *
   * @param client where the login comes from, for SCRAM's brute-force limits
   * @param checked receives the name a SCRAM client sent when its proof will be checked (not when
   *     {@link ScramSupport.Attempts} refused the attempt: then the login fails unchecked)
   * @param canonical receives the canonical user name SCRAM's lookup found
   */
  static SaslMechanism mechanism(
      String name,
      Optional<ScramSupport> scram,
      InetAddress client,
      Consumer<String> checked,
      Consumer<String> canonical) {
    return switch (name.toUpperCase(Locale.ROOT)) {
      case LOGIN -> new LoginMechanism();
      case SCRAM_SHA_256 ->
          scram.map(s -> scramMechanism(s, client, checked, canonical)).orElse(null);
      default -> null;
    };
  }

  private static SaslMechanism scramMechanism(
      ScramSupport s, InetAddress client, Consumer<String> checked, Consumer<String> canonical) {
    return new ScramSha256Mechanism(
        username -> {
          // Refused attempts get the unknown user's fake credentials: they fail like a wrong
          // password, so the answer does not tell that the limit was hit.
          if (!s.attempts().allowed(username, client)) return Optional.empty();
          checked.accept(username);
          Optional<ScramAccount> account = s.lookup().find(username);
          account.ifPresent(a -> canonical.accept(a.canonicalName()));
          return account.map(ScramAccount::credentials);
        },
        s.secret());
  }

  /** A client response: base64, {@code =} for empty (RFC 4959 §3); null when not base64. */
  static byte[] decode(String line) {
    String s = line.trim();
    if (s.equals("=")) return new byte[0];
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** A challenge as continuation text: base64 of its UTF-8 bytes (empty stays empty). */
  static String encode(String message) {
    return Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8));
  }

  /** RFC 5530 response codes for a failed exchange. */
  static Tagged failure(String tag, SaslError error) {
    return switch (error) {
      case AUTHORIZATION_REFUSED ->
          new Tagged(tag, Status.NO, "AUTHORIZATIONFAILED", "Cannot act as another user");
      default -> new Tagged(tag, Status.NO, "AUTHENTICATIONFAILED", "Authentication failed");
    };
  }
}
