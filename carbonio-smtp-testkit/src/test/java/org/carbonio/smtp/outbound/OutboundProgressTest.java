package org.carbonio.smtp.outbound;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.RecipientOutcome.Status;
import org.carbonio.smtp.SmtpServer;
import org.carbonio.smtp.dns.DnsjavaResolver;
import org.carbonio.smtp.protocol.BodyType;
import org.carbonio.smtp.spi.RecipientDecision;
import org.carbonio.smtp.testkit.DnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Outcomes reported per destination, the per-destination deadline, BDAT for BINARYMIME. */
class OutboundProgressTest {

  final List<AutoCloseable> closeables = new ArrayList<>();
  final Queue<byte[]> received = new ConcurrentLinkedQueue<>();
  DnsServer dns;
  DnsjavaResolver resolver;

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

  OutboundDelivery outbound(int port, Duration destinationTimeout) {
    OutboundConfig config =
        OutboundConfig.builder()
            .heloName("client.test")
            .port(port)
            .allTimeouts(Duration.ofSeconds(20))
            .destinationTimeout(destinationTimeout)
            .mtaSts(false)
            .build();
    OutboundDelivery o = OutboundDelivery.create(config, resolver);
    closeables.add(o);
    return o;
  }

  static MessageContent content(byte[] bytes) {
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

  static Envelope envelope(BodyType body, String... rcpts) {
    return new Envelope(
        "a@sender.test",
        java.util.Arrays.stream(rcpts).map(EnvelopeRecipient::of).toList(),
        null,
        "",
        body,
        false,
        false);
  }

  @Test
  void deliverShouldReportFastDomainAndDeferSlowOneWhenDestinationTimesOut() throws Exception {
    ScriptedSmtp fast = new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, null, false);
    closeables.add(fast);
    ScriptedSmtp slow =
        new ScriptedSmtp(InetAddress.getByName("127.0.0.2"), fast.port(), null, false);
    closeables.add(slow);
    slow.silent = true;
    dns.mx("fast.test", 10, "mx.fast.test").a("mx.fast.test", "127.0.0.1");
    dns.mx("slow.test", 10, "mx.slow.test").a("mx.slow.test", "127.0.0.2");
    OutboundDelivery out = outbound(fast.port(), Duration.ofSeconds(2));
    Envelope env = envelope(BodyType.UNSPECIFIED, "a@fast.test", "b@slow.test");
    Queue<RecipientOutcome> reported = new ConcurrentLinkedQueue<>();
    long start = System.nanoTime();
    List<RecipientOutcome> r =
        out.deliver(
            env,
            env.recipients(),
            content("Subject: x\r\n\r\nhi\r\n".getBytes(UTF_8)),
            reported::add);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).isLessThan(Duration.ofSeconds(15)); // not the 20 s greeting timeout
    assertThat(reported)
        .extracting(RecipientOutcome::recipient, RecipientOutcome::status)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("a@fast.test", Status.DELIVERED));
    assertThat(r)
        .extracting(
            RecipientOutcome::recipient, RecipientOutcome::status, RecipientOutcome::enhancedStatus)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("a@fast.test", Status.DELIVERED, "2.0.0"),
            org.assertj.core.groups.Tuple.tuple("b@slow.test", Status.TEMPORARY, "4.4.1"));
    assertThat(fast.messages).hasSize(1);
  }

  @Test
  void deliverShouldCapReplyTextWhenRemoteReplyIsLong() throws Exception {
    ScriptedSmtp mx = new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, null, false);
    closeables.add(mx);
    StringBuilder reply = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      reply.append("550-5.1.1 ").append("x".repeat(200)).append("\r\n");
    }
    reply.append("550 5.1.1 no");
    mx.rcptReply = l -> reply.toString();
    dns.mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.1");
    Envelope env = envelope(BodyType.UNSPECIFIED, "b@example.test");
    RecipientOutcome o =
        outbound(mx.port(), Duration.ofMinutes(1))
            .deliver(env, env.recipients(), content("x\r\n".getBytes(UTF_8)))
            .getFirst();
    assertThat(o.status()).isEqualTo(Status.PERMANENT);
    assertThat(o.text().length()).isLessThanOrEqualTo(OutboundDelivery.MAX_TEXT);
  }

  SmtpServer engine() throws Exception {
    SmtpServer s =
        SmtpServer.builder()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .hostname("mx.example.test")
            .shutdownTimeout(Duration.ofSeconds(2))
            .recipientPolicy(c -> RecipientDecision.accept())
            .deliveryHandler(d -> received.add(d.content().readAllBytes()))
            .build()
            .start();
    closeables.add(s);
    return s;
  }

  @Test
  void deliverShouldSendBinaryBodyUnchangedWithBdatWhenPeerOffersChunking() throws Exception {
    SmtpServer s = engine();
    dns.mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.1");
    // a line with only a dot, a bare LF, a NUL and a bare CR: DATA would change or cut each
    byte[] body = new byte[300_000];
    byte[] head = "Subject: bin\r\n\r\n\r\n.\r\nbare\nlf\0nul\rcr\r\n.\r\n".getBytes(UTF_8);
    System.arraycopy(head, 0, body, 0, head.length);
    for (int i = head.length; i < body.length; i++) {
      body[i] = (byte) (i * 31);
    }
    Envelope env = envelope(BodyType.BINARY_MIME, "b@example.test");
    RecipientOutcome o =
        outbound(s.localAddress().getPort(), Duration.ofMinutes(1))
            .deliver(env, env.recipients(), content(body))
            .getFirst();
    assertThat(o.status()).isEqualTo(Status.DELIVERED);
    assertThat(received).hasSize(1);
    byte[] got = received.peek();
    assertThat(got.length).isGreaterThanOrEqualTo(body.length); // the engine adds Received:
    assertThat(java.util.Arrays.copyOfRange(got, got.length - body.length, got.length))
        .isEqualTo(body);
  }

  @Test
  void deliverShouldFailPermanentlyWhenBinaryMessageMeetsPeerWithoutChunking() throws Exception {
    ScriptedSmtp mx = new ScriptedSmtp(InetAddress.getLoopbackAddress(), 0, null, false);
    closeables.add(mx);
    dns.mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.1");
    Envelope env = envelope(BodyType.BINARY_MIME, "b@example.test");
    RecipientOutcome o =
        outbound(mx.port(), Duration.ofMinutes(1))
            .deliver(env, env.recipients(), content("x\0y\r\n".getBytes(UTF_8)))
            .getFirst();
    assertThat(o.status()).isEqualTo(Status.PERMANENT);
    assertThat(o.code()).isEqualTo(554);
    assertThat(o.enhancedStatus()).isEqualTo("5.6.3");
    assertThat(mx.commands).noneMatch(c -> c.startsWith("MAIL"));
  }
}
