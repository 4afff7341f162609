package org.carbonio.store.internal.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * A connection that keeps its prepared statements: {@code prepareStatement(sql)} returns the same
 * statement for the same SQL, and {@code close()} on it only clears its parameters, so the metadata
 * code can keep its try-with-resources while SQLite compiles each statement once per connection
 * instead of once per use (about a dozen per delivery). A statement still open (a nested use of the
 * same SQL) is never handed out twice: that use gets a fresh statement of its own. Closing the
 * connection closes the cached statements.
 *
 * <p>Not thread-safe, like the connection it wraps: one thread at a time.
 */
public final class StatementCache implements InvocationHandler {
  private final Connection connection;
  private final Map<String, Cached> statements = new HashMap<>();

  private final class Cached implements InvocationHandler {
    final PreparedStatement statement;
    final PreparedStatement proxy;
    boolean inUse;
    java.sql.ResultSet results; // the last one handed out, closed with the statement

    Cached(PreparedStatement statement) {
      this.statement = statement;
      this.proxy =
          (PreparedStatement)
              Proxy.newProxyInstance(
                  PreparedStatement.class.getClassLoader(),
                  new Class<?>[] {PreparedStatement.class},
                  this);
    }

    @Override
    public Object invoke(Object p, Method m, Object[] args) throws Throwable {
      if (m.getName().equals("close") && m.getParameterCount() == 0) {
        inUse = false;
        if (results != null && !results.isClosed()) {
          results.close(); // resets the statement, as closing the statement would
        }
        results = null;
        statement.clearParameters();
        statement.clearBatch();
        return null;
      }
      if (m.getName().equals("isClosed") && m.getParameterCount() == 0) {
        return !inUse;
      }
      Object r = forward(statement, m, args);
      if (r instanceof java.sql.ResultSet rs) {
        results = rs;
      }
      return r;
    }
  }

  private StatementCache(Connection connection) {
    this.connection = connection;
  }

  /** Wraps {@code connection}; the result closes it when closed. */
  public static Connection wrap(Connection connection) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            new StatementCache(connection));
  }

  @Override
  public Object invoke(Object p, Method m, Object[] args) throws Throwable {
    if (m.getName().equals("prepareStatement")
        && m.getParameterCount() == 1
        && m.getParameterTypes()[0] == String.class) {
      String sql = (String) args[0];
      Cached c = statements.get(sql);
      if (c == null) {
        c = new Cached(connection.prepareStatement(sql));
        statements.put(sql, c);
      } else if (c.inUse) {
        return connection.prepareStatement(sql); // nested use of the same SQL: its own statement
      }
      c.inUse = true;
      return c.proxy;
    }
    if (m.getName().equals("close") && m.getParameterCount() == 0) {
      for (Cached c : statements.values()) {
        try {
          c.statement.close();
        } catch (SQLException ignored) {
          // closing anyway
        }
      }
      statements.clear();
    }
    return forward(connection, m, args);
  }

  private static Object forward(Object target, Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
