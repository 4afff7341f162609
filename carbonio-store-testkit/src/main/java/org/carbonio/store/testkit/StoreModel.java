package org.carbonio.store.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.carbonio.store.FlagOperation;
import org.carbonio.store.Flags;
import org.carbonio.store.FolderInfo;
import org.carbonio.store.FolderSnapshot;
import org.carbonio.store.FolderStatus;
import org.carbonio.store.Mailbox;
import org.carbonio.store.MessageInfo;
import org.carbonio.store.StoreException;
import org.quicktheories.core.Gen;

/**
 * A plain in-memory model of a mailbox, random operation sequences over it, and the comparison with
 * a store: the model-based property of {@link MailStoreContract}.
 */
final class StoreModel {
  private StoreModel() {}

  static final List<String> FOLDERS = List.of("INBOX", "A", "A/B", "C");
  static final List<String> FLAGS = List.of(Flags.SEEN, Flags.DELETED, Flags.FLAGGED, "$k", "$K");

  enum Kind {
    APPEND,
    APPEND2,
    SET_FLAGS,
    EXPUNGE,
    COPY,
    MOVE,
    CREATE,
    DELETE
  }

  /** One operation; {@code sel} picks UIDs from the model folder at run time. */
  record Op(Kind kind, int folder, int flags, int sel, int other) {
    @Override
    public String toString() {
      return kind
          + "("
          + FOLDERS.get(folder)
          + ", flags="
          + flagSet(flags)
          + ", sel="
          + sel
          + ", other="
          + other
          + ")";
    }
  }

  static Set<String> flagSet(int mask) {
    Set<String> s = new TreeSet<>();
    for (int i = 0; i < FLAGS.size(); i++) {
      if ((mask & (1 << i)) != 0) {
        s.add(FLAGS.get(i));
      }
    }
    return s;
  }

  static Gen<Op> ops() {
    return integers()
        .between(0, Kind.values().length - 1)
        .zip(
            integers().between(0, FOLDERS.size() - 1),
            integers().between(0, 31),
            integers().between(0, 9),
            integers().between(0, FOLDERS.size() - 1),
            (k, f, fl, s, o) -> new Op(Kind.values()[k], f, fl, s, o));
  }

  // ------------------------------------------------------------------ model

  record Msg(String content, Set<String> flags) {}

  static final class Folder {
    long uidNext = 1;
    long modSeq = 1;
    long uidValidity;
    final TreeMap<Long, Msg> messages = new TreeMap<>();
  }

  static List<Long> pick(Folder f, int sel) {
    List<Long> uids = f == null ? List.of() : new ArrayList<>(f.messages.keySet());
    return switch (sel) {
      case 0 -> uids;
      case 7 -> uids.subList(0, uids.size() / 2);
      case 8 -> List.of(999L);
      case 9 -> List.of();
      default -> uids.isEmpty() ? List.of(1L) : List.of(uids.get((sel - 1) % uids.size()));
    };
  }

