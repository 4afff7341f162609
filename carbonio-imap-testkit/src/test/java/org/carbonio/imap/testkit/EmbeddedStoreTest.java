package org.carbonio.imap.testkit;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.carbonio.store.Mailbox;
import org.carbonio.store.MessageSummary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ImapServerExtension#builder()} with {@code embeddedStore()}: IMAP and POP3 over sockets.
 */
class EmbeddedStoreTest {
  // 8-bit body, a line that is only "." (POP3 dot-stuffing) and one starting with ".."
  private static final byte[] MESSAGE =
      ("From: bob@example.org\r\nTo: alice@example.org\r\nSubject: h\u00e9llo\r\n"
              + "Content-Type: text/plain; charset=utf-8\r\n\r\ncaf\u00e9\r\n.\r\n..dots\r\nend\r\n")
          .getBytes(UTF_8);

  @RegisterExtension
  ImapServerExtension imap =
      ImapServerExtension.builder()
          .user("alice", "secret")
          .user("bob", "pw")
          .embeddedStore()
          .build();

  @RegisterExtension
  ImapServerExtension other =
      ImapServerExtension.builder().user("alice", "secret").embeddedStore().build();

  @Test
  void imapShouldAppendFetchStoreAndExpungeWhenServedFromStore() throws IOException {
    try (Client c = new Client(imap.host(), imap.port())) {
      assertThat(c.line()).startsWith("* OK");
      c.send("a LOGIN alice secret\r\n");
      assertThat(c.until("a")).startsWith("a OK");
      // RFC 9051 §6.3.12: a synchronizing literal waits for the continuation request
      c.send("b APPEND INBOX (\\Flagged) {" + MESSAGE.length + "}\r\n");
      assertThat(c.line()).startsWith("+");
      c.send(MESSAGE);
      c.send("\r\n");
      String appended = c.until("b");
      Matcher m = Pattern.compile("b OK \\[APPENDUID (\\d+) (\\d+)].*").matcher(appended);
      assertThat(m.matches()).as(appended).isTrue();
      long uid = Long.parseLong(m.group(2));
      assertThat(imap.store().mailbox("alice").read("INBOX", uid)).isEqualTo(MESSAGE);

      c.send("c SELECT INBOX\r\n");
      List<String> selected = c.lines("c");
      assertThat(selected).contains("* 1 EXISTS");
      assertThat(selected).anyMatch(l -> l.startsWith("* OK [UIDVALIDITY " + m.group(1) + "]"));
      assertThat(selected.get(selected.size() - 1)).startsWith("c OK");

      c.send("d UID FETCH " + uid + " (BODY.PEEK[])\r\n");
      String fetch = c.line();
      assertThat(fetch).startsWith("* 1 FETCH (").endsWith("BODY[] {" + MESSAGE.length + "}");
      assertThat(c.bytes(MESSAGE.length)).isEqualTo(MESSAGE);
      assertThat(c.line()).endsWith(")");
      assertThat(c.until("d")).startsWith("d OK");

      // RFC 9051 §6.4.6: STORE answers with the new flags
      c.send("e UID STORE " + uid + " +FLAGS (\\Deleted $Work)\r\n");
      assertThat(c.lines("e").get(0))
          .startsWith("* 1 FETCH (")
          .contains("\\Deleted", "\\Flagged", "$Work");
      assertThat(storedFlags("alice", uid)).contains("\\Deleted", "\\Flagged", "$Work");

      c.send("f EXPUNGE\r\n");
      List<String> expunged = c.lines("f");
      assertThat(expunged).hasSize(2).startsWith("* 1 EXPUNGE");
      assertThat(expunged.get(1)).startsWith("f OK");
      assertThat(imap.store().mailbox("alice").status("INBOX").messages()).isZero();
    }
  }

  @Test
  void pop3RetrShouldReturnDeliveredMessageByteExactWhenServedFromStore() throws IOException {
    imap.deliver("alice", "Subject: first\r\n\r\none\r\n".getBytes(US_ASCII));
    long uid = imap.deliver("alice", MESSAGE);
    assertThat(imap.store().mailbox("alice").read("INBOX", uid)).isEqualTo(MESSAGE);
    try (Client c = new Client(imap.host(), imap.pop3Port())) {
      assertThat(c.line()).startsWith("+OK");
      c.send("USER alice\r\nPASS secret\r\n");
      assertThat(c.line()).startsWith("+OK");
      assertThat(c.line()).startsWith("+OK Maildrop has 2");
      c.send("RETR 2\r\n");
      assertThat(c.line()).startsWith("+OK");
      // RFC 1939 §3: lines starting with "." are byte-stuffed, the end is ".\r\n"
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      for (String l = c.line(); !l.equals("."); l = c.line()) {
        body.writeBytes((l.startsWith(".") ? l.substring(1) : l).getBytes(UTF_8));
        body.writeBytes("\r\n".getBytes(US_ASCII));
      }
      assertThat(body.toByteArray()).isEqualTo(MESSAGE);
      c.send("QUIT\r\n");
      assertThat(c.line()).startsWith("+OK");
    }
  }

