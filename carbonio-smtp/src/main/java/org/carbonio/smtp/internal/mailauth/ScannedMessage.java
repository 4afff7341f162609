package org.carbonio.smtp.internal.mailauth;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A message read once: its header fields, and the body hashes the signatures in it asked for.
 * Immutable.
 *
 * @param headers the header fields, top first
 * @param bodyHashes the hash per body spec
 * @param bodyLengths the canonical body length per body spec
 */
public record ScannedMessage(
    List<HeaderField> headers, Map<BodySpec, byte[]> bodyHashes, Map<BodySpec, Long> bodyLengths) {

  /** Copies the collections. */
  public ScannedMessage {
    headers = List.copyOf(headers);
    bodyHashes = Map.copyOf(bodyHashes);
    bodyLengths = Map.copyOf(bodyLengths);
  }

  /** The hash for {@code spec}; a copy. */
  public byte[] bodyHash(BodySpec spec) {
    byte[] h = bodyHashes.get(spec);
    return h == null ? null : h.clone();
  }

  /**
   * Reads a message: the header section in memory (at most {@code maxHeaderBytes}), then the body
   * streamed through one hasher per distinct spec that {@code specs} asks for, in bounded memory.
   */
  public static ScannedMessage scan(
      InputStream message,
      int maxHeaderBytes,
      Function<List<HeaderField>, Collection<BodySpec>> specs)
      throws IOException {
    InputStream in =
        message instanceof BufferedInputStream ? message : new BufferedInputStream(message, 16384);
    List<HeaderField> headers = MessageHeaders.read(in, maxHeaderBytes);
    Map<BodySpec, BodyHasher> hashers = new LinkedHashMap<>();
    for (BodySpec s : specs.apply(headers)) {
      hashers.computeIfAbsent(s, BodySpec::newHasher);
    }
    byte[] buf = new byte[16384];
    if (hashers.isEmpty()) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    } else {
      for (int n; (n = in.read(buf)) > 0; ) {
        for (BodyHasher h : hashers.values()) {
          h.update(buf, 0, n);
        }
      }
    }
    Map<BodySpec, byte[]> hashes = new LinkedHashMap<>();
    Map<BodySpec, Long> lengths = new LinkedHashMap<>();
    hashers.forEach(
        (s, h) -> {
          hashes.put(s, h.finish());
          lengths.put(s, h.canonicalLength());
        });
    return new ScannedMessage(headers, hashes, lengths);
  }
}
