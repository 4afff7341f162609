package org.carbonio.smtp.outbound;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.SSLContext;
import org.carbonio.smtp.DsnNotify;
import org.carbonio.smtp.DsnReturn;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.RecipientOutcome.Status;
import org.carbonio.smtp.SmtpServer;
import org.carbonio.smtp.dns.DnsjavaResolver;
import org.carbonio.smtp.protocol.BodyType;
import org.carbonio.smtp.spi.Delivery;
import org.carbonio.smtp.spi.RecipientDecision;
import org.carbonio.smtp.spi.RejectException;
import org.carbonio.smtp.testkit.DnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Outbound delivery against real SMTP servers on 127.0.0.x, routed by a real DNS server. */
class OutboundDeliveryTest {

  static TestPki pki;
  static TestPki.Issued mxCert;
  static TestPki.Issued wrongCert;

  record Received(
      String session, boolean tls, String sender, List<String> recipients, String content) {}

  final Queue<Received> received = new ConcurrentLinkedQueue<>();
  final List<AutoCloseable> closeables = new ArrayList<>();
  DnsServer dns;
  DnsjavaResolver resolver;

  @BeforeAll
  static void certificates() throws Exception {
    pki = new TestPki();
    mxCert = pki.issue("mx.example.test", "mx2.example.test", "127.0.0.1");
    wrongCert = pki.issue("other.test");
  }

