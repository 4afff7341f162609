package org.carbonio.smtp.testkit;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private spamd ({@link SpamdServer}) shared by the tests of one class (it takes seconds to
 * start): started before the first test, stopped and deleted after the last. Register it on a
 * static field.
 *
 * {@snippet :
 * class SpamTest {
 *   @RegisterExtension static SpamdExtension spamd = new SpamdExtension();
 *
 *   @Test
 *   void scoresGtube() throws Exception {
 *     SpamdClient client = SpamdClient.builder(spamd.address()).build();
 *   }
 * }
 * }
 *
 * <p>If spamd is not installed the class fails with a message naming the missing binary: tests are
 * not skipped silently. Thread-safe.
 */
public final class SpamdExtension implements BeforeAllCallback, AfterAllCallback {
  private final UnaryOperator<SpamdServer.Builder> options;
  private volatile SpamdServer server;

  /** A server with the defaults. */
  public SpamdExtension() {
    this(UnaryOperator.identity());
  }

  /** A server with options, e.g. {@code b -> b.config("required_score 3.0")}. */
  public SpamdExtension(UnaryOperator<SpamdServer.Builder> options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server = options.apply(SpamdServer.builder()).start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    SpamdServer s = server;
    server = null;
    if (s != null) {
      s.close();
    }
  }

  /** The running server. */
  public SpamdServer server() {
    SpamdServer s = server;
    if (s == null) {
      throw new IllegalStateException(
          "SpamdExtension not started: register it with @RegisterExtension on a static field");
    }
    return s;
  }

  /** {@code 127.0.0.1:<port>}. */
  public InetSocketAddress address() {
    return server().address();
  }
}
