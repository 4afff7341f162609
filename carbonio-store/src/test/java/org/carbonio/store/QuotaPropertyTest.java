package org.carbonio.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

/**
 * After any sequence of appends, copies, moves, expunges and folder changes, the account's quota
 * usage equals the sum over its folder snapshots, and an operation refused as over quota changed
 * nothing.
 */
class QuotaPropertyTest {
  @TempDir Path dir;

  static final List<String> FOLDERS = List.of("INBOX", "A", "A/B", "C");

  enum Kind {
    APPEND,
    COPY,
    MOVE,
    MARK_DELETED,
    EXPUNGE,
    CREATE,
    DELETE
  }

  record Op(Kind kind, int folder, int size, int sel, int other) {
    @Override
    public String toString() {
      return kind
          + "("
          + FOLDERS.get(folder)
          + ", size="
          + size
          + ", sel="
          + sel
          + ", to="
          + FOLDERS.get(other)
          + ")";
    }
  }

  static Gen<Op> ops() {
    return integers()
        .between(0, Kind.values().length - 1)
        .zip(
            integers().between(0, FOLDERS.size() - 1),
            integers().between(0, 200),
            integers().between(0, 3),
            integers().between(0, FOLDERS.size() - 1),
            (k, f, size, sel, o) -> new Op(Kind.values()[k], f, size, sel, o));
  }

  /** Some UIDs of the folder: all, the first, the last, or none that exist. */
  static List<Long> pick(Mailbox box, String folder, int sel) {
    List<Long> uids = new ArrayList<>();
    for (MessageInfo m : box.snapshot(folder).messages()) {
      uids.add(m.uid());
    }
    return switch (sel) {
      case 0 -> uids;
      case 1 -> uids.isEmpty() ? List.of() : List.of(uids.getFirst());
      case 2 -> uids.isEmpty() ? List.of() : List.of(uids.getLast());
      default -> List.of(999_999L);
    };
  }

  static void run(Mailbox box, Op op) {
    String name = FOLDERS.get(op.folder());
    String to = FOLDERS.get(op.other());
    switch (op.kind()) {
      case APPEND ->
          box.append(
              name,
              new ByteArrayInputStream("x".repeat(op.size()).getBytes(UTF_8)),
              op.size() % 2 == 0 ? Set.of(Flags.DELETED) : Set.of(),
              null);
      case COPY -> box.copy(name, pick(box, name, op.sel()), to);
      case MOVE -> box.move(name, pick(box, name, op.sel()), to);
      case MARK_DELETED ->
          box.setFlags(name, pick(box, name, op.sel()), FlagOperation.ADD, Set.of(Flags.DELETED));
      case EXPUNGE ->
          box.expunge(
              name, op.sel() == 0 ? Optional.empty() : Optional.of(pick(box, name, op.sel())));
      case CREATE -> box.createFolder(name);
      case DELETE -> box.deleteFolder(name);
    }
  }

  /** Bytes and messages summed over the snapshots of every folder. */
  static long[] sum(Mailbox box) {
    long bytes = 0;
    long messages = 0;
    for (FolderInfo f : box.folders()) {
      for (MessageInfo m : box.snapshot(f.name()).messages()) {
        bytes += m.size();
        messages++;
      }
    }
    return new long[] {bytes, messages};
  }

  @Test
  void quotaShouldEqualSumOfSnapshotsWhenRandomOperationsRun() {
    AtomicInteger accounts = new AtomicInteger();
    Map<String, Long> limits = new ConcurrentHashMap<>();
    try (MailStore store =
        MailStore.open(
            dir,
            a -> limits.containsKey(a) ? OptionalLong.of(limits.get(a)) : OptionalLong.empty())) {
      qt().withExamples(50)
          .withShrinkCycles(100)
          .forAll(lists().of(ops()).ofSizeBetween(1, 25), integers().between(0, 2))
          .checkAssert(
              (ops, limitChoice) -> {
                String account = "quota" + accounts.incrementAndGet() + "@example.org";
                if (limitChoice > 0) {
                  limits.put(account, limitChoice == 1 ? 300L : 1000L);
                }
                Mailbox box = store.mailbox(account);
                for (Op op : ops) {
                  QuotaUsage before = box.quota();
                  boolean overQuota = false;
                  try {
                    run(box, op);
                  } catch (StoreException.OverQuota e) {
                    overQuota = true;
                  } catch (StoreException.NotFound
                      | StoreException.AlreadyExists
                      | StoreException.Invalid e) {
                    // a folder that does not exist (yet), or INBOX: the op changes nothing
                  }
                  QuotaUsage after = box.quota();
                  long[] sum = sum(box);
                  assertThat(after.bytes()).as("bytes after %s", op).isEqualTo(sum[0]);
                  assertThat(after.messages()).as("messages after %s", op).isEqualTo(sum[1]);
                  if (overQuota) {
                    assertThat(after).as("refused %s", op).isEqualTo(before);
                    assertThat(limits).containsKey(account);
                  } else if (after.bytes() > before.bytes() && after.limit().isPresent()) {
                    assertThat(after.bytes()).isLessThanOrEqualTo(after.limit().getAsLong());
                  }
                }
              });
      // Random sequences usually hit the limit; make sure the refusal path ran at least once.
      String account = "quota-full@example.org";
      limits.put(account, 300L);
      Mailbox box = store.mailbox(account);
      Op append = new Op(Kind.APPEND, 0, 200, 0, 0);
      run(box, append);
      QuotaUsage before = box.quota();
      assertThatThrownBy(() -> run(box, append)).isInstanceOf(StoreException.OverQuota.class);
      assertThat(box.quota()).isEqualTo(before);
    }
  }
}
