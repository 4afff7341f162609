package org.carbonio.store;

/**
 * A registration made by {@link Mailbox#watch}. Closing it stops further notifications; idempotent.
 *
 * <p>Thread-safe.
 */
public interface Watch extends AutoCloseable {
  @Override
  void close();
}
