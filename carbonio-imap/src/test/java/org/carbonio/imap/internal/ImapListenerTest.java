package org.carbonio.imap.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.carbonio.imap.ImapLimits;
import org.carbonio.imap.protocol.SessionOptions;
import org.carbonio.imap.spi.BackendException;
import org.junit.jupiter.api.Test;

class ImapListenerTest {

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
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    SessionOptions options = new SessionOptions("test ready", false, true, 1000, Clock.systemUTC());
    try (ImapListener listener =
        ImapListener.start(
            server,
            null,
            false,
            ImapLimits.DEFAULTS,
            options,
            request -> Optional.empty(),
            user -> {
              throw new BackendException.Unavailable("none");
            },
            Path.of(System.getProperty("java.io.tmpdir")))) {
      try (Socket client = new Socket()) {
        client.connect(listener.localAddress(), 10_000);
        client.setSoTimeout(10_000);
        InputStream in = client.getInputStream();
        assertThat(in.read()).isEqualTo('*'); // greeting: accepting resumed after the failures
      }
      assertThat(server.failedAt).hasSize(3);
      for (int i = 1; i < 3; i++) {
        long gap = server.failedAt.get(i) - server.failedAt.get(i - 1);
        assertThat(gap)
            .as("pause between failed accepts")
            .isGreaterThanOrEqualTo(
                TimeUnit.MILLISECONDS.toNanos(ImapListener.ACCEPT_BACKOFF_MILLIS / 2));
      }
    }
  }
}
