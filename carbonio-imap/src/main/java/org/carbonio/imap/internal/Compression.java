package org.carbonio.imap.internal;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * COMPRESS=DEFLATE (RFC 4978) for one connection: raw DEFLATE (RFC 1951, no zlib header) in both
 * directions over whatever the connection's streams are (plain or TLS). Every {@code flush()} of
 * the output ends with a SYNC_FLUSH so that the client can decode each response batch at once (§4).
 * Memory is bounded by zlib's state: about 256 KiB for the deflater (window 32 KiB, memLevel 8) and
 * 32 KiB plus a {@value #BUFFER}-byte buffer for the inflater, per connection.
 *
 * <p>Not thread-safe: the connection's lock guards the output; the input is read by its thread.
 */
final class Compression implements AutoCloseable {
  static final int BUFFER = 8192;

  private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
  private final Inflater inflater = new Inflater(true);
  private final InputStream input;
  private final OutputStream output;

  private Compression(InputStream rawIn, OutputStream rawOut, ByteBuffer pending) {
    byte[] head = new byte[pending.remaining()];
    pending.get(head);
    InputStream source =
        head.length == 0 ? rawIn : new SequenceInputStream(new ByteArrayInputStream(head), rawIn);
    this.input = new InflaterInputStream(source, inflater, BUFFER);
    this.output = new DeflaterOutputStream(rawOut, deflater, BUFFER, true);
  }

  /**
   * Starts compression; {@code pending} holds bytes already read from {@code rawIn} after the
   * COMPRESS command (compressed data), which are consumed.
   */
  static Compression start(InputStream rawIn, OutputStream rawOut, ByteBuffer pending) {
    return new Compression(rawIn, rawOut, pending);
  }

  /** The decompressed bytes from the client. */
  InputStream input() {
    return input;
  }

  /** Compresses to the client; {@code flush()} sync-flushes and flushes the socket. */
  OutputStream output() {
    return output;
  }

  /** Frees zlib's native memory; the streams must not be used afterwards. Idempotent. */
  @Override
  public void close() {
    deflater.end();
    inflater.end();
  }

  /** For diagnostics. */
  @Override
  public String toString() {
    return "Compression[in=" + inflater.getBytesRead() + " out=" + deflater.getBytesWritten() + "]";
  }
}
