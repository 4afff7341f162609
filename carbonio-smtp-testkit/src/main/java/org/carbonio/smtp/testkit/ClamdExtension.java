package org.carbonio.smtp.testkit;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private clamd ({@link ClamdServer}) shared by the tests of one class: started before the first
 * test, stopped and deleted after the last. Register it on a static field.
 *
 * {@snippet :
 * class VirusTest {
 *   @RegisterExtension static ClamdExtension clamd = new ClamdExtension();
 *
 *   @Test
 *   void findsEicar() throws Exception {
 *     ClamdClient client = ClamdClient.builder(clamd.address()).build();
 *   }
 * }
 * }
 *
 * <p>If clamd is not installed the class fails with a message naming the missing binary: tests are
 * not skipped silently. Thread-safe.
 */
public final class ClamdExtension implements BeforeAllCallback, AfterAllCallback {
  private final UnaryOperator<ClamdServer.Builder> options;
  private volatile ClamdServer server;

  /** A server with the defaults. */
  public ClamdExtension() {
    this(UnaryOperator.identity());
  }

  /** A server with options, e.g. {@code b -> b.streamMaxLength(4096)}. */
  public ClamdExtension(UnaryOperator<ClamdServer.Builder> options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server = options.apply(ClamdServer.builder()).start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    ClamdServer s = server;
    server = null;
    if (s != null) {
      s.close();
    }
  }

  /** The running server. */
  public ClamdServer server() {
    ClamdServer s = server;
    if (s == null) {
      throw new IllegalStateException(
          "ClamdExtension not started: register it with @RegisterExtension on a static field");
    }
    return s;
  }

  /** {@code 127.0.0.1:<port>}. */
  public InetSocketAddress address() {
    return server().address();
  }
}