  /** Applies {@code op} to the model; returns the exception class the store must throw, if any. */
  static Class<? extends StoreException> apply(Map<String, Folder> m, Op op) {
    String name = FOLDERS.get(op.folder());
    Folder f = m.get(name);
    switch (op.kind()) {
      case APPEND, APPEND2 -> {
        if (f == null) {
          return StoreException.NotFound.class;
        }
        f.messages.put(f.uidNext++, new Msg("content " + op.sel() % 4, flagSet(op.flags())));
        f.modSeq++;
      }
      case SET_FLAGS -> {
        if (f == null) {
          return StoreException.NotFound.class;
        }
        Set<String> arg = flagSet(op.flags());
        boolean changed = false;
        for (long uid : pick(f, op.sel())) {
          Msg msg = f.messages.get(uid);
          if (msg == null) {
            continue;
          }
          Set<String> next = new TreeSet<>(msg.flags());
          switch (op.other() % 3) {
            case 0 -> next = new TreeSet<>(arg);
            case 1 -> next.addAll(arg);
            default -> next.removeAll(arg);
          }
          if (!next.equals(msg.flags())) {
            f.messages.put(uid, new Msg(msg.content(), next));
            changed = true;
          }
        }
        if (changed) {
          f.modSeq++;
        }
      }
      case EXPUNGE -> {
        if (f == null) {
          return StoreException.NotFound.class;
        }
        List<Long> scope =
            op.other() == 0 ? new ArrayList<>(f.messages.keySet()) : pick(f, op.sel());
        boolean any = false;
        for (long uid : scope) {
          Msg msg = f.messages.get(uid);
          if (msg != null && msg.flags().contains(Flags.DELETED)) {
            f.messages.remove(uid);
            any = true;
          }
        }
        if (any) {
          f.modSeq++;
        }
      }
      case COPY, MOVE -> {
        Folder to = m.get(FOLDERS.get(op.other()));
        if (f == null || to == null) {
          return StoreException.NotFound.class;
        }
        List<Long> picked =
            pick(f, op.sel()).stream().filter(f.messages::containsKey).sorted().toList();
        if (picked.isEmpty()) {
          return null;
        }
        List<Msg> moving = picked.stream().map(f.messages::get).toList();
        to.modSeq++;
        for (Msg msg : moving) {
          to.messages.put(to.uidNext++, msg);
        }
        if (op.kind() == Kind.MOVE) {
          picked.forEach(f.messages::remove);
          f.modSeq++;
        }
      }
      case CREATE -> {
        if (f != null) {
          return StoreException.AlreadyExists.class;
        }
        if (name.contains("/")) {
          m.computeIfAbsent(name.substring(0, name.indexOf('/')), k -> new Folder());
        }
        m.put(name, new Folder());
      }
      case DELETE -> {
        if (name.equals("INBOX")) {
          return StoreException.Invalid.class;
        }
        if (f == null) {
          return StoreException.NotFound.class;
        }
        m.remove(name);
      }
    }
    return null;
  }

  /** Runs {@code op} against the store, on the UIDs the model picked before it changed. */
  static void run(Mailbox box, Op op, List<Long> uids) {
    String name = FOLDERS.get(op.folder());
    switch (op.kind()) {
      case APPEND, APPEND2 ->
          box.append(
              name,
              new ByteArrayInputStream(("content " + op.sel() % 4).getBytes(UTF_8)),
              flagSet(op.flags()),
              null);
      case SET_FLAGS ->
          box.setFlags(name, uids, FlagOperation.values()[op.other() % 3], flagSet(op.flags()));
      case EXPUNGE -> box.expunge(name, op.other() == 0 ? Optional.empty() : Optional.of(uids));
      case COPY -> box.copy(name, uids, FOLDERS.get(op.other()));
      case MOVE -> box.move(name, uids, FOLDERS.get(op.other()));
      case CREATE -> box.createFolder(name);
      case DELETE -> box.deleteFolder(name);
    }
  }

  static void compare(Mailbox box, Map<String, Folder> model, Set<Long> usedValidities) {
    assertThat(box.folders())
        .extracting(FolderInfo::name)
        .containsExactlyInAnyOrderElementsOf(model.keySet());
    for (FolderInfo info : box.folders()) {
      Folder f = model.get(info.name());
      if (f.uidValidity == 0) {
        assertThat(usedValidities.add(info.uidValidity())).as("fresh uidValidity").isTrue();
        f.uidValidity = info.uidValidity();
      }
      FolderSnapshot s = box.snapshot(info.name());
      assertThat(s.uidValidity()).isEqualTo(f.uidValidity);
      assertThat(s.uidNext()).as("uidNext of %s", info.name()).isEqualTo(f.uidNext);
      assertThat(s.highestModSeq()).as("modseq of %s", info.name()).isEqualTo(f.modSeq);
      assertThat(s.messages())
          .extracting(MessageInfo::uid)
          .containsExactlyElementsOf(f.messages.keySet());
      for (MessageInfo mi : s.messages()) {
        Msg msg = f.messages.get(mi.uid());
        assertThat(mi.flags()).as("flags of %s %d", info.name(), mi.uid()).isEqualTo(msg.flags());
        assertThat(mi.modSeq()).isLessThanOrEqualTo(s.highestModSeq());
        assertThat(new String(box.read(info.name(), mi.uid()), UTF_8)).isEqualTo(msg.content());
      }
      FolderStatus st = box.status(info.name());
      assertThat(st.messages()).isEqualTo(f.messages.size());
      assertThat(st.unseen())
          .isEqualTo(
              f.messages.values().stream().filter(x -> !x.flags().contains(Flags.SEEN)).count());
    }
  }
}
