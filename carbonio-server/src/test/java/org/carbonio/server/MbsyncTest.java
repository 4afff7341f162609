package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.carbonio.store.FlagOperation;
import org.carbonio.store.Mailbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** mbsync (isync) mirrors an account to a local Maildir, then picks up only a flag change. */
class MbsyncTest {

  @RegisterExtension
  final ServerExtension carbonio =
      new ServerExtension().account("carol@localhost", "carol-Secret-1");

  @TempDir Path tmp;
  private Path data;
  private CarbonioServer server;

  @BeforeEach
  void start() throws Exception {
    server = carbonio.server();
    data = carbonio.dataDir();
  }

  private Path config(Path maildir) throws Exception {
    int port = server.port(Listener.Kind.IMAP);
    String text =
        """
        IMAPAccount carbonio
        Host 127.0.0.1
        Port %d
        User carol@localhost
        Pass carol-Secret-1
        SSLType STARTTLS
        CertificateFile %s
        AuthMechs LOGIN

        IMAPStore remote
        Account carbonio

        MaildirStore local
        Path %s/
        Inbox %s/INBOX
        SubFolders Verbatim

        Channel carol
        Far :remote:
        Near :local:
        Patterns *
        Create Near
        SyncState *
        Sync All
        """
            .formatted(port, data.resolve("tls/cert.pem"), maildir, maildir);
    return Files.writeString(tmp.resolve("mbsyncrc"), text);
  }

  private ExternalTool.Result mbsync(Path config) throws Exception {
    return ExternalTool.run(
            List.of("mbsync", "-c", config.toString(), "-V", "carol"),
            Map.of("HOME", tmp.toString()),
            tmp)
        .assertSuccess();
  }

  /** Maildir file name (without the flags suffix) → the file. */
  private static Map<String, Path> files(Path dir) throws Exception {
    Map<String, Path> files = new TreeMap<>();
    try (Stream<Path> list =
        Stream.concat(Files.list(dir.resolve("cur")), Files.list(dir.resolve("new")))) {
      list.forEach(p -> files.put(p.getFileName().toString().replaceAll(":2,.*$", ""), p));
    }
    return files;
  }

  private static String maildirFlags(Path file) {
    String name = file.getFileName().toString();
    int i = name.indexOf(":2,");
    return i < 0 ? "" : name.substring(i + 3);
  }

  /**
   * mbsync writes Maildir files with Unix line endings and adds its own X-TUID header; undo both to
   * compare with what the server holds.
   */
  private static byte[] asDelivered(Path file) throws Exception {
    String text = Files.readString(file, StandardCharsets.ISO_8859_1);
    return text.replaceFirst("(?m)^X-TUID: [^\n]*\n", "")
        .replace("\n", "\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void secondSyncShouldTransferOnlyTheFlagChangeWhenOneFlagChangedOnServer() throws Exception {
    int smtp = server.port(Listener.Kind.SMTP);
    byte[][] sent = {
      E2E.crlf("Subject: one\nMessage-ID: <1@test>\n\nfirst\n"),
      E2E.crlf("Subject: two\nMessage-ID: <2@test>\n\nsecond\n.dot\n"),
      E2E.crlf("Subject: three\nMessage-ID: <3@test>\n\nthird\n"),
    };
    RawSmtp.deliver(smtp, "carol@localhost", sent);
    String account = server.directory().findAccount("carol@localhost").orElseThrow().id();
    Mailbox mailbox = server.store().mailbox(account);
    server.store().mailbox(account).createFolder("Archive/2026");
    long[] uids = mailbox.snapshot("INBOX").messages().stream().mapToLong(m -> m.uid()).toArray();
    assertThat(uids).hasSize(3);
    mailbox.setFlags("INBOX", List.of(uids[0]), FlagOperation.ADD, Set.of("\\Seen"));
    mailbox.setFlags(
        "INBOX", List.of(uids[2]), FlagOperation.ADD, Set.of("\\Flagged", "\\Answered"));

    Path maildir = Files.createDirectories(tmp.resolve("Mail"));
    Path config = config(maildir);
    mbsync(config);

    Map<String, Path> first = files(maildir.resolve("INBOX"));
    assertThat(first).hasSize(3);
    List<Path> ordered =
        first.values().stream()
            .sorted(
                java.util.Comparator.comparing(
                    p -> {
                      try {
                        return new String(Files.readAllBytes(p)).contains("Subject: one")
                            ? 0
                            : new String(Files.readAllBytes(p)).contains("Subject: two") ? 1 : 2;
                      } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                      }
                    }))
            .toList();
    for (int i = 0; i < 3; i++) {
      E2E.assertStoredAsSent(asDelivered(ordered.get(i)), sent[i]);
    }
    assertThat(maildirFlags(ordered.get(0))).isEqualTo("S");
    assertThat(maildirFlags(ordered.get(1))).isEmpty();
    assertThat(maildirFlags(ordered.get(2))).isEqualTo("FR");
    assertThat(maildir.resolve("Archive/2026")).isDirectory();

    Map<String, FileTime> before = new TreeMap<>();
    for (Map.Entry<String, Path> e : first.entrySet()) {
      before.put(e.getKey(), Files.getLastModifiedTime(e.getValue()));
    }
    mailbox.setFlags("INBOX", List.of(uids[1]), FlagOperation.ADD, Set.of("\\Flagged"));
    mbsync(config);

    Map<String, Path> second = files(maildir.resolve("INBOX"));
    assertThat(second.keySet()).isEqualTo(first.keySet());
    for (String key : second.keySet()) {
      Path now = second.get(key);
      Path was = first.get(key);
      assertThat(Files.getLastModifiedTime(now)).isEqualTo(before.get(key));
      if (was.equals(ordered.get(1))) {
        assertThat(maildirFlags(now)).isEqualTo("F");
      } else {
        assertThat(now).isEqualTo(was);
      }
    }
  }
}
