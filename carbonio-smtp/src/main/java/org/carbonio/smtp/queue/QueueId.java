package org.carbonio.smtp.queue;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The name of one queued message, also the stem of its files under the queue directory: letters,
 * digits, {@code .}, {@code -}, 1 to 64 characters. New ids sort roughly by arrival. Immutable.
 *
 * @param value the id as text
 */
public record QueueId(String value) implements Comparable<QueueId> {

  private static final Pattern SYNTAX = Pattern.compile("[0-9A-Za-z][0-9A-Za-z.-]{0,63}");
  private static final AtomicLong COUNTER = new AtomicLong();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Checks the syntax. */
  public QueueId {
    requireNonNull(value, "value");
    if (!SYNTAX.matcher(value).matches()) {
      throw new IllegalArgumentException("bad queue id " + escape(value));
    }
  }

  /** Parses an id given by an operator. */
  public static QueueId of(String value) {
    return new QueueId(value);
  }

  /** A new id: arrival time in base 36, a process-wide counter and random bits. */
  public static QueueId next(Instant now) {
    long c = COUNTER.incrementAndGet() & 0xfffff;
    int r = RANDOM.nextInt(36 * 36 * 36);
    return new QueueId(
        String.format(
                "%9s%4s%3s",
                Long.toString(now.toEpochMilli(), 36),
                Long.toString(c, 36),
                Integer.toString(r, 36))
            .replace(' ', '0')
            .toUpperCase(java.util.Locale.ROOT));
  }

  @Override
  public int compareTo(QueueId o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }

  private static String escape(String s) {
    String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    StringBuilder b = new StringBuilder();
    for (char ch : t.toCharArray()) {
      b.append(ch < 0x20 || ch == 0x7f ? String.format("\\x%02x", (int) ch) : String.valueOf(ch));
    }
    return b.toString();
  }
}
