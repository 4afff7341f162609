package org.carbonio.directory;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * A class of service: defaults shared by the accounts assigned to it. An account without a class
 * belongs to {@value #DEFAULT}, which always exists.
 *
 * <p>Immutable.
 *
 * @param name the class's name (1 to 64 characters: letters, digits, {@code . _ -})
 * @param quotaBytes the storage limit of its accounts that set none themselves; empty: unlimited
 * @param features feature switches by name (for example {@code imap}, {@code pop3}, {@code
 *     calendar}); a feature not listed is on
 * @param passwordMinLength the shortest password its accounts may set (1 to 1,024)
 */
public record ClassOfService(
    String name, OptionalLong quotaBytes, Map<String, Boolean> features, int passwordMinLength) {
  /** The class every directory has, and accounts belong to unless assigned another. */
  public static final String DEFAULT = "default";

  public ClassOfService {
    requireNonNull(name, "name");
    requireNonNull(quotaBytes, "quotaBytes");
    features = Map.copyOf(features);
    if (passwordMinLength < 1 || passwordMinLength > 1024) {
      throw new IllegalArgumentException(
          "passwordMinLength must be 1 to 1024: " + passwordMinLength);
    }
  }

  /** Whether a feature is on (features not listed are on). */
  public boolean feature(String name) {
    return features.getOrDefault(name, true);
  }

  /** Features sorted by name, for display. */
  public Map<String, Boolean> sortedFeatures() {
    return new TreeMap<>(features);
  }
}
