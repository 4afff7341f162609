package org.carbonio.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real server per test method: a fresh data directory, every listener on port 0, the accounts
 * given; closed and deleted after the test.
 *
 * {@snippet :
 * @RegisterExtension
 * final ServerExtension carbonio = new ServerExtension().account("alice@localhost", "secret");
 * }
 */
final class ServerExtension implements BeforeEachCallback, AfterEachCallback {

  private final Map<String, String> accounts = new LinkedHashMap<>();
  private Supplier<MtaConfig> mta = () -> MtaConfig.DEFAULTS;
  private Path root;
  private CarbonioServer server;

  /** Creates this account (in the server's default domain or one that exists) before each test. */
  ServerExtension account(String address, String password) {
    accounts.put(address, password);
    return this;
  }

  /**
   * The MTA options of each test's server, asked for just before it starts (so they may name peers
   * a {@code @BeforeAll} started: a DNS server, a remote MX).
   */
  ServerExtension mta(Supplier<MtaConfig> config) {
    this.mta = config;
    return this;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    root = Files.createTempDirectory("carbonio-test-");
    server =
        CarbonioServer.start(
            ServerConfig.defaults(root.resolve("data")).withEphemeralPorts().withMta(mta.get()));
    for (Map.Entry<String, String> account : accounts.entrySet()) {
      server.directory().createAccount(account.getKey(), account.getValue());
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    if (server != null) {
      server.close(); // null when it failed to start
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Stops this test's server and starts it again on the same data (accounts, mail, queue) with
   * other MTA options; the listeners get new ports.
   */
  CarbonioServer restart(MtaConfig config) throws IOException {
    server.close();
    server = CarbonioServer.start(server.config().withMta(config));
    return server;
  }

  /** How many messages the INBOX of the account with this address holds. */
  int inboxSize(String address) {
    String id = server.directory().findAccount(address).orElseThrow().id();
    return server.store().mailbox(id).snapshot("INBOX").messages().size();
  }

  CarbonioServer server() {
    return server;
  }

  Path dataDir() {
    return server.config().dataDir();
  }

  int port(Listener.Kind kind) {
    return server.port(kind);
  }
}
