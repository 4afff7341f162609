package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.carbonio.store.ImportMessage;
import org.carbonio.store.Mailbox;
import org.eclipse.angus.mail.iap.ByteArray;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.protocol.BODY;
import org.eclipse.angus.mail.imap.protocol.FetchResponse;
import org.eclipse.angus.mail.imap.protocol.UID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real IMAP and POP3 clients read an account holding all 5,000 messages of the shared corpus, and
 * each gets exactly the bytes the store holds.
 *
 * <p>What "byte for byte" means here. The corpus is mostly LF-only (468 messages use CRLF, a few
 * mix both, have lone CRs, NULs or no final line break). The store keeps exactly what was appended,
 * with no line-ending normalization: the load step checks the store's copy of every message (read
 * in-process through {@link Mailbox#read}, the trusted path) against the corpus's SHA-256, and that
 * copy is the reference.
 *
 * <p>One rule of the server's comes first: a {@code BODY[]} literal cannot carry NUL (RFC 9051
 * §4.3, RFC 3501 §9: {@code literal} is {@code *CHAR8}, which excludes %x00), so the server sends
 * each stored NUL as 0x80, one octet for one, as Dovecot does (carbonio-imap README, "NUL octets in
 * FETCH"); only {@code BINARY[]}'s literal8 (RFC 3516) carries the exact bytes. {@link #onWire}
 * applies that rule to the stored bytes; it changes only the few corpus messages holding a NUL.
 * Then:
 *
 * <ul>
 *   <li>clients that hand over the {@code BODY[]} literal as received (Python's imaplib, curl,
 *       Jakarta Mail) must return exactly the stored bytes after that rule;
 *   <li>imaplib's {@code UID FETCH (BINARY.PEEK[])} of each message holding a NUL returns exactly
 *       the stored bytes, NULs included;
 *   <li>clients that write a local Maildir apply their own documented transformation, and the test
 *       applies the same one to the stored bytes after the NUL rule: mbsync drops every CR and adds
 *       one {@code X-TUID} line (taken out; the comparison is of SHA-256 multisets), offlineimap3
 *       re-serializes each message through Python's {@code email} package ({@code
 *       clients/offlineimap_expected.py} runs offlineimap's own code on the stored bytes). Messages
 *       such a client refuses by design must be exactly the ones it reports.
 *   <li>POP3 clients (Python's poplib, curl) get the stored bytes under POP3's line rule (RFC 1939
 *       §3): every line end CRLF, a CRLF added to a message without a final line break, a lone CR
 *       kept as data, NUL kept ({@link #pop3Wire});
 *   <li>mutt, on a pty of its own, pipes every message to one file: it drops the CR of every CRLF
 *       (and a CR ending the message) and ends the header section with one LF of its own, inserted
 *       where its parser saw the header end without an empty line; the test runs the same mutt on a
 *       local copy of the stored bytes after the NUL rule (its own code, as for offlineimap) and
 *       requires both outputs to be equal and to differ from the stored bytes by no more than that.
 * </ul>
 *
 * <p>One server and one load per class; the corpus is read in place and imported through the store
 * API (the bulk path; APPEND over IMAP is covered elsewhere). Skipped, with a message, only when
 * the corpus is absent.
 */
class RealClientsCorpusTest {

  static final String USER = "corpus@localhost";
  static final String PASSWORD = "corpus-Secret-1";

  private static Path root;
  private static CarbonioServer server;
  private static Mailbox mailbox;

  /** UID → SHA-256 of the bytes the store holds, in UID order. */
  private static final Map<Long, String> stored = new TreeMap<>();

  /**
   * UID → SHA-256 of the stored bytes as a {@code BODY[]} literal carries them ({@link #onWire}).
   */
  private static final Map<Long, String> storedOnWire = new TreeMap<>();

  /** UIDs of the stored messages holding a NUL octet. */
  private static final Set<Long> withNul = new TreeSet<>();

  /** This test's scratch directory, under the class's root (deleted with it). */
  private Path tmp;

  @BeforeEach
  void scratch() throws IOException {
    tmp = Files.createTempDirectory(root, "client-");
  }

  @BeforeAll
  static void loadCorpus() throws Exception {
    Optional<Path> dir = Corpus.locate();
    Assumptions.assumeTrue(
        dir.isPresent(),
        "the shared mail corpus is absent: expected shared/corpus/MANIFEST.tsv beside the"
            + " repository root or a folder above it, or -D"
            + Corpus.PROPERTY
            + "=DIR");
    List<Corpus.Entry> entries = Corpus.entries(dir.get());
    assertThat(entries).hasSize(5_000);

    Path shm = Path.of("/dev/shm");
    root =
        Files.isDirectory(shm) && Files.isWritable(shm)
            ? Files.createTempDirectory(shm, "carbonio-corpus-")
            : Files.createTempDirectory("carbonio-corpus-");
    server = CarbonioServer.start(ServerConfig.defaults(root.resolve("data")).withEphemeralPorts());
    server.directory().createAccount(USER, PASSWORD);
    mailbox = server.store().mailbox(server.directory().findAccount(USER).orElseThrow().id());

    long t = System.nanoTime();
    Iterator<ImportMessage> messages =
        new Iterator<>() {
          int i;

          @Override
          public boolean hasNext() {
            return i < entries.size();
          }

          @Override
          public ImportMessage next() {
            Corpus.Entry e = entries.get(i);
            try {
              return new ImportMessage(
                  Files.newInputStream(e.file()),
                  Set.of(),
                  Instant.ofEpochSecond(1_600_000_000L + i++));
            } catch (IOException x) {
              throw new UncheckedIOException(x);
            }
          }
        };
    assertThat(mailbox.importMessages("INBOX", messages)).isEqualTo(entries.size());
    long loaded = System.nanoTime() - t;

    List<Long> uids = mailbox.snapshot("INBOX").messages().stream().map(m -> m.uid()).toList();
    assertThat(uids).hasSize(entries.size());
    List<String> differ = new ArrayList<>();
    for (int i = 0; i < uids.size(); i++) {
      byte[] bytes = mailbox.read("INBOX", uids.get(i));
      String sha = Corpus.sha256(bytes);
      if (!sha.equals(entries.get(i).sha256())) {
        differ.add(entries.get(i).file() + " (uid " + uids.get(i) + ")");
      }
      stored.put(uids.get(i), sha);
      byte[] wire = onWire(bytes);
      storedOnWire.put(uids.get(i), wire == bytes ? sha : Corpus.sha256(wire));
      if (wire != bytes) {
        withNul.add(uids.get(i));
      }
    }
    assertThat(differ).as("messages the store did not keep as appended").isEmpty();
    System.out.printf(
        "corpus: %d messages imported in %d ms, verified in %d ms%n",
        uids.size(), loaded / 1_000_000, (System.nanoTime() - t - loaded) / 1_000_000);
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    if (root != null) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /**
   * The server's rule for a non-BINARY FETCH literal (RFC 9051 §4.3: no NUL in a literal): each NUL
   * becomes 0x80, one octet for one. Returns {@code message} itself when it holds no NUL.
   */
  private static byte[] onWire(byte[] message) {
    byte[] out = message;
    for (int i = 0; i < message.length; i++) {
      if (message[i] == 0) {
        if (out == message) {
          out = message.clone();
        }
        out[i] = (byte) 0x80;
      }
    }
    return out;
  }

  private static Path certificate() {
    return org.carbonio.server.internal.TlsMaterial.defaultCertificate(server.config().dataDir());
  }

  private static int port(Listener.Kind kind) {
    return server.port(kind);
  }

  /** A "UID SHA256" line per stored message as {@code BODY[]} carries it, for the scripts. */
  private Path manifest() throws IOException {
    return manifest(storedOnWire);
  }

  private Path manifest(Map<Long, String> shas) throws IOException {
    StringBuilder text = new StringBuilder();
    shas.forEach((uid, sha) -> text.append(uid).append(' ').append(sha).append('\n'));
    return Files.writeString(tmp.resolve("manifest.txt"), text);
  }

  /** SHA-256 → how many stored messages have it, after {@code local} (the client's format). */
  private static Map<String, Integer> expected(Set<Long> skipped, UnaryOperator<byte[]> local)
      throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    for (long uid : stored.keySet()) {
      if (skipped.contains(uid)) {
        continue;
      }
      counts.merge(Corpus.sha256(local.apply(onWire(mailbox.read("INBOX", uid)))), 1, Integer::sum);
    }
    return counts;
  }

  /**
   * Asserts that the files are exactly the stored messages (in the client's local format), one file
   * per message except the {@code skipped} UIDs: {@code undo} removes what the client adds.
   */
  private static void assertFilesAreTheStore(
      List<Path> files, Set<Long> skipped, UnaryOperator<byte[]> local, UnaryOperator<byte[]> undo)
      throws Exception {
    Map<String, Integer> want = expected(skipped, local);
    List<String> unmatched = new ArrayList<>();
    for (Path file : files) {
      String sha = Corpus.sha256(undo.apply(Files.readAllBytes(file)));
      Integer left = want.get(sha);
      if (left == null) {
        unmatched.add(file.getFileName() + " (" + Files.size(file) + " bytes)");
      } else if (left == 1) {
        want.remove(sha);
      } else {
        want.put(sha, left - 1);
      }
    }
    assertThat(unmatched).as("files that match no stored message").isEmpty();
    assertThat(want).as("stored messages without a file (sha256 → count)").isEmpty();
    assertThat(files).hasSize(stored.size() - skipped.size());
  }

  private static List<Path> maildirFiles(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    for (String sub : new String[] {"cur", "new"}) {
      if (Files.isDirectory(dir.resolve(sub))) {
        try (Stream<Path> list = Files.list(dir.resolve(sub))) {
          list.forEach(files::add);
        }
      }
    }
    return files;
  }

  /**
   * What a POP3 client gets for a stored message (RFC 1939 §3, carbonio-imap's {@code
   * Pop3Encoder}), after it undid the byte-stuffing: every line end is CRLF (an LF alone becomes
   * CRLF; a CR alone is data and stays), and a message that does not end with a line break gets a
   * CRLF. NUL and every other octet are kept.
   */
  private static byte[] pop3Wire(byte[] message) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(message.length + 256);
    for (int i = 0; i < message.length; i++) {
      byte b = message[i];
      if (b == '\r' && i + 1 < message.length && message[i + 1] == '\n') continue; // its LF follows
      if (b == '\n') out.write('\r');
      out.write(b);
    }
    if (message.length > 0 && message[message.length - 1] != '\n') {
      out.write('\r');
      out.write('\n');
    }
    return out.toByteArray();
  }

  /** UID → SHA-256 of what a POP3 client gets for the stored message ({@link #pop3Wire}). */
  private static Map<Long, String> storedOverPop3() throws IOException {
    Map<Long, String> out = new TreeMap<>();
    for (long uid : stored.keySet()) {
      out.put(uid, Corpus.sha256(pop3Wire(mailbox.read("INBOX", uid))));
    }
    return out;
  }

  /** The UID in a UIDL ({@code <uidvalidity>.<uid>}). */
  private static long uidOf(String uidl) {
    return Long.parseLong(uidl.substring(uidl.lastIndexOf('.') + 1));
  }

  /**
   * Python's poplib reads the whole maildrop over POP3S in one session (UIDL, then RETR of each of
   * the 5,000 messages); each message, its lines joined with CRLF, must be the stored bytes under
   * POP3's line rule ({@link #pop3Wire}). poplib's own 2,048-octet line limit is raised in the
   * script ({@code clients/pop3_corpus.py}); RFC 1939 has none.
   */
  @Test
  void poplibShouldRetrieveEveryStoredMessageWhenReadingTheCorpusOverPop3s() throws Exception {
    ExternalTool.Result result =
        ExternalTool.run(
                List.of(
                    "python3",
                    E2E.script("pop3_corpus.py").toString(),
                    "127.0.0.1",
                    Integer.toString(port(Listener.Kind.POP3S)),
                    USER,
                    PASSWORD,
                    certificate().toString()),
                Map.of(),
                tmp,
                Duration.ofMinutes(3))
            .assertSuccess();
    Map<Long, String> got = new TreeMap<>();
    for (String line : result.out().lines().toList()) {
      String[] f = line.split(" ");
      got.put(uidOf(f[0]), f[1]);
    }
    assertThat(got).isEqualTo(storedOverPop3());
  }

  /**
   * curl's POP3 support retrieves every message over POP3S, one URL per message in one curl run
   * (sequential: one maildrop lock, so transfers reuse one connection rather than run in parallel);
   * each file must be the stored bytes under POP3's line rule ({@link #pop3Wire}).
   */
  @Test
  void curlShouldRetrieveEveryStoredMessageWhenGivenOnePop3UrlPerMessage() throws Exception {
    Map<Long, String> urls = new TreeMap<>();
    int number = 0;
    for (long uid : stored.keySet()) { // the maildrop lists INBOX in UID order
      urls.put(uid, "pop3s://127.0.0.1:" + port(Listener.Kind.POP3S) + "/" + ++number);
    }
    assertThat(curlEach("curl-pop3", urls, Duration.ofMinutes(5))).isEqualTo(storedOverPop3());
  }

  /**
   * Runs {@code clients/imap_corpus.py}: imaplib fetches the INBOX over {@code kind} ({@code mode}
   * starttls or ssl) and checks each message against {@code manifest}; {@code extra} are its
   * optional batch size and fetch item.
   */
  private ExternalTool.Result imapCorpus(
      Listener.Kind kind, String mode, Path manifest, String... extra) throws Exception {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "python3",
            E2E.script("imap_corpus.py").toString(),
            "127.0.0.1",
            Integer.toString(port(kind)),
            USER,
            PASSWORD,
            certificate().toString(),
            mode,
            "INBOX",
            manifest.toString()));
    command.addAll(List.of(extra));
    return ExternalTool.run(command, Map.of(), tmp, Duration.ofMinutes(3)).assertSuccess();
  }

  @Test
  void imaplibShouldReadEveryStoredByteWhenFetchingTheWholeCorpusOverStarttls() throws Exception {
    ExternalTool.Result result = imapCorpus(Listener.Kind.IMAP, "starttls", manifest());
    assertThat(result.out()).contains("checked " + stored.size());
  }

  @Test
  void imaplibShouldReadEveryStoredByteWhenFetchingTheWholeCorpusOverImaps() throws Exception {
    ExternalTool.Result result = imapCorpus(Listener.Kind.IMAPS, "ssl", manifest(), "1000");
    assertThat(result.out()).contains("checked " + stored.size());
  }

  /**
   * The exact bytes stay reachable: {@code UID FETCH (UID BINARY.PEEK[])} of every message holding
   * a NUL comes back in a literal8 (RFC 3516 §4.3, RFC 9051 §6.4.5) with the stored NULs.
   */
  @Test
  void imaplibShouldReadStoredNulsWhenFetchingBinaryOfMessagesHoldingThem() throws Exception {
    assertThat(withNul).as("corpus messages holding a NUL").isNotEmpty();
    Map<Long, String> exact = new TreeMap<>();
    for (long uid : withNul) {
      exact.put(uid, stored.get(uid));
      assertThat(storedOnWire.get(uid)).isNotEqualTo(stored.get(uid));
    }
    ExternalTool.Result result =
        imapCorpus(Listener.Kind.IMAPS, "ssl", manifest(exact), "250", "BINARY.PEEK[]");
    assertThat(result.out()).contains("checked " + withNul.size());
  }

  /**
   * Runs one curl process over a {@code --config} file of one URL and one output file per UID
   * (under {@code tmp/name}); returns UID → SHA-256 of each file curl wrote.
   */
  private Map<Long, String> curlEach(
      String name, Map<Long, String> urlByUid, Duration timeout, String... options)
      throws Exception {
    Path out = Files.createDirectories(tmp.resolve(name));
    StringBuilder config = new StringBuilder();
    for (Map.Entry<Long, String> e : urlByUid.entrySet()) {
      config
          .append("url = \"")
          .append(e.getValue())
          .append("\"\noutput = \"")
          .append(out.resolve(e.getKey() + ".eml"))
          .append("\"\n");
    }
    Path urls = Files.writeString(tmp.resolve(name + ".conf"), config);
    List<String> command = new ArrayList<>(List.of("curl", "--silent", "--show-error"));
    command.addAll(List.of(options));
    command.addAll(
        List.of(
            "--cacert",
            certificate().toString(),
            "--user",
            USER + ":" + PASSWORD,
            "--config",
            urls.toString()));
    ExternalTool.run(command, Map.of(), tmp, timeout).assertSuccess();
    Map<Long, String> got = new TreeMap<>();
    for (long uid : urlByUid.keySet()) {
      Path file = out.resolve(uid + ".eml");
      if (Files.exists(file)) got.put(uid, Corpus.sha256(Files.readAllBytes(file)));
    }
    return got;
  }

  /**
   * curl fetches {@code imaps://host/INBOX;UID=n} for every message in one process (a {@code -K}
   * config of 5,000 URL/output pairs), four transfers at a time, each connection logging in and
   * SELECTing once and then reused for the next URLs.
   */
  @Test
  void curlShouldFetchEveryStoredByteWhenGivenOneUrlPerMessage() throws Exception {
    Map<Long, String> urls = new TreeMap<>();
    for (long uid : stored.keySet()) {
      urls.put(uid, "imaps://127.0.0.1:" + port(Listener.Kind.IMAPS) + "/INBOX;UID=" + uid);
    }
    Map<Long, String> got =
        curlEach("curl", urls, Duration.ofMinutes(3), "--parallel", "--parallel-max", "4");
    List<String> differ = new ArrayList<>();
    for (Map.Entry<Long, String> e : storedOnWire.entrySet()) {
      if (!e.getValue().equals(got.get(e.getKey()))) {
        differ.add("uid " + e.getKey());
      }
    }
    assertThat(differ).as("messages curl got differently from the store").isEmpty();
  }

  /**
   * mbsync (isync) pulls the whole INBOX over implicit TLS into a Maildir. mbsync stores Unix text:
   * it drops every CR (of CRLF pairs and lone ones alike) and adds one {@code X-TUID} header line
   * to each message. It skips, with "Warning: message N from far side has incomplete header;
   * skipping.", a message without an empty line ending its header section (it needs one to place
   * X-TUID): those are exactly the stored messages with no header/body separator.
   */
  @Test
  void mbsyncShouldMirrorEveryStoredMessageWhenPullingTheCorpusToAMaildir() throws Exception {
    Path maildir = Files.createDirectories(tmp.resolve("Mail"));
    String text =
        """
        FSync no

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

        Channel corpus
        Far :remote:
        Near :local:
        Patterns INBOX
        Create Near
        SyncState *
        Sync Pull
        """
            .formatted(port(Listener.Kind.IMAPS), USER, PASSWORD, certificate(), maildir, maildir);
    Path config = Files.writeString(tmp.resolve("mbsyncrc"), text);
    ExternalTool.Result result =
        ExternalTool.run(
                List.of("mbsync", "-c", config.toString(), "corpus"),
                Map.of("HOME", tmp.toString()),
                tmp,
                Duration.ofMinutes(5))
            .assertSuccess();
    Set<Long> skipped = new TreeSet<>();
    Matcher m =
        Pattern.compile("message (\\d+) from far side has incomplete header; skipping")
            .matcher(result.out() + result.stderr());
    while (m.find()) {
      skipped.add(Long.parseLong(m.group(1)));
    }
    Set<Long> headerless = new TreeSet<>();
    for (long uid : stored.keySet()) {
      if (!hasHeaderEnd(mailbox.read("INBOX", uid))) {
        headerless.add(uid);
      }
    }
    assertThat(skipped).as("messages mbsync skipped").isEqualTo(headerless);
    assertFilesAreTheStore(
        maildirFiles(maildir.resolve("INBOX")),
        skipped,
        RealClientsCorpusTest::withoutCr,
        RealClientsCorpusTest::withoutTuid);
  }

  /** An empty line (after LF, an LF or CRLF) ends the header section (RFC 5322 §2.1). */
  private static boolean hasHeaderEnd(byte[] message) {
    for (int i = 0; i + 1 < message.length; i++) {
      if (message[i] == '\n'
          && (message[i + 1] == '\n'
              || (message[i + 1] == '\r' && i + 2 < message.length && message[i + 2] == '\n'))) {
        return true;
      }
    }
    return false;
  }

  private static byte[] withoutCr(byte[] message) {
    byte[] out = new byte[message.length];
    int n = 0;
    for (byte b : message) {
      if (b != '\r') {
        out[n++] = b;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** mbsync adds one {@code X-TUID} header line to each message it stores; take it out. */
  private static byte[] withoutTuid(byte[] file) {
    String text = new String(file, StandardCharsets.ISO_8859_1);
    return text.replaceFirst("(?m)^X-TUID: [^\n]*\n", "").getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * offlineimap (offlineimap3) syncs the INBOX read-only over implicit TLS into a Maildir, four
   * connections at a time. offlineimap3 does not write the bytes it fetched: it parses each BODY[]
   * with Python's email package and writes that package's serialization; {@code
   * clients/offlineimap_expected.py} runs offlineimap's own parsing and serialization on the stored
   * bytes, and each file must be exactly its result (up to the random boundary Python makes up for
   * a multipart without one). A message that serialization fails on is refused by offlineimap (exit
   * code 1, "has defects preventing it from being processed"): exactly those must be missing.
   */
  @Test
  void offlineimapShouldMirrorEveryStoredMessageWhenSyncingTheCorpusToAMaildir() throws Exception {
    Path maildir = Files.createDirectories(tmp.resolve("Mail"));
    String text =
        """
        [general]
        accounts = corpus
        metadata = %s
        ui = basic
        fsync = false

        [Account corpus]
        localrepository = local
        remoterepository = remote

        [Repository local]
        type = Maildir
        localfolders = %s

        [Repository remote]
        type = IMAP
        remotehost = localhost
        remoteport = %d
        remoteuser = %s
        remotepass = %s
        ssl = yes
        sslcacertfile = %s
        readonly = True
        maxconnections = 4
        folderfilter = lambda folder: folder == 'INBOX'
        """
            .formatted(
                tmp.resolve("offlineimap-meta"),
                maildir,
                port(Listener.Kind.IMAPS),
                USER,
                PASSWORD,
                certificate());
    Path config = Files.writeString(tmp.resolve("offlineimaprc"), text);
    ExternalTool.Result result =
        ExternalTool.run(
            List.of("offlineimap", "-c", config.toString(), "-o", "-u", "basic"),
            Map.of("HOME", tmp.toString()),
            tmp,
            Duration.ofMinutes(5));

    Path copies = Files.createDirectories(tmp.resolve("stored"));
    for (long uid : stored.keySet()) {
      Files.write(copies.resolve(Long.toString(uid)), onWire(mailbox.read("INBOX", uid)));
    }
    ExternalTool.Result model =
        ExternalTool.run(
                List.of(
                    "/usr/bin/python3",
                    E2E.script("offlineimap_expected.py").toString(),
                    copies.toString()),
                Map.of(),
                tmp,
                Duration.ofMinutes(3))
            .assertSuccess();
    Map<Long, String> want = new TreeMap<>();
    Set<Long> refused = new TreeSet<>();
    for (String line : model.out().split("\n")) {
      String[] f = line.split(" ");
      if (f[1].equals("refused")) {
        refused.add(Long.parseLong(f[0]));
      } else {
        want.put(Long.parseLong(f[0]), f[1]);
      }
    }
    assertThat(want.size() + refused.size()).isEqualTo(stored.size());

    Set<Long> reported = new TreeSet<>();
    Matcher m =
        Pattern.compile("UID (\\d+) \\([^)]*\\) has defects preventing it from being processed")
            .matcher(result.out() + result.stderr());
    while (m.find()) {
      reported.add(Long.parseLong(m.group(1)));
    }
    assertThat(reported).as("messages offlineimap refused").isEqualTo(refused);
    assertThat(result.exitCode()).as(result.stderr()).isEqualTo(refused.isEmpty() ? 0 : 1);

    Map<Long, String> got = new TreeMap<>();
    Pattern uidInName = Pattern.compile(",U=(\\d+)");
    for (Path file : maildirFiles(maildir.resolve("INBOX"))) {
      Matcher u = uidInName.matcher(file.getFileName().toString());
      assertThat(u.find()).as(file.toString()).isTrue();
      String made = Files.readString(file, StandardCharsets.ISO_8859_1);
      made = made.replaceAll("={15}\\d+==", "===============0==");
      got.put(
          Long.parseLong(u.group(1)), Corpus.sha256(made.getBytes(StandardCharsets.ISO_8859_1)));
    }
    assertThat(got).isEqualTo(want);
  }

  /**
   * Jakarta Mail (Angus) over IMAPS: the folder lists 5,000 messages whose RFC822.SIZE is each
   * stored message's length, and {@code UID FETCH a:b (UID BODY.PEEK[])} through the store's
   * protocol object returns exactly the stored bytes (after the NUL rule, {@link #onWire}).
   */
  @Test
  void jakartaMailShouldFetchEveryStoredByteWhenReadingTheCorpusOverImaps() throws Exception {
    SSLContext trust = E2E.trusting(server.config().dataDir());
    Properties props = new Properties();
    props.put("mail.imaps.ssl.socketFactory", trust.getSocketFactory());
    props.put("mail.imaps.ssl.checkserveridentity", "true");
    props.put("mail.imaps.connectiontimeout", "10000");
    props.put("mail.imaps.timeout", "60000");
    Session session = Session.getInstance(props);
    try (Store store = session.getStore("imaps")) {
      store.connect("127.0.0.1", port(Listener.Kind.IMAPS), USER, PASSWORD);
      IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
      inbox.open(Folder.READ_ONLY);
      assertThat(inbox.getMessageCount()).isEqualTo(stored.size());
      Message[] all = inbox.getMessages();
      FetchProfile profile = new FetchProfile();
      profile.add(UIDFolder.FetchProfileItem.UID);
      profile.add(FetchProfile.Item.SIZE);
      inbox.fetch(all, profile);
      Map<Long, Integer> sizes = new TreeMap<>();
      for (Message message : all) {
        sizes.put(inbox.getUID(message), message.getSize());
      }
      Map<Long, Integer> storedSizes = new TreeMap<>();
      for (long uid : stored.keySet()) {
        storedSizes.put(uid, mailbox.read("INBOX", uid).length);
      }
      assertThat(sizes).isEqualTo(storedSizes);

      Map<Long, String> got = new TreeMap<>();
      List<Long> uids = new ArrayList<>(stored.keySet());
      for (int i = 0; i < uids.size(); i += 500) {
        String range = uids.get(i) + ":" + uids.get(Math.min(i + 500, uids.size()) - 1);
        inbox.doCommand(
            protocol -> {
              Response[] responses =
                  protocol.command("UID FETCH " + range + " (UID BODY.PEEK[])", null);
              protocol.handleResult(responses[responses.length - 1]);
              for (Response r : responses) {
                if (r instanceof FetchResponse f) {
                  ByteArray body = f.getItem(BODY.class).getByteArray();
                  got.put(
                      f.getItem(UID.class).uid,
                      Corpus.sha256(
                          Arrays.copyOfRange(
                              body.getBytes(),
                              body.getStart(),
                              body.getStart() + body.getCount())));
                }
              }
              return null;
            });
      }
      assertThat(got).isEqualTo(storedOnWire);
    }
  }

  /**
   * Two real clients on one mailbox (RFC 2177, RFC 9051 §7.4.1, §7.5.1): Python's imaplib waits in
   * IDLE while Jakarta Mail appends a message (the IDLE session gets {@code * n EXISTS}), then
   * deletes and expunges one (it gets {@code * n EXPUNGE}); after DONE, its UID SEARCH agrees with
   * the other session's view.
   */
  @Test
  void idlingImaplibShouldSeeExistsAndExpungeWhenJakartaMailAppendsAndExpunges() throws Exception {
    mailbox.createFolder("Live");
    try {
      for (int i = 0; i < 3; i++) {
        mailbox.append(
            "Live",
            new java.io.ByteArrayInputStream(
                E2E.crlf("Subject: live " + i + "\n\nbody " + i + "\n")),
            Set.of(),
            Instant.now());
      }
      ProcessBuilder builder =
          new ProcessBuilder(
                  "python3",
                  E2E.script("imap_idle.py").toString(),
                  "127.0.0.1",
                  Integer.toString(port(Listener.Kind.IMAPS)),
                  USER,
                  PASSWORD,
                  certificate().toString(),
                  "Live")
              .redirectErrorStream(true);
      Process idler = builder.start();
      idler.getOutputStream().close();
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread.ofVirtual()
          .start(
              () -> {
                try (BufferedReader in = idler.inputReader(StandardCharsets.UTF_8)) {
                  for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  lines.add("read failed: " + e);
                }
                lines.add("<eof>");
              });
      try {
        assertThat(next(lines)).isEqualTo("exists 3");
        assertThat(next(lines)).isEqualTo("idling");

        SSLContext trust = E2E.trusting(server.config().dataDir());
        Properties props = new Properties();
        props.put("mail.imaps.ssl.socketFactory", trust.getSocketFactory());
        props.put("mail.imaps.timeout", "60000");
        try (Store store = Session.getInstance(props).getStore("imaps")) {
          store.connect("127.0.0.1", port(Listener.Kind.IMAPS), USER, PASSWORD);
          Folder live = store.getFolder("Live");
          live.open(Folder.READ_WRITE);
          MimeMessage added = new MimeMessage(Session.getInstance(new Properties()));
          added.setSubject("appended while idling");
          added.setText("hello\n");
          live.appendMessages(new Message[] {added});
          assertThat(next(lines)).isEqualTo("* 4 EXISTS");

          live.getMessage(2).setFlag(Flags.Flag.DELETED, true);
          live.expunge();
          String line;
          do {
            line = next(lines);
          } while (line.matches("\\* 2 FETCH .*"));
          assertThat(line).isEqualTo("* 2 EXPUNGE");
          assertThat(next(lines)).isEqualTo("uids 1 3 4");
          assertThat(next(lines)).isEqualTo("done");
          assertThat(idler.waitFor(30, TimeUnit.SECONDS)).isTrue();
          assertThat(idler.exitValue()).isZero();
          assertThat(live.getMessageCount()).isEqualTo(3);
          live.close(false);
        }
      } finally {
        idler.destroyForcibly();
      }
    } finally {
      mailbox.deleteFolder("Live");
    }
  }

  private static String next(BlockingQueue<String> lines) throws InterruptedException {
    String line = lines.poll(60, TimeUnit.SECONDS);
    assertThat(line).as("a line from the IDLE session within 60 s").isNotNull();
    return line;
  }

  /**
   * mutt (2.2) reads the INBOX over implicit TLS on a terminal of its own ({@code
   * clients/pty_run.py}: a pty with TERM=xterm and a window size, since the test JVM has neither),
   * driven by {@code -e 'push ...'}: it tags every message ({@code ~A}) and pipes them all, in
   * mailbox (UID) order, to one {@code cat} ({@code pipe_decode} off, so each message goes out as
   * mutt holds it, with a unique separator between messages), then quits. The mailbox is opened
   * read-only, with no header or message cache and $folder pointing at an existing directory (else
   * mutt's first question, "~/Mail does not exist. Create it?", eats the first pushed key).
   *
   * <p>mutt's transformation, from its source: (1) {@code imap_read_literal} drops the CR of every
   * CRLF and a CR that ends the literal; (2) {@code mutt_read_rfc822_header} decides where the
   * header section ends (an empty line; or the first line that is no header field, From_ line or
   * "&gt;From " line; or a first line beginning with white space; or the end of the message), and
   * {@code mutt_copy_header} writes the header section and then one LF of its own as the empty
   * line: an empty line is kept as it was (an empty line made of CR LF becomes LF), otherwise the
   * LF is inserted there. To apply exactly mutt's own code to the stored bytes, the test runs the
   * same mutt with the same keys on a local MH folder holding each stored message after step (1),
   * and requires mutt's IMAP output to equal that output message for message; and it requires that
   * output to be step (1)'s bytes unchanged or with only step (2)'s one LF (inserted at a line
   * start or at the end, or replacing a CR LF empty line). mutt must not report an error: errors
   * ring the terminal bell (a BEL on the screen), messages do not.
   */
  @Test
  void muttShouldPipeEveryStoredByteWhenReadingTheCorpusOverImaps() throws Exception {
    String separator = "\n@@carbonio-mutt-" + java.util.UUID.randomUUID() + "@@\n";
    Path local = Files.createDirectories(tmp.resolve("mh"));
    Files.createFile(local.resolve(".mh_sequences"));
    List<byte[]> literal = new ArrayList<>();
    for (long uid : stored.keySet()) {
      byte[] bytes = muttLiteral(onWire(mailbox.read("INBOX", uid)));
      assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContain(separator);
      Files.write(local.resolve("%010d".formatted(uid)), bytes);
      literal.add(bytes);
    }

    long t = System.nanoTime();
    List<byte[]> overImap =
        muttPipeAll("imap", "imaps://localhost:" + port(Listener.Kind.IMAPS) + "/INBOX", separator);
    long imapMillis = (System.nanoTime() - t) / 1_000_000;
    List<byte[]> fromStore = muttPipeAll("mh", local.toString(), separator);

    List<Long> uids = new ArrayList<>(stored.keySet());
    assertThat(fromStore).as("messages mutt piped from the local copy").hasSize(uids.size());
    assertThat(overImap).as("messages mutt piped from the server").hasSize(uids.size());
    List<String> differ = new ArrayList<>();
    List<String> notMinimal = new ArrayList<>();
    int headerEndAdded = 0;
    for (int i = 0; i < uids.size(); i++) {
      if (!Arrays.equals(overImap.get(i), fromStore.get(i))) {
        differ.add("uid " + uids.get(i));
      }
      if (!Arrays.equals(fromStore.get(i), literal.get(i))) {
        headerEndAdded++;
        if (!differsByOneHeaderEnd(literal.get(i), fromStore.get(i))) {
          notMinimal.add("uid " + uids.get(i));
        }
      }
    }
    assertThat(differ).as("messages mutt got over IMAP differently from the store").isEmpty();
    assertThat(notMinimal).as("messages mutt changed beyond its documented rule").isEmpty();
    System.out.printf(
        "mutt: %d messages over IMAPS in %d ms, %d unchanged, %d with an LF ending the header%n",
        uids.size(), imapMillis, uids.size() - headerEndAdded, headerEndAdded);
  }

  /**
   * Runs mutt on {@code folder}, piping every message to one file; returns the messages in mailbox
   * order. Fails when mutt exits non-zero, stalls (3 minutes) or rings the bell (an error).
   */
  private List<byte[]> muttPipeAll(String name, String folder, String separator) throws Exception {
    Path home = Files.createDirectories(tmp.resolve("mutt-" + name));
    String rc =
        """
        set imap_user="%s"
        set imap_pass="%s"
        set certificate_file="%s"
        set ssl_force_tls=yes
        set ssl_starttls=yes
        set header_cache=""
        set message_cachedir=""
        set imap_check_subscribed=no
        set folder="%s"
        set spoolfile="%s"
        set record=""
        set sort=mailbox-order
        set pipe_decode=no
        set pipe_split=no
        set pipe_sep="%s"
        set wait_key=no
        set quit=yes
        set beep=yes
        set move=no
        set mark_old=no
        """
            .formatted(USER, PASSWORD, certificate(), home, home, separator.replace("\n", "\\n"));
    Path config = Files.writeString(home.resolve("muttrc"), rc);
    Path screen = home.resolve("screen.log");
    ExternalTool.Result result =
        ExternalTool.run(
            List.of(
                "python3",
                E2E.script("pty_run.py").toString(),
                "180",
                screen.toString(),
                "mutt",
                "-n",
                "-d",
                "1",
                "-F",
                config.toString(),
                "-R",
                "-f",
                folder,
                "-e",
                "push \"<tag-pattern>~A<enter><tag-prefix><pipe-message>cat > piped<enter><quit>\""),
            Map.of("HOME", home.toString()),
            home,
            Duration.ofMinutes(4));
    byte[] screenBytes = Files.exists(screen) ? Files.readAllBytes(screen) : new byte[0];
    String screenText = tail(muttScreenText(screenBytes));
    assertThat(result.exitCode())
        .as("mutt (%s) exit code; stderr:\n%s\nscreen:\n%s", name, result.stderr(), screenText)
        .isZero();
    Path debug = home.resolve(".muttdebug0");
    assertThat(screenBytes)
        .as(
            "mutt (%s) rang the bell (an error); its messages:\n%s",
            name,
            Files.exists(debug)
                ? tail(
                    new String(Files.readAllBytes(debug), StandardCharsets.UTF_8)
                        .replaceAll("(?m)^.*(\\d+/\\d+ \\(\\d+%\\)|mutt_free_body: .*)\n", ""))
                : "")
        .doesNotContain((byte) 7);
    assertThat(home.resolve("piped"))
        .as("mutt (%s) did not run its pipe; screen:\n%s", name, screenText)
        .exists();
    String piped = Files.readString(home.resolve("piped"), StandardCharsets.ISO_8859_1);
    assertThat(piped).endsWith(separator);
    List<byte[]> messages = new ArrayList<>();
    for (String m :
        piped
            .substring(0, piped.length() - separator.length())
            .split(Pattern.quote(separator), -1)) {
      messages.add(m.getBytes(StandardCharsets.ISO_8859_1));
    }
    return messages;
  }

  /** mutt's imap_read_literal: drops the CR of each CRLF, and a CR that ends the literal. */
  private static byte[] muttLiteral(byte[] message) {
    byte[] out = new byte[message.length];
    int n = 0;
    for (int i = 0; i < message.length; i++) {
      if (message[i] == '\r' && (i + 1 == message.length || message[i + 1] == '\n')) {
        continue;
      }
      out[n++] = message[i];
    }
    return Arrays.copyOf(out, n);
  }

  /**
   * True when {@code piped} is {@code literal} with one LF inserted at a line start or at the end,
   * or with the CR of one CR LF line removed (mutt's end of the header section).
   */
  private static boolean differsByOneHeaderEnd(byte[] literal, byte[] piped) {
    int k = Arrays.mismatch(literal, piped);
    if (piped.length == literal.length + 1) {
      return piped[k] == '\n'
          && (k == 0 || k == literal.length || literal[k - 1] == '\n')
          && Arrays.equals(literal, k, literal.length, piped, k + 1, piped.length);
    }
    if (piped.length == literal.length - 1) {
      return literal[k] == '\r'
          && (k == 0 || literal[k - 1] == '\n')
          && k + 1 < literal.length
          && literal[k + 1] == '\n'
          && Arrays.equals(literal, k + 1, literal.length, piped, k, piped.length);
    }
    return false;
  }

  /** The screen's text without terminal control sequences. */
  private static String muttScreenText(byte[] screen) {
    return new String(screen, StandardCharsets.UTF_8)
        .replaceAll("\u001b\\[[0-9;?]*[A-Za-z]|\u001b[()][0-9A-Z]|\u001b[=>]", " ");
  }

  private static String tail(String text) {
    return text.substring(Math.max(0, text.length() - 3_000));
  }
}
