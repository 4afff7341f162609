package org.carbonio.server.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import org.carbonio.directory.Account;
import org.carbonio.directory.Directory;
import org.carbonio.imap.spi.AuthRequest;
import org.carbonio.imap.spi.ImapAuthenticator;
import org.carbonio.imap.spi.ScramAccount;
import org.carbonio.imap.spi.ScramSupport;

/**
 * IMAP authentication against the directory: passwords for LOGIN, PLAIN and LOGIN, the directory's
 * SCRAM-SHA-256 verifiers for SCRAM-SHA-256 (RFC 7677), which count against the directory's
 * brute-force limits like password logins. The canonical user name handed to the mailbox backend is
 * the account id. Thread-safe.
 */
public final class DirectoryAuthenticator implements ImapAuthenticator {

  /** The file under the data directory holding the SCRAM secret for unknown users (mode 0600). */
  public static final String SCRAM_SECRET_FILE = "scram-secret";

  private static final int SECRET_BYTES = 32;

  private final Directory directory;
  private final Optional<ScramSupport> scram;

  /** Without SCRAM-SHA-256. */
  public DirectoryAuthenticator(Directory directory) {
    this.directory = directory;
    this.scram = Optional.empty();
  }

  private DirectoryAuthenticator(Directory directory, byte[] scramSecret) {
    this.directory = directory;
    this.scram =
        Optional.of(
            new ScramSupport(
                this::scramAccount,
                scramSecret,
                new ScramSupport.Attempts() {
                  @Override
                  public boolean allowed(String username, InetAddress client) {
                    return directory.loginAllowed(username, client);
                  }

                  @Override
                  public void verified(String username, InetAddress client, boolean succeeded) {
                    directory.loginVerified(username, client, succeeded);
                  }
                }));
  }

  /**
   * With SCRAM-SHA-256, its secret (what unknown users' fake salts derive from) read from {@value
   * #SCRAM_SECRET_FILE} in {@code dataDir}, created at first start. Nodes that serve the same
   * accounts should share that file, or a probe could tell names apart by comparing servers.
   */
  public static DirectoryAuthenticator withScram(Directory directory, Path dataDir)
      throws IOException {
    Path file = dataDir.resolve(SCRAM_SECRET_FILE);
    byte[] secret;
    if (Files.exists(file)) {
      secret = Files.readAllBytes(file);
      if (secret.length < 16) throw new IOException(file + " holds fewer than 16 bytes");
    } else {
      secret = new byte[SECRET_BYTES];
      new SecureRandom().nextBytes(secret);
      DurableFiles.writeAtomically(file, secret, true);
    }
    return new DirectoryAuthenticator(directory, secret);
  }

  @Override
  public Optional<String> authenticate(AuthRequest request) {
    return directory
        .authenticate(request.username(), request.password(), request.client().getAddress())
        .map(Account::id);
  }

  @Override
  public Optional<ScramSupport> scram() {
    return scram;
  }

  private Optional<ScramAccount> scramAccount(String username) {
    return directory
        .scramCredentials(username)
        .flatMap(c -> directory.findAccount(username).map(a -> new ScramAccount(a.id(), c)));
  }
}
