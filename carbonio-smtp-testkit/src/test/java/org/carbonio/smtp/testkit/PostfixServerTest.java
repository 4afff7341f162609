package org.carbonio.smtp.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.carbonio.smtp.SmtpServer;
import org.carbonio.smtp.spi.Delivery;
import org.junit.jupiter.api.Test;

/** A private Postfix in each of its roles, with real SMTP into it. */
class PostfixServerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void mailboxShouldStoreMessageInMaildirWhenSentOverSmtp() throws Exception {
    try (PostfixServer mx = PostfixServer.builder().mailbox("Bob@remote.test").start()) {
      List<String> replies =
          SmtpTestClient.send(
              mx.port(),
              "alice@origin.test",
              List.of("bob@remote.test"),
              SmtpTestClient.message("alice@origin.test", "bob@remote.test", "maildir one"));

      assertThat(replies).allSatisfy(r -> assertThat(r).startsWith("250"));
      mx.awaitDelivered(1, WAIT);
      assertThat(mx.deliveredCount("bob@remote.test")).isEqualTo(1);
      Path file = mx.deliveredFiles().getFirst();
      assertThat(file.startsWith(mx.maildir("bob@remote.test").resolve("new"))).isTrue();
      assertThat(Files.readString(file))
          .contains("Subject: maildir one")
          .contains("Delivered-To: bob@remote.test")
          .contains("\n.leading dot"); // RFC 5321 §4.5.2: unstuffed on the way in
      mx.awaitQueueEmpty(WAIT);
      assertThat(mx.maillogText()).contains("status=sent (delivered to maildir)");
    }
  }

  @Test
  void mailboxShouldRefuseRecipientWhenAddressIsNotAMailbox() throws Exception {
    try (PostfixServer mx = PostfixServer.builder().mailbox("bob@remote.test").start()) {
      List<String> replies =
          SmtpTestClient.send(
              mx.port(),
              "alice@origin.test",
              List.of("nobody@remote.test"),
              SmtpTestClient.message("alice@origin.test", "nobody@remote.test", "unknown"));

      assertThat(replies.get(2)).startsWith("550");
      assertThat(mx.deliveredCount()).isZero();
    }
  }

  @Test
  void relayShouldForwardMessageToNextHopWhenRecipientIsRemote() throws Exception {
    try (SmtpSink sink = SmtpSink.start(true);
        PostfixServer relay = PostfixServer.builder().relayTo(sink.address()).start()) {
      List<String> replies =
          SmtpTestClient.send(
              relay.port(),
              "alice@origin.test",
              List.of("carol@anywhere.test"),
              SmtpTestClient.message("alice@origin.test", "carol@anywhere.test", "relayed one"));

      assertThat(replies).allSatisfy(r -> assertThat(r).startsWith("250"));
      sink.awaitReceived(1, WAIT);
      relay.awaitQueueEmpty(WAIT);
      String dumped = Files.readString(sink.receivedFiles().getFirst());
      assertThat(dumped).contains("carol@anywhere.test").contains("Subject: relayed one");
      assertThat(relay.maillogText()).contains("relay=127.0.0.1[127.0.0.1]:" + sink.port());
    }
  }

  @Test
  void relayShouldDeliverIntoCarbonioSmtpServerWhenItIsTheNextHop() throws Exception {
    BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
    try (SmtpServer server =
            SmtpServer.builder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .hostname("mx.carbonio.test")
                .deliveryHandler(
                    d -> received.add(new Delivery(d.session(), d.id(), d.envelope(), copy(d))))
                .build()
                .start();
        PostfixServer relay = PostfixServer.builder().relayTo(server.localAddress()).start()) {
      List<String> replies =
          SmtpTestClient.send(
              relay.port(),
              "alice@origin.test",
              List.of("frank@carbonio.test", "grace@carbonio.test"),
              SmtpTestClient.message("alice@origin.test", "frank@carbonio.test", "into carbonio"));

      assertThat(replies).allSatisfy(r -> assertThat(r).startsWith("250"));
      Delivery d = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(d).isNotNull();
      assertThat(d.sender()).isEqualTo("alice@origin.test");
      assertThat(d.recipients()).containsExactly("frank@carbonio.test", "grace@carbonio.test");
      assertThat(new String(d.content().readAllBytes(), StandardCharsets.US_ASCII))
          .contains("by postfix.test (Postfix)") // Postfix's own Received: header
          .contains("Subject: into carbonio");
      relay.awaitQueueEmpty(WAIT);
      assertThat(relay.maillogText()).contains("status=sent (250");
    }
  }

  @Test
  void instancesShouldRunSideBySideWhenOneRelaysIntoTheOther() throws Exception {
    try (PostfixServer mx = PostfixServer.builder().mailbox("dave@remote.test").start();
        PostfixServer front = PostfixServer.builder().relayTo(mx.address()).start()) {
      assertThat(front.directory()).isNotEqualTo(mx.directory());
      assertThat(front.masterPid()).isNotEqualTo(mx.masterPid());
      for (int i = 0; i < 3; i++) {
        SmtpTestClient.send(
            front.port(),
            "alice@origin.test",
            List.of("dave@remote.test"),
            SmtpTestClient.message("alice@origin.test", "dave@remote.test", "hop " + i));
      }

      mx.awaitDelivered(3, WAIT);
      assertThat(mx.deliveredCount("dave@remote.test")).isEqualTo(3);
      assertThat(Files.readString(mx.deliveredFiles().getFirst()))
          .contains("by postfix.test (Postfix)"); // both hops left a Received: header
    }
  }

  @Test
  void closeShouldStopEveryPostfixProcessAndDeleteDirectoryWhenCalled() throws Exception {
    PostfixServer mx = PostfixServer.builder().mailbox("erin@remote.test").start();
    SmtpTestClient.send(
        mx.port(),
        "alice@origin.test",
        List.of("erin@remote.test"),
        SmtpTestClient.message("alice@origin.test", "erin@remote.test", "before close"));
    mx.awaitDelivered(1, WAIT);
    ProcessHandle master = ProcessHandle.of(mx.masterPid()).orElseThrow();
    List<ProcessHandle> family = new ArrayList<>(master.descendants().toList());
    family.add(master);

    mx.close();
    mx.close(); // idempotent

    assertThat(family).noneMatch(ProcessHandle::isAlive);
    assertThat(mx.directory()).doesNotExist();
  }

  @Test
  void sinkShouldCountTransactionsWhenDumping() throws Exception {
    SmtpSink sink = SmtpSink.start(true);
    try (sink) {
      for (int i = 0; i < 2; i++) {
        List<String> replies =
            SmtpTestClient.send(
                sink.port(),
                "a@origin.test",
                List.of("b@remote.test", "c@remote.test"),
                SmtpTestClient.message("a@origin.test", "b@remote.test", "sink " + i));
        assertThat(replies).allSatisfy(r -> assertThat(r).startsWith("250"));
      }
      sink.awaitReceived(2, WAIT);
      assertThat(sink.receivedCount()).isEqualTo(2);
    }
    assertThat(ProcessHandle.of(sink.pid())).isEmpty();
    assertThat(sink.dumpDirectory()).doesNotExist();
  }

  /** The message of {@code d}, read now (the engine's copy goes away when the handler returns). */
  private static org.carbonio.smtp.MessageContent copy(Delivery d) throws java.io.IOException {
    byte[] bytes = d.content().readAllBytes();
    return new org.carbonio.smtp.MessageContent() {
      @Override
      public java.io.InputStream open() {
        return new ByteArrayInputStream(bytes);
      }

      @Override
      public long size() {
        return bytes.length;
      }
    };
  }
}
