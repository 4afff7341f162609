package org.carbonio.smtp;

import java.io.IOException;
import java.io.InputStream;

/**
 * A message's bytes that can be read more than once (filters, signing, several next hops). Each
 * {@link #open()} returns a new stream from the first byte; the caller closes it. Thread-safe.
 */
public interface MessageContent {

  /** A new stream over the whole message. */
  InputStream open() throws IOException;

  /** The number of bytes {@link #open()} yields. */
  long size();
}
