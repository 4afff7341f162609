package org.carbonio.store.internal.jdbc;

import static org.carbonio.store.StoreException.quote;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.carbonio.store.AppendResult;
import org.carbonio.store.BlobId;
import org.carbonio.store.CopyResult;
import org.carbonio.store.FlagOperation;
import org.carbonio.store.Flags;
import org.carbonio.store.FolderChanges;
import org.carbonio.store.FolderInfo;
import org.carbonio.store.FolderSnapshot;
import org.carbonio.store.FolderStatus;
import org.carbonio.store.FolderUids;
import org.carbonio.store.MessageInfo;
import org.carbonio.store.MessageSummary;
import org.carbonio.store.SpecialUse;
import org.carbonio.store.StoreException;
import org.carbonio.store.UidList;
import org.carbonio.store.internal.FlagSet;
import org.carbonio.store.internal.FolderNames;
import org.carbonio.store.internal.meta.MetadataStore;

/**
 * The metadata schema in SQL, shared by the embedded (SQLite) and PostgreSQL backends: every
 * statement the store runs, in portable SQL. How connections, transactions and locking work is the
 * {@link Transactor}'s business.
 *
 * <p>Thread-safe.
 */
public final class JdbcMetadataStore implements MetadataStore {
  private static final long MAX_UID = 0xFFFF_FFFFL;
  private static final String MSG_COLUMNS =
      "uid, system_flags, keywords, internal_date, size, modseq, blob_id";

  private final Transactor tx;

  /** Runs every statement through {@code tx}, which owns the connections. */
  public JdbcMetadataStore(Transactor tx) {
    this.tx = tx;
  }

  /** Collects what a write did, for its {@link Outcome}. */
  private static final class Effects {
    final Set<Long> changed = new HashSet<>();
    final Set<Long> deleted = new HashSet<>();
    final Set<BlobId> released = new HashSet<>();

    <T> Outcome<T> outcome(T value) {
      return new Outcome<>(value, changed, deleted, released);
    }
  }

  private <T> T write(String account, Work<T> work) {
    return tx.write(List.of(account), work);
  }

  private <T> T write(List<String> accounts, Work<T> work) {
    return tx.write(accounts, work);
  }

  private <T> T read(Work<T> work) {
    return tx.read(work);
  }

  @Override
  public void close() {
    tx.close();
  }

  // ---------------------------------------------------------------- rows

  private record Folder(
      long id,
      String name,
      long uidValidity,
      long uidNext,
      long highestModSeq,
      boolean subscribed,
      String role) {
    FolderInfo info() {
      return new FolderInfo(
          name,
          uidValidity,
          subscribed,
          role == null ? Optional.empty() : Optional.of(SpecialUse.valueOf(role)));
    }
  }

  private static final String FOLDER_COLUMNS =
      "id, name, uidvalidity, uidnext, highest_modseq, subscribed, role";

  private static Folder folderRow(ResultSet rs) throws SQLException {
    return new Folder(
        rs.getLong(1),
        rs.getString(2),
        rs.getLong(3),
        rs.getLong(4),
        rs.getLong(5),
        rs.getInt(6) != 0,
        rs.getString(7));
  }

