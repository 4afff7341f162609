package org.carbonio.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code carbonio} launcher: {@code run}, {@code prov}, {@code queue} and {@code
 * store}.
 */
@Command(
    name = "carbonio",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "The Carbonio SDK reference mail server.",
    subcommands = {RunCommand.class, ProvCommand.class, QueueCommand.class, StoreCommand.class})
public final class Main {

  /** Exit code when the server is not running (for {@code prov} and {@code queue}). */
  static final int EXIT_NOT_RUNNING = 3;

  /** Exit code when the server refused a request (for {@code prov} and {@code queue}). */
  static final int EXIT_REFUSED = 1;

  /** Exit code for a command line the CLI cannot use (picocli's usage-error code). */
  static final int EXIT_USAGE = 2;

  /** Exit code when the server refused the credentials (HTTP 401, for {@code prov}). */
  static final int EXIT_UNAUTHORIZED = 4;

  /** Exit code when the caller's roles do not allow the request (HTTP 403, for {@code prov}). */
  static final int EXIT_FORBIDDEN = 5;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line of {@code carbonio}, for embedding and tests. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"carbonio " + (version == null ? "development build" : version)};
    }
  }
}
