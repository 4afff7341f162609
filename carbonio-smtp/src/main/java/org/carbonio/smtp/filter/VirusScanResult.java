package org.carbonio.smtp.filter;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a virus scan found. A {@link VirusScanner} returns {@link Clean}, {@link Infected} or {@link
 * TooLarge} and throws {@link java.io.IOException} when it cannot scan; {@link ContentFilter} turns
 * that exception into {@link Failed} and records {@link NotScanned} when no recipient's policy
 * asked for a scan. Immutable.
 */
public sealed interface VirusScanResult {

  /** Nothing found ({@code stream: OK}). */
  record Clean() implements VirusScanResult {}

  /**
   * Signatures matched ({@code stream: <name> FOUND}).
   *
   * @param names the signature names as the scanner reports them, at least one, e.g. {@code
   *     Eicar-Test-Signature.UNOFFICIAL}
   */
  record Infected(List<String> names) implements VirusScanResult {
    /** Copies the list; it must not be empty. */
    public Infected {
      names = List.copyOf(names);
      if (names.isEmpty()) {
        throw new IllegalArgumentException("no signature names");
      }
    }

    /** The first name. */
    public String name() {
      return names.get(0);
    }
  }

  /**
   * Not scanned because the message is larger than the scan limit.
   *
   * @param size the message size in bytes (as far as it was read)
   * @param limit the client's limit, or {@code 0} when the daemon refused it (clamd's {@code
   *     StreamMaxLength})
   */
  record TooLarge(long size, long limit) implements VirusScanResult {}

  /**
   * The scanner could not be reached, timed out or answered with an error.
   *
   * @param error what went wrong, for logs and the "unscanned" header
   */
  record Failed(String error) implements VirusScanResult {
    /** Checks the component. */
    public Failed {
      requireNonNull(error, "error");
    }
  }

  /** No scan: no scanner configured, or no recipient's policy asked for one. */
  record NotScanned() implements VirusScanResult {}
}
