package org.carbonio.store.internal.jdbc;

import static org.carbonio.store.StoreException.quote;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.carbonio.store.AppendResult;
import org.carbonio.store.BlobId;
import org.carbonio.store.CheckFinding;
import org.carbonio.store.ConditionalFlags;
import org.carbonio.store.CopyResult;
import org.carbonio.store.FlagOperation;
import org.carbonio.store.Flags;
import org.carbonio.store.FolderChanges;
import org.carbonio.store.FolderInfo;
import org.carbonio.store.FolderKind;
import org.carbonio.store.FolderSnapshot;
import org.carbonio.store.FolderStatus;
import org.carbonio.store.FolderUids;
import org.carbonio.store.Grantee;
import org.carbonio.store.MessageInfo;
import org.carbonio.store.MessageRef;
import org.carbonio.store.MessageSummary;
import org.carbonio.store.QuotaUsage;
import org.carbonio.store.Right;
import org.carbonio.store.SharedFolder;
import org.carbonio.store.SpecialUse;
import org.carbonio.store.StoreException;
import org.carbonio.store.Tag;
import org.carbonio.store.UidList;
import org.carbonio.store.internal.FlagSet;
import org.carbonio.store.internal.FolderNames;
import org.carbonio.store.spi.BlobGoneException;
import org.carbonio.store.spi.BlobStore;
import org.carbonio.store.spi.CheckRows;
import org.carbonio.store.spi.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metadata schema in SQL, shared by the embedded (SQLite) and PostgreSQL backends: every
 * statement the store runs, in portable SQL. How connections, transactions and locking work is the
 * {@link Transactor}'s business.
 *
 * <p>Thread-safe.
 */
public final class JdbcMetadataStore implements MetadataStore {
  private static final Logger log = LoggerFactory.getLogger(JdbcMetadataStore.class);
  private static final long MAX_UID = 0xFFFF_FFFFL;
  private static final String MSG_COLUMNS =
      "uid, system_flags, keywords, internal_date, size, modseq, blob_id, conversation_id,"
          + " save_date";

  private final Transactor tx;
  private final BlobStore blobs;

  /**
   * Runs every statement through {@code tx}, which owns the connections; {@code blobs} is the blob
   * store whose blobs the rows count (garbage collection deletes from it).
   */
  public JdbcMetadataStore(Transactor tx, BlobStore blobs) {
    this.tx = tx;
    this.blobs = blobs;
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
    return write(List.of(account), work);
  }

  private <T> T write(List<String> accounts, Work<T> work) {
    return tx.write(accounts, published(work));
  }

  /** A write that survives kill -9 but may roll back on power loss: see {@link #setFlags}. */
  private <T> T writeUnsynced(String account, Work<T> work) {
    return tx.writeUnsynced(List.of(account), published(work));
  }

  private <T> Work<T> published(Work<T> work) {
    return c -> {
      T result = work.run(c);
      if (result instanceof Outcome<?> o) {
        tx.publish(c, o.changedFolders(), o.deletedFolders());
      }
      return result;
    };
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
      String role,
      String kind) {
    FolderInfo info() {
      return new FolderInfo(
          name,
          uidValidity,
          subscribed,
          role == null ? Optional.empty() : Optional.of(SpecialUse.valueOf(role)),
          FolderKind.valueOf(kind));
    }
  }

  private static final String FOLDER_COLUMNS =
      "id, name, uidvalidity, uidnext, highest_modseq, subscribed, role, kind";

