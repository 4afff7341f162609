package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * An app-specific password of an account: a generated secret for one mail client, usable for
 * protocol logins (IMAP, POP3, SMTP submission) but not for admin interfaces, and revocable on its
 * own. Only its name and creation time can be read back; the secret is shown once, when created.
 *
 * <p>Immutable.
 *
 * @param name the name the owner gave it (the client it is for)
 * @param created when it was created
 */
public record AppPassword(String name, Instant created) {
  /** App passwords per account at most. */
  public static final int MAX_PER_ACCOUNT = 20;

  public AppPassword {
    requireNonNull(name, "name");
    requireNonNull(created, "created");
  }
}
