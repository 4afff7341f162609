package org.carbonio.imap.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.carbonio.imap.ImapServer;
import org.carbonio.imap.pop3.Pop3Server;
import org.carbonio.imap.spi.MailboxBackend;
import org.carbonio.imap.store.StoreMailboxBackend;
import org.carbonio.mime.ParsedMessage;
import org.carbonio.store.MailStore;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that starts a real {@link ImapServer} and a real {@link Pop3Server} on
 * 127.0.0.1, port 0, before each test method and stops them after, both over one fresh backend and
 * the same users. Plaintext LOGIN (and POP3 USER/PASS) is allowed.
 *
 * <p>The backend is a fresh {@link InMemoryMailboxBackend} ({@link #backend()}), or with {@link
 * Builder#embeddedStore()} a real carbonio-store {@link MailStore} (SQLite and filesystem blobs) in
 * a new temporary directory, deleted after the test ({@link #store()}; IMAP user = store account
 * id). Either way every user has an INBOX before the test starts.
 *
 * {@snippet :
 * @RegisterExtension
 * static ImapServerExtension imap = ImapServerExtension.builder().user("alice", "secret").build();
 *
 * @Test
 * void fetchShouldReturnMessageWhenDelivered() {
 *   imap.deliver("alice", "Subject: hi\r\n\r\nhello\r\n".getBytes(US_ASCII));
 *   // connect a client to 127.0.0.1:imap.port()
 * }
 *
 * @RegisterExtension
 * static ImapServerExtension stored =
 *     ImapServerExtension.builder().user("bob", "secret").embeddedStore().build();
 * // stored.store().mailbox("bob") holds what an IMAP client appended
 * }
 *
 * <p>Not thread-safe: use from the test thread.
 */
public final class ImapServerExtension implements BeforeEachCallback, AfterEachCallback {
  private final Map<String, String> users;
  private final UnaryOperator<ImapServer.Builder> customizer;
  private final UnaryOperator<Pop3Server.Builder> pop3Customizer;
  private final boolean embedded;
  private InMemoryMailboxBackend backend;
  private Path storeDir;
  private MailStore store;
  private ImapServer server;
  private Pop3Server pop3;

  private ImapServerExtension(Builder b) {
    this.users = Map.copyOf(b.users);
    this.customizer = b.customizer;
    this.pop3Customizer = b.pop3Customizer;
    this.embedded = b.embedded;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    MailboxBackend served;
    if (embedded) {
      storeDir = Files.createTempDirectory("carbonio-imap-testkit-");
      store = MailStore.open(storeDir);
      users.keySet().forEach(store::mailbox); // creates the account and its INBOX
      served = new StoreMailboxBackend(store);
    } else {
      backend = new InMemoryMailboxBackend();
      users.keySet().forEach(u -> backend.open(u).close()); // creates INBOX
      served = backend;
    }
    ImapServer.Builder b =
        ImapServer.builder()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .allowPlaintextAuth(true)
            .authenticator(new InMemoryAuthenticator(users))
            .backend(served);
    server = customizer.apply(b).build().start();
    Pop3Server.Builder p =
        Pop3Server.builder()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .allowPlaintextAuth(true)
            .authenticator(new InMemoryAuthenticator(users))
            .backend(served);
    pop3 = pop3Customizer.apply(p).build().start();
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    if (server != null) server.close();
    server = null;
    if (pop3 != null) pop3.close();
    pop3 = null;
    backend = null;
    try {
      if (store != null) store.close();
    } finally {
      store = null;
      Path dir = storeDir;
      storeDir = null;
      if (dir != null) deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The port of the running POP3 server. */
  public int pop3Port() {
    return pop3Server().localAddress().getPort();
  }

  /** The running POP3 server (same backend and users as the IMAP server). */
  public Pop3Server pop3Server() {
    running();
    return pop3;
  }

  /** The port of the running server. */
  public int port() {
    return running().localAddress().getPort();
  }

  /** The host to connect to ({@code 127.0.0.1}). */
  public String host() {
    return running().localAddress().getAddress().getHostAddress();
  }

  public ImapServer server() {
    return running();
  }

  /**
   * The in-memory backend both servers use.
   *
   * @throws IllegalStateException with {@link Builder#embeddedStore()}: use {@link #store()}
   */
  public InMemoryMailboxBackend backend() {
    running();
    if (embedded) {
      throw new IllegalStateException("embeddedStore(): no in-memory backend, use store()");
    }
    return backend;
  }

  /**
   * The store both servers use with {@link Builder#embeddedStore()}; open for the current test
   * only.
   *
   * @throws IllegalStateException without {@link Builder#embeddedStore()}: use {@link #backend()}
   */
  public MailStore store() {
    running();
    if (!embedded) {
      throw new IllegalStateException(
          "in-memory backend: no store, use backend() or embeddedStore()");
    }
    return store;
  }

  /** Delivers a message to a user's INBOX (line endings made CRLF); returns its UID. */
  public long deliver(String user, byte[] message) {
    if (!embedded) return backend().deliver(user, message);
    byte[] crlf = ParsedMessage.toCrlf(message);
    return store()
        .mailbox(user)
        .append("INBOX", new ByteArrayInputStream(crlf), Set.of(), Instant.now())
        .uid();
  }

  private ImapServer running() {
    if (server == null) throw new IllegalStateException("no server: only valid inside a test");
    return server;
  }

  /** Not thread-safe: configures the extension. */
  public static final class Builder {
    private final Map<String, String> users = new LinkedHashMap<>();
    private UnaryOperator<ImapServer.Builder> customizer = UnaryOperator.identity();
    private UnaryOperator<Pop3Server.Builder> pop3Customizer = UnaryOperator.identity();
    private boolean embedded;

    private Builder() {}

    /** Adds a user with a password. */
    public Builder user(String name, String password) {
      users.put(name, password);
      return this;
    }

    /** Adjusts the server builder (limits, TLS, ...) before each start. */
    public Builder configure(UnaryOperator<ImapServer.Builder> customizer) {
      this.customizer = customizer;
      return this;
    }

    /** Adjusts the POP3 server builder (limits, TLS, ...) before each start. */
    public Builder configurePop3(UnaryOperator<Pop3Server.Builder> customizer) {
      this.pop3Customizer = customizer;
      return this;
    }

    /**
     * Serves a real carbonio-store {@link MailStore} (SQLite and filesystem blobs) instead of the
     * in-memory backend: opened in a new temporary directory before each test, closed and deleted
     * after it. Users are store account ids.
     */
    public Builder embeddedStore() {
      this.embedded = true;
      return this;
    }

    public ImapServerExtension build() {
      return new ImapServerExtension(this);
    }
  }
}
