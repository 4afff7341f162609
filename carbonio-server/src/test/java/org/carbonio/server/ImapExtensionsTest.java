package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.carbonio.store.Mailbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IMAP extensions of carbonio-imap against the real server and store: NOTIFY between two
 * sessions (RFC 5465), MULTIAPPEND all or nothing in one store transaction (RFC 3502), CATENATE
 * (RFC 4469), BINARY (RFC 3516), REPLACE (RFC 8508) and mbsync over COMPRESS=DEFLATE (RFC 4978).
 */
class ImapExtensionsTest {
  private static final String USER = "dana@localhost";
  private static final String PASS = "dana-Secret-1";

  @RegisterExtension final ServerExtension carbonio = new ServerExtension().account(USER, PASS);

  @TempDir Path tmp;

  /** A raw IMAPS client that can also read unsolicited lines and send literals. */
  private static final class Client implements AutoCloseable {
    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;

    Client(SSLContext trust, int port) throws IOException {
      socket = (SSLSocket) trust.getSocketFactory().createSocket();
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(20_000);
      socket.startHandshake();
      in = socket.getInputStream();
      out = socket.getOutputStream();
      line();
    }

    void send(String s) throws IOException {
      out.write(s.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') if (c != '\r') b.write(c);
      return b.toString(StandardCharsets.UTF_8);
    }

    /** Sends a command; returns every line up to the tagged one (literal bytes inline). */
    List<String> command(String tag, String command) throws IOException {
      send(tag + " " + command + "\r\n");
      return until(tag);
    }

    List<String> until(String tag) throws IOException {
      List<String> lines = new ArrayList<>();
      while (true) {
        String l = line();
        lines.add(l);
        if (l.startsWith(tag + " ")) return lines;
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private Client login() throws Exception {
    Client c =
        new Client(E2E.trusting(carbonio.dataDir()), carbonio.server().port(Listener.Kind.IMAPS));
    assertThat(c.command("l", "LOGIN " + USER + " " + PASS).getLast()).startsWith("l OK");
    return c;
  }

  private Mailbox mailbox() {
    String account = carbonio.server().directory().findAccount(USER).orElseThrow().id();
    return carbonio.server().store().mailbox(account);
  }

  private static String lit(String s) {
    return "{" + s.getBytes(StandardCharsets.UTF_8).length + "+}\r\n" + s;
  }

  @Test
  void notifyShouldPushStatusAndExistsWhenAnotherSessionAppends() throws Exception {
    try (Client a = login();
        Client b = login()) {
      assertThat(a.command("a1", "CREATE Lists").getLast()).startsWith("a1 OK");
      assertThat(a.command("a2", "SELECT INBOX").getLast()).startsWith("a2 OK");
      List<String> set =
          a.command(
              "a3",
              "NOTIFY SET (STATUS) (selected (MessageNew MessageExpunge FlagChange))"
                  + " (personal (MessageNew MessageExpunge))");
      assertThat(set).anyMatch(l -> l.matches("\\* STATUS \"Lists\" \\(MESSAGES 0 UIDNEXT 1 .*"));
      assertThat(set.getLast()).isEqualTo("a3 OK NOTIFY completed");

      String m = "Subject: n\r\n\r\nhello\r\n";
      assertThat(b.command("b1", "APPEND Lists " + lit(m)).getLast()).startsWith("b1 OK");
      assertThat(a.line())
          .matches("\\* STATUS \"Lists\" \\(MESSAGES 1 UIDNEXT 2 UIDVALIDITY \\d+\\)");

      assertThat(b.command("b2", "APPEND INBOX " + lit(m)).getLast()).startsWith("b2 OK");
      assertThat(a.line()).isEqualTo("* 1 EXISTS");
      assertThat(a.line()).isEqualTo("* 0 RECENT");

      // mail delivered over SMTP is a change of the store like any other
      RawSmtp.deliver(
          carbonio.server().port(Listener.Kind.SMTP), USER, E2E.crlf("Subject: smtp\n\nx\n"));
      assertThat(a.line()).isEqualTo("* 2 EXISTS");
      assertThat(a.line()).isEqualTo("* 0 RECENT");

      assertThat(b.command("b3", "SELECT INBOX").getLast()).startsWith("b3 OK");
      assertThat(b.command("b4", "STORE 1 +FLAGS.SILENT (\\Deleted)").getLast())
          .startsWith("b4 OK");
      assertThat(a.line()).isEqualTo("* 1 FETCH (FLAGS (\\Deleted) UID 1)");
      assertThat(b.command("b5", "EXPUNGE").getLast()).startsWith("b5 OK");
      assertThat(a.line()).isEqualTo("* 1 EXPUNGE");

      assertThat(a.command("a4", "NOTIFY NONE")).containsExactly("a4 OK NOTIFY completed");
      assertThat(b.command("b6", "APPEND Lists " + lit(m)).getLast()).startsWith("b6 OK");
      assertThat(a.command("a5", "NOOP")).containsExactly("a5 OK NOOP completed");
      assertThat(a.command("a6", "NOTIFY SET (personal (MessageNew))").getLast())
          .startsWith("a6 BAD");
    }
  }

  @Test
  void multiappendShouldStoreNoneWhenOneMessageIsRefusedByTheStore() throws Exception {
    try (Client c = login()) {
      String m1 = "Subject: 1\r\n\r\none\r\n";
      String m2 = "Subject: 2\r\n\r\ntwo\r\n";
      List<String> ok =
          c.command("m1", "APPEND INBOX (\\Seen) " + lit(m1) + " (\\Flagged) " + lit(m2) + "\r\n");
      assertThat(ok.getLast()).matches("m1 OK \\[APPENDUID \\d+ 1:2\\] APPEND completed");
      assertThat(mailbox().snapshot("INBOX").messages()).hasSize(2);
      // the store refuses the system-flag-like \Bogus: the whole APPEND stores nothing
      List<String> refused =
          c.command("m2", "APPEND INBOX " + lit(m1) + " (\\Bogus) " + lit(m2) + "\r\n");
      assertThat(refused.getLast()).startsWith("m2 NO");
      assertThat(mailbox().snapshot("INBOX").messages()).hasSize(2);
    }
  }

  @Test
  void catenateBinaryAndReplaceShouldWorkWhenOnTheStore() throws Exception {
    try (Client c = login()) {
      String m = "Subject: b\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n";
      assertThat(c.command("c1", "APPEND INBOX " + lit(m) + "\r\n").getLast()).startsWith("c1 OK");
      assertThat(c.command("c2", "CREATE Drafts").getLast()).startsWith("c2 OK");
      List<String> cat =
          c.command(
              "c3",
              "APPEND Drafts CATENATE (URL \"/INBOX/;UID=1/;SECTION=HEADER\" TEXT "
                  + lit("aGk=\r\n")
                  + ")\r\n");
      assertThat(cat.getLast()).matches("c3 OK \\[APPENDUID \\d+ 1\\] APPEND completed");
      assertThat(
              c.command("c4", "APPEND Drafts CATENATE (URL \"imap://x@localhost/INBOX/;UID=1\")")
                  .getLast())
          .startsWith("c4 NO [BADURL");
      assertThat(c.command("c5", "SELECT Drafts").getLast()).startsWith("c5 OK");
      assertThat(c.command("c6", "FETCH 1 (BINARY.SIZE[1] BINARY.PEEK[1])"))
          .containsExactly(
              "* 1 FETCH (BINARY.SIZE[1] 2 BINARY[1] {2}", "hi)", "c6 OK FETCH completed");
      List<String> replace = c.command("c7", "REPLACE 1 Drafts " + lit(m) + "\r\n");
      assertThat(replace)
          .containsExactly(
              replace.get(0), "* 1 EXPUNGE", "* 1 EXISTS", "* 0 RECENT", "c7 OK REPLACE completed");
      assertThat(replace.get(0)).matches("\\* OK \\[APPENDUID \\d+ 2\\] Replacement Message ready");
      assertThat(c.command("c8", "UID FETCH 2 BINARY.PEEK[1]"))
          .containsExactly(
              "* 1 FETCH (UID 2 BINARY[1] {11}", "hello world)", "c8 OK UID FETCH completed");
    }
  }

  @Test
  void mbsyncShouldSyncWhenItNegotiatesCompress() throws Exception {
    RawSmtp.deliver(
        carbonio.server().port(Listener.Kind.SMTP),
        USER,
        E2E.crlf("Subject: one\nMessage-ID: <1@test>\n\nfirst\n"),
        E2E.crlf("Subject: two\nMessage-ID: <2@test>\n\nsecond\n"));
    Path maildir = Files.createDirectories(tmp.resolve("Mail"));
    String text =
        """
        IMAPAccount carbonio
        Host 127.0.0.1
        Port %d
        User %s
        Pass %s
        SSLType IMAPS
        CertificateFile %s
        AuthMechs LOGIN

        IMAPStore remote
        Account carbonio

        MaildirStore local
        Path %s/
        Inbox %s/INBOX

        Channel dana
        Far :remote:
        Near :local:
        Patterns *
        Create Near
        SyncState *
        Sync Pull
        """
            .formatted(
                carbonio.server().port(Listener.Kind.IMAPS),
                USER,
                PASS,
                carbonio.dataDir().resolve("tls/cert.pem"),
                maildir,
                maildir);
    Path config = Files.writeString(tmp.resolve("mbsyncrc"), text);
    ExternalTool.Result r =
        ExternalTool.run(
                List.of("mbsync", "-c", config.toString(), "-Dn", "dana"),
                Map.of("HOME", tmp.toString()),
                tmp)
            .assertSuccess();
    // mbsync's network debug shows the command; everything after it ran compressed
    assertThat(r.out() + r.stderr()).contains("COMPRESS DEFLATE");
    try (var files = Files.list(maildir.resolve("INBOX/new"))) {
      assertThat(files.count()).isEqualTo(2);
    }
  }
}
