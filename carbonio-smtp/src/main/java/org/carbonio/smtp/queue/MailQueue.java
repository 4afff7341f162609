package org.carbonio.smtp.queue;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.carbonio.smtp.DsnNotify;
import org.carbonio.smtp.Envelope;
import org.carbonio.smtp.EnvelopeRecipient;
import org.carbonio.smtp.MessageContent;
import org.carbonio.smtp.RecipientOutcome;
import org.carbonio.smtp.internal.queue.DsnBuilder;
import org.carbonio.smtp.internal.queue.FileContent;
import org.carbonio.smtp.internal.queue.GroupSync;
import org.carbonio.smtp.internal.queue.LogRecord;
import org.carbonio.smtp.internal.queue.LogRecord.DsnKind;
import org.carbonio.smtp.internal.queue.MessageHeader;
import org.carbonio.smtp.internal.queue.QueueCodec;
import org.carbonio.smtp.spi.DeliveryAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable mail queue of the MTA, stored under one directory. {@link #enqueue} returns only when
 * the message and its envelope are on disk (data fsynced, renamed into place, directory fsynced),
 * so an SMTP server may answer {@code 250} after it. {@link #start} runs delivery attempts through
 * a {@link DeliveryAgent}, with exponential backoff, expiry and RFC 3464 bounces. Each recipient's
 * outcome is fsynced as soon as the agent reports it through the progress callback (at the latest
 * when the attempt ends) and before anything else happens, so no recipient that was recorded as
 * done is attempted again, whether the rest of the attempt times out, fails, or the process
 * crashes. Thread-safe.
 *
 * {@snippet :
 * try (MailQueue queue = MailQueue.builder()
 *         .directory(Path.of("/var/spool/carbonio"))
 *         .config(QueueConfig.DEFAULTS.withHostname("mx.example.com"))
 *         .build()) {                        // recovers what a previous run left
 *   queue.start(outboundAgent);              // attempts start now
 *   QueueId id = queue.enqueue(Envelope.of("a@example.com", List.of("b@example.net")), content);
 * }
 * }
 *
 * <p>Held messages are never attempted and do not expire while held (like Postfix's hold queue);
 * once released they are attempted at once, and a message older than {@link
 * QueueConfig#maxLifetime()} is then bounced if that attempt fails temporarily.
 */
public final class MailQueue implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MailQueue.class);
  private static final String MSG = ".msg";
  private static final String LOG = ".log";
  private static final String TMP = ".tmp";

  private final Path dir;
  private final QueueConfig config;
  private final InstantSource clock;
  private final GroupSync dirSync;
  private final FileChannel lockChannel;
  private final FileLock fileLock;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  // guarded by lock
  private final Map<QueueId, Entry> entries = new HashMap<>();
  private final PriorityQueue<Due> due = new PriorityQueue<>();
  private long queuedBytes;
  private int reserved;
  private long dueSeq;
  private int inFlight;
  private boolean closed;
  private DeliveryAgent agent;
  private Thread scheduler;
  private ExecutorService workers;

  private MailQueue(Path dir, QueueConfig config, InstantSource clock) throws IOException {
    this.dir = dir;
    this.config = config;
    this.clock = clock;
    this.dirSync = new GroupSync(dir);
    Files.createDirectories(dir);
    this.lockChannel =
        FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = lockChannel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      l = null; // this JVM holds it already
    } catch (IOException | RuntimeException e) {
      lockChannel.close();
      throw e;
    }
    if (l == null) {
      lockChannel.close();
      throw new IOException("queue directory " + dir + " is in use by another process");
    }
    this.fileLock = l;
  }

  /** A builder; {@link Builder#directory} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Configures and opens a {@link MailQueue}. Not thread-safe. */
  public static final class Builder {
    private Path directory;
    private QueueConfig config = QueueConfig.DEFAULTS;
    private InstantSource clock = InstantSource.system();

    private Builder() {}

    /** The queue directory (created if missing); one process at a time may open it. */
    public Builder directory(Path d) {
      this.directory = requireNonNull(d, "directory");
      return this;
    }

    /** The configuration; default {@link QueueConfig#DEFAULTS}. */
    public Builder config(QueueConfig c) {
      this.config = requireNonNull(c, "config");
      return this;
    }

    /** The clock for arrival times, backoff and expiry; default the system clock. */
    public Builder clock(InstantSource c) {
      this.clock = requireNonNull(c, "clock");
      return this;
    }

    /**
     * Opens the queue: locks the directory, deletes half-written temporary files, loads every
     * message and its state, and enqueues the DSNs a crash left unsent. Attempts start with {@link
     * MailQueue#start}.
     *
     * @throws IOException when the directory cannot be used or another process holds it
     */
    public MailQueue build() throws IOException {
      if (directory == null) {
        throw new IllegalStateException("directory is required");
      }
      MailQueue q = new MailQueue(directory, config, clock);
      try {
        q.recover();
      } catch (IOException | RuntimeException e) {
        q.close();
        throw e;
      }
      return q;
    }
  }

  // ---------------------------------------------------------------- enqueue

  /**
   * Stores a message; returns once it is durable. It is attempted at once if the queue is started.
   *
   * @throws QueueFullException when a limit of {@link QueueConfig} would be exceeded
   * @throws IOException when it could not be stored (then nothing is stored)
   */
  public QueueId enqueue(Envelope envelope, MessageContent content) throws IOException {
    try (InputStream in = content.open()) {
      return store(envelope, in, content.size(), false, "", null, false, true);
    }
  }

  /** Like {@link #enqueue(Envelope, MessageContent)}, reading the message from {@code in}. */
  public QueueId enqueue(Envelope envelope, InputStream in) throws IOException {
    return store(envelope, in, 0, false, "", null, false, true);
  }

  /**
   * Stores a message on hold (quarantine by a content filter): durable like {@link #enqueue}, never
   * attempted until {@link #release}d.
   */
  public QueueId enqueueHeld(Envelope envelope, MessageContent content, String reason)
      throws IOException {
    requireNonNull(reason, "reason");
    try (InputStream in = content.open()) {
      return store(envelope, in, content.size(), true, reason, null, false, true);
    }
  }

  private QueueId store(
      Envelope env,
      InputStream in,
      long knownSize,
      boolean held,
      String reason,
      QueueId forcedId,
      boolean bounce,
      boolean schedule)
      throws IOException {
    requireNonNull(env, "envelope");
    if (env.recipients().isEmpty()) {
      throw new IllegalArgumentException("envelope without recipients");
    }
    Instant now = clock.instant();
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("queue closed");
      }
      if (!bounce) {
        checkLimits(knownSize);
      }
      reserved++;
    } finally {
      lock.unlock();
    }
    QueueId id = forcedId != null ? forcedId : QueueId.next(now);
    Path tmp = dir.resolve(id.value() + TMP);
    Path msg = dir.resolve(id.value() + MSG);
    Path logFile = dir.resolve(id.value() + LOG);
    MessageHeader header = new MessageHeader(id, now, env, held, reason);
    byte[] hb = QueueCodec.encodeHeader(header);
    long size = 0;
    boolean counted = false;
    boolean ok = false;
    try {
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        writeFully(ch, ByteBuffer.wrap(hb));
        byte[] buf = new byte[64 << 10];
        int n;
        while ((n = in.read(buf)) > 0) {
          writeFully(ch, ByteBuffer.wrap(buf, 0, n));
          size += n;
        }
        ch.force(true);
      }
      lock.lock();
      try {
        if (!bounce && queuedBytes + size > config.maxBytes()) {
          throw new QueueFullException("queue holds " + queuedBytes + " bytes");
        }
        queuedBytes += size;
        counted = true;
      } finally {
        lock.unlock();
      }
      // the empty state log is created before the rename, so that one directory fsync makes both
      // names durable; a .log without its .msg is an unfinished enqueue, removed at startup
      Files.write(
          logFile,
          new byte[0],
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
      Files.move(tmp, msg, StandardCopyOption.ATOMIC_MOVE);
      dirSync.sync();
      ok = true;
    } finally {
      if (!ok) {
        Files.deleteIfExists(tmp);
        Files.deleteIfExists(msg);
        Files.deleteIfExists(logFile);
        lock.lock();
        try {
          reserved--;
          if (counted) {
            queuedBytes -= size;
          }
        } finally {
          lock.unlock();
        }
      }
    }
    Entry e = new Entry(header, new FileContent(msg, hb.length, size), logFile);
    lock.lock();
    try {
      reserved--;
      entries.put(id, e);
      if (schedule && !held) {
        scheduleLocked(e, now);
      }
    } finally {
      lock.unlock();
    }
    log.debug("queue {}: enqueued from=<{}> size={}", id, env.sender(), size);
    return id;
  }

  private void checkLimits(long size) throws QueueFullException {
    if (entries.size() + reserved >= config.maxMessages()) {
      throw new QueueFullException("queue holds " + entries.size() + " messages");
    }
    if (queuedBytes + size > config.maxBytes()) {
      throw new QueueFullException("queue holds " + queuedBytes + " bytes");
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  // ---------------------------------------------------------------- scheduler

  /**
   * Starts delivery attempts with {@code agent}: messages that are due are attempted at once, at
   * most {@link QueueConfig#maxConcurrentDeliveries()} at a time, each on a virtual thread.
   *
   * @throws IllegalStateException when already started or closed
   */
  public void start(DeliveryAgent deliveryAgent) {
    requireNonNull(deliveryAgent, "agent");
    lock.lock();
    try {
      if (closed || agent != null) {
        throw new IllegalStateException(closed ? "queue closed" : "queue already started");
      }
      agent = deliveryAgent;
      workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("queue-", 0).factory());
      scheduler = Thread.ofPlatform().name("queue-scheduler").daemon().start(this::schedule);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Looks at the schedule again now. The scheduler wakes by itself when the next attempt is due by
   * the real clock; call this after moving a test clock, or after the system clock jumped.
   */
  public void checkSchedule() {
    lock.lock();
    try {
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private record Due(Instant at, long seq, Entry entry, long generation)
      implements Comparable<Due> {
    @Override
    public int compareTo(Due o) {
      int c = at.compareTo(o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private void scheduleLocked(Entry e, Instant at) {
    e.generation++;
    e.nextAttempt = at;
    due.add(new Due(at, dueSeq++, e, e.generation));
    wake.signalAll();
  }

  private void schedule() {
    lock.lock();
    try {
      while (!closed) {
        Due d = due.peek();
        if (d == null) {
          wake.await();
          continue;
        }
        Entry e = d.entry();
        if (d.generation() != e.generation || e.deleted || e.held || e.running) {
          due.poll();
          continue;
        }
        long wait = d.at().toEpochMilli() - clock.millis();
        if (wait > 0) {
          wake.await(wait, TimeUnit.MILLISECONDS);
          continue;
        }
        if (inFlight >= config.maxConcurrentDeliveries()) {
          wake.await();
          continue;
        }
        due.poll();
        e.running = true;
        e.nextAttempt = null;
        inFlight++;
        workers.execute(() -> attempt(e));
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  private void attempt(Entry e) {
    Instant retryAt = null;
    try {
      runAttempt(e);
    } catch (InterruptedException ie) {
      // close() interrupted the attempt: the outcomes reported through progress are recorded, the
      // next run attempts the other recipients again
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException x) {
      log.error("queue {}: could not record the attempt, will retry", e.id(), x);
      retryAt = clock.instant().plus(config.firstRetry());
    } finally {
      lock.lock();
      try {
        e.running = false;
        inFlight--;
        if (retryAt != null) {
          e.nextAttempt = retryAt;
        }
        if (!closed && !e.deleted && !e.held) {
          scheduleLocked(e, e.nextAttempt == null ? clock.instant() : e.nextAttempt);
        }
        wake.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private void runAttempt(Entry e) throws IOException, InterruptedException {
    List<Integer> pending = new ArrayList<>();
    int attempts;
    lock.lock();
    try {
      for (int i = 0; i < e.state.length; i++) {
        if (!e.state[i].isFinal()) {
          pending.add(i);
        }
      }
      attempts = e.attempts + 1;
    } finally {
      lock.unlock();
    }
    if (!pending.isEmpty()) {
      List<EnvelopeRecipient> rcpts =
          pending.stream().map(i -> e.header.envelope().recipients().get(i)).toList();
      Instant expiry = e.header.arrival().plus(config.maxLifetime());
      Progress progress = new Progress(e, pending, expiry);
      List<RecipientOutcome> outcomes;
      try {
        outcomes = callAgent(e, rcpts, progress);
      } catch (InterruptedException ie) {
        progress.finish();
        throw ie;
      }
      Instant now = clock.instant();
      boolean expired = !now.isBefore(expiry);
      Map<String, ArrayDeque<RecipientOutcome>> byAddress = new HashMap<>();
      for (RecipientOutcome o : outcomes) {
        if (o != null) {
          byAddress.computeIfAbsent(o.recipient(), k -> new ArrayDeque<>()).add(o);
        }
      }
      List<LogRecord> records = new ArrayList<>();
      e.io.lock();
      try {
        progress.finished = true;
        if (e.deleted) {
          return;
        }
        for (int j = 0; j < pending.size(); j++) {
          int i = pending.get(j);
          String addr = e.header.envelope().recipients().get(i).address();
          ArrayDeque<RecipientOutcome> q = byAddress.get(addr);
          RecipientOutcome returned = q == null ? null : q.poll();
          if (progress.recorded[j]) {
            continue; // reported through progress and already durable: that outcome stands
          }
          RecipientOutcome o =
              returned != null
                  ? returned
                  : RecipientOutcome.temporary(
                      addr, 451, "4.3.0", "no outcome from delivery agent");
          records.add(new LogRecord.Result(i, stateOf(o, expired), o, now));
          log.debug("queue {}: to=<{}> {} {}", e.id(), addr, o.status(), o.text());
        }
        Instant next = now.plus(config.backoff(attempts));
        if (next.isAfter(expiry)) {
          next = expiry.isAfter(now) ? expiry : now;
        }
        records.add(new LogRecord.Attempt(attempts, now, next));
        // the durable point for the recipients not reported through progress: RFC 1047's window
        // is the time between the agent's return and here
        append(e, records);
        lock.lock();
        try {
          records.forEach(e::apply);
        } finally {
          lock.unlock();
        }
      } finally {
        e.io.unlock();
      }
    }
    notifyAndFinish(e, clock.instant());
  }

  private static RecipientStatus.State stateOf(RecipientOutcome o, boolean expired) {
    return switch (o.status()) {
      case DELIVERED -> RecipientStatus.State.DELIVERED;
      case PERMANENT -> RecipientStatus.State.FAILED;
      case TEMPORARY -> expired ? RecipientStatus.State.EXPIRED : RecipientStatus.State.PENDING;
    };
  }

  /**
   * Records the outcomes an agent reports during one attempt, each fsynced at once, so that a
   * recipient already delivered keeps its outcome when the rest of the attempt times out, fails or
   * is interrupted. After the attempt ended, a late outcome is still recorded when it is final
   * (delivered or failed) and the recipient is still pending; a late temporary one is ignored.
   */
  private final class Progress implements java.util.function.Consumer<RecipientOutcome> {
    private final Entry e;
    private final List<Integer> pending;
    private final Instant expiry;
    // guarded by e.io
    final boolean[] recorded;
    boolean finished;

    Progress(Entry e, List<Integer> pending, Instant expiry) {
      this.e = e;
      this.pending = pending;
      this.expiry = expiry;
      this.recorded = new boolean[pending.size()];
    }

    void finish() {
      e.io.lock();
      try {
        finished = true;
      } finally {
        e.io.unlock();
      }
    }

    @Override
    public void accept(RecipientOutcome o) {
      if (o == null) {
        return;
      }
      e.io.lock();
      try {
        if (e.deleted || (finished && o.status() == RecipientOutcome.Status.TEMPORARY)) {
          return;
        }
        int k = -1;
        for (int j = 0; j < pending.size(); j++) {
          if (!recorded[j]
              && e.header
                  .envelope()
                  .recipients()
                  .get(pending.get(j))
                  .address()
                  .equals(o.recipient())) {
            k = j;
            break;
          }
        }
        if (k < 0) {
          return; // not asked for, or reported already
        }
        int i = pending.get(k);
        if (finished) {
          lock.lock();
          try {
            if (e.state[i].isFinal()) {
              return;
            }
          } finally {
            lock.unlock();
          }
        }
        Instant now = clock.instant();
        LogRecord r = new LogRecord.Result(i, stateOf(o, !now.isBefore(expiry)), o, now);
        try {
          append(e, List.of(r));
        } catch (IOException x) {
          // not durable: the end of the attempt records it again (or retries the recipient)
          log.error("queue {}: could not record the outcome for <{}>", e.id(), o.recipient(), x);
          return;
        }
        recorded[k] = true;
        lock.lock();
        try {
          e.apply(r);
        } finally {
          lock.unlock();
        }
        log.debug("queue {}: to=<{}> {} {}", e.id(), o.recipient(), o.status(), o.text());
      } finally {
        e.io.unlock();
      }
    }
  }

  private List<RecipientOutcome> callAgent(
      Entry e, List<EnvelopeRecipient> rcpts, Progress progress) throws InterruptedException {
    Future<List<RecipientOutcome>> f =
        workers.submit(() -> agent.deliver(e.header.envelope(), rcpts, e.content, progress));
    try {
      List<RecipientOutcome> r = f.get(config.attemptTimeout().toMillis(), TimeUnit.MILLISECONDS);
      return r == null ? List.of() : r;
    } catch (ExecutionException x) {
      Throwable cause = x.getCause();
      if (cause instanceof InterruptedException && isClosed()) {
        throw new InterruptedException("queue closing");
      }
      log.warn("queue {}: delivery agent failed", e.id(), cause);
      return all(rcpts, "4.3.0", "delivery agent failed: " + cause);
    } catch (TimeoutException t) {
      f.cancel(true);
      return all(rcpts, "4.4.1", "delivery attempt timed out after " + config.attemptTimeout());
    } catch (InterruptedException ie) {
      f.cancel(true);
      throw ie;
    }
  }

  private static List<RecipientOutcome> all(
      List<EnvelopeRecipient> rcpts, String enhanced, String text) {
    return rcpts.stream()
        .map(r -> RecipientOutcome.temporary(r.address(), 451, enhanced, text))
        .toList();
  }

  private boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- DSNs and completion

  private record Group(DsnKind kind, List<Integer> indexes) {}

  /** Enqueues the DSNs now due, then deletes the message when it is done. */
  private void notifyAndFinish(Entry e, Instant now) throws IOException {
    List<Group> groups = new ArrayList<>();
    lock.lock();
    try {
      Envelope env = e.header.envelope();
      List<Integer> failed = new ArrayList<>();
      List<Integer> delivered = new ArrayList<>();
      List<Integer> delayed = new ArrayList<>();
      for (int i = 0; i < e.state.length; i++) {
        EnvelopeRecipient r = env.recipients().get(i);
        switch (e.state[i]) {
          case FAILED, EXPIRED -> {
            if (env.sender().isEmpty()) {
              if (!e.reported[i]) {
                // RFC 5321 §4.5.5: no notification about a notification (double bounce)
                log.warn(
                    "queue {}: double bounce dropped, to=<{}> {}",
                    e.id(),
                    r.address(),
                    e.last[i] == null ? "" : e.last[i].text());
                e.reported[i] = true;
              }
            } else if (needsReport(e, i)) {
              failed.add(i);
            }
          }
          case DELIVERED -> {
            if (needsReport(e, i)) {
              delivered.add(i);
            }
          }
          case PENDING -> {
            if (r.wants(DsnNotify.DELAY)) {
              delayed.add(i);
            }
          }
        }
      }
      if (!failed.isEmpty()) {
        groups.add(new Group(DsnKind.FAILED, failed));
      }
      if (!delivered.isEmpty()) {
        groups.add(new Group(DsnKind.DELIVERED, delivered));
      }
      boolean warn =
          !config.delayWarning().isZero()
              && !e.delayNotified
              && !e.held
              && !env.sender().isEmpty()
              && !delayed.isEmpty()
              && e.attempts > 0
              && !now.isBefore(e.header.arrival().plus(config.delayWarning()));
      if (warn) {
        groups.add(new Group(DsnKind.DELAYED, delayed));
      }
    } finally {
      lock.unlock();
    }
    for (Group g : groups) {
      sendDsn(e, g, now);
    }
    boolean done;
    lock.lock();
    try {
      done = !e.deleted && e.isDone();
      if (done) {
        entries.remove(e.id());
        e.deleted = true;
        queuedBytes -= e.content.size();
      }
    } finally {
      lock.unlock();
    }
    if (done) {
      removeFiles(e, false);
      log.debug("queue {}: removed, all recipients done", e.id());
    }
  }

  private static boolean needsReport(Entry e, int i) {
    if (e.reported[i] || e.header.envelope().sender().isEmpty()) {
      return false;
    }
    EnvelopeRecipient r = e.header.envelope().recipients().get(i);
    return switch (e.state[i]) {
      case FAILED, EXPIRED -> r.wants(DsnNotify.FAILURE);
      case DELIVERED -> r.notifyOn().contains(DsnNotify.SUCCESS);
      case PENDING -> false;
    };
  }

  private void sendDsn(Entry e, Group g, Instant now) throws IOException {
    e.io.lock();
    try {
      Entry dsnEntry;
      QueueId dsnId;
      DsnBuilder.Report report;
      lock.lock();
      try {
        if (e.deleted) {
          return;
        }
        // deterministic id: after a crash between the DSN's enqueue and the record below, the
        // same DSN is found instead of being sent twice
        char letter =
            switch (g.kind()) {
              case FAILED -> 'f';
              case DELAYED -> 'd';
              case DELIVERED -> 's';
            };
        dsnId = new QueueId(e.id().value() + "." + letter + (e.dsnCount + 1));
        dsnEntry = entries.get(dsnId);
        List<DsnBuilder.Line> lines = new ArrayList<>();
        for (int i : g.indexes()) {
          lines.add(
              new DsnBuilder.Line(
                  e.header.envelope().recipients().get(i),
                  e.last[i],
                  e.lastAt[i],
                  e.state[i] == RecipientStatus.State.EXPIRED));
        }
        report =
            new DsnBuilder.Report(
                config.hostname(),
                dsnId,
                e.id(),
                e.header.envelope(),
                e.header.arrival(),
                e.content,
                g.kind(),
                lines,
                now,
                e.header.arrival().plus(config.maxLifetime()),
                config.bounceReturnLimit());
      } finally {
        lock.unlock();
      }
      if (dsnEntry == null) {
        byte[] dsn = DsnBuilder.build(report);
        Envelope env = DsnBuilder.envelope(e.header.envelope(), dsn);
        store(env, new ByteArrayInputStream(dsn), dsn.length, false, "", dsnId, true, false);
        lock.lock();
        try {
          dsnEntry = entries.get(dsnId);
        } finally {
          lock.unlock();
        }
      }
      LogRecord.Notified rec = new LogRecord.Notified(g.kind(), dsnId, g.indexes());
      append(e, List.of(rec));
      lock.lock();
      try {
        e.apply(rec);
        if (dsnEntry != null && !dsnEntry.held && !dsnEntry.running && !closed) {
          scheduleLocked(dsnEntry, now);
        }
      } finally {
        lock.unlock();
      }
      log.debug("queue {}: {} DSN {} enqueued", e.id(), g.kind(), dsnId);
    } finally {
      e.io.unlock();
    }
  }

  /** Appends state records and fsyncs them. The caller holds {@code e.io}. */
  private static void append(Entry e, List<LogRecord> records) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (LogRecord r : records) {
      b.writeBytes(QueueCodec.encodeLog(r));
    }
    try (FileChannel ch =
        FileChannel.open(e.logFile, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      writeFully(ch, ByteBuffer.wrap(b.toByteArray()));
      ch.force(false);
    }
  }

  /**
   * Deletes the message and its state log. A finished message needs no fsync: whichever of the two
   * files a crash leaves behind is removed at startup (a log that says "done", a log without its
   * message, or a message without its log, which no acknowledged message can be). An operator's
   * delete is made durable ({@code durable}), or the message would come back after a crash.
   */
  private void removeFiles(Entry e, boolean durable) throws IOException {
    e.io.lock();
    try {
      Files.deleteIfExists(e.content.file());
      Files.deleteIfExists(e.logFile);
      if (durable) {
        dirSync.sync();
      }
    } finally {
      e.io.unlock();
    }
  }

  // ---------------------------------------------------------------- recovery

  private void recover() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.toList();
    }
    int removed = 0;
    List<Entry> loaded = new ArrayList<>();
    for (Path p : files) {
      String name = p.getFileName().toString();
      if (name.endsWith(TMP)) {
        // a half-written enqueue: never acknowledged
        Files.deleteIfExists(p);
        removed++;
      } else if (name.endsWith(LOG)
          && !Files.exists(dir.resolve(name.substring(0, name.length() - 4) + MSG))) {
        Files.deleteIfExists(p);
        removed++;
      } else if (name.endsWith(MSG)
          && !Files.exists(dir.resolve(name.substring(0, name.length() - 4) + LOG))) {
        // enqueue creates the log before the rename and fsyncs both names before it returns, so
        // this is a finished message whose log was deleted first, or an unacknowledged enqueue
        log.warn("queue: {} has no state log: finished or never acknowledged, removed", p);
        Files.deleteIfExists(p);
        removed++;
      } else if (name.endsWith(MSG)) {
        try {
          loaded.add(load(p));
        } catch (IOException | RuntimeException x) {
          Path bad = dir.resolve(name + ".bad");
          log.error("queue: {} is unreadable, moved to {}", p, bad, x);
          Files.move(p, bad, StandardCopyOption.ATOMIC_MOVE);
          removed++;
        }
      }
    }
    if (removed > 0) {
      dirSync.sync();
    }
    Instant now = clock.instant();
    lock.lock();
    try {
      for (Entry e : loaded) {
        entries.put(e.id(), e);
        queuedBytes += e.content.size();
      }
    } finally {
      lock.unlock();
    }
    for (Entry e : loaded) {
      // DSNs a crash left unsent, and messages that were done but not yet deleted
      notifyAndFinish(e, now);
    }
    lock.lock();
    try {
      for (Entry e : loaded) {
        if (!e.deleted && !e.held && entries.containsKey(e.id())) {
          Instant at = e.nextAttempt == null || e.nextAttempt.isBefore(now) ? now : e.nextAttempt;
          scheduleLocked(e, at);
        }
      }
      log.info("queue: opened {} with {} messages", dir, entries.size());
    } finally {
      lock.unlock();
    }
  }

  private Entry load(Path msg) throws IOException {
    QueueCodec.Decoded d;
    long fileSize = Files.size(msg);
    try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(msg), 8192)) {
      d = QueueCodec.decodeHeader(in);
    }
    String stem = msg.getFileName().toString();
    stem = stem.substring(0, stem.length() - MSG.length());
    if (!d.header().id().value().equals(stem)) {
      throw new IOException("queue file " + msg + " holds id " + d.header().id());
    }
    Path logFile = dir.resolve(stem + LOG);
    Entry e =
        new Entry(
            d.header(),
            new FileContent(msg, d.contentOffset(), fileSize - d.contentOffset()),
            logFile);
    byte[] data = Files.readAllBytes(logFile);
    int valid = QueueCodec.validLogLength(data);
    if (valid < data.length) {
      // a crash tore the last append: cut the half line, or the next record would be appended to
      // it, fail its CRC, and hide itself and every later record at the next load
      log.warn(
          "queue {}: state log torn after {} of {} bytes, truncated", stem, valid, data.length);
      try (FileChannel ch = FileChannel.open(logFile, StandardOpenOption.WRITE)) {
        ch.truncate(valid);
        ch.force(false);
      }
    }
    for (LogRecord r : QueueCodec.decodeLog(java.util.Arrays.copyOf(data, valid))) {
      e.apply(r);
    }
    return e;
  }

  // ---------------------------------------------------------------- operators

  /** Every queued message, ordered by id (roughly by arrival). */
  public List<QueuedMessage> list() {
    lock.lock();
    try {
      return entries.values().stream()
          .sorted((a, b) -> a.id().compareTo(b.id()))
          .map(Entry::snapshot)
          .toList();
    } finally {
      lock.unlock();
    }
  }

  /** One message, or empty when it is not (or no longer) queued. */
  public Optional<QueuedMessage> show(QueueId id) {
    lock.lock();
    try {
      Entry e = entries.get(id);
      return e == null ? Optional.empty() : Optional.of(e.snapshot());
    } finally {
      lock.unlock();
    }
  }

  /**
   * The bytes of a queued message (headers and body), readable until the message leaves the queue;
   * empty when it is not queued.
   */
  public Optional<MessageContent> content(QueueId id) {
    lock.lock();
    try {
      Entry e = entries.get(id);
      return e == null ? Optional.empty() : Optional.of(e.content);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The header section of a queued message (for {@code ./carbonio queue show}), decoded as UTF-8,
   * at most 256 KiB; empty when it is not queued.
   */
  public Optional<String> headers(QueueId id) throws IOException {
    Optional<MessageContent> c = content(id);
    if (c.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new String(DsnBuilder.readHeader(c.get()), java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.nio.file.NoSuchFileException gone) {
      return Optional.empty();
    }
  }

  /** The number of queued messages. */
  public int size() {
    lock.lock();
    try {
      return entries.size();
    } finally {
      lock.unlock();
    }
  }

  /** The sum of the queued messages' sizes. */
  public long bytes() {
    lock.lock();
    try {
      return queuedBytes;
    } finally {
      lock.unlock();
    }
  }

  /** The queue directory. */
  public Path directory() {
    return dir;
  }

  /**
   * Makes a message due now. False when it is not queued or is held; a message being attempted
   * right now is not attempted twice at once.
   */
  public boolean retry(QueueId id) {
    lock.lock();
    try {
      Entry e = entries.get(id);
      if (e == null || e.held) {
        return false;
      }
      if (!e.running) {
        scheduleLocked(e, clock.instant());
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Makes every message that is not held due now; returns how many. */
  public int retryAll() {
    lock.lock();
    try {
      int n = 0;
      Instant now = clock.instant();
      for (Entry e : entries.values()) {
        if (!e.held) {
          n++;
          if (!e.running) {
            scheduleLocked(e, now);
          }
        }
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes a message without any DSN. An attempt running at the time finishes, but its outcome is
   * not recorded. False when it is not queued.
   */
  public boolean delete(QueueId id) throws IOException {
    Entry e;
    lock.lock();
    try {
      e = entries.remove(id);
      if (e == null) {
        return false;
      }
      e.deleted = true;
      queuedBytes -= e.content.size();
    } finally {
      lock.unlock();
    }
    removeFiles(e, true);
    log.info("queue {}: deleted by operator", id);
    return true;
  }

  /** Puts a message on hold with no reason; see {@link #hold(QueueId, String)}. */
  public boolean hold(QueueId id) throws IOException {
    return hold(id, "");
  }

  /**
   * Puts a message on hold: it is not attempted (an attempt already running finishes) and does not
   * expire until released. Durable. False when it is not queued.
   */
  public boolean hold(QueueId id, String reason) throws IOException {
    requireNonNull(reason, "reason");
    Entry e = get(id);
    if (e == null) {
      return false;
    }
    e.io.lock();
    try {
      if (e.deleted) {
        return false;
      }
      LogRecord r = new LogRecord.Hold(reason);
      append(e, List.of(r));
      lock.lock();
      try {
        e.apply(r);
      } finally {
        lock.unlock();
      }
    } finally {
      e.io.unlock();
    }
    log.info("queue {}: held: {}", id, reason);
    return true;
  }

  /** Releases a held message and makes it due now. False when it is not queued or not held. */
  public boolean release(QueueId id) throws IOException {
    Entry e = get(id);
    if (e == null) {
      return false;
    }
    e.io.lock();
    try {
      lock.lock();
      try {
        if (e.deleted || !e.held) {
          return false;
        }
      } finally {
        lock.unlock();
      }
      LogRecord r = new LogRecord.Release();
      append(e, List.of(r));
      lock.lock();
      try {
        e.apply(r);
        if (!e.running && !closed) {
          scheduleLocked(e, clock.instant());
        }
      } finally {
        lock.unlock();
      }
    } finally {
      e.io.unlock();
    }
    log.info("queue {}: released", id);
    return true;
  }

  private Entry get(QueueId id) {
    lock.lock();
    try {
      return entries.get(id);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops attempts: waits up to {@link QueueConfig#shutdownTimeout()} for running ones, then
   * interrupts them (only the outcomes their agent already reported through the progress callback
   * of {@link DeliveryAgent#deliver(Envelope, List, MessageContent, java.util.function.Consumer)}
   * are recorded; the next run attempts the other recipients again), and unlocks the directory.
   * Idempotent.
   */
  @Override
  public void close() {
    Thread s;
    ExecutorService w;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      s = scheduler;
      w = workers;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
    boolean interrupted = false;
    try {
      if (s != null) {
        s.join();
      }
      if (w != null) {
        w.shutdown();
        if (!w.awaitTermination(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
          w.shutdownNow();
          if (!w.awaitTermination(5, TimeUnit.SECONDS)) {
            log.warn("queue: delivery attempts still running after close");
          }
        }
      }
    } catch (InterruptedException ie) {
      interrupted = true;
      if (w != null) {
        w.shutdownNow();
      }
    }
    try {
      if (fileLock != null) {
        fileLock.release();
      }
      lockChannel.close();
    } catch (IOException x) {
      log.warn("queue: could not unlock {}", dir, x);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Test hook: the number of directory fsyncs done (group commit makes it below enqueues). */
  long directorySyncs() {
    return dirSync.syncs();
  }

  // ---------------------------------------------------------------- entry

  /** One queued message in memory. Fields are guarded by the queue's lock; I/O by {@code io}. */
  private static final class Entry {
    final MessageHeader header;
    final FileContent content;
    final Path logFile;
    final ReentrantLock io = new ReentrantLock();
    final RecipientStatus.State[] state;
    final RecipientOutcome[] last;
    final Instant[] lastAt;
    final boolean[] reported;
    int attempts;
    Instant nextAttempt;
    boolean held;
    String holdReason;
    boolean delayNotified;
    int dsnCount;
    boolean running;
    boolean deleted;
    long generation;

    Entry(MessageHeader header, FileContent content, Path logFile) {
      this.header = header;
      this.content = content;
      this.logFile = logFile;
      int n = header.envelope().recipients().size();
      state = new RecipientStatus.State[n];
      java.util.Arrays.fill(state, RecipientStatus.State.PENDING);
      last = new RecipientOutcome[n];
      lastAt = new Instant[n];
      reported = new boolean[n];
      held = header.held();
      holdReason = header.holdReason();
    }

    QueueId id() {
      return header.id();
    }

    void apply(LogRecord r) {
      switch (r) {
        case LogRecord.Result x -> {
          if (x.index() < state.length) {
            state[x.index()] = x.state();
            last[x.index()] = x.outcome();
            lastAt[x.index()] = x.at();
          }
        }
        case LogRecord.Attempt a -> {
          attempts = a.attempts();
          nextAttempt = a.next();
        }
        case LogRecord.Notified n -> {
          dsnCount++;
          if (n.kind() == DsnKind.DELAYED) {
            delayNotified = true;
          } else {
            for (int i : n.indexes()) {
              if (i < reported.length) {
                reported[i] = true;
              }
            }
          }
        }
        case LogRecord.Hold h -> {
          held = true;
          holdReason = h.reason();
        }
        case LogRecord.Release u -> {
          held = false;
          holdReason = "";
        }
      }
    }

    boolean isDone() {
      for (int i = 0; i < state.length; i++) {
        if (!state[i].isFinal() || needsReport(this, i)) {
          return false;
        }
      }
      return true;
    }

    QueuedMessage snapshot() {
      List<RecipientStatus> rs = new ArrayList<>(state.length);
      for (int i = 0; i < state.length; i++) {
        rs.add(
            new RecipientStatus(
                header.envelope().recipients().get(i), state[i], last[i], lastAt[i]));
      }
      return new QueuedMessage(
          header.id(),
          header.arrival(),
          header.envelope(),
          rs,
          content.size(),
          attempts,
          held || running ? null : nextAttempt,
          held,
          held ? holdReason : "");
    }
  }
}