  private static Optional<Folder> findFolder(Connection c, String account, String name)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + FOLDER_COLUMNS + " FROM folders WHERE account_id = ? AND name = ?")) {
      ps.setString(1, account);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(folderRow(rs)) : Optional.empty();
      }
    }
  }

  private static Folder folder(Connection c, String account, String name) throws SQLException {
    return findFolder(c, account, name)
        .orElseThrow(() -> new StoreException.NotFound("no folder " + quote(name)));
  }

  private static List<Folder> allFolders(Connection c, String account) throws SQLException {
    List<Folder> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + FOLDER_COLUMNS
                + " FROM folders WHERE account_id = ? ORDER BY name <> 'INBOX', name")) {
      ps.setString(1, account);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(folderRow(rs));
        }
      }
    }
    return out;
  }

  private static MessageInfo messageRow(ResultSet rs) throws SQLException {
    return new MessageInfo(
        rs.getLong(1),
        FlagSet.stored(rs.getInt(2), rs.getString(3)).toSet(),
        Instant.ofEpochMilli(rs.getLong(4)),
        rs.getLong(5),
        rs.getLong(6),
        new BlobId(rs.getString(7)));
  }

  private static boolean accountExists(Connection c, String account) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM accounts WHERE id = ?")) {
      ps.setString(1, account);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static void requireAccount(Connection c, String account) throws SQLException {
    if (!accountExists(c, account)) {
      throw new StoreException.NotFound("no account " + quote(account));
    }
  }

  // ---------------------------------------------------------------- counters

  /** A fresh UIDVALIDITY: seconds since the epoch, or one more than the last one handed out. */
  private static long nextUidValidity(Connection c) throws SQLException {
    long last;
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT value FROM store_state WHERE name = 'last_uidvalidity'")) {
      last = rs.next() ? rs.getLong(1) : 0;
    }
    long next = Math.max(System.currentTimeMillis() / 1000, last + 1);
    if (next > MAX_UID) {
      throw new StoreException.Unavailable("UIDVALIDITY space exhausted", null);
    }
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE store_state SET value = ? WHERE name = 'last_uidvalidity'")) {
      ps.setLong(1, next);
      ps.executeUpdate();
    }
    return next;
  }

  /** Raises the folder's HIGHESTMODSEQ by one and returns the new value. */
  private static long bumpModSeq(Connection c, long folderId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE folders SET highest_modseq = highest_modseq + 1 WHERE id = ?")) {
      ps.setLong(1, folderId);
      ps.executeUpdate();
    }
    return single(c, "SELECT highest_modseq FROM folders WHERE id = ?", folderId);
  }

  /** Reserves {@code n} UIDs and returns the first. */
  private static long allocateUids(Connection c, long folderId, int n) throws SQLException {
    long first = single(c, "SELECT uidnext FROM folders WHERE id = ?", folderId);
    if (first + n - 1 > MAX_UID) {
      // RFC 9051 §2.3.1.1: UIDs are 32-bit; the folder needs a new UIDVALIDITY (not automatic).
      throw new StoreException.Unavailable("UID space of the folder exhausted", null);
    }
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE folders SET uidnext = uidnext + ? WHERE id = ?")) {
      ps.setInt(1, n);
      ps.setLong(2, folderId);
      ps.executeUpdate();
    }
    return first;
  }

  private static long single(Connection c, String sql, long arg) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, arg);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("no row for " + sql);
        }
        return rs.getLong(1);
      }
    }
  }

  private static void addRefs(Connection c, BlobId blob, long size, int n) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO blobs (id, size, refcount) VALUES (?, ?, ?)"
                + " ON CONFLICT (id) DO UPDATE SET refcount = refcount + excluded.refcount")) {
      ps.setString(1, blob.sha256());
      ps.setLong(2, size);
      ps.setInt(3, n);
      ps.executeUpdate();
    }
  }

  private static void releaseRefs(Connection c, Map<BlobId, Integer> counts, Effects fx)
      throws SQLException {
    try (PreparedStatement dec =
            c.prepareStatement("UPDATE blobs SET refcount = refcount - ? WHERE id = ?");
        PreparedStatement del =
            c.prepareStatement("DELETE FROM blobs WHERE id = ? AND refcount <= 0")) {
      for (var e : counts.entrySet()) {
        dec.setInt(1, e.getValue());
        dec.setString(2, e.getKey().sha256());
        dec.executeUpdate();
        del.setString(1, e.getKey().sha256());
        if (del.executeUpdate() > 0) {
          fx.released.add(e.getKey());
        }
      }
    }
  }

  private static Folder insertFolder(
      Connection c, String account, String name, boolean subscribed, long uidNext)
      throws SQLException {
    long uidValidity = nextUidValidity(c);
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO folders (account_id, name, uidvalidity, uidnext, highest_modseq,"
                + " subscribed, role) VALUES (?, ?, ?, ?, 1, ?, NULL)")) {
      ps.setString(1, account);
      ps.setString(2, name);
      ps.setLong(3, uidValidity);
      ps.setLong(4, uidNext);
      ps.setInt(5, subscribed ? 1 : 0);
      ps.executeUpdate();
    }
    return folder(c, account, name);
  }

  /** Creates missing parents of {@code name}. */
  private static void createParents(Connection c, String account, String name) throws SQLException {
    for (String parent : FolderNames.parents(name)) {
      if (findFolder(c, account, parent).isEmpty()) {
        insertFolder(c, account, parent, false, 1);
      }
    }
  }

  /** Deletes every message of a folder and its expunge log, releasing blob references. */
  private static void purgeFolder(Connection c, long folderId, Effects fx) throws SQLException {
    Map<BlobId, Integer> counts = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT blob_id, COUNT(*) FROM messages WHERE folder_id = ? GROUP BY blob_id")) {
      ps.setLong(1, folderId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counts.put(new BlobId(rs.getString(1)), rs.getInt(2));
        }
      }
    }
    for (String sql :
        List.of(
            "DELETE FROM messages WHERE folder_id = ?",
            "DELETE FROM expunged WHERE folder_id = ?",
            "DELETE FROM folders WHERE id = ?")) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setLong(1, folderId);
        ps.executeUpdate();
      }
    }
    releaseRefs(c, counts, fx);
    fx.deleted.add(folderId);
  }

  // ---------------------------------------------------------------- accounts and folders

  @Override
  public boolean accountExists(String account) {
    return read(c -> accountExists(c, account));
  }

  @Override
  public Outcome<Void> createAccount(String account) {
    return write(
        account,
        c -> {
          Effects fx = new Effects();
          if (!accountExists(c, account)) {
            try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO accounts (id, created_at) VALUES (?, ?)")) {
              ps.setString(1, account);
              ps.setLong(2, System.currentTimeMillis());
              ps.executeUpdate();
            }
            insertFolder(c, account, FolderNames.INBOX, true, 1);
          }
          return fx.outcome(null);
        });
  }

  @Override
  public Outcome<Void> deleteAccount(String account) {
    return write(
        account,
        c -> {
          requireAccount(c, account);
          Effects fx = new Effects();
          for (Folder f : allFolders(c, account)) {
            purgeFolder(c, f.id(), fx);
          }
          try (PreparedStatement ps = c.prepareStatement("DELETE FROM accounts WHERE id = ?")) {
            ps.setString(1, account);
            ps.executeUpdate();
          }
          return fx.outcome(null);
        });
  }

  @Override
  public List<FolderInfo> folders(String account) {
    return read(
        c -> {
          requireAccount(c, account);
          return allFolders(c, account).stream().map(Folder::info).toList();
        });
  }

  @Override
  public long folderId(String account, String name) {
    return read(c -> folder(c, account, name).id());
  }

  @Override
  public Outcome<FolderInfo> createFolder(String account, String name) {
    return write(
        account,
        c -> {
          requireAccount(c, account);
          if (findFolder(c, account, name).isPresent()) {
            throw new StoreException.AlreadyExists("folder exists: " + quote(name));
          }
          createParents(c, account, name);
          return new Effects().outcome(insertFolder(c, account, name, false, 1).info());
        });
  }

  @Override
  public Outcome<Void> deleteFolder(String account, String name) {
    if (name.equals(FolderNames.INBOX)) {
      throw new StoreException.Invalid("INBOX cannot be deleted");
    }
    return write(
        account,
        c -> {
          Effects fx = new Effects();
          purgeFolder(c, folder(c, account, name).id(), fx);
          return fx.outcome(null);
        });
  }

  @Override
  public Outcome<Void> renameFolder(String account, String from, String to) {
    if (to.equals(FolderNames.INBOX)) {
      throw new StoreException.AlreadyExists("folder exists: \"INBOX\"");
    }
    if (to.equals(from) || to.startsWith(from + "/")) {
      throw new StoreException.Invalid(
          "cannot rename " + quote(from) + " to itself or inside itself: " + quote(to));
    }
    return write(
        account,
        c -> {
          Effects fx = new Effects();
          Folder source = folder(c, account, from);
          if (from.equals(FolderNames.INBOX)) {
            renameInbox(c, account, source, to, fx);
            return fx.outcome(null);
          }
          List<Folder> moving = new ArrayList<>();
          Set<String> others = new HashSet<>();
          for (Folder f : allFolders(c, account)) {
            if (f.name().equals(from) || f.name().startsWith(from + "/")) {
              moving.add(f);
            } else {
              others.add(f.name());
            }
          }
          Map<Long, String> newNames = new LinkedHashMap<>();
          for (Folder f : moving) {
            String n = to + f.name().substring(from.length());
            if (others.contains(n)) {
              throw new StoreException.AlreadyExists("folder exists: " + quote(n));
            }
            newNames.put(f.id(), n);
          }
          // Two steps, so that no intermediate state breaks UNIQUE (account_id, name); the
          // temporary names hold a control character, which valid names never do.
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE folders SET name = ? WHERE id = ?")) {
            for (long id : newNames.keySet()) {
              ps.setString(1, "\u0000rename-" + id);
              ps.setLong(2, id);
              ps.executeUpdate();
            }
            for (var e : newNames.entrySet()) {
              ps.setString(1, e.getValue());
              ps.setLong(2, e.getKey());
              ps.executeUpdate();
            }
          }
          createParents(c, account, to);
          fx.changed.addAll(newNames.keySet());
          return fx.outcome(null);
        });
  }

  /**
   * RFC 9051 §6.3.6: renaming INBOX moves all its messages to a new folder and leaves INBOX empty;
   * INBOX's children stay where they are. The messages keep their UIDs (the target is new, with its
   * own UIDVALIDITY); INBOX logs them as expunged.
   */
  private static void renameInbox(Connection c, String account, Folder inbox, String to, Effects fx)
      throws SQLException {
    if (findFolder(c, account, to).isPresent()) {
      throw new StoreException.AlreadyExists("folder exists: " + quote(to));
    }
    createParents(c, account, to);
    Folder target = insertFolder(c, account, to, inbox.subscribed(), inbox.uidNext());
    long targetModSeq = bumpModSeq(c, target.id());
    long inboxModSeq = bumpModSeq(c, inbox.id());
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO expunged (folder_id, uid, modseq)"
                + " SELECT folder_id, uid, ? FROM messages WHERE folder_id = ?")) {
      ps.setLong(1, inboxModSeq);
      ps.setLong(2, inbox.id());
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE messages SET folder_id = ?, modseq = ? WHERE folder_id = ?")) {
      ps.setLong(1, target.id());
      ps.setLong(2, targetModSeq);
      ps.setLong(3, inbox.id());
      ps.executeUpdate();
    }
    fx.changed.add(inbox.id());
  }

  @Override
  public Outcome<Void> setSubscribed(String account, String name, boolean subscribed) {
    return write(
        account,
        c -> {
          Folder f = folder(c, account, name);
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE folders SET subscribed = ? WHERE id = ?")) {
            ps.setInt(1, subscribed ? 1 : 0);
            ps.setLong(2, f.id());
            ps.executeUpdate();
          }
          return new Effects().outcome(null);
        });
  }

  @Override
  public Outcome<Void> setRole(String account, String name, Optional<SpecialUse> role) {
    return write(
        account,
        c -> {
          Folder f = folder(c, account, name);
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE folders SET role = ? WHERE id = ?")) {
            ps.setString(1, role.map(SpecialUse::name).orElse(null));
            ps.setLong(2, f.id());
            ps.executeUpdate();
          }
          return new Effects().outcome(null);
        });
  }

  @Override
  public FolderStatus status(String account, String name) {
    return read(
        c -> {
          Folder f = folder(c, account, name);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT COUNT(*), COALESCE(SUM(size), 0),"
                      + " COALESCE(SUM(CASE WHEN system_flags & "
                      + FlagSet.SEEN
                      + " = 0 THEN 1 ELSE 0 END), 0) FROM messages WHERE folder_id = ?")) {
            ps.setLong(1, f.id());
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return new FolderStatus(
                  rs.getLong(1),
                  rs.getLong(3),
                  0,
                  f.uidNext(),
                  f.uidValidity(),
                  f.highestModSeq(),
                  rs.getLong(2));
            }
          }
        });
  }

  // ---------------------------------------------------------------- messages

  @Override
  public Outcome<AppendResult> append(
      String account, String name, BlobId blob, long size, FlagSet flags, Instant internalDate) {
    Outcome<List<AppendResult>> all =
        deliver(List.of(account), name, blob, size, flags, internalDate);
    return new Outcome<>(
        all.value().getFirst(), all.changedFolders(), all.deletedFolders(), all.releasedBlobs());
  }

  @Override
  public Outcome<List<AppendResult>> deliver(
      List<String> accounts,
      String name,
      BlobId blob,
      long size,
      FlagSet flags,
      Instant internalDate) {
    return write(
        accounts,
        c -> {
          Effects fx = new Effects();
          List<AppendResult> results = new ArrayList<>(accounts.size());
          for (String account : accounts) {
            Folder f = folder(c, account, name);
            long uid = allocateUids(c, f.id(), 1);
            long modSeq = bumpModSeq(c, f.id());
            addRefs(c, blob, size, 1);
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO messages (folder_id, uid, blob_id, size, internal_date,"
                        + " system_flags, keywords, modseq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
              ps.setLong(1, f.id());
              ps.setLong(2, uid);
              ps.setString(3, blob.sha256());
              ps.setLong(4, size);
              ps.setLong(5, internalDate.toEpochMilli());
              ps.setInt(6, flags.system());
              ps.setString(7, flags.keywordText());
              ps.setLong(8, modSeq);
              ps.executeUpdate();
            }
            fx.changed.add(f.id());
            results.add(new AppendResult(f.uidValidity(), uid));
          }
          return fx.outcome(List.copyOf(results));
        });
  }

  private static List<MessageInfo> messages(Connection c, String where, long folderId, long arg)
      throws SQLException {
    List<MessageInfo> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + MSG_COLUMNS
                + " FROM messages WHERE folder_id = ? "
                + where
                + " ORDER BY uid")) {
      ps.setLong(1, folderId);
      if (!where.isEmpty()) {
        ps.setLong(2, arg);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(messageRow(rs));
        }
      }
    }
    return out;
  }

  @Override
  public FolderSnapshot snapshot(String account, String name) {
    return read(
        c -> {
          Folder f = folder(c, account, name);
          return new FolderSnapshot(
              f.uidValidity(), f.uidNext(), f.highestModSeq(), messages(c, "", f.id(), 0));
        });
  }

  @Override
  public FolderChanges changesSince(String account, String name, long modSeq) {
    return read(
        c -> {
          Folder f = folder(c, account, name);
          List<MessageInfo> changed = messages(c, "AND modseq > ?", f.id(), modSeq);
          List<Long> expunged = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT uid FROM expunged WHERE folder_id = ? AND modseq > ? ORDER BY uid")) {
            ps.setLong(1, f.id());
            ps.setLong(2, modSeq);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                expunged.add(rs.getLong(1));
              }
            }
          }
          return new FolderChanges(f.uidValidity(), f.highestModSeq(), changed, expunged);
        });
  }

  @Override
  public BlobId blobOf(String account, String name, long uid) {
    return read(
        c -> {
          Folder f = folder(c, account, name);
          try (PreparedStatement ps =
              c.prepareStatement("SELECT blob_id FROM messages WHERE folder_id = ? AND uid = ?")) {
            ps.setLong(1, f.id());
            ps.setLong(2, uid);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw new StoreException.NotFound("no message " + uid + " in " + quote(name));
              }
              return new BlobId(rs.getString(1));
            }
          }
        });
  }

  /** The existing messages among {@code uids}, ascending. */
  private static List<MessageInfo> select(Connection c, long folderId, Collection<Long> uids)
      throws SQLException {
    List<MessageInfo> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + MSG_COLUMNS + " FROM messages WHERE folder_id = ? AND uid = ?")) {
      ps.setLong(1, folderId);
      for (long uid : new TreeSet<>(uids)) {
        ps.setLong(2, uid);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            out.add(messageRow(rs));
          }
        }
      }
    }
    return out;
  }

  @Override
  public Outcome<List<MessageInfo>> setFlags(
      String account, String name, Collection<Long> uids, FlagOperation op, FlagSet flags) {
    return write(
        account,
        c -> {
          Effects fx = new Effects();
          Folder f = folder(c, account, name);
          List<MessageInfo> result = new ArrayList<>();
          long modSeq = 0;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE messages SET system_flags = ?, keywords = ?, modseq = ?"
                      + " WHERE folder_id = ? AND uid = ?")) {
            for (MessageInfo m : select(c, f.id(), uids)) {
              FlagSet current = FlagSet.of(m.flags());
              FlagSet next = current.apply(op, flags);
              if (next.equals(current)) {
                result.add(m);
                continue;
              }
              if (modSeq == 0) {
                modSeq = bumpModSeq(c, f.id()); // RFC 7162 §3.1.3: one per change, shared
              }
              ps.setInt(1, next.system());
              ps.setString(2, next.keywordText());
              ps.setLong(3, modSeq);
              ps.setLong(4, f.id());
              ps.setLong(5, m.uid());
              ps.executeUpdate();
              result.add(
                  new MessageInfo(
                      m.uid(), next.toSet(), m.internalDate(), m.size(), modSeq, m.blobId()));
            }
          }
          if (modSeq != 0) {
            fx.changed.add(f.id());
          }
          return fx.outcome(List.copyOf(result));
        });
  }

  /** Deletes messages, logs them as expunged with a new mod-sequence, releases their blobs. */
  private static void remove(Connection c, long folderId, List<MessageInfo> gone, Effects fx)
      throws SQLException {
    if (gone.isEmpty()) {
      return;
    }
    long modSeq = bumpModSeq(c, folderId);
    Map<BlobId, Integer> counts = new HashMap<>();
    try (PreparedStatement del =
            c.prepareStatement("DELETE FROM messages WHERE folder_id = ? AND uid = ?");
        PreparedStatement log =
            c.prepareStatement("INSERT INTO expunged (folder_id, uid, modseq) VALUES (?, ?, ?)")) {
      for (MessageInfo m : gone) {
        del.setLong(1, folderId);
        del.setLong(2, m.uid());
        del.executeUpdate();
        log.setLong(1, folderId);
        log.setLong(2, m.uid());
        log.setLong(3, modSeq);
        log.executeUpdate();
        counts.merge(m.blobId(), 1, Integer::sum);
      }
    }
    releaseRefs(c, counts, fx);
    fx.changed.add(folderId);
  }

  @Override
  public Outcome<List<Long>> expunge(String account, String name, Optional<Collection<Long>> uids) {
    return write(
        account,
        c -> {
          Effects fx = new Effects();
          Folder f = folder(c, account, name);
          List<MessageInfo> candidates =
              uids.isPresent()
                  ? select(c, f.id(), uids.get())
                  : messages(c, "AND (system_flags & " + FlagSet.DELETED + ") <> ?", f.id(), 0);
          List<MessageInfo> gone =
              candidates.stream().filter(m -> m.flags().contains(Flags.DELETED)).toList();
          remove(c, f.id(), gone, fx);
          return fx.outcome(gone.stream().map(MessageInfo::uid).toList());
        });
  }

  @Override
  public Outcome<CopyResult> copy(
      String account, String from, Collection<Long> uids, String to, boolean move) {
    return write(
        account,
        c -> {
          Effects fx = new Effects();
          Folder source = folder(c, account, from);
          Folder target = folder(c, account, to);
          List<MessageInfo> picked = select(c, source.id(), uids);
          if (picked.isEmpty()) {
            return fx.outcome(new CopyResult(target.uidValidity(), List.of(), List.of()));
          }
          long first = allocateUids(c, target.id(), picked.size());
          long modSeq = bumpModSeq(c, target.id());
          List<Long> sourceUids = new ArrayList<>();
          List<Long> targetUids = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO messages (folder_id, uid, blob_id, size, internal_date,"
                      + " system_flags, keywords, modseq) SELECT ?, ?, blob_id, size,"
                      + " internal_date, system_flags, keywords, ? FROM messages"
                      + " WHERE folder_id = ? AND uid = ?")) {
            long uid = first;
            for (MessageInfo m : picked) {
              ps.setLong(1, target.id());
              ps.setLong(2, uid);
              ps.setLong(3, modSeq);
              ps.setLong(4, source.id());
              ps.setLong(5, m.uid());
              ps.executeUpdate();
              addRefs(c, m.blobId(), m.size(), 1);
              sourceUids.add(m.uid());
              targetUids.add(uid);
              uid++;
            }
          }
          fx.changed.add(target.id());
          if (move) {
            remove(c, source.id(), picked, fx);
          }
          return fx.outcome(new CopyResult(target.uidValidity(), sourceUids, targetUids));
        });
  }

  @Override
  public boolean blobReferenced(BlobId blob) {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT refcount FROM blobs WHERE id = ?")) {
            ps.setString(1, blob.sha256());
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() && rs.getLong(1) > 0;
            }
          }
        });
  }

  // ---------------------------------------------------------------- large folders (IMAP SELECT)

  @Override
  public FolderUids uids(String account, String name) {
    return read(
        c -> {
          Folder f = folder(c, account, name);
          UidList.Builder uids = new UidList.Builder(1024);
          try (PreparedStatement ps =
              c.prepareStatement("SELECT uid FROM messages WHERE folder_id = ? ORDER BY uid")) {
            ps.setLong(1, f.id());
            ps.setFetchSize(MESSAGES_FETCH);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                uids.add(rs.getLong(1));
              }
            }
          }
          // Two more index-friendly statements, measured faster at 10^5..10^6 messages than one
          // pass that reads every row or groups by keywords.
          long unseen;
          long firstUnseen;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT COUNT(*), MIN(uid) FROM messages WHERE folder_id = ?"
                      + " AND (system_flags & "
                      + FlagSet.SEEN
                      + ") = 0")) {
            ps.setLong(1, f.id());
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              unseen = rs.getLong(1);
              firstUnseen = rs.getLong(2); // NULL (no unseen message) reads as 0
            }
          }
          Set<String> keywords = new TreeSet<>();
          try (PreparedStatement ps =
              c.prepareStatement("SELECT DISTINCT keywords FROM messages WHERE folder_id = ?")) {
            ps.setLong(1, f.id());
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                keywords.addAll(FlagSet.stored(0, rs.getString(1)).keywords());
              }
            }
          }
          return new FolderUids(
              f.uidValidity(),
              f.uidNext(),
              f.highestModSeq(),
              unseen,
              firstUnseen,
              keywords,
              uids.build());
        });
  }

  private static final int MESSAGES_FETCH = 1000;

  @Override
  public List<MessageSummary> messagesInRange(
      String account, String name, long fromUid, long toUid, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit " + limit);
    }
    return read(
        c -> {
          Folder f = folder(c, account, name);
          List<MessageSummary> out = new ArrayList<>(Math.min(limit, MESSAGES_FETCH));
          // Flag sets repeat: parse each distinct (system_flags, keywords) once per chunk.
          Map<String, Set<String>> flagSets = new HashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT uid, system_flags, keywords, internal_date, size, modseq"
                      + " FROM messages WHERE folder_id = ? AND uid >= ? AND uid <= ?"
                      + " ORDER BY uid LIMIT ?")) {
            ps.setLong(1, f.id());
            ps.setLong(2, fromUid);
            ps.setLong(3, toUid);
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                int system = rs.getInt(2);
                String keywords = rs.getString(3);
                Set<String> flags =
                    flagSets.computeIfAbsent(
                        system + " " + keywords,
                        k -> Set.copyOf(FlagSet.stored(system, keywords).toSet()));
                out.add(
                    new MessageSummary(
                        rs.getLong(1),
                        flags,
                        Instant.ofEpochMilli(rs.getLong(4)),
                        rs.getLong(5),
                        rs.getLong(6)));
              }
            }
          }
          return out;
        });
  }

  @Override
  public Outcome<List<AppendResult>> importMessages(
      String account, String name, List<ImportRow> rows) {
    return write(
        account,
        c -> {
          Effects fx = new Effects();
          Folder f = folder(c, account, name);
          if (rows.isEmpty()) {
            return fx.outcome(List.<AppendResult>of());
          }
          long uid = allocateUids(c, f.id(), rows.size());
          long modSeq = bumpModSeq(c, f.id());
          Map<BlobId, Integer> refs = new LinkedHashMap<>();
          Map<BlobId, Long> sizes = new HashMap<>();
          for (ImportRow r : rows) {
            refs.merge(r.blob(), 1, Integer::sum);
            sizes.put(r.blob(), r.size());
          }
          for (var e : refs.entrySet()) {
            addRefs(c, e.getKey(), sizes.get(e.getKey()), e.getValue());
          }
          List<AppendResult> results = new ArrayList<>(rows.size());
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO messages (folder_id, uid, blob_id, size, internal_date,"
                      + " system_flags, keywords, modseq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (ImportRow r : rows) {
              ps.setLong(1, f.id());
              ps.setLong(2, uid);
              ps.setString(3, r.blob().sha256());
              ps.setLong(4, r.size());
              ps.setLong(5, r.internalDate().toEpochMilli());
              ps.setInt(6, r.flags().system());
              ps.setString(7, r.flags().keywordText());
              ps.setLong(8, modSeq);
              ps.addBatch();
              results.add(new AppendResult(f.uidValidity(), uid));
              uid++;
            }
            ps.executeBatch();
          }
          fx.changed.add(f.id());
          return fx.outcome(List.copyOf(results));
        });
  }
}
