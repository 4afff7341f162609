package org.carbonio.store.internal.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.carbonio.store.StoreException;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on {@link PostgresTransactor#CHANNEL} with a dedicated connection and hands other nodes'
 * change notifications to a {@link Sink}. If the connection breaks, it reconnects (every {@link
 * #RECONNECT_DELAY}) and then calls {@link Sink#lost}, since notifications sent meanwhile are gone.
 *
 * <p>Thread-safe. The sink is called on the listener's own thread, one call at a time.
 */
public final class PostgresChangeListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresChangeListener.class);

  /** How long {@link #start} waits for the first LISTEN. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** Pause before reconnecting after the listener connection broke. */
  public static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);

  /** How often the listener thread checks for close while no notification arrives. */
  static final int POLL_MILLIS = 250;

  /** Receives changes committed by other nodes. */
  public interface Sink {
    /** Folders another node changed or deleted (committed). */
    void changed(Set<Long> changedFolders, Set<Long> deletedFolders);

    /** Notifications may have been missed (the listener reconnected): anything may have changed. */
    void lost();
  }

  private final PostgresSettings settings;
  private final String ownNode;
  private final Sink sink;
  private final CountDownLatch listening = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Thread thread;
  private volatile SQLException firstFailure;
  private volatile Connection current;

  private PostgresChangeListener(PostgresSettings settings, String ownNode, Sink sink) {
    this.settings = settings;
    this.ownNode = ownNode;
    this.sink = sink;
    this.thread = Thread.ofPlatform().daemon().name("carbonio-store-listen").unstarted(this::run);
  }

  /**
   * Connects, LISTENs, and returns once notifications committed from now on will be delivered.
   *
   * @param ownNode notifications from this node id are ignored (the local store already fired)
   * @throws StoreException.Unavailable if the first connection fails
   */
  public static PostgresChangeListener start(PostgresSettings settings, String ownNode, Sink sink) {
    PostgresChangeListener l = new PostgresChangeListener(settings, ownNode, sink);
    l.thread.start();
    boolean ready;
    try {
      ready = l.listening.await(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      l.close();
      throw new StoreException.Unavailable("interrupted while starting the change listener", e);
    }
    if (!ready || l.firstFailure != null) {
      l.close();
      throw new StoreException.Unavailable(
          "cannot LISTEN for store changes at " + settings.jdbcUrl(), l.firstFailure);
    }
    return l;
  }

  private Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", settings.user());
    p.setProperty("password", settings.password());
    p.setProperty("ApplicationName", "carbonio-store-listener");
    p.setProperty("tcpKeepAlive", "true");
    return DriverManager.getConnection(settings.jdbcUrl(), p);
  }

  private void run() {
    boolean reconnect = false;
    while (closing.getCount() > 0) {
      try (Connection c = connect()) {
        current = c;
        if (closing.getCount() == 0) {
          return;
        }
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + PostgresTransactor.CHANNEL);
        }
        listening.countDown();
        if (reconnect) {
          log.info("store change listener reconnected");
          sink.lost();
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        while (closing.getCount() > 0) {
          PGNotification[] ns = pg.getNotifications(POLL_MILLIS);
          if (ns == null) {
            continue;
          }
          for (PGNotification n : ns) {
            deliver(n.getParameter());
          }
        }
      } catch (SQLException e) {
        if (listening.getCount() > 0) {
          firstFailure = e;
          listening.countDown();
          return;
        }
        if (closing.getCount() == 0) {
          return;
        }
        log.warn("store change listener lost its connection; reconnecting", e);
        reconnect = true;
        try {
          if (closing.await(RECONNECT_DELAY.toMillis(), TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void deliver(String payload) {
    ChangePayload.decode(payload)
        .filter(p -> !p.node().equals(ownNode))
        .ifPresent(
            p -> {
              try {
                sink.changed(p.changed(), p.deleted());
              } catch (RuntimeException e) {
                log.warn("store change sink failed", e);
              }
            });
  }

  /** Stops listening and waits (bounded) for the listener thread. Idempotent. */
  @Override
  public void close() {
    closing.countDown();
    Connection c = current;
    if (c != null) {
      try {
        c.abort(Runnable::run); // ends a getNotifications wait at once
      } catch (SQLException e) {
        log.debug("aborting the listener connection failed", e);
      }
    }
    try {
      thread.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