  @BeforeEach
  void startDns() throws Exception {
    dns = DnsServer.start();
    closeables.add(dns);
    resolver =
        DnsjavaResolver.builder()
            .servers(List.of(dns.address()))
            .timeout(Duration.ofSeconds(2))
            .cacheSize(0)
            .build();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  // ---- helpers

  SmtpServer smtp(String bind, int port, SSLContext tls) throws IOException {
    SmtpServer.Builder b =
        SmtpServer.builder()
            .bind(new InetSocketAddress(InetAddress.getByName(bind), port))
            .hostname("mx.example.test")
            .shutdownTimeout(Duration.ofSeconds(2))
            .recipientPolicy(
                c ->
                    c.recipient().startsWith("unknown@")
                        ? RecipientDecision.reject(550, "5.1.1", "No such user")
                        : c.recipient().startsWith("later@")
                            ? RecipientDecision.reject(450, "4.2.1", "Try later")
                            : RecipientDecision.accept())
            .deliveryHandler(
                d -> {
                  if (d.sender().startsWith("spam@")) {
                    throw new RejectException(554, "5.7.1", "Looks like spam");
                  }
                  received.add(received(d));
                });
    if (tls != null) {
      b.tls(tls);
    }
    SmtpServer s = b.build().start();
    closeables.add(s);
    return s;
  }

  static Received received(Delivery d) throws IOException {
    return new Received(
        d.session().id(),
        d.session().tls(),
        d.sender(),
        d.recipients(),
        new String(d.content().readAllBytes(), UTF_8));
  }

  OutboundDelivery outbound(int port, OutboundConfig.Builder tweak) throws Exception {
    OutboundConfig config =
        tweak.heloName("client.test").port(port).allTimeouts(Duration.ofSeconds(10)).build();
    OutboundDelivery o = OutboundDelivery.create(config, resolver);
    closeables.add(o);
    return o;
  }

  OutboundDelivery outbound(int port) throws Exception {
    return outbound(port, OutboundConfig.builder().trust(pki.trust()));
  }

  static MessageContent content(String text) {
    byte[] bytes = text.getBytes(UTF_8);
    return new MessageContent() {
      @Override
      public InputStream open() {
        return new ByteArrayInputStream(bytes);
      }

      @Override
      public long size() {
        return bytes.length;
      }
    };
  }

  static final MessageContent MESSAGE =
      content(
          "From: a@sender.test\r\nTo: b@example.test\r\nSubject: hi\r\n\r\nHello\r\n.dot line\r\n");

  static List<RecipientOutcome> send(OutboundDelivery out, Envelope env)
      throws InterruptedException {
    return out.deliver(env, env.recipients(), MESSAGE);
  }

  static List<RecipientOutcome> send(OutboundDelivery out, String... rcpts)
      throws InterruptedException {
    return send(out, Envelope.of("a@sender.test", List.of(rcpts)));
  }

  void mxAt(String domain, int pref, String host, String address) {
    dns.mx(domain, pref, host).a(host, address);
  }

  final java.util.concurrent.atomic.AtomicInteger policyFetches =
      new java.util.concurrent.atomic.AtomicInteger();

  HttpsServer policyServer(String policy, TestPki.Issued cert) throws Exception {
    HttpsServer https =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(cert.serverContext()));
    https.createContext(
        "/.well-known/mta-sts.txt",
        ex -> {
          policyFetches.incrementAndGet();
          byte[] body = policy.getBytes(UTF_8);
          ex.getResponseHeaders().add("Content-Type", "text/plain");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    https.start();
    closeables.add(() -> https.stop(0));
    dns.txt("_mta-sts.example.test", "v=STSv1; id=20260101").a("mta-sts.example.test", "127.0.0.1");
    return https;
  }

  static final String ENFORCE =
      "version: STSv1\r\nmode: enforce\r\nmx: mx.example.test\r\nmax_age: 86400\r\n";

  // ---- routing

  @Test
  void deliverShouldUseLowestPreferenceMxWhenSeveral() throws Exception {
    SmtpServer first = smtp("127.0.0.1", 0, null);
    int port = first.localAddress().getPort();
    smtp("127.0.0.3", port, null);
    mxAt("example.test", 20, "backup.example.test", "127.0.0.3");
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    List<RecipientOutcome> r = send(outbound(port), "b@example.test");
    assertThat(r)
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.status()).isEqualTo(Status.DELIVERED);
              assertThat(o.remoteMta()).isEqualTo("mx.example.test");
            });
    assertThat(received).hasSize(1);
    assertThat(received.peek().content()).contains("\r\n.dot line\r\n");
  }

  @Test
  void deliverShouldSpreadOverMxHostsWhenPreferencesAreEqual() throws Exception {
    SmtpServer first = smtp("127.0.0.1", 0, null);
    int port = first.localAddress().getPort();
    smtp("127.0.0.3", port, null);
    mxAt("example.test", 10, "mx1.example.test", "127.0.0.1");
    mxAt("example.test", 10, "mx2.example.test", "127.0.0.3");
    OutboundDelivery out = outbound(port, OutboundConfig.builder().idleTimeout(Duration.ZERO));
    java.util.Set<String> hosts = new java.util.HashSet<>();
    for (int i = 0; i < 16; i++) {
      hosts.add(send(out, "b@example.test").getFirst().remoteMta());
    }
    // RFC 5321 §5.1: equal preferences in random order (all 16 on one host: p = 2^-15)
    assertThat(hosts).containsExactlyInAnyOrder("mx1.example.test", "mx2.example.test");
  }

  @Test
  void deliverShouldFallBackToNextMxWhenConnectFails() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, null);
    mxAt("example.test", 10, "dead.example.test", "127.0.0.2"); // nothing listens there
    mxAt("example.test", 20, "mx.example.test", "127.0.0.1");
    List<RecipientOutcome> r = send(outbound(s.localAddress().getPort()), "b@example.test");
    assertThat(r.getFirst().status()).isEqualTo(Status.DELIVERED);
    assertThat(r.getFirst().remoteMta()).isEqualTo("mx.example.test");
  }

  @Test
  void deliverShouldFallBackToNextMxWhenGreetingIs4xx() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, null);
    int port = s.localAddress().getPort();
    ScriptedSmtp busy = new ScriptedSmtp(InetAddress.getByName("127.0.0.2"), port, null, false);
    closeables.add(busy);
    busy.greeting = "421 4.3.2 busy";
    mxAt("example.test", 10, "busy.example.test", "127.0.0.2");
    mxAt("example.test", 20, "mx.example.test", "127.0.0.1");
    assertThat(send(outbound(port), "b@example.test").getFirst().status())
        .isEqualTo(Status.DELIVERED);
    assertThat(busy.connections.get()).isEqualTo(1);
  }

  @Test
  void deliverShouldUseDomainAddressWhenNoMx() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, null);
    dns.a("example.test", "127.0.0.1");
    List<RecipientOutcome> r = send(outbound(s.localAddress().getPort()), "b@example.test");
    assertThat(r.getFirst().status()).isEqualTo(Status.DELIVERED);
    assertThat(r.getFirst().remoteMta()).isEqualTo("example.test");
  }

  @Test
  void deliverShouldFailPermanentlyWhenNullMx() throws Exception {
    dns.nullMx("example.test").a("example.test", "127.0.0.1");
    RecipientOutcome o = send(outbound(25), "b@example.test").getFirst();
    assertThat(o.status()).isEqualTo(Status.PERMANENT);
    assertThat(o.code()).isEqualTo(556);
    assertThat(o.enhancedStatus()).isEqualTo("5.1.10");
  }

  @Test
  void deliverShouldFailPermanentlyWhenDomainDoesNotExist() throws Exception {
    RecipientOutcome o = send(outbound(25), "b@nowhere.test").getFirst();
    assertThat(o.status()).isEqualTo(Status.PERMANENT);
    assertThat(o.enhancedStatus()).isEqualTo("5.1.2");
  }

  @Test
  void deliverShouldDeferWhenDnsServfails() throws Exception {
    dns.servfail("example.test");
    RecipientOutcome o = send(outbound(25), "b@example.test").getFirst();
    assertThat(o.status()).isEqualTo(Status.TEMPORARY);
    assertThat(o.enhancedStatus()).isEqualTo("4.4.3");
  }

  @Test
  void deliverShouldDeferWhenDnsTimesOut() throws Exception {
    dns.mx("example.test", 10, "mx.example.test").drop("mx.example.test");
    RecipientOutcome o = send(outbound(25), "b@example.test").getFirst();
    assertThat(o.status()).isEqualTo(Status.TEMPORARY);
  }

  @Test
  void deliverShouldReportEachRecipientWhenRepliesDiffer() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, null);
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    List<RecipientOutcome> r =
        send(
            outbound(s.localAddress().getPort()),
            "ok@example.test",
            "later@example.test",
            "unknown@example.test");
    assertThat(r)
        .extracting(RecipientOutcome::status)
        .containsExactly(Status.DELIVERED, Status.TEMPORARY, Status.PERMANENT);
    assertThat(r).extracting(RecipientOutcome::code).containsExactly(250, 450, 550);
    assertThat(r)
        .extracting(RecipientOutcome::enhancedStatus)
        .containsExactly("2.0.0", "4.2.1", "5.1.1");
    assertThat(r).extracting(RecipientOutcome::remoteMta).containsOnly("mx.example.test");
    assertThat(received)
        .singleElement()
        .extracting(Received::recipients)
        .isEqualTo(List.of("ok@example.test"));
  }

  @Test
  void deliverShouldFailAcceptedRecipientsWhenDataRejected() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, null);
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    List<RecipientOutcome> r =
        send(
            outbound(s.localAddress().getPort()),
            Envelope.of("spam@sender.test", List.of("a@example.test", "b@example.test")));
    assertThat(r).extracting(RecipientOutcome::status).containsOnly(Status.PERMANENT);
    assertThat(r).extracting(RecipientOutcome::enhancedStatus).containsOnly("5.7.1");
  }

  @Test
  void deliverShouldRouteEachDomainWhenSeveral() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, null);
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    mxAt("other.test", 10, "mx.other.test", "127.0.0.1");
    List<RecipientOutcome> r =
        send(outbound(s.localAddress().getPort()), "a@example.test", "b@other.test", "nodomain");
    assertThat(r)
        .extracting(RecipientOutcome::status)
        .containsExactlyInAnyOrder(Status.DELIVERED, Status.DELIVERED, Status.PERMANENT);
    assertThat(received).hasSize(2);
  }

  // ---- TLS

  @Test
  void deliverShouldUseStartTlsWhenOfferedEvenWithUntrustedCertificate() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, wrongCert.serverContext());
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    OutboundDelivery out =
        outbound(s.localAddress().getPort(), OutboundConfig.builder()); // JDK trust
    assertThat(send(out, "b@example.test").getFirst().status()).isEqualTo(Status.DELIVERED);
    assertThat(received.peek().tls()).isTrue();
  }

  @Test
  void deliverShouldSendPlaintextWhenStartTlsNotOffered() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, null);
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    assertThat(send(outbound(s.localAddress().getPort()), "b@example.test").getFirst().status())
        .isEqualTo(Status.DELIVERED);
    assertThat(received.peek().tls()).isFalse();
  }

  @Test
  void deliverShouldContinueInPlaintextWhenStartTlsRefused() throws Exception {
    ScriptedSmtp mx =
        new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, mxCert.serverContext(), false);
    closeables.add(mx);
    mx.starttlsReply = "454 4.7.0 TLS not available";
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    assertThat(send(outbound(mx.port()), "b@example.test").getFirst().status())
        .isEqualTo(Status.DELIVERED);
    assertThat(mx.messageTls).containsExactly(false);
  }

  @Test
  void deliverShouldRetryInPlaintextWhenHandshakeFails() throws Exception {
    ScriptedSmtp mx =
        new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, mxCert.serverContext(), false);
    closeables.add(mx);
    mx.breakTls = true;
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    assertThat(send(outbound(mx.port()), "b@example.test").getFirst().status())
        .isEqualTo(Status.DELIVERED);
    assertThat(mx.connections.get()).isEqualTo(2);
    assertThat(mx.messageTls).containsExactly(false);
  }

  // ---- MTA-STS

  @Test
  void deliverShouldUseVerifiedTlsWhenMtaStsEnforcesAndCertificateIsValid() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, mxCert.serverContext());
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    HttpsServer https = policyServer(ENFORCE, pki.issue("mta-sts.example.test"));
    OutboundDelivery out =
        outbound(
            s.localAddress().getPort(),
            OutboundConfig.builder().trust(pki.trust()).mtaStsPort(https.getAddress().getPort()));
    assertThat(send(out, "b@example.test").getFirst().status()).isEqualTo(Status.DELIVERED);
    assertThat(received.peek().tls()).isTrue();
  }

  @Test
  void deliverShouldDeferWhenMtaStsEnforcesAndCertificateNameIsWrong() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, wrongCert.serverContext());
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    HttpsServer https = policyServer(ENFORCE, pki.issue("mta-sts.example.test"));
    OutboundDelivery out =
        outbound(
            s.localAddress().getPort(),
            OutboundConfig.builder().trust(pki.trust()).mtaStsPort(https.getAddress().getPort()));
    RecipientOutcome o = send(out, "b@example.test").getFirst();
    assertThat(o.status()).isEqualTo(Status.TEMPORARY);
    assertThat(o.enhancedStatus()).isEqualTo("4.7.5");
    assertThat(received).isEmpty();
  }

  @Test
  void deliverShouldDeferWhenMtaStsEnforcesAndCertificateAuthorityIsUnknown() throws Exception {
    TestPki.Issued rogue = new TestPki().issue("mx.example.test"); // right name, unknown CA
    SmtpServer s = smtp("127.0.0.1", 0, rogue.serverContext());
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    HttpsServer https = policyServer(ENFORCE, pki.issue("mta-sts.example.test"));
    OutboundDelivery out =
        outbound(
            s.localAddress().getPort(),
            OutboundConfig.builder().trust(pki.trust()).mtaStsPort(https.getAddress().getPort()));
    assertThat(send(out, "b@example.test").getFirst().status()).isEqualTo(Status.TEMPORARY);
    assertThat(received).isEmpty();
  }

  @Test
  void deliverShouldDeferWhenMtaStsEnforcesAndMxDoesNotMatch() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, mxCert.serverContext());
    mxAt("example.test", 10, "mx2.example.test", "127.0.0.1");
    HttpsServer https = policyServer(ENFORCE, pki.issue("mta-sts.example.test"));
    OutboundDelivery out =
        outbound(
            s.localAddress().getPort(),
            OutboundConfig.builder().trust(pki.trust()).mtaStsPort(https.getAddress().getPort()));
    assertThat(send(out, "b@example.test").getFirst().status()).isEqualTo(Status.TEMPORARY);
    assertThat(received).isEmpty();
  }

  @Test
  void deliverShouldDeferWhenMtaStsEnforcesAndStartTlsMissing() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, null);
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    HttpsServer https = policyServer(ENFORCE, pki.issue("mta-sts.example.test"));
    OutboundDelivery out =
        outbound(
            s.localAddress().getPort(),
            OutboundConfig.builder().trust(pki.trust()).mtaStsPort(https.getAddress().getPort()));
    RecipientOutcome o = send(out, "b@example.test").getFirst();
    assertThat(o.status()).isEqualTo(Status.TEMPORARY);
    assertThat(o.enhancedStatus()).isEqualTo("4.7.10");
  }

  @Test
  void deliverShouldIgnorePolicyWhenPolicyHostCertificateIsUntrusted() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, wrongCert.serverContext());
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    HttpsServer https = policyServer(ENFORCE, pki.issue("not-the-policy-host.test"));
    OutboundDelivery out =
        outbound(
            s.localAddress().getPort(),
            OutboundConfig.builder().trust(pki.trust()).mtaStsPort(https.getAddress().getPort()));
    // RFC 8461 §3.3: a policy from a host with a bad certificate is no policy
    assertThat(send(out, "b@example.test").getFirst().status()).isEqualTo(Status.DELIVERED);
  }

  @Test
  void deliverShouldDeliverWhenMtaStsTestingAndCertificateIsWrong() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, wrongCert.serverContext());
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    HttpsServer https =
        policyServer(ENFORCE.replace("enforce", "testing"), pki.issue("mta-sts.example.test"));
    OutboundDelivery out =
        outbound(
            s.localAddress().getPort(),
            OutboundConfig.builder().trust(pki.trust()).mtaStsPort(https.getAddress().getPort()));
    assertThat(send(out, "b@example.test").getFirst().status()).isEqualTo(Status.DELIVERED);
  }

  @Test
  void deliverShouldFetchPolicyOnceWhenCachedWithinMaxAge() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, mxCert.serverContext());
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    HttpsServer https = policyServer(ENFORCE, pki.issue("mta-sts.example.test"));
    OutboundDelivery out =
        outbound(
            s.localAddress().getPort(),
            OutboundConfig.builder().trust(pki.trust()).mtaStsPort(https.getAddress().getPort()));
    send(out, "a@example.test");
    send(out, "b@example.test");
    assertThat(received).hasSize(2);
    assertThat(policyFetches.get()).isEqualTo(1);
  }

  // ---- DANE

  void secureMx(String tlsaHex) {
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    dns.tlsa("_25._tcp.mx.example.test", 3, 1, 1, tlsaHex);
    dns.secure("example.test", "_25._tcp.mx.example.test");
  }

  @Test
  void deliverShouldUseDaneWhenTlsaMatches() throws Exception {
    // the certificate names another host and its CA is unknown: DANE-EE ignores both (RFC 7672
    // §3.1.1)
    SmtpServer s = smtp("127.0.0.1", 0, wrongCert.serverContext());
    secureMx(HexFormat.of().formatHex(wrongCert.spkiSha256()));
    OutboundDelivery out = outbound(s.localAddress().getPort(), OutboundConfig.builder());
    assertThat(send(out, "b@example.test").getFirst().status()).isEqualTo(Status.DELIVERED);
    assertThat(received.peek().tls()).isTrue();
  }

  @Test
  void deliverShouldUseDaneWhenTlsaMatchesFullCertificate() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, wrongCert.serverContext());
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    byte[] certSha256 =
        java.security.MessageDigest.getInstance("SHA-256").digest(wrongCert.leaf().getEncoded());
    dns.tlsa("_25._tcp.mx.example.test", 3, 0, 1, certSha256) // DANE-EE, full certificate
        .secure("example.test", "_25._tcp.mx.example.test");
    assertThat(send(outbound(s.localAddress().getPort()), "b@example.test").getFirst().status())
        .isEqualTo(Status.DELIVERED);
    assertThat(received.peek().tls()).isTrue();
  }

  @Test
  void deliverShouldDeferWhenTlsaDoesNotMatch() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, wrongCert.serverContext());
    secureMx(HexFormat.of().formatHex(mxCert.spkiSha256()));
    RecipientOutcome o = send(outbound(s.localAddress().getPort()), "b@example.test").getFirst();
    assertThat(o.status()).isEqualTo(Status.TEMPORARY);
    assertThat(o.enhancedStatus()).isEqualTo("4.7.5");
    assertThat(received).isEmpty();
  }

  @Test
  void deliverShouldMatchTrustAnchorWhenTlsaUsageIsTwo() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, mxCert.serverContext());
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    byte[] caSpki =
        java.security.MessageDigest.getInstance("SHA-256")
            .digest(pki.ca.getPublicKey().getEncoded());
    dns.tlsa("_25._tcp.mx.example.test", 2, 1, 1, caSpki)
        .secure("example.test", "_25._tcp.mx.example.test");
    OutboundDelivery out = outbound(s.localAddress().getPort(), OutboundConfig.builder());
    assertThat(send(out, "b@example.test").getFirst().status()).isEqualTo(Status.DELIVERED);
  }

  @Test
  void deliverShouldIgnoreTlsaWhenNotAuthenticated() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, wrongCert.serverContext());
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    dns.tlsa("_25._tcp.mx.example.test", 3, 1, 1, "00".repeat(32)); // no AD bit
    assertThat(send(outbound(s.localAddress().getPort()), "b@example.test").getFirst().status())
        .isEqualTo(Status.DELIVERED);
  }

  @Test
  void deliverShouldDeferWhenDaneRequiredAndStartTlsMissing() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, null);
    secureMx("00".repeat(32));
    assertThat(
            send(outbound(s.localAddress().getPort()), "b@example.test")
                .getFirst()
                .enhancedStatus())
        .isEqualTo("4.7.10");
  }

  // ---- REQUIRETLS, SMTPUTF8, SIZE, DSN

  static Envelope requireTls(String rcpt) {
    return new Envelope(
        "a@sender.test",
        List.of(EnvelopeRecipient.of(rcpt)),
        null,
        "",
        BodyType.UNSPECIFIED,
        false,
        true);
  }

  @Test
  void deliverShouldRefuseRequireTlsWhenNoPolicyAuthenticatesTheMx() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, mxCert.serverContext());
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    RecipientOutcome o =
        send(outbound(s.localAddress().getPort()), requireTls("b@example.test")).getFirst();
    assertThat(o.status()).isEqualTo(Status.PERMANENT);
    assertThat(o.enhancedStatus()).isEqualTo("5.7.10");
    assertThat(received).isEmpty();
  }

  @Test
  void deliverShouldSendRequireTlsWhenMtaStsVerifiesAndPeerSupportsIt() throws Exception {
    ScriptedSmtp mx =
        new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, mxCert.serverContext(), false);
    closeables.add(mx);
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    HttpsServer https = policyServer(ENFORCE, pki.issue("mta-sts.example.test"));
    OutboundDelivery out =
        outbound(
            mx.port(),
            OutboundConfig.builder().trust(pki.trust()).mtaStsPort(https.getAddress().getPort()));
    assertThat(send(out, requireTls("b@example.test")).getFirst().status())
        .isEqualTo(Status.DELIVERED);
    assertThat(mx.commands)
        .anyMatch(c -> c.startsWith("MAIL FROM:<a@sender.test>") && c.contains(" REQUIRETLS"));
    assertThat(mx.messageTls).containsExactly(true);
  }

  @Test
  void deliverShouldRefuseRequireTlsWhenPeerLacksIt() throws Exception {
    // the engine offers REQUIRETLS after STARTTLS now: a scripted peer without it
    ScriptedSmtp s =
        new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, mxCert.serverContext(), false);
    closeables.add(s);
    s.extensions = List.of("PIPELINING", "8BITMIME", "SIZE 10000000");
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    HttpsServer https = policyServer(ENFORCE, pki.issue("mta-sts.example.test"));
    OutboundDelivery out =
        outbound(
            s.port(),
            OutboundConfig.builder().trust(pki.trust()).mtaStsPort(https.getAddress().getPort()));
    RecipientOutcome o = send(out, requireTls("b@example.test")).getFirst();
    assertThat(o.status()).isEqualTo(Status.PERMANENT);
    assertThat(o.enhancedStatus()).isEqualTo("5.7.30");
  }

  @Test
  void deliverShouldFailPermanentlyWhenSmtputf8NeededAndPeerLacksIt() throws Exception {
    ScriptedSmtp mx = new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, null, false);
    closeables.add(mx);
    mx.extensions = List.of("PIPELINING", "8BITMIME");
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    RecipientOutcome o = send(outbound(mx.port()), "jörg@example.test").getFirst();
    assertThat(o.status()).isEqualTo(Status.PERMANENT);
    assertThat(o.enhancedStatus()).isEqualTo("5.6.7");
    assertThat(mx.commands).noneMatch(c -> c.startsWith("MAIL"));
  }

  @Test
  void deliverShouldSendSmtputf8WhenNeededAndOffered() throws Exception {
    ScriptedSmtp mx = new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, null, false);
    closeables.add(mx);
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    assertThat(send(outbound(mx.port()), "jörg@example.test").getFirst().status())
        .isEqualTo(Status.DELIVERED);
    assertThat(mx.commands).anyMatch(c -> c.startsWith("MAIL") && c.endsWith(" SMTPUTF8"));
    assertThat(mx.commands).contains("RCPT TO:<jörg@example.test>");
  }

  @Test
  void deliverShouldFailPermanentlyWhenMessageExceedsPeerSize() throws Exception {
    ScriptedSmtp mx = new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, null, false);
    closeables.add(mx);
    mx.extensions = List.of("SIZE 10");
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    RecipientOutcome o = send(outbound(mx.port()), "b@example.test").getFirst();
    assertThat(o.status()).isEqualTo(Status.PERMANENT);
    assertThat(o.enhancedStatus()).isEqualTo("5.3.4");
  }

  @Test
  void deliverShouldPassDsnParametersWhenPeerOffersDsn() throws Exception {
    ScriptedSmtp mx = new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, null, false);
    closeables.add(mx);
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    Envelope env =
        new Envelope(
            "a@sender.test",
            List.of(
                new EnvelopeRecipient(
                    "b@example.test",
                    Set.of(DsnNotify.SUCCESS, DsnNotify.FAILURE),
                    "rfc822;b+x@example.test")),
            DsnReturn.HDRS,
            "id=42",
            BodyType.EIGHT_BIT_MIME,
            false,
            false);
    assertThat(send(outbound(mx.port()), env).getFirst().status()).isEqualTo(Status.DELIVERED);
    assertThat(mx.commands)
        .contains(
            "MAIL FROM:<a@sender.test> SIZE="
                + MESSAGE.size()
                + " BODY=8BITMIME RET=HDRS ENVID=id+3D42",
            "RCPT TO:<b@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Bx@example.test");
  }

  // ---- smarthost

  @Test
  void deliverShouldAuthenticateAtSmarthostWhenCredentialsGiven() throws Exception {
    ScriptedSmtp relay =
        new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, mxCert.serverContext(), false);
    closeables.add(relay);
    OutboundDelivery out =
        outbound(
            25,
            OutboundConfig.builder()
                .trust(pki.trust())
                .smarthost(
                    Smarthost.of("127.0.0.1", relay.port(), Smarthost.Tls.STARTTLS)
                        .withCredentials("relayuser", "secret")));
    // no DNS record exists for the domain: the smarthost replaces MX routing
    assertThat(send(out, "b@nowhere.test").getFirst().status()).isEqualTo(Status.DELIVERED);
    assertThat(relay.commands).contains("AUTH PLAIN ****");
    assertThat(relay.messageTls).containsExactly(true);
  }

  @Test
  void deliverShouldUseAuthLoginWhenPlainNotOffered() throws Exception {
    ScriptedSmtp relay =
        new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, mxCert.serverContext(), true);
    closeables.add(relay);
    relay.extensions = List.of("AUTH LOGIN");
    OutboundDelivery out =
        outbound(
            25,
            OutboundConfig.builder()
                .trust(pki.trust())
                .smarthost(
                    Smarthost.of("127.0.0.1", relay.port(), Smarthost.Tls.IMPLICIT)
                        .withCredentials("relayuser", "secret")));
    assertThat(send(out, "b@nowhere.test").getFirst().status()).isEqualTo(Status.DELIVERED);
    assertThat(relay.commands).contains("AUTH LOGIN as relayuser");
  }

  @Test
  void deliverShouldDeferWhenSmarthostRejectsCredentials() throws Exception {
    ScriptedSmtp relay =
        new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, mxCert.serverContext(), false);
    closeables.add(relay);
    OutboundDelivery out =
        outbound(
            25,
            OutboundConfig.builder()
                .trust(pki.trust())
                .smarthost(
                    Smarthost.of("127.0.0.1", relay.port(), Smarthost.Tls.STARTTLS)
                        .withCredentials("relayuser", "wrong")));
    RecipientOutcome o = send(out, "b@nowhere.test").getFirst();
    assertThat(o.status()).isEqualTo(Status.TEMPORARY);
    assertThat(relay.messages).isEmpty();
  }

  @Test
  void deliverShouldRefuseSmarthostWhenCertificateUntrusted() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, wrongCert.serverContext());
    OutboundDelivery out =
        outbound(
            25,
            OutboundConfig.builder()
                .trust(pki.trust())
                .smarthost(
                    Smarthost.of("127.0.0.1", s.localAddress().getPort(), Smarthost.Tls.STARTTLS)));
    assertThat(send(out, "b@nowhere.test").getFirst().status()).isEqualTo(Status.TEMPORARY);
    assertThat(received).isEmpty();
  }

  @Test
  void deliverShouldRelayThroughSmtpServerWhenSmarthostUsesStartTls() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, mxCert.serverContext());
    OutboundDelivery out =
        outbound(
            25,
            OutboundConfig.builder()
                .trust(pki.trust())
                .smarthost(
                    Smarthost.of("127.0.0.1", s.localAddress().getPort(), Smarthost.Tls.STARTTLS)));
    assertThat(send(out, "b@nowhere.test", "c@elsewhere.test"))
        .extracting(RecipientOutcome::status)
        .containsOnly(Status.DELIVERED);
    assertThat(received).singleElement().satisfies(r -> assertThat(r.tls()).isTrue());
  }

  @Test
  void deliverShouldLimitConnectionsWhenDestinationIsBusy() throws Exception {
    ScriptedSmtp mx = new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, null, false);
    closeables.add(mx);
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    OutboundDelivery out =
        outbound(
            mx.port(),
            OutboundConfig.builder().maxConnectionsPerDestination(2).idleTimeout(Duration.ZERO));
    try (var exec = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<List<RecipientOutcome>>> all = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        all.add(exec.submit(() -> send(out, "b@example.test")));
      }
      for (var f : all) {
        assertThat(f.get().getFirst().status()).isEqualTo(Status.DELIVERED);
      }
    }
    assertThat(mx.messages).hasSize(8);
    assertThat(mx.maxActive.get()).isBetween(1, 2);
  }

  // ---- connection reuse

  @Test
  void deliverShouldReuseConnectionWhenNextMessageGoesToSameHost() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, mxCert.serverContext());
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    OutboundDelivery out = outbound(s.localAddress().getPort());
    for (int i = 0; i < 3; i++) {
      assertThat(send(out, "b" + i + "@example.test").getFirst().status())
          .isEqualTo(Status.DELIVERED);
    }
    assertThat(received).hasSize(3);
    assertThat(received.stream().map(Received::session).distinct()).hasSize(1);
    assertThat(out.idleConnections()).isEqualTo(1);
  }

  @Test
  void deliverShouldOpenNewConnectionsWhenReuseIsOff() throws Exception {
    SmtpServer s = smtp("127.0.0.1", 0, null);
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    OutboundDelivery out =
        outbound(s.localAddress().getPort(), OutboundConfig.builder().idleTimeout(Duration.ZERO));
    send(out, "a@example.test");
    send(out, "b@example.test");
    assertThat(received.stream().map(Received::session).distinct()).hasSize(2);
    assertThat(out.idleConnections()).isZero();
  }

  @Test
  void deliverShouldReconnectWhenPooledConnectionWasClosedByPeer() throws Exception {
    ScriptedSmtp mx = new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, null, false);
    closeables.add(mx);
    mxAt("example.test", 10, "mx.example.test", "127.0.0.1");
    OutboundDelivery out = outbound(mx.port());
    send(out, "a@example.test");
    mx.close(); // drops the pooled connection
    ScriptedSmtp again = new ScriptedSmtp(InetAddress.getLoopbackAddress(), mx.port(), null, false);
    closeables.add(again);
    assertThat(send(out, "b@example.test").getFirst().status()).isEqualTo(Status.DELIVERED);
    assertThat(again.messages).hasSize(1);
  }
}
