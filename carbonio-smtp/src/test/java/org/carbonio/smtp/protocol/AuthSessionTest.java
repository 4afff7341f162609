package org.carbonio.smtp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.carbonio.smtp.Compliance;
import org.carbonio.smtp.ListenerPolicy;
import org.carbonio.smtp.SmtpLimits;
import org.carbonio.smtp.SmtpMode;
import org.carbonio.smtp.spi.Authenticator;
import org.carbonio.smtp.spi.Delivery;
import org.carbonio.smtp.spi.RecipientPolicy;
import org.carbonio.smtp.spi.RejectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AUTH PLAIN and LOGIN (RFC 4954) and the listener policy, on the in-memory session. */
class AuthSessionTest {

  @TempDir Path spool;

  private final List<Delivery> delivered = new ArrayList<>();
  private final List<String> received = new ArrayList<>();
  private final List<String> calls = new ArrayList<>();

  /** alice/secret is valid; "locked" is refused with 454; "broken" fails. */
  private final Authenticator authenticator =
      (session, authzid, user, password) -> {
        calls.add(authzid + "|" + user + "|" + password);
        return switch (user) {
          case "locked" -> throw new RejectException(454, "4.7.0", "Locked out, try later");
          case "broken" -> throw new IOException("directory down");
          default ->
              user.equals("alice") && password.equals("secret")
                  ? Optional.of("alice@example.test")
                  : Optional.empty();
        };
      };

  private Transcript session(ListenerPolicy policy, boolean tls, SmtpLimits limits) {
    SmtpSessionConfig config =
        new SmtpSessionConfig(
            "mx.example.test",
            limits,
            SmtpMode.SMTP,
            Compliance.LENIENT,
            true,
            RecipientPolicy.ACCEPT_ALL,
            d -> {
              delivered.add(d);
              received.add(new String(d.content().readAllBytes(), StandardCharsets.UTF_8));
            },
            Clock.fixed(Instant.parse("2024-05-06T07:08:09Z"), ZoneOffset.UTC),
            spool,
            Optional.of(authenticator),
            policy);
    return new Transcript(config, tls);
  }

