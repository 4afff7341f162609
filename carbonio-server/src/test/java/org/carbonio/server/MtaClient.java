package org.carbonio.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.carbonio.smtp.testkit.DnsServer;
import org.carbonio.store.Mailbox;
import org.carbonio.store.MessageInfo;

/**
 * An SMTP client over a plain socket for the MTA tests: it may bind a chosen loopback address
 * (Linux routes all of 127.0.0.0/8 to lo), switch to TLS, and returns every reply as a value so a
 * test can assert refusals. Not thread-safe: one per test.
 */
final class MtaClient implements AutoCloseable {

  /** One reply: its code and all its lines (without the code and separator). */
  record Reply(int code, List<String> lines) {
    String last() {
      return lines.getLast();
    }

    @Override
    public String toString() {
      return code + " " + String.join(" / ", lines);
    }
  }

  private final Path dataDir;
  private Socket socket;
  private BufferedReader in;
  private OutputStream out;

  private MtaClient(Path dataDir, Socket socket) throws IOException {
    this.dataDir = dataDir;
    attach(socket);
  }

  /**
   * Connects from {@code from} (null: the system's choice) to {@code port} on 127.0.0.1, with TLS
   * from the first byte when {@code implicitTls}, and reads the greeting.
   */
  static MtaClient connect(Path dataDir, String from, int port, boolean implicitTls)
      throws Exception {
    Socket socket = new Socket();
    if (from != null) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(30_000);
    if (implicitTls) {
      socket = tls(dataDir, socket);
    }
    MtaClient client = new MtaClient(dataDir, socket);
    Reply greeting = client.read();
    if (greeting.code() != 220) {
      client.socket.close();
      throw new IOException("greeting " + greeting);
    }
    return client;
  }

  private static SSLSocket tls(Path dataDir, Socket plain) throws Exception {
    SSLContext context = E2E.trusting(dataDir);
    SSLSocket tls =
        (SSLSocket)
            context.getSocketFactory().createSocket(plain, "localhost", plain.getPort(), true);
    tls.setUseClientMode(true);
    tls.startHandshake();
    return tls;
  }

  private void attach(Socket s) throws IOException {
    socket = s;
    in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
    out = s.getOutputStream();
  }

  /** Reads one (possibly multi-line) reply. */
  Reply read() throws IOException {
    List<String> lines = new ArrayList<>();
    String line;
    do {
      line = in.readLine();
      if (line == null) {
        throw new IOException("connection closed after " + lines);
      }
      lines.add(line.length() > 4 ? line.substring(4) : "");
    } while (line.length() > 3 && line.charAt(3) == '-');
    return new Reply(Integer.parseInt(line.substring(0, 3)), List.copyOf(lines));
  }

  /** Sends one command line and reads its reply. */
  Reply command(String line) throws IOException {
    write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    return read();
  }

  /** Writes raw bytes. */
  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** STARTTLS, the handshake, and a new EHLO (RFC 3207 §4.2); returns the new EHLO reply. */
  Reply startTls(String helo) throws Exception {
    Reply go = command("STARTTLS");
    if (go.code() != 220) {
      throw new IOException("STARTTLS refused: " + go);
    }
    attach(tls(dataDir, socket));
    return command("EHLO " + helo);
  }

  /** AUTH PLAIN with an initial response (RFC 4954 §4, RFC 4616). */
  Reply authPlain(String user, String password) throws IOException {
    String token =
        Base64.getEncoder()
            .encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    return command("AUTH PLAIN " + token);
  }

  /** DATA with {@code message} (CRLF lines), dot-stuffed here; returns the final reply. */
  Reply data(byte[] message) throws IOException {
    Reply go = command("DATA");
    if (go.code() != 354) {
      return go;
    }
    String text = new String(message, StandardCharsets.ISO_8859_1);
    String stuffed = (text.startsWith(".") ? "." : "") + text.replace("\r\n.", "\r\n..");
    if (!stuffed.endsWith("\r\n")) {
      stuffed += "\r\n";
    }
    write((stuffed + ".\r\n").getBytes(StandardCharsets.ISO_8859_1));
    return read();
  }

  /**
   * Submits one message on the 587 listener: STARTTLS, AUTH PLAIN, MAIL (with {@code mailParams}),
   * RCPT for each recipient, DATA. Returns the final reply, or the first refusal.
   */
  static Reply submit(
      Path dataDir,
      int port,
      String user,
      String password,
      String mailFrom,
      List<String> rcptTo,
      byte[] message)
      throws Exception {
    try (MtaClient c = connect(dataDir, null, port, false)) {
      c.command("EHLO client.example.test");
      c.startTls("client.example.test");
      Reply auth = c.authPlain(user, password);
      if (auth.code() != 235) {
        return auth;
      }
      Reply mail = c.command("MAIL FROM:" + mailFrom);
      if (mail.code() != 250) {
        return mail;
      }
      for (String to : rcptTo) {
        Reply rcpt = c.command("RCPT TO:" + to);
        if (rcpt.code() != 250) {
          return rcpt;
        }
      }
      return c.data(message);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (!socket.isClosed()) {
        command("QUIT");
      }
    } catch (IOException ignored) {
      // the server may have closed first; closing is what matters
    } finally {
      socket.close();
    }
  }

  /** The messages in one folder of the account with this address, oldest first. */
  static List<byte[]> messages(CarbonioServer server, String address, String folder)
      throws Exception {
    String id = server.directory().findAccount(address).orElseThrow().id();
    Mailbox box = server.store().mailbox(id);
    Optional<?> exists =
        box.folders().stream().filter(f -> f.name().equalsIgnoreCase(folder)).findFirst();
    if (exists.isEmpty()) {
      return List.of();
    }
    List<byte[]> messages = new ArrayList<>();
    for (MessageInfo m : box.snapshot(folder).messages()) {
      messages.add(box.read(folder, m.uid()));
    }
    return messages;
  }

  /** MTA options for tests: these relay networks, this DNS server, remote MX hosts on this port. */
  static MtaConfig mta(List<String> relayNetworks, DnsServer dns, int outboundPort) {
    return new MtaConfig(
        relayNetworks,
        List.of(dns.address()),
        outboundPort,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        false,
        java.util.Map.of());
  }

  static String text(byte[] message) {
    return new String(message, StandardCharsets.UTF_8);
  }
}
