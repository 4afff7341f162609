package org.carbonio.store.internal;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.carbonio.store.AppendResult;
import org.carbonio.store.BlobId;
import org.carbonio.store.ConditionalFlags;
import org.carbonio.store.CopyResult;
import org.carbonio.store.FlagOperation;
import org.carbonio.store.FolderChanges;
import org.carbonio.store.FolderInfo;
import org.carbonio.store.FolderKind;
import org.carbonio.store.FolderSnapshot;
import org.carbonio.store.FolderStatus;
import org.carbonio.store.FolderUids;
import org.carbonio.store.Grantee;
import org.carbonio.store.ImportMessage;
import org.carbonio.store.Mailbox;
import org.carbonio.store.MessageInfo;
import org.carbonio.store.MessageRef;
import org.carbonio.store.MessageSummary;
import org.carbonio.store.QuotaUsage;
import org.carbonio.store.Right;
import org.carbonio.store.SpecialUse;
import org.carbonio.store.StoreException;
import org.carbonio.store.Tag;
import org.carbonio.store.Watch;
import org.carbonio.store.spi.MetadataStore;

/**
 * One account's view of a {@link StoreImpl}: validates names and flags, then delegates.
 *
 * <p>Thread-safe (holds no mutable state).
 */
final class MailboxImpl implements Mailbox {
  private final StoreImpl store;
  private final String account;

  MailboxImpl(StoreImpl store, String account) {
    this.store = store;
    this.account = account;
  }

  @Override
  public String accountId() {
    return account;
  }

  private String name(String name) {
    store.checkOpen();
    return FolderNames.canonical(name);
  }

  @Override
  public List<FolderInfo> folders() {
    store.checkOpen();
    return store.meta.folders(account);
  }

  @Override
  public FolderInfo createFolder(String name) {
    return store.afterCommit(store.meta.createFolder(account, name(name)));
  }

  @Override
  public void deleteFolder(String name) {
    store.afterCommit(store.meta.deleteFolder(account, name(name)));
  }

  @Override
  public void renameFolder(String from, String to) {
    store.afterCommit(store.meta.renameFolder(account, name(from), name(to)));
  }

  @Override
  public void setSubscribed(String name, boolean subscribed) {
    store.afterCommit(store.meta.setSubscribed(account, name(name), subscribed));
  }

  @Override
  public void setRole(String name, Optional<SpecialUse> role) {
    requireNonNull(role, "role");
    store.afterCommit(store.meta.setRole(account, name(name), role));
  }

  @Override
  public FolderStatus status(String folder) {
    return store.meta.status(account, name(folder));
  }

  @Override
  public AppendResult append(
      String folder, InputStream content, Set<String> flags, Instant internalDate) {
    return store
        .append(List.of(account), name(folder), content, FlagSet.of(flags).toSet(), internalDate)
        .getFirst();
  }

  @Override
  public FolderSnapshot snapshot(String folder) {
    return store.meta.snapshot(account, name(folder));
  }

  @Override
  public FolderChanges changesSince(String folder, long modSeq) {
    return store.meta.changesSince(account, name(folder), modSeq);
  }

  @Override
  public InputStream open(String folder, long uid) {
    MetadataStore.Content content = store.meta.contentOf(account, name(folder), uid);
    if (content.inline().isPresent()) return new ByteArrayInputStream(content.inline().get());
    try {
      return store.blobs.open(content.blob());
    } catch (IOException e) {
      throw missing(content.blob(), e);
    }
  }

  @Override
  public byte[] read(String folder, long uid) {
    MetadataStore.Content content = store.meta.contentOf(account, name(folder), uid);
    if (content.inline().isPresent()) return content.inline().get();
    byte[] cached = store.blobCache.get(content.blob());
    if (cached != null) return cached.clone();
    try {
      byte[] read = store.blobs.read(content.blob());
      store.blobCache.put(content.blob(), read.clone());
      return read;
    } catch (IOException e) {
      throw missing(content.blob(), e);
    }
  }

  private StoreException missing(BlobId blob, Exception e) {
    if (e instanceof NoSuchFileException) {
      // The message was expunged and its blob collected between the lookup and the open.
      return new StoreException.NotFound("message content gone: " + blob);
    }
    return new StoreException.Unavailable("cannot read blob " + blob + ": " + e, e);
  }

  @Override
  public List<MessageInfo> setFlags(
      String folder, Collection<Long> uids, FlagOperation op, Set<String> flags) {
    requireNonNull(uids, "uids");
    requireNonNull(op, "op");
    FlagSet flagSet = FlagSet.of(flags);
    return store.afterCommit(store.meta.setFlags(account, name(folder), uids, op, flagSet.toSet()));
  }

  @Override
  public ConditionalFlags setFlagsIfUnchanged(
      String folder,
      Collection<Long> uids,
      FlagOperation op,
      Set<String> flags,
      long unchangedSince) {
    requireNonNull(uids, "uids");
    requireNonNull(op, "op");
    if (unchangedSince < 0) {
      throw new IllegalArgumentException("unchangedSince " + unchangedSince);
    }
    FlagSet flagSet = FlagSet.of(flags);
    return store.afterCommit(
        store.meta.setFlagsIfUnchanged(
            account, name(folder), uids, op, flagSet.toSet(), unchangedSince));
  }

