package org.carbonio.store.internal.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/** Statements run inside one transaction on the connection given. */
@FunctionalInterface
public interface Work<T> {
  T run(Connection c) throws SQLException;
}
