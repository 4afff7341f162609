package org.carbonio.imap.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.carbonio.imap.ImapServer;
import org.carbonio.imap.pop3.Pop3Server;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that starts a real {@link ImapServer} and a real {@link Pop3Server} on
 * 127.0.0.1, port 0, before each test method and stops them after, both over one fresh {@link
 * InMemoryMailboxBackend} and the same users. Plaintext LOGIN (and POP3 USER/PASS) is allowed.
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
 * }
 *
 * <p>Not thread-safe: use from the test thread.
 */
public final class ImapServerExtension implements BeforeEachCallback, AfterEachCallback {
  private final Map<String, String> users;
  private final UnaryOperator<ImapServer.Builder> customizer;
  private final UnaryOperator<Pop3Server.Builder> pop3Customizer;
  private InMemoryMailboxBackend backend;
  private ImapServer server;
  private Pop3Server pop3;

  private ImapServerExtension(Builder b) {
    this.users = Map.copyOf(b.users);
    this.customizer = b.customizer;
    this.pop3Customizer = b.pop3Customizer;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    backend = new InMemoryMailboxBackend();
    users.keySet().forEach(u -> backend.open(u).close()); // creates INBOX
    ImapServer.Builder b =
        ImapServer.builder()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .allowPlaintextAuth(true)
            .authenticator(new InMemoryAuthenticator(users))
            .backend(backend);
    server = customizer.apply(b).build().start();
    Pop3Server.Builder p =
        Pop3Server.builder()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .allowPlaintextAuth(true)
            .authenticator(new InMemoryAuthenticator(users))
            .backend(backend);
    pop3 = pop3Customizer.apply(p).build().start();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (server != null) server.close();
    server = null;
    if (pop3 != null) pop3.close();
    pop3 = null;
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

  public InMemoryMailboxBackend backend() {
    running();
    return backend;
  }

  /** Delivers a message to a user's INBOX; returns its UID. */
  public long deliver(String user, byte[] message) {
    return backend().deliver(user, message);
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

    public ImapServerExtension build() {
      return new ImapServerExtension(this);
    }
  }
}
