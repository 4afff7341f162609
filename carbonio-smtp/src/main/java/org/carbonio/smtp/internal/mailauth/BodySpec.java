package org.carbonio.smtp.internal.mailauth;

/**
 * How one signature hashes the body: canonicalization, digest and l= limit. Immutable.
 *
 * @param relaxed relaxed body canonicalization, else simple
 * @param digest JDK digest name
 * @param limit l= value, or -1
 */
public record BodySpec(boolean relaxed, String digest, long limit) {
  /** A new hasher for this spec. */
  public BodyHasher newHasher() {
    return new BodyHasher(relaxed, digest, limit);
  }
}
