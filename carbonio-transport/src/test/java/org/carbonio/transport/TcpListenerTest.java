package org.carbonio.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.carbonio.transport.internal.AcceptFailures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TcpListenerTest {

  private static final InetSocketAddress LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeResources() throws Exception {
    for (AutoCloseable r : resources.reversed()) {
      r.close();
    }
  }

  private static TcpListener.Config config(int maxConnections, Duration writeTimeout) {
    return config(maxConnections, writeTimeout, Duration.ofSeconds(2), Optional.empty(), "");
  }

  private static TcpListener.Config config(
      int maxConnections,
      Duration writeTimeout,
      Duration shutdownTimeout,
      Optional<SSLContext> implicitTls,
      String refusal) {
    return new TcpListener.Config(
        LOOPBACK,
        "test",
        maxConnections,
        Duration.ofSeconds(10),
        writeTimeout,
        shutdownTimeout,
        implicitTls,
        refusal);
  }

  private TcpListener start(TcpListener.Config config, ConnectionHandler handler)
      throws IOException {
    TcpListener l = TcpListener.start(config, handler);
    resources.add(l);
    return l;
  }

  private Socket connect(InetSocketAddress address) throws IOException {
    Socket s = new Socket();
    resources.add(s);
    s.connect(address, 10_000);
    s.setSoTimeout(10_000);
    return s;
  }

  /** Echoes lines until the client closes. */
  private static final ConnectionHandler ECHO =
      c -> {
        byte[] buf = new byte[1024];
        int n;
        while ((n = c.input().read(buf)) >= 0) {
          c.output().write(buf, 0, n);
          c.output().flush();
        }
      };

  private static String read(InputStream in, int bytes) throws IOException {
    return new String(in.readNBytes(bytes), StandardCharsets.US_ASCII);
  }

  @Test
  void listenerShouldServeEachConnectionWhenClientsConnect() throws IOException {
    TcpListener l = start(config(10, Duration.ofSeconds(10)), ECHO);
    assertThat(l.localAddress().getPort()).isPositive();
    Socket a = connect(l.localAddress());
    Socket b = connect(l.localAddress());
    a.getOutputStream().write("one".getBytes(StandardCharsets.US_ASCII));
    b.getOutputStream().write("two".getBytes(StandardCharsets.US_ASCII));
    assertThat(read(a.getInputStream(), 3)).isEqualTo("one");
    assertThat(read(b.getInputStream(), 3)).isEqualTo("two");
    assertThat(l.activeConnections()).isEqualTo(2);
    a.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> l.activeConnections() == 1);
  }

  @Test
  void listenerShouldSendRefusalAndCloseWhenMaxConnectionsReached() throws IOException {
    TcpListener l =
        start(
            config(1, Duration.ofSeconds(10), Duration.ofSeconds(2), Optional.empty(), "busy\r\n"),
            ECHO);
    Socket first = connect(l.localAddress());
    first.getOutputStream().write('x');
    assertThat(read(first.getInputStream(), 1)).isEqualTo("x");
    Socket second = connect(l.localAddress());
    assertThat(new String(second.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
        .isEqualTo("busy\r\n");
    first.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> l.activeConnections() == 0);
    Socket third = connect(l.localAddress());
    third.getOutputStream().write('y');
    assertThat(read(third.getInputStream(), 1)).isEqualTo("y");
  }

  @Test
  void watchdogShouldResetConnectionWhenClientStopsReading() throws Exception {
    AtomicBoolean writeFailed = new AtomicBoolean();
    byte[] chunk = new byte[64 * 1024];
    TcpListener l =
        start(
            config(10, Duration.ofMillis(200)),
            c -> {
              try {
                // bounded: 1 GiB, far more than any socket buffers hold
                for (int i = 0; i < 16 * 1024; i++) {
                  c.output().write(chunk);
                }
              } catch (IOException e) {
                writeFailed.set(true);
                throw e;
              }
            });
    Socket client = new Socket();
    resources.add(client);
    client.setReceiveBufferSize(4096); // before connect, so the window stays small
    client.connect(l.localAddress(), 10_000);
    await().atMost(Duration.ofSeconds(5)).until(() -> l.activeConnections() == 1);
    // writeTimeout + watchdog period bounds this
    await().atMost(Duration.ofSeconds(20)).until(() -> l.activeConnections() == 0);
    assertThat(writeFailed).isTrue();
  }

  @Test
  void watchdogShouldResetTlsConnectionWhenClientStopsReading() throws Exception {
    byte[] chunk = new byte[64 * 1024];
    AtomicBoolean tls = new AtomicBoolean();
    TcpListener l =
        start(
            config(10, Duration.ofMillis(200), Duration.ofSeconds(2), Optional.of(tls()), ""),
            conn -> {
              tls.set(conn.tls());
              for (int i = 0; i < 16 * 1024; i++) {
                conn.output().write(chunk);
              }
            });
    SSLSocket client = (SSLSocket) tls().getSocketFactory().createSocket();
    resources.add(client);
    client.setReceiveBufferSize(4096);
    client.connect(l.localAddress(), 10_000);
    client.setSoTimeout(10_000);
    client.startHandshake();
    await().atMost(Duration.ofSeconds(5)).until(() -> l.activeConnections() == 1);
    // the writer holds the TLS record lock: the reset must not wait for it
    await().atMost(Duration.ofSeconds(20)).until(() -> l.activeConnections() == 0);
    assertThat(tls).isTrue();
  }

  @Test
  void tlsCloseShouldFreeSlotWhenClientNeitherReadsNorCloses() throws Exception {
    TcpListener l =
        start(
            new TcpListener.Config(
                LOOPBACK,
                "test",
                10,
                Duration.ofMinutes(5), // a close that waited on the read timeout would hang here
                Duration.ofSeconds(30),
                Duration.ofSeconds(2),
                Optional.of(tls()),
                ""),
            conn -> {
              conn.output().write("bye\r\n".getBytes(StandardCharsets.US_ASCII));
              conn.output().flush();
            });
    SSLSocket client = (SSLSocket) tls().getSocketFactory().createSocket();
    resources.add(client);
    client.connect(l.localAddress(), 10_000);
    client.setSoTimeout(10_000);
    client.startHandshake();
    await().atMost(Duration.ofSeconds(10)).until(() -> l.activeConnections() == 0);
  }

  @Test
  void closeShouldRunShutdownActionThenForceWhenConnectionStaysBusy() throws Exception {
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    TcpListener l =
        start(
            config(10, Duration.ofSeconds(10), Duration.ofMillis(300), Optional.empty(), ""),
            conn -> {
              if (conn.id() == 1) { // idle: the shutdown action says goodbye and closes
                conn.onShutdown(
                    () -> {
                      try {
                        conn.output().write("bye\r\n".getBytes(StandardCharsets.US_ASCII));
                        conn.output().flush();
                      } catch (IOException e) {
                        // the client is gone
                      }
                      conn.close();
                    });
                conn.input().read();
                return;
              }
              conn.onShutdown(() -> {}); // busy: ignores the request to stop
              busy.countDown();
              try {
                never.await();
              } catch (InterruptedException e) {
                interrupted.set(true);
                Thread.currentThread().interrupt();
              }
            });
    Socket idle = connect(l.localAddress());
    await().atMost(Duration.ofSeconds(5)).until(() -> l.activeConnections() == 1);
    Socket stuck = connect(l.localAddress());
    assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();

    long start = System.nanoTime();
    l.close();
    l.close(); // idempotent
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(new String(idle.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
        .isEqualTo("bye\r\n");
    assertThat(endsWithoutData(stuck)).isTrue();
    assertThat(interrupted).isTrue();
    assertThat(l.activeConnections()).isZero();
    assertThat(tookMillis).isGreaterThanOrEqualTo(300).isLessThan(10_000);
  }

  /** True when the peer closed or reset the connection without sending anything. */
  private static boolean endsWithoutData(Socket s) {
    try {
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset (SO_LINGER 0)
    }
  }

  @Test
  void configShouldRejectValuesWhenOutOfRange() {
    assertThatThrownBy(() -> config(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConnections 0");
    assertThatThrownBy(() -> config(1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("writeTimeout");
    assertThatThrownBy(
            () -> config(1, Duration.ofSeconds(1), Duration.ofSeconds(-1), Optional.empty(), ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shutdownTimeout");
  }

  /** Fails the first {@code failures} accepts as a process out of file descriptors would. */
  private static final class FlakyServerSocket extends ServerSocket {
    final List<Long> failedAt = new CopyOnWriteArrayList<>();
    private final int failures;

    FlakyServerSocket(int failures) throws IOException {
      this.failures = failures;
    }

    @Override
    public Socket accept() throws IOException {
      if (failedAt.size() < failures) {
        failedAt.add(System.nanoTime());
        throw new IOException("Too many open files");
      }
      return super.accept();
    }
  }

  @Test
  void acceptShouldBackOffAndRecoverWhenAcceptFails() throws IOException {
    FlakyServerSocket server = new FlakyServerSocket(3);
    server.bind(LOOPBACK);
    try (TcpListener listener =
        TcpListener.start(
            server,
            config(10, Duration.ofSeconds(10)),
            c -> {
              c.output().write('*');
              c.output().flush();
            })) {
      try (Socket client = new Socket()) {
        client.connect(listener.localAddress(), 10_000);
        client.setSoTimeout(10_000);
        // accepting resumed after the failures
        assertThat(client.getInputStream().read()).isEqualTo('*');
      }
      assertThat(server.failedAt).hasSize(3);
      for (int i = 1; i < 3; i++) {
        long gap = server.failedAt.get(i) - server.failedAt.get(i - 1);
        assertThat(gap)
            .as("pause between failed accepts")
            .isGreaterThanOrEqualTo(AcceptFailures.BACKOFF.toNanos() / 2);
      }
    }
  }

  /** Serves and trusts the self-signed test certificate (PKCS12, password "changeit"). */
  private static SSLContext tls() throws Exception {
    char[] password = "changeit".toCharArray();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = TcpListenerTest.class.getResourceAsStream("/test-keystore.p12")) {
      ks.load(in, password);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }
}