  @Test
  void deliverShouldMakeLineEndingsCrlfWhenEmbedded() {
    long uid = imap.deliver("bob", "Subject: lf\n\nbody\n".getBytes(US_ASCII));
    assertThat(imap.store().mailbox("bob").read("INBOX", uid))
        .isEqualTo("Subject: lf\r\n\r\nbody\r\n".getBytes(US_ASCII));
  }

  @Test
  void usersShouldHaveInboxWhenTestStarts() throws IOException {
    try (Client c = new Client(imap.host(), imap.port())) {
      c.line();
      c.send("a LOGIN bob pw\r\nb STATUS INBOX (MESSAGES)\r\n");
      c.until("a");
      assertThat(c.lines("b"))
          .containsExactly("* STATUS \"INBOX\" (MESSAGES 0)", "b OK STATUS completed");
    }
  }

  @Test
  void extensionsShouldNotShareDataWhenTwoEmbeddedStores() throws IOException {
    imap.deliver("alice", MESSAGE);
    assertThat(imap.store()).isNotSameAs(other.store());
    assertThat(other.store().mailbox("alice").status("INBOX").messages()).isZero();
    try (Client c = new Client(other.host(), other.port())) {
      c.line();
      c.send("a LOGIN alice secret\r\nb STATUS INBOX (MESSAGES)\r\n");
      c.until("a");
      assertThat(c.lines("b")).contains("* STATUS \"INBOX\" (MESSAGES 0)");
    }
    assertThat(imap.store().mailbox("alice").status("INBOX").messages()).isEqualTo(1);
  }

  @Test
  void backendShouldFailWhenEmbeddedStore() {
    assertThatThrownBy(imap::backend)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("store()");
  }

  @Test
  void storeShouldFailWhenInMemory() throws IOException {
    ImapServerExtension inMemory = ImapServerExtension.builder().user("alice", "secret").build();
    inMemory.beforeEach(null);
    try {
      assertThatThrownBy(inMemory::store)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("backend()");
    } finally {
      inMemory.afterEach(null);
    }
  }

  @Test
  void afterEachShouldDeleteStoreDirectoryWhenTestEnds() throws IOException {
    ImapServerExtension ext =
        ImapServerExtension.builder().user("carol", "pw").embeddedStore().build();
    List<Path> before = storeDirs();
    ext.beforeEach(null);
    List<Path> created = new ArrayList<>(storeDirs());
    created.removeAll(before);
    ext.deliver("carol", MESSAGE);
    ext.afterEach(null);
    assertThat(created).isNotEmpty().noneMatch(Files::exists);
    assertThatThrownBy(ext::store).isInstanceOf(IllegalStateException.class);
  }

  private static List<Path> storeDirs() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("carbonio-imap-testkit-"))
          .toList();
    }
  }

  private Set<String> storedFlags(String user, long uid) {
    Mailbox box = imap.store().mailbox(user);
    List<MessageSummary> found = new ArrayList<>();
    box.messages("INBOX", uid, uid, found::add);
    assertThat(found).hasSize(1);
    return found.get(0).flags();
  }

  /** A peer that sends text and reads lines up to a tagged one. Not thread-safe. */
  private static final class Client implements AutoCloseable {
    private final SocketPeer peer;

    Client(String host, int port) {
      peer = new SocketPeer(host, port);
    }

    void send(String text) throws IOException {
      peer.send(text.getBytes(UTF_8));
    }

    void send(byte[] bytes) throws IOException {
      peer.send(bytes);
    }

    String line() throws IOException {
      String l = peer.readLine();
      if (l == null) throw new IOException("connection closed");
      return l;
    }

    byte[] bytes(int n) throws IOException {
      return peer.readBytes(n);
    }

    /** Lines up to and including the tagged one. */
    List<String> lines(String tag) throws IOException {
      List<String> lines = new ArrayList<>();
      String l;
      do {
        l = line();
        lines.add(l);
      } while (!l.startsWith(tag + " "));
      return lines;
    }

    /** The tagged line, skipping untagged ones. */
    String until(String tag) throws IOException {
      List<String> lines = lines(tag);
      return lines.get(lines.size() - 1);
    }

    @Override
    public void close() {
      peer.close();
    }
  }
}
