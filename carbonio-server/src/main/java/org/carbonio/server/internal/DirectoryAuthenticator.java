package org.carbonio.server.internal;

import java.util.Optional;
import org.carbonio.directory.Account;
import org.carbonio.directory.Directory;
import org.carbonio.imap.spi.AuthRequest;
import org.carbonio.imap.spi.ImapAuthenticator;

/**
 * IMAP authentication against the directory. The canonical user name handed to the mailbox backend
 * is the account id. Thread-safe.
 */
public final class DirectoryAuthenticator implements ImapAuthenticator {

  private final Directory directory;

  public DirectoryAuthenticator(Directory directory) {
    this.directory = directory;
  }

  @Override
  public Optional<String> authenticate(AuthRequest request) {
    return directory
        .authenticate(request.username(), request.password(), request.client().getAddress())
        .map(Account::id);
  }
}