  private Transcript tls() {
    Transcript t = session(ListenerPolicy.SUBMISSION, true, SmtpLimits.DEFAULTS);
    t.script("S: 220 .*").ehlo("EHLO c", Transcript.base("REQUIRETLS", "AUTH PLAIN LOGIN"));
    return t;
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void authPlainShouldAuthenticateWhenInitialResponseIsValid() {
    Transcript t = tls();
    t.script(
        "C: AUTH PLAIN " + b64("\0alice\0secret"),
        "S: 235 2\\.7\\.0 Authentication successful",
        "C: MAIL FROM:<alice@example.test> AUTH=<>",
        "S: 250 2\\.1\\.0 .*",
        "C: RCPT TO:<bob@example.org>",
        "S: 250 .*",
        "C: DATA",
        "S: 354 .*",
        "C: hi",
        "C: .",
        "S: 250 2\\.0\\.0 .*");
    t.noMoreReplies();
    assertThat(t.session.info().authenticated()).isEqualTo("alice@example.test");
    assertThat(delivered.getFirst().session().authenticated()).isEqualTo("alice@example.test");
    assertThat(received.getFirst()).contains("with ESMTPSA id"); // RFC 3848
    assertThat(calls).containsExactly("|alice|secret");
    // RFC 4954 §4: no second AUTH, and EHLO no longer offers it
    t.script("C: AUTH PLAIN " + b64("\0alice\0secret"), "S: 503 5\\.5\\.1 .*already.*");
    t.ehlo("EHLO c", Transcript.base("REQUIRETLS"));
  }

  @Test
  void authPlainShouldPassAuthzidWhenClientGivesOne() {
    Transcript t = tls();
    t.script("C: AUTH PLAIN", "S: 334 ", "C: " + b64("admin\0alice\0secret"), "S: 235 .*");
    assertThat(calls).containsExactly("admin|alice|secret");
  }

  @Test
  void authLoginShouldPromptForUserAndPasswordWhenNoInitialResponse() {
    Transcript t = tls();
    t.script(
        "C: AUTH LOGIN",
        "S: 334 VXNlcm5hbWU6", // "Username:"
        "C: " + b64("alice"),
        "S: 334 UGFzc3dvcmQ6", // "Password:"
        "C: " + b64("secret"),
        "S: 235 2\\.7\\.0 .*");
    assertThat(t.session.info().isAuthenticated()).isTrue();
  }

  @Test
  void authLoginShouldTakeUserFromInitialResponse() {
    tls()
        .script(
            "C: AUTH LOGIN " + b64("alice"),
            "S: 334 UGFzc3dvcmQ6",
            "C: " + b64("secret"),
            "S: 235 .*")
        .noMoreReplies();
  }

  @Test
  void authShouldFailAndCloseWhenCredentialsAreWrongThreeTimes() {
    Transcript t = tls();
    t.script(
        "C: AUTH PLAIN " + b64("\0alice\0wrong"),
        "S: 535 5\\.7\\.8 Authentication credentials invalid",
        "C: AUTH LOGIN",
        "S: 334 .*",
        "C: *",
        "S: 501 5\\.7\\.0 Authentication cancelled");
    assertThat(t.closed()).isFalse();
    t.script("C: AUTH PLAIN " + b64("\0alice\0wrong"), "S: 421 4\\.7\\.0 .*authentication.*");
    assertThat(t.closed()).isTrue();
    assertThat(t.session.info().isAuthenticated()).isFalse();
  }

  @Test
  void authShouldReply501WhenResponseIsNotBase64() {
    Transcript t =
        session(ListenerPolicy.SUBMISSION, true, SmtpLimits.DEFAULTS.withMaxAuthFailures(10));
    t.script("S: 220 .*", "C: EHLO c", "S: 250-.*");
    t.send("");
    t.script(
        "S: 250-.*",
        "S: 250-.*",
        "S: 250-.*",
        "S: 250-.*",
        "S: 250-.*",
        "S: 250-.*",
        "S: 250-.*",
        "S: 250-.*",
        "S: 250-.*",
        "S: 250 AUTH PLAIN LOGIN",
        "C: AUTH PLAIN !!notbase64!!",
        "S: 501 5\\.5\\.2 Cannot decode response",
        "C: AUTH LOGIN",
        "S: 334 .*",
        "C: %%%",
        "S: 501 5\\.5\\.2 .*",
        "C: AUTH PLAIN " + b64("no-separators"),
        "S: 501 5\\.5\\.2 .*",
        "C: AUTH CRAM-MD5",
        "S: 504 5\\.5\\.4 .*",
        "C: AUTH",
        "S: 501 5\\.5\\.4 .*",
        "C: AUTH PLAIN " + b64("\0locked\0x"),
        "S: 454 4\\.7\\.0 Locked out, try later",
        "C: AUTH PLAIN " + b64("\0broken\0x"),
        "S: 454 4\\.7\\.0 Temporary authentication failure");
    assertThat(t.closed()).isFalse();
  }

  @Test
  void authShouldReply503WhenInTransactionOrBeforeEhlo() {
    Transcript t = session(ListenerPolicy.MX, true, SmtpLimits.DEFAULTS);
    t.script(
        "S: 220 .*",
        "C: AUTH PLAIN " + b64("\0alice\0secret"),
        "S: 503 5\\.5\\.1 .*HELO.*",
        "C: HELO c",
        "S: 250 .*",
        "C: MAIL FROM:<a@example.org>",
        "S: 250 .*",
        "C: AUTH PLAIN " + b64("\0alice\0secret"),
        "S: 503 5\\.5\\.1 .*transaction.*");
  }

  @Test
  void submissionShouldRequireTlsForAuthAndAuthForMail() {
    Transcript t = session(ListenerPolicy.SUBMISSION, false, SmtpLimits.DEFAULTS);
    // RFC 4954 §4: no AUTH PLAIN/LOGIN before TLS; STARTTLS is offered
    t.script("S: 220 .*").ehlo("EHLO c", Transcript.base("STARTTLS"));
    t.script(
        "C: AUTH PLAIN " + b64("\0alice\0secret"),
        "S: 538 5\\.7\\.11 Encryption required .*",
        "C: MAIL FROM:<alice@example.test>",
        "S: 530 5\\.7\\.0 Authentication required");
    assertThat(calls).isEmpty();
  }

  @Test
  void mxShouldOfferAuthOnlyAfterTlsUnlessPlaintextIsAllowed() {
    session(ListenerPolicy.MX, false, SmtpLimits.DEFAULTS)
        .script("S: 220 .*")
        .ehlo("EHLO c", Transcript.base("STARTTLS"))
        .script("C: MAIL FROM:<a@example.org>", "S: 250 .*"); // MX: AUTH optional
    session(ListenerPolicy.MX.withPlaintextAuthAllowed(true), false, SmtpLimits.DEFAULTS)
        .script("S: 220 .*")
        .ehlo("EHLO c", Transcript.base("AUTH PLAIN LOGIN", "STARTTLS"))
        .script("C: AUTH PLAIN " + b64("\0alice\0secret"), "S: 235 .*");
    assertThat(received).isEmpty();
  }

  @Test
  void authShouldReply502WhenNoAuthenticatorIsConfigured() {
    SmtpSessionConfig config =
        new SmtpSessionConfig(
            "mx.example.test",
            SmtpLimits.DEFAULTS,
            SmtpMode.SMTP,
            Compliance.LENIENT,
            false,
            RecipientPolicy.ACCEPT_ALL,
            d -> {},
            Clock.systemUTC(),
            spool);
    new Transcript(config, true)
        .script("S: 220 .*")
        .ehlo("EHLO c", Transcript.base("REQUIRETLS"))
        .script("C: AUTH PLAIN " + b64("\0alice\0secret"), "S: 502 5\\.5\\.1 .*");
  }

  @Test
  void decoderShouldAllowLongLinesOnlyForSaslResponses() {
    Transcript t =
        session(ListenerPolicy.SUBMISSION, true, SmtpLimits.DEFAULTS.withMaxAuthFailures(10));
    t.script("S: 220 .*").ehlo("EHLO c", Transcript.base("REQUIRETLS", "AUTH PLAIN LOGIN"));
    // RFC 4954 §4: a response line of 12288 octets is read whole (here: a long password)
    String longPassword = "p".repeat(6000);
    String response = b64("\0alice\0" + longPassword);
    assertThat(response.length()).isGreaterThan(1000).isLessThanOrEqualTo(12288);
    t.script("C: AUTH PLAIN", "S: 334 ", "C: " + response, "S: 535 5\\.7\\.8 .*");
    assertThat(calls).containsExactly("|alice|" + longPassword);
    // one octet more is refused, and the exchange ends
    t.script("C: AUTH LOGIN", "S: 334 .*", "C: " + "A".repeat(12289), "S: 500 5\\.5\\.6 .*");
    // the same length as a command line is just too long
    t.script(
        "C: NOOP " + "A".repeat(1000), "S: 500 5\\.5\\.2 Line too long", "C: NOOP", "S: 250 .*");
    t.noMoreReplies();
  }

  @Test
  void mailShouldRefuseMalformedAuthParameter() {
    tls()
        .script(
            "C: AUTH PLAIN " + b64("\0alice\0secret"),
            "S: 235 .*",
            "C: MAIL FROM:<a@example.org> AUTH=a+ZZb",
            "S: 501 5\\.5\\.4 Bad AUTH parameter value",
            "C: MAIL FROM:<a@example.org> AUTH=alice+40example.test",
            "S: 250 .*");
  }

  @Test
  void tlsShouldForgetAuthenticationWhenStartedAfterAuth() {
    Transcript t =
        session(ListenerPolicy.MX.withPlaintextAuthAllowed(true), false, SmtpLimits.DEFAULTS);
    t.script(
        "S: 220 .*",
        "C: HELO c",
        "S: 250 .*",
        "C: AUTH PLAIN " + b64("\0alice\0secret"),
        "S: 235 .*",
        "C: STARTTLS",
        "S: 220 .*");
    assertThat(t.session.info().tls()).isTrue();
    assertThat(t.session.info().authenticated()).isEmpty(); // RFC 3207 §4.2
  }
}
