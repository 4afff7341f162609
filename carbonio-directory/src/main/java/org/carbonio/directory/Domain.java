package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A mail domain, by its normalised (lower-case ASCII) name. An alias domain maps every address to
 * the same local part in its target domain ({@code alice@example.net} reaches {@code
 * alice@example.com}).
 *
 * <p>Immutable.
 *
 * @param name the domain name, e.g. {@code example.com} or {@code xn--bcher-kva.example}
 * @param aliasOf the target domain if this is an alias domain
 */
public record Domain(String name, Optional<String> aliasOf) {
  public Domain {
    requireNonNull(name, "name");
    requireNonNull(aliasOf, "aliasOf");
  }

  /** A local (not alias) domain. */
  public Domain(String name) {
    this(name, Optional.empty());
  }
}
