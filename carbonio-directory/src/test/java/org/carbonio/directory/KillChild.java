package org.carbonio.directory;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Child process of {@link KillTest}: creates accounts until killed, printing {@code ACK <address>}
 * after each call returns.
 */
public final class KillChild {
  private KillChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (EmbeddedDirectory d = Fixtures.open(Path.of(args[0]))) {
      if (!d.isLocalDomain("example.com")) {
        d.createDomain("example.com");
      }
      // accounts are created in order, so the next number is the count so far
      for (int i = d.accounts(Optional.of("example.com")).size(); ; i++) {
        String address = "user" + i + "@example.com";
        d.createAccount(address, "pw" + i);
        out.println("ACK " + address);
      }
    }
  }
}
