package org.carbonio.imap.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Immutable: one quota root and its resources (RFC 9208 §4.2.1).
 *
 * @param root the quota root name ({@code ""} for the account's root)
 * @param resources the resources with usage and limit
 */
public record Quota(String root, List<Resource> resources) {
  /** RFC 9208 §5.1: storage, in units of 1024 octets. */
  public static final String STORAGE = "STORAGE";

  /** RFC 9208 §5.2: number of messages. */
  public static final String MESSAGE = "MESSAGE";

  public Quota {
    requireNonNull(root, "root");
    resources = List.copyOf(resources);
  }

  /**
   * Immutable: one resource of a quota root.
   *
   * @param name the resource name, upper case ({@link #STORAGE}, {@link #MESSAGE})
   * @param usage current usage in the resource's unit
   * @param limit the limit in the same unit
   */
  public record Resource(String name, long usage, long limit) {
    public Resource {
      requireNonNull(name, "name");
      if (usage < 0 || limit < 0) {
        throw new IllegalArgumentException("negative usage or limit: " + usage + ", " + limit);
      }
    }
  }
}
