package org.carbonio.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A private Dovecot 2.3 LMTP server (Debian's dovecot-lmtpd) on 127.0.0.1 delivering to one maildir
 * per user under {@code dir}, with Dovecot's default durability ({@code mail_fsync = optimized}: a
 * delivered file is fsynced before it is renamed into {@code new/}). Not thread-safe.
 */
final class DovecotLmtp implements AutoCloseable {
  private final PrivateDovecot dovecot;

  private DovecotLmtp(PrivateDovecot dovecot) {
    this.dovecot = dovecot;
  }

  static DovecotLmtp start(Path dir, List<String> users) throws IOException, InterruptedException {
    List<String> head =
        List.of("ssl = no", "hostname = bench.test", "postmaster_address = postmaster@bench.test");
    return new DovecotLmtp(
        PrivateDovecot.start(
            dir,
            users,
            "{PLAIN}unused",
            new PrivateDovecot.Config(
                "lmtp",
                head,
                List.of("mail_fsync = optimized"),
                port ->
                    List.of(
                        "service lmtp {",
                        "  inet_listener lmtp {",
                        "    address = 127.0.0.1",
                        "    port = " + port,
                        "  }",
                        "}"))));
  }

  int port() {
    return dovecot.port();
  }

  long pid() {
    return dovecot.pid();
  }

  /** Delivered message files (maildir new/ and cur/). */
  long deliveredFiles() throws IOException {
    try (Stream<Path> s = Files.walk(dovecot.homes())) {
      return s.filter(
              p -> {
                Path parent = p.getParent();
                String name = parent == null ? "" : parent.getFileName().toString();
                return (name.equals("new") || name.equals("cur")) && Files.isRegularFile(p);
              })
          .count();
    }
  }

  @Override
  public void close() {
    dovecot.close();
  }
}
