package org.carbonio.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small IMAP client for load generation, as a typical client behaves: one command at a time (no
 * pipelining), synchronizing literals for APPEND (RFC 9051 §4.3: waits for the "+" continuation),
 * IDLE entered and left with DONE (RFC 2177). Responses are read up to the tagged completion;
 * literal contents are read and dropped, untagged lines are kept cut to 200 characters. Not
 * thread-safe: one connection, one thread.
 */
final class ImapClient implements AutoCloseable {
  /** What one command returned: the tagged line and the untagged lines before it. */
  record Reply(String tagged, List<String> untagged) {
    boolean ok() {
      int sp = tagged.indexOf(' ');
      return sp > 0 && tagged.startsWith("OK ", sp + 1);
    }
  }

  private static final Pattern APPENDUID = Pattern.compile("\\[APPENDUID \\d+ (\\d+)]");

  private final Socket socket;
  private final int bufferSize;
  private InputStream in;
  private OutputStream out;
  private int tag;
  private byte[] lineBuf = new byte[512];
  private int lineLen;
  private long bytesRead;

  /**
   * Connects to {@code 127.0.0.1:port} from {@code local} (null: any) and reads the greeting; with
   * {@code tls} the connection is implicit TLS (IMAPS, RFC 8314).
   */
  ImapClient(SSLContext tls, int port, InetAddress local) throws IOException {
    this(tls, port, local, 16 * 1024);
  }

  /** Like the other constructor, with a read buffer of {@code bufferSize} bytes. */
  ImapClient(SSLContext tls, int port, InetAddress local, int bufferSize) throws IOException {
    this.bufferSize = bufferSize;
    Socket s = tls == null ? new Socket() : tls.getSocketFactory().createSocket();
    try {
      if (local != null) {
        s.bind(new InetSocketAddress(local, 0));
      }
      s.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
      s.setSoTimeout(600_000);
      s.setTcpNoDelay(true);
      if (s instanceof SSLSocket ssl) {
        ssl.startHandshake();
      }
      this.socket = s;
      streams();
      String greeting = readLine();
      if (!greeting.startsWith("* OK")) {
        throw new IOException("greeting " + greeting);
      }
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private ImapClient(Socket socket, int bufferSize) throws IOException {
    this.socket = socket;
    this.bufferSize = bufferSize;
    streams();
  }

  private void streams() throws IOException {
    in = new BufferedInputStream(socket.getInputStream(), bufferSize);
    out = new BufferedOutputStream(socket.getOutputStream(), bufferSize / 2);
  }

  /** STARTTLS (RFC 9051 §6.2.1) on this plain connection; returns the client over TLS. */
  ImapClient startTls(SSLContext tls) throws IOException {
    Reply r = command("STARTTLS");
    if (!r.ok()) throw new IOException("STARTTLS: " + r.tagged());
    SSLSocket ssl =
        (SSLSocket)
            tls.getSocketFactory().createSocket(socket, "127.0.0.1", socket.getPort(), true);
    ssl.startHandshake();
    ImapClient c = new ImapClient(ssl, bufferSize);
    c.tag = tag;
    return c;
  }

  /** Sends one command and reads its responses up to the tagged completion. */
  Reply command(String command) throws IOException {
    String t = nextTag();
    send(t + " " + command + "\r\n");
    return readUntilTagged(t);
  }

  /** Like {@link #command} but fails unless the completion is OK. */
  Reply ok(String command) throws IOException {
    Reply r = command(command);
    if (!r.ok()) throw new IOException(command + " -> " + r.tagged());
    return r;
  }

  /**
   * APPEND with a synchronizing literal: sends the command line, waits for the continuation, then
   * the message. Returns the UID from the APPENDUID response code (RFC 4315), or -1.
   */
  long append(String mailbox, String flags, byte[] message) throws IOException {
    String t = nextTag();
    send(t + " APPEND " + mailbox + " (" + flags + ") {" + message.length + "}\r\n");
    while (true) {
      String l = readLine();
      if (l.startsWith("+")) break;
      if (l.startsWith(t + " ")) throw new IOException("APPEND refused: " + l);
    }
    out.write(message);
    out.write('\r');
    out.write('\n');
    out.flush();
    Reply r = readUntilTagged(t);
    if (!r.ok()) throw new IOException("APPEND -> " + r.tagged());
    Matcher m = APPENDUID.matcher(r.tagged());
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private String idleTag;

  /** Sends IDLE and waits for the continuation (RFC 2177); untagged lines before it are dropped. */
  void idle() throws IOException {
    idleTag = nextTag();
    send(idleTag + " IDLE\r\n");
    while (true) {
      String l = readLine();
      if (l.startsWith("+")) return;
      if (l.startsWith(idleTag + " ")) throw new IOException("IDLE refused: " + l);
    }
  }

  /** Reads untagged lines until one equals {@code line}; returns the number of lines read. */
  int awaitLine(String line) throws IOException {
    int n = 0;
    while (true) {
      n++;
      if (readLine().equals(line)) return n;
    }
  }

  /** Ends IDLE with DONE and reads up to the IDLE command's completion. */
  Reply done() throws IOException {
    send("DONE\r\n");
    Reply r = readUntilTagged(idleTag);
    if (!r.ok()) throw new IOException("IDLE -> " + r.tagged());
    return r;
  }

  /** Bytes received so far, literals included. */
  long bytesRead() {
    return bytesRead;
  }

  private String nextTag() {
    return "a" + (++tag);
  }

  private void send(String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private Reply readUntilTagged(String t) throws IOException {
    String prefix = t + " ";
    List<String> untagged = new ArrayList<>();
    while (true) {
      String l = readLine();
      if (l.startsWith(prefix)) return new Reply(l, untagged);
      untagged.add(l.length() > 200 ? l.substring(0, 200) : l);
    }
  }

  /**
   * Reads one response line without its CRLF; a literal {@code {n}} at a line's end is read and
   * dropped and the line goes on after it.
   */
  private String readLine() throws IOException {
    lineLen = 0;
    while (true) {
      int b = in.read();
      if (b < 0) throw new IOException("connection closed");
      bytesRead++;
      if (b == '\n') {
        int n = lineLen;
        if (n > 0 && lineBuf[n - 1] == '\r') n--;
        if (n > 0 && lineBuf[n - 1] == '}') {
          int open = n - 1;
          while (open > 0 && lineBuf[open] != '{') open--;
          long size =
              Long.parseLong(
                  new String(lineBuf, open + 1, n - open - 2, StandardCharsets.US_ASCII)
                      .replace("+", ""));
          in.skipNBytes(size);
          bytesRead += size;
          lineLen = open;
          continue;
        }
        return new String(lineBuf, 0, n, StandardCharsets.ISO_8859_1);
      }
      if (lineLen == lineBuf.length) lineBuf = Arrays.copyOf(lineBuf, lineLen * 2);
      lineBuf[lineLen++] = (byte) b;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
