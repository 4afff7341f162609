package org.carbonio.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The shared real-world mail corpus ({@code ../shared/corpus} beside the repository root): 5,000
 * {@code .eml} files listed in {@code MANIFEST.tsv}. Read in place, never copied.
 *
 * <p>Found through the system property {@value #PROPERTY} when set, otherwise as {@code
 * shared/corpus} beside the repository root or beside any folder above it (a git worktree under
 * {@code wt/} finds the same corpus as the main checkout).
 */
final class Corpus {

  /** The system property naming the corpus directory explicitly. */
  static final String PROPERTY = "carbonio.corpus";

  /** One message of the manifest. */
  record Entry(Path file, long size, String sha256) {}

  private Corpus() {}

  /** The corpus directory, or empty when it is absent. */
  static Optional<Path> locate() {
    String explicit = System.getProperty(PROPERTY);
    if (explicit != null && !explicit.isBlank()) {
      Path dir = Path.of(explicit).toAbsolutePath().normalize();
      return Files.isRegularFile(dir.resolve("MANIFEST.tsv")) ? Optional.of(dir) : Optional.empty();
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path candidate = d.resolve("shared/corpus");
      if (Files.isRegularFile(candidate.resolve("MANIFEST.tsv"))) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** The manifest's rows in file order. */
  static List<Entry> entries(Path dir) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve("MANIFEST.tsv"));
    List<Entry> entries = new ArrayList<>(lines.size());
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      entries.add(new Entry(dir.resolve(f[0]), Long.parseLong(f[1]), f[2]));
    }
    return entries;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