  @Override
  public List<Long> expunge(String folder, Optional<Collection<Long>> uids) {
    requireNonNull(uids, "uids");
    return store.afterCommit(store.meta.expunge(account, name(folder), uids));
  }

  @Override
  public CopyResult copy(String from, Collection<Long> uids, String to) {
    requireNonNull(uids, "uids");
    String source = name(from);
    String target = name(to);
    return store.afterCommit(
        store.meta.copy(account, source, uids, target, false, store.limit(account)));
  }

  @Override
  public CopyResult move(String from, Collection<Long> uids, String to) {
    requireNonNull(uids, "uids");
    String source = name(from);
    String target = name(to);
    return store.afterCommit(
        store.meta.copy(account, source, uids, target, true, store.limit(account)));
  }

  @Override
  public Watch watch(String folder, Runnable onChange) {
    requireNonNull(onChange, "onChange");
    return store.watch(store.meta.folderId(account, name(folder)), onChange);
  }

  // ---------------------------------------------------------------- data model (version 2)

  @Override
  public FolderInfo createFolder(String name, FolderKind kind) {
    requireNonNull(kind, "kind");
    return store.afterCommit(store.meta.createFolder(account, name(name), kind));
  }

  /** A tag name is a keyword (RFC 9051 §9 flag-keyword), never a system flag. */
  private String tagName(String name) {
    store.checkOpen();
    if (name == null || name.isEmpty() || name.charAt(0) == '\\') {
      throw new StoreException.Invalid("tag name must be a keyword: " + StoreException.quote(name));
    }
    FlagSet.of(List.of(name)); // validates
    return name;
  }

  @Override
  public List<Tag> tags() {
    store.checkOpen();
    return store.meta.tags(account);
  }

  @Override
  public Tag createTag(String name, int color) {
    if (color < 0 || color > Tag.MAX_COLOR) {
      throw new StoreException.Invalid("tag color " + color + " outside 0..0xFFFFFF");
    }
    return store.afterCommit(store.meta.createTag(account, new Tag(tagName(name), color)));
  }

  @Override
  public void renameTag(String from, String to) {
    store.afterCommit(store.meta.renameTag(account, tagName(from), tagName(to)));
  }

  @Override
  public void deleteTag(String name) {
    store.afterCommit(store.meta.deleteTag(account, tagName(name)));
  }

  @Override
  public List<MessageRef> conversation(long conversationId) {
    store.checkOpen();
    return store.meta.conversation(account, conversationId);
  }

  @Override
  public QuotaUsage quota() {
    store.checkOpen();
    QuotaUsage used = store.meta.quota(account);
    return new QuotaUsage(used.bytes(), used.messages(), store.limit(account));
  }

  @Override
  public void grant(String folder, Grantee grantee, Set<Right> rights) {
    requireNonNull(grantee, "grantee");
    Set<Right> copy = Set.copyOf(requireNonNull(rights, "rights"));
    store.afterCommit(store.meta.grant(account, name(folder), grantee, copy));
  }

  @Override
  public Map<Grantee, Set<Right>> grants(String folder) {
    return store.meta.grants(account, name(folder));
  }

  @Override
  public FolderUids uids(String folder) {
    return store.meta.uids(account, name(folder));
  }

  @Override
  public void messages(String folder, long fromUid, long toUid, Consumer<MessageSummary> sink) {
    requireNonNull(sink, "sink");
    String name = name(folder);
    long from = Math.max(fromUid, 1);
    while (from <= toUid) {
      List<MessageSummary> chunk =
          store.meta.messagesInRange(account, name, from, toUid, MESSAGES_CHUNK);
      for (MessageSummary m : chunk) {
        sink.accept(m);
      }
      if (chunk.size() < MESSAGES_CHUNK) {
        return;
      }
      from = chunk.getLast().uid() + 1;
    }
  }

  @Override
  public long importMessages(String folder, Iterator<ImportMessage> messages) {
    requireNonNull(messages, "messages");
    return new BulkImporter(store, account, name(folder)).run(messages);
  }

  @Override
  public java.util.SortedMap<String, String> annotations(String folder) {
    requireNonNull(folder, "folder");
    store.checkOpen();
    return store.meta.annotations(account, folder.isEmpty() ? "" : name(folder));
  }

  @Override
  public void setAnnotations(String folder, Map<String, Optional<String>> changes) {
    requireNonNull(folder, "folder");
    store.checkOpen();
    Map<String, Optional<String>> copy = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, Optional<String>> e : changes.entrySet()) {
      String entry = requireNonNull(e.getKey(), "entry");
      Optional<String> value = requireNonNull(e.getValue(), "value");
      if (entry.isEmpty() || entry.length() > MAX_ANNOTATION_ENTRY) {
        throw new StoreException.Invalid("annotation entry length " + entry.length());
      }
      for (int i = 0; i < entry.length(); i++) {
        if (Character.isISOControl(entry.charAt(i))) {
          throw new StoreException.Invalid(
              "control character in entry " + StoreException.quote(entry));
        }
      }
      if (value.isPresent()
          && value.get().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
              > MAX_ANNOTATION_BYTES) {
        throw new StoreException.Invalid("annotation value over " + MAX_ANNOTATION_BYTES);
      }
      copy.put(entry, value);
    }
    store.afterCommit(
        store.meta.setAnnotations(account, folder.isEmpty() ? "" : name(folder), copy));
  }
}