  private static Folder folderRow(ResultSet rs) throws SQLException {
    return new Folder(
        rs.getLong(1),
        rs.getString(2),
        rs.getLong(3),
        rs.getLong(4),
        rs.getLong(5),
        rs.getInt(6) != 0,
        rs.getString(7),
        rs.getString(8));
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
        new BlobId(rs.getString(7)),
        rs.getLong(8),
        saveDate(rs, 9));
  }

  /** RFC 8514: a NULL save date (stored before version 4) is unknown. */
  private static Optional<Instant> saveDate(ResultSet rs, int column) throws SQLException {
    long millis = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
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
    // The row is shared by all accounts: lock it before reading, so that concurrent writers of
    // different accounts (PostgreSQL, READ COMMITTED) read one after the other.
    try (Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE store_state SET value = value WHERE name = 'last_uidvalidity'");
    }
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
    return insertFolder(c, account, name, subscribed, uidNext, FolderKind.MAIL);
  }

  private static Folder insertFolder(
      Connection c, String account, String name, boolean subscribed, long uidNext, FolderKind kind)
      throws SQLException {
    long uidValidity = nextUidValidity(c);
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO folders (account_id, name, uidvalidity, uidnext, highest_modseq,"
                + " subscribed, role, kind) VALUES (?, ?, ?, ?, 1, ?, NULL, ?)")) {
      ps.setString(1, account);
      ps.setString(2, name);
      ps.setLong(3, uidValidity);
      ps.setLong(4, uidNext);
      ps.setInt(5, subscribed ? 1 : 0);
      ps.setString(6, kind.name());
      ps.executeUpdate();
    }
    return folder(c, account, name);
  }

  /** Creates missing parents of {@code name}. */
  private static void createParents(Connection c, String account, String name) throws SQLException {
    createParents(c, account, name, FolderKind.MAIL);
  }

  /** Creates missing parents of {@code name}, of the given kind. */
  private static void createParents(Connection c, String account, String name, FolderKind kind)
      throws SQLException {
    for (String parent : FolderNames.parents(name)) {
      if (findFolder(c, account, parent).isEmpty()) {
        insertFolder(c, account, parent, false, 1, kind);
      }
    }
  }

  /** Deletes every message of a folder and its expunge log, releasing blob references. */
  private static void purgeFolder(Connection c, long folderId, Effects fx) throws SQLException {
    Set<Long> conversations = forgetFolder(c, folderId);
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
    dropEmptyConversations(c, conversations);
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
          forgetAccount(c, account);
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
    return createFolder(account, name, FolderKind.MAIL);
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
          // temporary names hold a control character, which valid names never do (not NUL:
          // PostgreSQL text cannot hold it).
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE folders SET name = ? WHERE id = ?")) {
            for (long id : newNames.keySet()) {
              ps.setString(1, "\u0001rename-" + id);
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
        c.prepareStatement(
            "UPDATE messages SET folder_id = ?, modseq = ?, save_date = ? WHERE folder_id = ?")) {
      ps.setLong(1, target.id());
      ps.setLong(2, targetModSeq);
      ps.setLong(3, System.currentTimeMillis()); // RFC 8514 §3: moved into the new folder
      ps.setLong(4, inbox.id());
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE thread_keys SET folder_id = ? WHERE folder_id = ?")) {
      ps.setLong(1, target.id());
      ps.setLong(2, inbox.id());
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
          if (role.isPresent() && !f.kind().equals(FolderKind.MAIL.name())) {
            throw new StoreException.Invalid(
                "special-use roles apply to mail folders only: " + quote(name));
          }
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
      String account,
      String name,
      BlobId blob,
      long size,
      Set<String> flags,
      Instant internalDate) {
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
      Set<String> flagNames,
      Instant internalDate) {
    return deliver(
        accounts,
        name,
        blob,
        size,
        flagNames,
        internalDate,
        ThreadRefs.NONE,
        Map.of(),
        Optional.empty());
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

  /** One read transaction: every FETCH of a body or header section reads this. */
  @Override
  public Content contentOf(String account, String name, long uid) {
    return read(
        c -> {
          Folder f = folder(c, account, name);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT m.blob_id, d.data FROM messages m LEFT JOIN blob_data d"
                      + " ON d.id = m.blob_id WHERE m.folder_id = ? AND m.uid = ?")) {
            ps.setLong(1, f.id());
            ps.setLong(2, uid);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw new StoreException.NotFound("no message " + uid + " in " + quote(name));
              }
              return new Content(new BlobId(rs.getString(1)), Optional.ofNullable(rs.getBytes(2)));
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
      String account, String name, Collection<Long> uids, FlagOperation op, Set<String> names) {
    Outcome<ConditionalFlags> o = setFlagsIfUnchanged(account, name, uids, op, names, -1);
    return new Outcome<>(
        o.value().updated(), o.changedFolders(), o.deletedFolders(), o.releasedBlobs());
  }

  /**
   * With {@code unchangedSince} < 0, unconditional. Flag changes are committed without waiting for
   * the disk ({@link Transactor#writeUnsynced}): they survive kill -9 at once and a power loss with
   * the next delivery's fsync, as Dovecot's {@code mail_fsync = optimized} treats them. They
   * release no blob, so a rolled-back change never leaves a message without its content.
   */
  @Override
  public Outcome<ConditionalFlags> setFlagsIfUnchanged(
      String account,
      String name,
      Collection<Long> uids,
      FlagOperation op,
      Set<String> names,
      long unchangedSince) {
    FlagSet flags = FlagSet.of(names);
    return writeUnsynced(
        account,
        c -> {
          Effects fx = new Effects();
          Folder f = folder(c, account, name);
          List<MessageInfo> result = new ArrayList<>();
          List<Long> modified = new ArrayList<>();
          long modSeq = 0;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE messages SET system_flags = ?, keywords = ?, modseq = ?"
                      + " WHERE folder_id = ? AND uid = ?")) {
            // RFC 7162 §3.1.3: tested and changed under the account's write lock, in one
            // transaction, so no other change can come between the test and the update
            for (MessageInfo m : select(c, f.id(), uids)) {
              if (unchangedSince >= 0 && m.modSeq() > unchangedSince) {
                modified.add(m.uid());
                continue;
              }
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
                      m.uid(),
                      next.toSet(),
                      m.internalDate(),
                      m.size(),
                      modSeq,
                      m.blobId(),
                      m.conversationId(),
                      m.saveDate()));
            }
          }
          if (modSeq != 0) {
            fx.changed.add(f.id());
          }
          return fx.outcome(new ConditionalFlags(result, modified));
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
    forget(c, folderId, gone);
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
    return copy(account, from, uids, to, move, OptionalLong.empty());
  }

  @Override
  public Set<BlobId> deleteUnreferenced(Collection<BlobId> candidates) {
    Set<BlobId> deleted = new HashSet<>();
    for (BlobId id : candidates) {
      try {
        boolean gone;
        if (tx.shared()) {
          gone = tx.write(List.of(), c -> collectLocked(c, id));
        } else {
          gone = !read(c -> referenced(c, id)) && delete(id); // under the caller's gate
        }
        if (gone) {
          deleted.add(id);
        }
      } catch (StoreException e) {
        log.warn("could not delete unreferenced blob {}; it stays as an orphan", id, e);
      }
    }
    return deleted;
  }

  /**
   * Collects one blob on a shared backend, holding its row lock from the check to the deletion: the
   * upsert locks the existing row, or inserts a placeholder row (count 0) that a concurrent
   * writer's upsert must wait for. A writer that gives the blob its first references upserts the
   * same row and then confirms the blob is stored ({@link #confirmStored}), so it either finished
   * before (and the count read here is positive) or runs after the deletion (and stores the blob
   * again on {@link BlobGoneException}). The commit may be asynchronous: losing it in a crash loses
   * only the placeholder row and its deletion.
   */
  private boolean collectLocked(Connection c, BlobId id) throws SQLException {
    tx.commitAsynchronously(c);
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO blobs (id, size, refcount) VALUES (?, 0, 0) ON CONFLICT (id)"
                + " DO UPDATE SET refcount = blobs.refcount RETURNING refcount")) {
      ps.setString(1, id.sha256());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getLong(1) > 0) {
          return false;
        }
      }
    }
    return dropRowAndBlob(c, id);
  }

  /** Deletes a blob's leftover row (count 0), then the blob. */
  private boolean dropRowAndBlob(Connection c, BlobId id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM blobs WHERE id = ? AND refcount <= 0")) {
      ps.setString(1, id.sha256());
      ps.executeUpdate();
    }
    return delete(id);
  }

  private boolean delete(BlobId id) {
    try {
      blobs.delete(id);
      return true;
    } catch (IOException e) {
      log.warn("could not delete unreferenced blob {}; it stays as an orphan", id, e);
      return false;
    }
  }

  private static boolean referenced(Connection c, BlobId blob) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT refcount FROM blobs WHERE id = ?")) {
      ps.setString(1, blob.sha256());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getLong(1) > 0;
      }
    }
  }

  // ---------------------------------------------------------------- data model (version 2)

  @Override
  public Outcome<FolderInfo> createFolder(String account, String name, FolderKind kind) {
    return write(
        account,
        c -> {
          requireAccount(c, account);
          if (findFolder(c, account, name).isPresent()) {
            throw new StoreException.AlreadyExists("folder exists: " + quote(name));
          }
          createParents(c, account, name, kind);
          return new Effects().outcome(insertFolder(c, account, name, false, 1, kind).info());
        });
  }

  @Override
  public Outcome<List<AppendResult>> deliver(
      List<String> accounts,
      String name,
      BlobId blob,
      long size,
      Set<String> flagNames,
      Instant internalDate,
      ThreadRefs thread,
      Map<String, OptionalLong> limits,
      Optional<byte[]> inlineContent) {
    FlagSet flags = FlagSet.of(flagNames);
    return write(
        accounts,
        c -> {
          Effects fx = new Effects();
          if (reference(c, blob, size, accounts.size())) {
            if (inlineContent.isPresent()) {
              storeInline(c, blob, inlineContent.get());
            } else if (tx.shared()) {
              confirmStored(c, Set.of(blob));
            }
          }
          List<AppendResult> results = new ArrayList<>(accounts.size());
          for (String account : accounts) {
            Folder f = folder(c, account, name);
            long uid = allocateUids(c, f.id(), 1);
            long modSeq = bumpModSeq(c, f.id());
            long conversation = conversationFor(c, account, thread);
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO messages (folder_id, uid, blob_id, size, internal_date,"
                        + " system_flags, keywords, modseq, conversation_id, save_date)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
              ps.setLong(1, f.id());
              ps.setLong(2, uid);
              ps.setString(3, blob.sha256());
              ps.setLong(4, size);
              ps.setLong(5, internalDate.toEpochMilli());
              ps.setInt(6, flags.system());
              ps.setString(7, flags.keywordText());
              ps.setLong(8, modSeq);
              ps.setLong(9, conversation);
              ps.setLong(10, System.currentTimeMillis()); // RFC 8514 §3
              ps.executeUpdate();
            }
            addThreadKeys(c, account, f.id(), uid, conversation, thread);
            charge(c, account, size, 1);
            checkQuota(c, account, size, limits.getOrDefault(account, OptionalLong.empty()));
            fx.changed.add(f.id());
            results.add(new AppendResult(f.uidValidity(), uid));
          }
          return fx.outcome(List.copyOf(results));
        });
  }

  @Override
  public Outcome<CopyResult> copy(
      String account,
      String from,
      Collection<Long> uids,
      String to,
      boolean move,
      OptionalLong limit) {
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
          long saved = System.currentTimeMillis();
          List<Long> sourceUids = new ArrayList<>();
          List<Long> targetUids = new ArrayList<>();
          long bytes = 0;
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO messages (folder_id, uid, blob_id, size, internal_date,"
                          + " system_flags, keywords, modseq, conversation_id, save_date)"
                          + " SELECT ?, ?, blob_id, size, internal_date, system_flags, keywords,"
                          + " ?, conversation_id, ? FROM messages WHERE folder_id = ? AND uid = ?");
              PreparedStatement keys =
                  c.prepareStatement(
                      "INSERT INTO thread_keys (account_id, msg_id, is_ref, subject_hash,"
                          + " folder_id, uid, conversation_id) SELECT account_id, msg_id,"
                          + " is_ref, subject_hash, ?, ?, conversation_id FROM thread_keys"
                          + " WHERE folder_id = ? AND uid = ?")) {
            long uid = first;
            for (MessageInfo m : picked) {
              ps.setLong(1, target.id());
              ps.setLong(2, uid);
              ps.setLong(3, modSeq);
              ps.setLong(4, saved); // RFC 8514 §3: COPY and MOVE set the save date
              ps.setLong(5, source.id());
              ps.setLong(6, m.uid());
              ps.executeUpdate();
              keys.setLong(1, target.id());
              keys.setLong(2, uid);
              keys.setLong(3, source.id());
              keys.setLong(4, m.uid());
              keys.executeUpdate();
              reference(c, m.blobId(), m.size(), 1); // the source holds one: never the first
              bytes += m.size();
              sourceUids.add(m.uid());
              targetUids.add(uid);
              uid++;
            }
          }
          charge(c, account, bytes, picked.size());
          fx.changed.add(target.id());
          if (move) {
            remove(c, source.id(), picked, fx); // gives the usage back
          } else {
            checkQuota(c, account, bytes, limit);
          }
          return fx.outcome(new CopyResult(target.uidValidity(), sourceUids, targetUids));
        });
  }

  // ------------------------------------------------ quota usage

  /** Adds to the account's usage (negative to subtract). */
  private static void charge(Connection c, String account, long bytes, long messages)
      throws SQLException {
    if (bytes == 0 && messages == 0) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE accounts SET used_bytes = used_bytes + ?, used_messages = used_messages + ?"
                + " WHERE id = ?")) {
      ps.setLong(1, bytes);
      ps.setLong(2, messages);
      ps.setString(3, account);
      ps.executeUpdate();
    }
  }

  /**
   * RFC 9208 §5: a write that added {@code added} octets fails (the caller's transaction rolls
   * back) when the usage is now above the limit. Writes that add nothing always pass, so an account
   * over its limit can still expunge and move.
   */
  private static void checkQuota(Connection c, String account, long added, OptionalLong limit)
      throws SQLException {
    if (added <= 0 || limit.isEmpty()) {
      return;
    }
    long used;
    try (PreparedStatement ps =
        c.prepareStatement("SELECT used_bytes FROM accounts WHERE id = ?")) {
      ps.setString(1, account);
      try (ResultSet rs = ps.executeQuery()) {
        used = rs.next() ? rs.getLong(1) : 0;
      }
    }
    if (used > limit.getAsLong()) {
      throw new StoreException.OverQuota(
          account,
          "over quota: "
              + quote(account)
              + " would use "
              + used
              + " of "
              + limit.getAsLong()
              + " bytes");
    }
  }

  @Override
  public QuotaUsage quota(String account) {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT used_bytes, used_messages FROM accounts WHERE id = ?")) {
            ps.setString(1, account);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                throw new StoreException.NotFound("no account " + quote(account));
              }
              return new QuotaUsage(rs.getLong(1), rs.getLong(2), OptionalLong.empty());
            }
          }
        });
  }

  // ------------------------------------------------ what removing messages and folders forgets

  private static String accountOf(Connection c, long folderId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT account_id FROM folders WHERE id = ?")) {
      ps.setLong(1, folderId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("no folder " + folderId);
        }
        return rs.getString(1);
      }
    }
  }

  /** After messages were deleted: usage, thread keys, conversations left empty. */
  private static void forget(Connection c, long folderId, List<MessageInfo> gone)
      throws SQLException {
    long bytes = 0;
    Set<Long> conversations = new HashSet<>();
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM thread_keys WHERE folder_id = ? AND uid = ?")) {
      for (MessageInfo m : gone) {
        bytes += m.size();
        conversations.add(m.conversationId());
        ps.setLong(1, folderId);
        ps.setLong(2, m.uid());
        ps.executeUpdate();
      }
    }
    charge(c, accountOf(c, folderId), -bytes, -gone.size());
    dropEmptyConversations(c, conversations);
  }

  /**
   * Before a folder and its messages are deleted: gives back their usage, deletes their thread keys
   * and the folder's grants; returns the conversations they were in.
   */
  private static Set<Long> forgetFolder(Connection c, long folderId) throws SQLException {
    long bytes;
    long count;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM messages WHERE folder_id = ?")) {
      ps.setLong(1, folderId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        count = rs.getLong(1);
        bytes = rs.getLong(2);
      }
    }
    charge(c, accountOf(c, folderId), -bytes, -count);
    Set<Long> conversations = new HashSet<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT DISTINCT conversation_id FROM messages WHERE folder_id = ?")) {
      ps.setLong(1, folderId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          conversations.add(rs.getLong(1));
        }
      }
    }
    for (String sql :
        List.of(
            "DELETE FROM thread_keys WHERE folder_id = ?",
            "DELETE FROM grants WHERE folder_id = ?",
            "DELETE FROM annotations WHERE folder_id = ?")) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setLong(1, folderId);
        ps.executeUpdate();
      }
    }
    return conversations;
  }

  /** Before an account row is deleted (its folders are gone): its tags, conversations, grants. */
  private static void forgetAccount(Connection c, String account) throws SQLException {
    for (String sql :
        List.of(
            "DELETE FROM tags WHERE account_id = ?",
            "DELETE FROM thread_keys WHERE account_id = ?",
            "DELETE FROM conversations WHERE account_id = ?",
            "DELETE FROM annotations WHERE account_id = ?",
            // a new account with the same id must not inherit what was shared with this one
            "DELETE FROM grants WHERE grantee_kind = 'USER' AND grantee_name = ?")) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, account);
        ps.executeUpdate();
      }
    }
  }

  private static void dropEmptyConversations(Connection c, Set<Long> conversations)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM conversations WHERE id = ?"
                + " AND NOT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ?)")) {
      for (long id : conversations) {
        ps.setLong(1, id);
        ps.setLong(2, id);
        ps.executeUpdate();
      }
    }
  }

  // ------------------------------------------------ conversations

  /**
   * The conversation a new message joins: that of an earlier copy of the same Message-ID; else that
   * of the nearest referenced message with the same base subject; else that of a message with the
   * same base subject that references this one; else a new one. Each step is one index lookup per
   * msg-id.
   */
  private static long conversationFor(Connection c, String account, ThreadRefs t)
      throws SQLException {
    if (t.messageId().isPresent()) {
      Optional<Long> same = lookup(c, account, t.messageId().get(), 0, null);
      if (same.isPresent()) {
        return same.get();
      }
    }
    for (int i = t.references().size() - 1; i >= 0; i--) {
      Optional<Long> parent = lookup(c, account, t.references().get(i), 0, t.subjectHash());
      if (parent.isPresent()) {
        return parent.get();
      }
    }
    if (t.messageId().isPresent()) {
      Optional<Long> child = lookup(c, account, t.messageId().get(), 1, t.subjectHash());
      if (child.isPresent()) {
        return child.get();
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO conversations (account_id) VALUES (?) RETURNING id")) {
      ps.setString(1, account);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static Optional<Long> lookup(
      Connection c, String account, String msgId, int isRef, Long subjectHash) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT conversation_id FROM thread_keys WHERE account_id = ? AND msg_id = ?"
                + " AND is_ref = ?"
                + (subjectHash == null ? "" : " AND subject_hash = ?")
                + " LIMIT 1")) {
      ps.setString(1, account);
      ps.setString(2, msgId);
      ps.setInt(3, isRef);
      if (subjectHash != null) {
        ps.setLong(4, subjectHash);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  private static void addThreadKeys(
      Connection c, String account, long folderId, long uid, long conversation, ThreadRefs t)
      throws SQLException {
    if (t.messageId().isEmpty() && t.references().isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO thread_keys (account_id, msg_id, is_ref, subject_hash, folder_id, uid,"
                + " conversation_id) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, account);
      ps.setLong(4, t.subjectHash());
      ps.setLong(5, folderId);
      ps.setLong(6, uid);
      ps.setLong(7, conversation);
      if (t.messageId().isPresent()) {
        ps.setString(2, t.messageId().get());
        ps.setInt(3, 0);
        ps.executeUpdate();
      }
      for (String ref : new LinkedHashSet<>(t.references())) {
        ps.setString(2, ref);
        ps.setInt(3, 1);
        ps.executeUpdate();
      }
    }
  }

  @Override
  public List<MessageRef> conversation(String account, long conversationId) {
    return read(
        c -> {
          requireAccount(c, account);
          List<MessageRef> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT f.name, m.uid FROM messages m JOIN folders f ON f.id = m.folder_id"
                      + " WHERE m.conversation_id = ? AND f.account_id = ?"
                      + " ORDER BY m.internal_date, f.name, m.uid")) {
            ps.setLong(1, conversationId);
            ps.setString(2, account);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(new MessageRef(rs.getString(1), rs.getLong(2)));
              }
            }
          }
          return List.copyOf(out);
        });
  }

  // ------------------------------------------------ tags

  @Override
  public List<Tag> tags(String account) {
    return read(
        c -> {
          requireAccount(c, account);
          List<Tag> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT name, color FROM tags WHERE account_id = ? ORDER BY name")) {
            ps.setString(1, account);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(new Tag(rs.getString(1), rs.getInt(2)));
              }
            }
          }
          return List.copyOf(out);
        });
  }

  private static boolean tagExists(Connection c, String account, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM tags WHERE account_id = ? AND name = ?")) {
      ps.setString(1, account);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  @Override
  public Outcome<Tag> createTag(String account, Tag tag) {
    return write(
        account,
        c -> {
          requireAccount(c, account);
          if (tagExists(c, account, tag.name())) {
            throw new StoreException.AlreadyExists("tag exists: " + quote(tag.name()));
          }
          try (PreparedStatement ps =
              c.prepareStatement("INSERT INTO tags (account_id, name, color) VALUES (?, ?, ?)")) {
            ps.setString(1, account);
            ps.setString(2, tag.name());
            ps.setInt(3, tag.color());
            ps.executeUpdate();
          }
          return new Effects().outcome(tag);
        });
  }

  @Override
  public Outcome<Void> renameTag(String account, String from, String to) {
    return write(
        account,
        c -> {
          requireAccount(c, account);
          if (!tagExists(c, account, from)) {
            throw new StoreException.NotFound("no tag " + quote(from));
          }
          if (from.equals(to)) {
            return new Effects().outcome(null);
          }
          if (tagExists(c, account, to)) {
            throw new StoreException.AlreadyExists("tag exists: " + quote(to));
          }
          try (PreparedStatement ps =
              c.prepareStatement("UPDATE tags SET name = ? WHERE account_id = ? AND name = ?")) {
            ps.setString(1, to);
            ps.setString(2, account);
            ps.setString(3, from);
            ps.executeUpdate();
          }
          Effects fx = new Effects();
          rewriteKeyword(c, account, from, to, fx);
          return fx.outcome(null);
        });
  }

  @Override
  public Outcome<Void> deleteTag(String account, String name) {
    return write(
        account,
        c -> {
          requireAccount(c, account);
          if (!tagExists(c, account, name)) {
            throw new StoreException.NotFound("no tag " + quote(name));
          }
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM tags WHERE account_id = ? AND name = ?")) {
            ps.setString(1, account);
            ps.setString(2, name);
            ps.executeUpdate();
          }
          Effects fx = new Effects();
          rewriteKeyword(c, account, name, null, fx);
          return fx.outcome(null);
        });
  }

  private record Tagged(long folderId, long uid, FlagSet flags) {}

  /**
   * Replaces keyword {@code from} by {@code to} (null: removes it) on every message of the account;
   * the changed messages of each folder share one new mod-sequence (RFC 7162 §3.1.3). Scans the
   * account's messages (LIKE narrows the rows; the exact test is done here, as LIKE's case rules
   * differ between databases): tag renames are rare.
   */
  private static void rewriteKeyword(
      Connection c, String account, String from, String to, Effects fx) throws SQLException {
    String pattern = "%" + from.replace("!", "!!").replace("_", "!_").replace("%", "!%") + "%";
    List<Tagged> hits = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT m.folder_id, m.uid, m.system_flags, m.keywords FROM messages m"
                + " JOIN folders f ON f.id = m.folder_id"
                + " WHERE f.account_id = ? AND m.keywords LIKE ? ESCAPE '!'")) {
      ps.setString(1, account);
      ps.setString(2, pattern);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          FlagSet flags = FlagSet.stored(rs.getInt(3), rs.getString(4));
          if (flags.keywords().contains(from)) {
            hits.add(new Tagged(rs.getLong(1), rs.getLong(2), flags));
          }
        }
      }
    }
    Map<Long, Long> modSeqs = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE messages SET keywords = ?, modseq = ? WHERE folder_id = ? AND uid = ?")) {
      for (Tagged t : hits) {
        Set<String> keywords = new TreeSet<>(t.flags().keywords());
        keywords.remove(from);
        if (to != null) {
          keywords.add(to);
        }
        long modSeq = modSeqs.get(t.folderId()) == null ? 0 : modSeqs.get(t.folderId());
        if (modSeq == 0) {
          modSeq = bumpModSeq(c, t.folderId());
          modSeqs.put(t.folderId(), modSeq);
        }
        ps.setString(1, new FlagSet(t.flags().system(), keywords).keywordText());
        ps.setLong(2, modSeq);
        ps.setLong(3, t.folderId());
        ps.setLong(4, t.uid());
        ps.executeUpdate();
      }
    }
    fx.changed.addAll(modSeqs.keySet());
  }

  // ------------------------------------------------ annotations (RFC 5464)

  /** The folder id of annotations: 0 for the account's own, else the folder's row id. */
  private static long annotationScope(Connection c, String account, String folder)
      throws SQLException {
    if (!folder.isEmpty()) {
      return folder(c, account, folder).id();
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM accounts WHERE id = ?")) {
      ps.setString(1, account);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new StoreException.NotFound("no account " + quote(account));
        }
      }
    }
    return 0;
  }

  @Override
  public java.util.SortedMap<String, String> annotations(String account, String folder) {
    return read(
        c -> {
          long scope = annotationScope(c, account, folder);
          java.util.SortedMap<String, String> out = new java.util.TreeMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT entry, value FROM annotations WHERE account_id = ? AND folder_id = ?")) {
            ps.setString(1, account);
            ps.setLong(2, scope);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
              }
            }
          }
          return java.util.Collections.unmodifiableSortedMap(out);
        });
  }

  @Override
  public Outcome<Void> setAnnotations(
      String account, String folder, Map<String, Optional<String>> changes) {
    return write(
        account,
        c -> {
          long scope = annotationScope(c, account, folder);
          try (PreparedStatement put =
                  c.prepareStatement(
                      "INSERT INTO annotations (account_id, folder_id, entry, value)"
                          + " VALUES (?, ?, ?, ?) ON CONFLICT (account_id, folder_id, entry)"
                          + " DO UPDATE SET value = excluded.value");
              PreparedStatement remove =
                  c.prepareStatement(
                      "DELETE FROM annotations WHERE account_id = ? AND folder_id = ?"
                          + " AND entry = ?")) {
            for (Map.Entry<String, Optional<String>> e : changes.entrySet()) {
              PreparedStatement ps = e.getValue().isPresent() ? put : remove;
              ps.setString(1, account);
              ps.setLong(2, scope);
              ps.setString(3, e.getKey());
              if (e.getValue().isPresent()) {
                ps.setString(4, e.getValue().get());
              }
              ps.executeUpdate();
            }
          }
          return new Effects().outcome(null);
        });
  }

  // ------------------------------------------------ sharing grants

  private static int rightBits(Set<Right> rights) {
    int bits = 0;
    for (Right r : rights) {
      bits |= 1 << r.ordinal();
    }
    return bits;
  }

  private static Set<Right> rights(int bits) {
    Set<Right> out = EnumSet.noneOf(Right.class);
    for (Right r : Right.values()) {
      if ((bits & (1 << r.ordinal())) != 0) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public Outcome<Void> grant(String account, String name, Grantee grantee, Set<Right> rights) {
    if (grantee.kind() == Grantee.Kind.USER && grantee.name().equals(account)) {
      throw new StoreException.Invalid("the owner has every right: " + quote(account));
    }
    return write(
        account,
        c -> {
          Folder f = folder(c, account, name);
          if (rights.isEmpty()) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "DELETE FROM grants WHERE folder_id = ? AND grantee_kind = ?"
                        + " AND grantee_name = ?")) {
              ps.setLong(1, f.id());
              ps.setString(2, grantee.kind().name());
              ps.setString(3, grantee.name());
              ps.executeUpdate();
            }
          } else {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "INSERT INTO grants (folder_id, grantee_kind, grantee_name, rights)"
                        + " VALUES (?, ?, ?, ?) ON CONFLICT (folder_id, grantee_kind,"
                        + " grantee_name) DO UPDATE SET rights = excluded.rights")) {
              ps.setLong(1, f.id());
              ps.setString(2, grantee.kind().name());
              ps.setString(3, grantee.name());
              ps.setInt(4, rightBits(rights));
              ps.executeUpdate();
            }
          }
          return new Effects().outcome(null);
        });
  }

  @Override
  public Map<Grantee, Set<Right>> grants(String account, String name) {
    return read(
        c -> {
          Folder f = folder(c, account, name);
          Map<Grantee, Set<Right>> out = new LinkedHashMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT grantee_kind, grantee_name, rights FROM grants WHERE folder_id = ?"
                      + " ORDER BY grantee_kind, grantee_name")) {
            ps.setLong(1, f.id());
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.put(
                    new Grantee(Grantee.Kind.valueOf(rs.getString(1)), rs.getString(2)),
                    Set.copyOf(rights(rs.getInt(3))));
              }
            }
          }
          return java.util.Collections.unmodifiableMap(out);
        });
  }

  @Override
  public List<SharedFolder> sharedWith(String account, Set<String> groups, String domain) {
    List<Grantee> matching = new ArrayList<>();
    matching.add(Grantee.user(account));
    for (String g : new TreeSet<>(groups)) {
      matching.add(Grantee.group(g));
    }
    if (!domain.isEmpty()) {
      matching.add(Grantee.domain(domain));
    }
    matching.add(Grantee.everyone());
    return read(
        c -> {
          // owner -> folder -> rights, sorted
          Map<String, Map<String, Integer>> found = new java.util.TreeMap<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT f.account_id, f.name, g.rights FROM grants g"
                      + " JOIN folders f ON f.id = g.folder_id"
                      + " WHERE g.grantee_kind = ? AND g.grantee_name = ?")) {
            for (Grantee g : matching) {
              ps.setString(1, g.kind().name());
              ps.setString(2, g.name());
              try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  if (rs.getString(1).equals(account)) {
                    continue;
                  }
                  found
                      .computeIfAbsent(rs.getString(1), k -> new java.util.TreeMap<>())
                      .merge(rs.getString(2), rs.getInt(3), (a, b) -> a | b);
                }
              }
            }
          }
          List<SharedFolder> out = new ArrayList<>();
          for (var owner : found.entrySet()) {
            for (var folder : owner.getValue().entrySet()) {
              out.add(new SharedFolder(owner.getKey(), folder.getKey(), rights(folder.getValue())));
            }
          }
          return List.copyOf(out);
        });
  }

  // ---------------------------------------------------------------- consistency check
  // No index on messages (blob_id): counts come from one GROUP BY scan joined in memory, not from a
  // correlated subquery per blob.

  private static final String ACCOUNT_BLOBS =
      "SELECT m.blob_id FROM messages m JOIN folders f ON f.id = m.folder_id"
          + " WHERE f.account_id = ?";

  /** blob id -> number of messages referencing it (of the account's blobs, when given). */
  private static Map<String, Long> referenceCounts(Connection c, Optional<String> account)
      throws SQLException {
    Map<String, Long> refs = new HashMap<>();
    String sql =
        "SELECT blob_id, COUNT(*) FROM messages"
            + (account.isPresent() ? " WHERE blob_id IN (" + ACCOUNT_BLOBS + ")" : "")
            + " GROUP BY blob_id";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (account.isPresent()) {
        ps.setString(1, account.get());
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          refs.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return refs;
  }

  @Override
  public List<CheckRows.BlobRow> checkBlobRows(Optional<String> account) {
    return read(
        c -> {
          Map<String, Long> refs = referenceCounts(c, account);
          List<CheckRows.BlobRow> out = new ArrayList<>();
          String sql =
              "SELECT id, size, refcount FROM blobs"
                  + (account.isPresent() ? " WHERE id IN (" + ACCOUNT_BLOBS + ")" : "")
                  + " ORDER BY id";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (account.isPresent()) {
              ps.setString(1, account.get());
            }
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                String id = rs.getString(1);
                out.add(
                    new CheckRows.BlobRow(
                        new BlobId(id), rs.getLong(2), rs.getLong(3), refs.getOrDefault(id, 0L)));
              }
            }
          }
          return out;
        });
  }

  @Override
  public List<CheckRows.DanglingBlob> checkDanglingBlobs(Optional<String> account) {
    return read(
        c -> {
          List<CheckRows.DanglingBlob> out = new ArrayList<>();
          String sql =
              "SELECT m.blob_id, COUNT(*) FROM messages m LEFT JOIN blobs b ON b.id = m.blob_id"
                  + " WHERE b.id IS NULL"
                  + (account.isPresent() ? " AND m.blob_id IN (" + ACCOUNT_BLOBS + ")" : "")
                  + " GROUP BY m.blob_id ORDER BY m.blob_id";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (account.isPresent()) {
              ps.setString(1, account.get());
            }
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(new CheckRows.DanglingBlob(new BlobId(rs.getString(1)), rs.getLong(2)));
              }
            }
          }
          return out;
        });
  }

  private static final String FOLDER_MAXIMA =
      "SELECT f.id, f.account_id, f.name, f.uidnext, f.highest_modseq,"
          + " COALESCE((SELECT MAX(uid) FROM messages m WHERE m.folder_id = f.id), 0),"
          + " COALESCE((SELECT MAX(uid) FROM expunged e WHERE e.folder_id = f.id), 0),"
          + " COALESCE((SELECT MAX(modseq) FROM messages m WHERE m.folder_id = f.id), 0),"
          + " COALESCE((SELECT MAX(modseq) FROM expunged e WHERE e.folder_id = f.id), 0)"
          + " FROM folders f";

  private static CheckRows.FolderCounters folderCounters(ResultSet rs) throws SQLException {
    return new CheckRows.FolderCounters(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getLong(4),
        rs.getLong(5),
        Math.max(rs.getLong(6), rs.getLong(7)),
        Math.max(rs.getLong(8), rs.getLong(9)));
  }

  @Override
  public List<CheckRows.FolderCounters> checkFolders(Optional<String> account) {
    return read(
        c -> {
          List<CheckRows.FolderCounters> out = new ArrayList<>();
          String sql =
              FOLDER_MAXIMA
                  + (account.isPresent() ? " WHERE f.account_id = ?" : "")
                  + " ORDER BY f.account_id, f.name";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (account.isPresent()) {
              ps.setString(1, account.get());
            }
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(folderCounters(rs));
              }
            }
          }
          return out;
        });
  }

  @Override
  public Map<BlobId, List<CheckFinding.MessageRef>> messagesOf(Set<BlobId> blobs) {
    if (blobs.isEmpty()) {
      return Map.of();
    }
    return read(
        c -> {
          Map<BlobId, List<CheckFinding.MessageRef>> out = new HashMap<>();
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT m.blob_id, f.account_id, f.name, m.uid FROM messages m"
                          + " JOIN folders f ON f.id = m.folder_id"
                          + " ORDER BY f.account_id, f.name, m.uid");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              BlobId id = new BlobId(rs.getString(1));
              if (blobs.contains(id)) {
                out.computeIfAbsent(id, k -> new ArrayList<>())
                    .add(
                        new CheckFinding.MessageRef(
                            rs.getString(2), rs.getString(3), rs.getLong(4)));
              }
            }
          }
          return out;
        });
  }

  @Override
  public boolean blobKnown(BlobId blob) {
    return read(
        c -> {
          for (String sql :
              List.of(
                  "SELECT 1 FROM blobs WHERE id = ?",
                  "SELECT 1 FROM messages WHERE blob_id = ? LIMIT 1")) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
              ps.setString(1, blob.sha256());
              try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                  return true;
                }
              }
            }
          }
          return false;
        });
  }

  @Override
  public Outcome<Void> repairBlobRows(Collection<BlobId> blobs) {
    List<String> ids = blobs.stream().map(BlobId::sha256).sorted().distinct().toList();
    return write(
        List.of(),
        c -> {
          Effects fx = new Effects();
          // The WHERE before ON CONFLICT keeps SQLite's parser from reading it as a join clause.
          try (PreparedStatement lock =
                  c.prepareStatement("UPDATE blobs SET refcount = refcount WHERE id = ?");
              PreparedStatement upsert =
                  c.prepareStatement(
                      "INSERT INTO blobs (id, size, refcount)"
                          + " SELECT blob_id, MAX(size), COUNT(*) FROM messages WHERE blob_id = ?"
                          + " GROUP BY blob_id"
                          + " ON CONFLICT (id) DO UPDATE SET refcount = excluded.refcount");
              PreparedStatement unused =
                  c.prepareStatement(
                      "DELETE FROM blobs WHERE id = ?"
                          + " AND NOT EXISTS (SELECT 1 FROM messages WHERE blob_id = ?)")) {
            for (String id : ids) {
              // Row lock first (PostgreSQL): a concurrent delivery or expunge of this blob either
              // committed before the count below or waits until this transaction ends.
              lock.setString(1, id);
              lock.executeUpdate();
              upsert.setString(1, id);
              upsert.executeUpdate();
              unused.setString(1, id);
              unused.setString(2, id);
              if (unused.executeUpdate() > 0) {
                fx.released.add(new BlobId(id));
              }
            }
          }
          return fx.outcome(null);
        });
  }

  @Override
  public Outcome<Void> repairFolderCounters(Collection<Long> folderIds) {
    List<Long> ids = folderIds.stream().sorted().distinct().toList();
    // The owners' account locks keep their writes out while the counters are recomputed.
    List<String> owners =
        read(
            c -> {
              Set<String> out = new TreeSet<>();
              try (PreparedStatement ps =
                  c.prepareStatement("SELECT account_id FROM folders WHERE id = ?")) {
                for (long id : ids) {
                  ps.setLong(1, id);
                  try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                      out.add(rs.getString(1));
                    }
                  }
                }
              }
              return List.copyOf(out);
            });
    return write(
        owners,
        c -> {
          Effects fx = new Effects();
          try (PreparedStatement select = c.prepareStatement(FOLDER_MAXIMA + " WHERE f.id = ?");
              PreparedStatement update =
                  c.prepareStatement(
                      "UPDATE folders SET uidnext = ?, highest_modseq = ? WHERE id = ?")) {
            for (long id : ids) {
              select.setLong(1, id);
              CheckRows.FolderCounters f;
              try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                  continue; // deleted meanwhile
                }
                f = folderCounters(rs);
              }
              long uidNext = Math.max(f.uidNext(), f.maxUid() + 1);
              long modSeq = Math.max(f.highestModSeq(), f.maxModSeq());
              if (uidNext != f.uidNext() || modSeq != f.highestModSeq()) {
                update.setLong(1, uidNext);
                update.setLong(2, modSeq);
                update.setLong(3, id);
                update.executeUpdate();
                fx.changed.add(id);
              }
            }
          }
          return fx.outcome(null);
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
                  "SELECT "
                      + MSG_COLUMNS
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
                        rs.getLong(6),
                        new BlobId(rs.getString(7)),
                        rs.getLong(8),
                        saveDate(rs, 9)));
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
          // Upserted in id order, so that concurrent imports lock blob rows in one order.
          Map<BlobId, Integer> refs = new TreeMap<>(Comparator.comparing(BlobId::sha256));
          Map<BlobId, Long> sizes = new HashMap<>();
          for (ImportRow r : rows) {
            refs.merge(r.blob(), 1, Integer::sum);
            sizes.put(r.blob(), r.size());
          }
          Set<BlobId> firstRefs = new HashSet<>();
          for (var e : refs.entrySet()) {
            if (reference(c, e.getKey(), sizes.get(e.getKey()), e.getValue())) {
              firstRefs.add(e.getKey());
            }
          }
          if (tx.shared()) {
            confirmStored(c, firstRefs);
          }
          List<AppendResult> results = new ArrayList<>(rows.size());
          long saved = System.currentTimeMillis();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO messages (folder_id, uid, blob_id, size, internal_date,"
                      + " system_flags, keywords, modseq, save_date)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (ImportRow r : rows) {
              FlagSet flags = FlagSet.of(r.flags());
              ps.setLong(1, f.id());
              ps.setLong(2, uid);
              ps.setString(3, r.blob().sha256());
              ps.setLong(4, r.size());
              ps.setLong(5, r.internalDate().toEpochMilli());
              ps.setInt(6, flags.system());
              ps.setString(7, flags.keywordText());
              ps.setLong(8, modSeq);
              ps.setLong(9, saved);
              ps.addBatch();
              results.add(new AppendResult(f.uidValidity(), uid));
              uid++;
            }
            ps.executeBatch();
          }
          // Quota usage stays current; an import (restore, migration) is not refused by the
          // limit, and its messages get no conversation (0) until they are threaded again.
          charge(c, account, rows.stream().mapToLong(ImportRow::size).sum(), rows.size());
          fx.changed.add(f.id());
          return fx.outcome(List.copyOf(results));
        });
  }

  // ---------------------------------------------------------------- inline blobs

  /**
   * Adds {@code n} references to a blob, creating its row if it has none, and tells whether these
   * are its first references (then its content is either given inline or must be confirmed in the
   * blob store). The upsert locks the row, so a concurrent release waits for this transaction
   * instead of deleting the row between a check and the increment.
   */
  private static boolean reference(Connection c, BlobId blob, long size, int n)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO blobs (id, size, refcount) VALUES (?, ?, ?) ON CONFLICT (id)"
                + " DO UPDATE SET refcount = blobs.refcount + excluded.refcount RETURNING refcount")) {
      ps.setString(1, blob.sha256());
      ps.setLong(2, size);
      ps.setInt(3, n);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("upsert of blob " + blob + " returned no row");
        }
        return rs.getLong(1) <= n;
      }
    }
  }

  /** Keeps a new blob's bytes inline, in the transaction that gives it its first references. */
  private static void storeInline(Connection c, BlobId blob, byte[] data) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO blob_data (id, data) VALUES (?, ?) ON CONFLICT (id) DO NOTHING")) {
      ps.setString(1, blob.sha256());
      ps.setBytes(2, data);
      ps.executeUpdate();
    }
  }

  /**
   * Confirms, under the blobs' shared locks, that blobs getting their first references are still
   * stored (inline or in the blob store): another process's garbage collection may have deleted one
   * after this write published it and before the lock.
   */
  private void confirmStored(Connection c, Set<BlobId> ids) throws SQLException {
    Set<BlobId> gone = new HashSet<>();
    for (BlobId id : ids) {
      try {
        if (!hasInlineData(c, id) && !blobs.exists(id)) {
          gone.add(id);
        }
      } catch (IOException e) {
        throw new StoreException.Unavailable("cannot confirm blob " + id + ": " + e, e);
      }
    }
    if (!gone.isEmpty()) {
      throw new BlobGoneException(gone);
    }
  }

  private static boolean hasInlineData(Connection c, BlobId id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM blob_data WHERE id = ?")) {
      ps.setString(1, id.sha256());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  @Override
  public Optional<byte[]> inlineBlob(BlobId blob) {
    return read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT data FROM blob_data WHERE id = ?")) {
            ps.setString(1, blob.sha256());
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.<byte[]>empty();
            }
          }
        });
  }
}
