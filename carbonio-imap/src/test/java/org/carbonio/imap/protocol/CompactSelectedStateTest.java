package org.carbonio.imap.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.carbonio.imap.protocol.ImapResponse.FetchItem;
import org.carbonio.imap.spi.AppendResult;
import org.carbonio.imap.spi.CopyResult;
import org.carbonio.imap.spi.FlagOperation;
import org.carbonio.imap.spi.MailboxChanges;
import org.carbonio.imap.spi.MailboxInfo;
import org.carbonio.imap.spi.MailboxSnapshot;
import org.carbonio.imap.spi.MailboxStatus;
import org.carbonio.imap.spi.MailboxView;
import org.carbonio.imap.spi.MessageMeta;
import org.carbonio.imap.spi.UidList;
import org.carbonio.imap.spi.UserMailboxes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The selected state over a backend that implements only {@link UserMailboxes#select} and {@link
 * UserMailboxes#messages} (its {@code snapshot} throws): metadata comes in bounded chunks and the
 * responses equal a naive computation.
 */
class CompactSelectedStateTest {
  static final int N = 2_600;

  /** One mailbox "INBOX" in memory; UIDs 1..N with every third one expunged. */
  static class Backend implements UserMailboxes {
    final TreeMap<Long, MessageMeta> messages = new TreeMap<>();
    final Map<Long, Long> tombstones = new TreeMap<>();
    long modSeq = 1;
    long uidNext = 1;
    int largestChunk;

    Backend() {
      for (int i = 1; i <= N; i++) add(i % 4 == 0 ? Set.of("\\Seen") : Set.of());
      List<Long> gone = new ArrayList<>();
      for (long u = 3; u <= N; u += 3) gone.add(u);
      for (long u : gone) remove(u);
    }

    void add(Set<String> flags) {
      long uid = uidNext++;
      messages.put(
          uid, new MessageMeta(uid, flags, Instant.ofEpochSecond(uid), 100 + uid, ++modSeq));
    }

    void remove(long uid) {
      messages.remove(uid);
      tombstones.put(uid, ++modSeq);
    }

    @Override
    public MailboxView select(String mailbox) {
      UidList.Builder b = new UidList.Builder(messages.size());
      long firstUnseen = 0;
      for (MessageMeta m : messages.values()) {
        b.add(m.uid());
        if (firstUnseen == 0 && !m.flags().contains("\\Seen")) firstUnseen = m.uid();
      }
      return new MailboxView(7, uidNext, modSeq, firstUnseen, Set.of(), b.build());
    }

    @Override
    public void messages(String mailbox, long fromUid, long toUid, Consumer<MessageMeta> sink) {
      Collection<MessageMeta> range = messages.subMap(fromUid, true, toUid, true).values();
      largestChunk = Math.max(largestChunk, range.size());
      range.forEach(sink);
    }

    @Override
    public MailboxSnapshot snapshot(String mailbox) {
      throw new UnsupportedOperationException("the engine must not read whole mailboxes");
    }

    @Override
    public MailboxChanges changesSince(String mailbox, long since) {
      List<MessageMeta> changed = new ArrayList<>();
      for (MessageMeta m : messages.values()) if (m.modSeq() > since) changed.add(m);
      List<Long> expunged = new ArrayList<>();
      tombstones.forEach(
          (u, s) -> {
            if (s > since) expunged.add(u);
          });
      return new MailboxChanges(modSeq, changed, expunged);
    }

    @Override
    public List<MessageMeta> setFlags(
        String mailbox, Collection<Long> uids, FlagOperation op, Set<String> flags) {
      long change = ++modSeq;
      List<MessageMeta> out = new ArrayList<>();
      for (long uid : uids) {
        MessageMeta m = messages.get(uid);
        if (m == null) continue;
        Set<String> next = new HashSet<>(op == FlagOperation.REPLACE ? Set.of() : m.flags());
        if (op == FlagOperation.REMOVE) next.removeAll(flags);
        else next.addAll(flags);
        MessageMeta n = new MessageMeta(uid, next, m.internalDate(), m.size(), change);
        messages.put(uid, n);
        out.add(n);
      }
      return out;
    }

    @Override
    public List<Long> expunge(String mailbox, Optional<Collection<Long>> uids) {
      List<Long> gone = new ArrayList<>();
      for (MessageMeta m : List.copyOf(messages.values())) {
        if (m.flags().contains("\\Deleted") && (uids.isEmpty() || uids.get().contains(m.uid()))) {
          gone.add(m.uid());
        }
      }
      for (long u : gone) remove(u);
      return gone;
    }

    @Override
    public byte[] content(String mailbox, long uid) {
      return ("Subject: " + uid + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public List<MailboxInfo> list() {
      return List.of(new MailboxInfo("INBOX", Set.of(), true));
    }

    @Override
    public void create(String name) {}

    @Override
    public void delete(String name) {}

    @Override
    public void rename(String from, String to) {}

    @Override
    public void subscribe(String name, boolean subscribed) {}

    @Override
    public MailboxStatus status(String name) {
      return new MailboxStatus(messages.size(), 0, uidNext, 7, modSeq);
    }

    @Override
    public AppendResult append(
        String mailbox, Set<String> flags, Instant date, InputStream content, long size) {
      add(flags);
      return new AppendResult(7, uidNext - 1);
    }

    @Override
    public CopyResult copy(String from, Collection<Long> uids, String to) {
      return new CopyResult(7, List.of(), List.of());
    }

    @Override
    public CopyResult move(String from, Collection<Long> uids, String to) {
      return new CopyResult(7, List.of(), List.of());
    }

    @Override
    public AutoCloseable watch(String mailbox, Runnable onChange) {
      return () -> {};
    }

    @Override
    public void close() {}
  }

  Backend backend;
  ImapSession session;

  @BeforeEach
  void login() {
    backend = new Backend();
    session =
        new ImapSession(
            new SessionOptions("test", false, true, 1 << 20, Clock.systemUTC()),
            r -> Optional.of("u"),
            user -> backend,
            null,
            false);
    session.handle(new ImapCommand.Login("a", "u", "p"));
  }

  static List<ImapResponse.Fetch> fetches(List<ImapResponse> rs) {
    return rs.stream()
        .filter(r -> r instanceof ImapResponse.Fetch)
        .map(r -> (ImapResponse.Fetch) r)
        .toList();
  }

  static long uidOf(ImapResponse.Fetch f) {
    return f.items().stream()
        .filter(i -> i instanceof FetchItem.Uid)
        .mapToLong(i -> ((FetchItem.Uid) i).uid())
        .findFirst()
        .orElseThrow();
  }

  @Test
  void selectShouldReportCountsWhenBackendHasNoSnapshot() {
    List<ImapResponse> rs = session.handle(new ImapCommand.Select("s", "INBOX"));
    int exists = backend.messages.size();
    assertThat(rs).contains(new ImapResponse.Exists(exists));
    assertThat(rs).anyMatch(r -> ImapEncoder.toString(r).contains("[UNSEEN 1]"));
    assertThat(rs).anyMatch(r -> ImapEncoder.toString(r).contains("[UIDNEXT " + (N + 1) + "]"));
  }

  @Test
  void fetchShouldEqualNaiveResolutionForAnySequenceSet() {
    session.handle(new ImapCommand.Select("s", "INBOX"));
    List<MessageMeta> all = List.copyOf(backend.messages.values());
    qt().withExamples(60)
        .forAll(
            integers().between(1, N + 50), integers().between(1, N + 50), integers().between(0, 1))
        .checkAssert(
            (a, b, uidMode) -> {
              boolean uid = uidMode == 1;
              SequenceSet set = SequenceSet.parse(a + ":" + b + "," + b);
              List<ImapResponse.Fetch> got =
                  fetches(
                      session.handle(
                          new ImapCommand.Fetch(
                              "f",
                              uid,
                              set,
                              List.of(new FetchAttribute.Uid(), new FetchAttribute.Flags()))));
              List<long[]> want = new ArrayList<>();
              long max = uid ? all.getLast().uid() : all.size();
              // RFC 9051 §9: a sequence number above EXISTS is answered with BAD, no FETCH
              boolean beyond = !uid && Math.max(a, b) > all.size();
              for (int i = 0; i < all.size() && !beyond; i++) {
                if (set.contains(uid ? all.get(i).uid() : i + 1, max)) {
                  want.add(new long[] {i + 1, all.get(i).uid()});
                }
              }
              assertThat(got).hasSize(want.size());
              for (int i = 0; i < want.size(); i++) {
                assertThat(got.get(i).msn()).isEqualTo(want.get(i)[0]);
                assertThat(uidOf(got.get(i))).isEqualTo(want.get(i)[1]);
              }
            });
    assertThat(backend.largestChunk).isLessThanOrEqualTo(ImapSession.META_CHUNK);
  }

  @Test
  void storeShouldNotEchoOwnChangeButReportOthersWhenNoopFollows() {
    session.handle(new ImapCommand.Select("s", "INBOX"));
    List<ImapResponse> own =
        session.handle(
            new ImapCommand.Store(
                "t", false, SequenceSet.parse("1:5"), FlagOperation.ADD, false, Set.of("$A")));
    assertThat(fetches(own)).hasSize(5);
    assertThat(fetches(session.handle(new ImapCommand.Noop("n")))).isEmpty();
    // another session changes message 2 (UID 2): reported once, at the next command
    backend.setFlags("INBOX", List.of(2L), FlagOperation.ADD, Set.of("$B"));
    List<ImapResponse.Fetch> pushed = fetches(session.handle(new ImapCommand.Noop("n")));
    assertThat(pushed).hasSize(1);
    assertThat(pushed.getFirst().msn()).isEqualTo(2);
    assertThat(fetches(session.handle(new ImapCommand.Noop("n")))).isEmpty();
  }

  @Test
  void expungeShouldRenumberWhenOtherSessionRemovesAndNewMessagesArrive() {
    session.handle(new ImapCommand.Select("s", "INBOX"));
    int before = backend.messages.size();
    backend.remove(4); // msn 3 (UIDs 1, 2, 4, ...)
    backend.add(Set.of());
    List<ImapResponse> rs = session.handle(new ImapCommand.Noop("n"));
    assertThat(rs).contains(new ImapResponse.Expunge(3), new ImapResponse.Exists(before));
    List<ImapResponse.Fetch> last =
        fetches(
            session.handle(
                new ImapCommand.Fetch(
                    "f", false, SequenceSet.parse("*"), List.of(new FetchAttribute.Uid()))));
    assertThat(uidOf(last.getFirst())).isEqualTo(N + 1);
    assertThat(last.getFirst().msn()).isEqualTo(before);
  }
}
