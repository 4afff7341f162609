package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

/**
 * A mail domain, by its normalised (lower-case ASCII) name.
 *
 * <p>Immutable.
 *
 * @param name the domain name, e.g. {@code example.com} or {@code xn--bcher-kva.example}
 */
public record Domain(String name) {
  public Domain {
    requireNonNull(name, "name");
  }
}
