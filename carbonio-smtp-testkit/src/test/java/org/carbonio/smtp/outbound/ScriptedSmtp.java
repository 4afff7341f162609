package org.carbonio.smtp.outbound;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small SMTP server whose extensions and replies the test scripts, for what the engine on main
 * does not offer (AUTH, DSN, REQUIRETLS, SMTPUTF8, odd greetings, broken STARTTLS). It records
 * every command line it receives.
 */
final class ScriptedSmtp implements AutoCloseable {

  volatile String greeting = "220 scripted.test ESMTP";
  volatile List<String> extensions =
      List.of(
          "PIPELINING",
          "8BITMIME",
          "SIZE 10000000",
          "DSN",
          "SMTPUTF8",
          "REQUIRETLS",
          "AUTH PLAIN LOGIN");
  volatile Function<String, String> rcptReply = r -> "250 2.1.5 OK";
  volatile String starttlsReply = "220 2.0.0 Ready to start TLS";
  volatile boolean breakTls;

  /** A tarpit: accepts connections and never says anything. */
  volatile boolean silent;

  volatile String user = "relayuser";
  volatile String password = "secret";

  final Queue<String> commands = new ConcurrentLinkedQueue<>();
  final Queue<String> messages = new ConcurrentLinkedQueue<>();
  final Queue<Boolean> messageTls = new ConcurrentLinkedQueue<>();
  final AtomicInteger connections = new AtomicInteger();

  /** Transactions between MAIL and the reply to the final dot, now and at most. */
  final AtomicInteger active = new AtomicInteger();

  final AtomicInteger maxActive = new AtomicInteger();

  private final ServerSocket server;
  private final SSLContext tls;
  private final boolean implicitTls;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final Queue<Socket> sockets = new ConcurrentLinkedQueue<>();

  ScriptedSmtp(InetAddress bind, int port, SSLContext tls, boolean implicitTls) throws IOException {
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(bind, port));
    this.tls = tls;
    this.implicitTls = implicitTls;
    threads.execute(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        connections.incrementAndGet();
        sockets.add(s);
        threads.execute(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    Socket s = socket;
    try {
      s.setSoTimeout(10_000);
      boolean secure = false;
      if (implicitTls) {
        s = upgrade(s);
        secure = true;
      }
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      if (silent) {
        s.setSoTimeout(0);
        in.readAllBytes(); // until the client gives up
        return;
      }
      write(out, greeting);
      if (!greeting.startsWith("2")) {
        line(in);
        write(out, "221 bye");
        return;
      }
      while (true) {
        String line = line(in);
        if (line == null) {
          return;
        }
        commands.add(line.startsWith("AUTH PLAIN") ? "AUTH PLAIN ****" : line);
        String verb = line.split(" ", 2)[0].toUpperCase();
        switch (verb) {
          case "EHLO" -> {
            List<String> ext = new ArrayList<>(extensions);
            if (tls != null && !secure) {
              ext.add("STARTTLS");
            }
            StringBuilder sb = new StringBuilder("250-scripted.test");
            for (int i = 0; i < ext.size(); i++) {
              sb.append("\r\n250").append(i == ext.size() - 1 ? " " : "-").append(ext.get(i));
            }
            write(out, sb.toString());
          }
          case "HELO", "RSET", "NOOP" -> write(out, "250 OK");
          case "MAIL" -> {
            maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
            write(out, "250 2.1.0 OK");
          }
          case "RCPT" -> write(out, rcptReply.apply(line));
          case "STARTTLS" -> {
            write(out, starttlsReply);
            if (starttlsReply.startsWith("220")) {
              if (breakTls) {
                out.write("garbage that is no TLS record\r\n".getBytes(UTF_8));
                out.flush();
                return;
              }
              s = upgrade(s);
              in = s.getInputStream();
              out = s.getOutputStream();
              secure = true;
            }
          }
          case "AUTH" ->
              write(out, auth(line, in, out) ? "235 2.7.0 OK" : "535 5.7.8 Bad credentials");
          case "DATA" -> {
            write(out, "354 go ahead");
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (String l = line(in); l != null && !l.equals("."); l = line(in)) {
              body.write((l + "\r\n").getBytes(UTF_8));
            }
            messages.add(body.toString(UTF_8));
            messageTls.add(secure);
            active.decrementAndGet(); // before the reply: the client may start another at once
            write(out, "250 2.0.0 queued");
          }
          case "QUIT" -> {
            write(out, "221 2.0.0 bye");
            return;
          }
          default -> write(out, "500 5.5.1 unknown");
        }
      }
    } catch (IOException e) {
      // client went away
    } finally {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  private boolean auth(String line, InputStream in, OutputStream out) throws IOException {
    String[] parts = line.split(" ");
    Base64.Decoder d = Base64.getDecoder();
    if (parts[1].equalsIgnoreCase("PLAIN") && parts.length == 3) {
      String[] token = new String(d.decode(parts[2]), UTF_8).split("\0", -1);
      return token.length == 3 && token[1].equals(user) && token[2].equals(password);
    }
    if (parts[1].equalsIgnoreCase("LOGIN")) {
      write(out, "334 VXNlcm5hbWU6");
      String u = new String(d.decode(line(in)), UTF_8);
      write(out, "334 UGFzc3dvcmQ6");
      String p = new String(d.decode(line(in)), UTF_8);
      commands.add("AUTH LOGIN as " + u);
      return u.equals(user) && p.equals(password);
    }
    return false;
  }

  private Socket upgrade(Socket s) throws IOException {
    SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, null, s.getPort(), true);
    ssl.setUseClientMode(false);
    ssl.startHandshake();
    return ssl;
  }

  private static void write(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(UTF_8));
    out.flush();
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        String s = b.toString(UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
    threads.shutdown();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
