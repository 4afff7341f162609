package org.carbonio.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * One inconsistency found by {@link MailStore#check(CheckOptions)}. Each kind says whether a
 * repairing check fixes it; a missing or corrupt blob is never "repaired" by deleting the messages
 * that reference it (that would lose data): the finding lists those messages instead.
 *
 * <p>Immutable.
 */
public sealed interface CheckFinding {

  /** A human-readable, one-line description naming the blob or folder. */
  String message();

  /** Whether a check with {@link CheckOptions#repair()} fixes this kind of finding. */
  boolean repairable();

  /** A message, by account, folder and UID. */
  record MessageRef(String account, String folder, long uid) {
    /** Validates the arguments. */
    public MessageRef {
      requireNonNull(account, "account");
      requireNonNull(folder, "folder");
    }

    @Override
    public String toString() {
      return account + " " + StoreException.quote(folder) + " UID " + uid;
    }
  }

  /**
   * A blob that messages reference is not in the blob store: those messages cannot be read. Not
   * repairable (restore the file from a backup).
   */
  record MissingBlob(BlobId blob, List<MessageRef> messages) implements CheckFinding {
    /** Copies the list. */
    public MissingBlob {
      requireNonNull(blob, "blob");
      messages = List.copyOf(messages);
    }

    @Override
    public String message() {
      return "blob " + blob + " is missing; " + messages.size() + " message(s) lost: " + messages;
    }

    @Override
    public boolean repairable() {
      return false;
    }
  }

  /** A stored blob's bytes do not hash to its address. Not repairable. */
  record CorruptBlob(BlobId blob, String actualSha256, List<MessageRef> messages)
      implements CheckFinding {
    /** Copies the list. */
    public CorruptBlob {
      requireNonNull(blob, "blob");
      requireNonNull(actualSha256, "actualSha256");
      messages = List.copyOf(messages);
    }

    @Override
    public String message() {
      return "blob "
          + blob
          + " is corrupt (content hashes to "
          + actualSha256
          + "); affects "
          + messages.size()
          + " message(s): "
          + messages;
    }

    @Override
    public boolean repairable() {
      return false;
    }
  }

  /**
   * Messages reference a blob that has no row in the blob table. Repair inserts the row with the
   * right count (the blob file itself may also be missing: then a {@link MissingBlob} is reported
   * too).
   */
  record MissingBlobRow(BlobId blob, long references) implements CheckFinding {
    /** Validates the arguments. */
    public MissingBlobRow {
      requireNonNull(blob, "blob");
    }

    @Override
    public String message() {
      return "blob " + blob + " is referenced by " + references + " message(s) but has no row";
    }

    @Override
    public boolean repairable() {
      return true;
    }
  }

  /**
   * A blob's stored reference count differs from the number of messages that reference it. Repair
   * sets it to the real count; a blob no message references is then deleted.
   */
  record WrongRefCount(BlobId blob, long stored, long actual) implements CheckFinding {
    /** Validates the arguments. */
    public WrongRefCount {
      requireNonNull(blob, "blob");
    }

    @Override
    public String message() {
      return "blob " + blob + " has refcount " + stored + " but " + actual + " message(s) use it";
    }

    @Override
    public boolean repairable() {
      return true;
    }
  }

  /**
   * A folder's UIDNEXT is not above every UID it holds or has expunged (RFC 9051 §2.3.1.1: UIDs are
   * never reused). Repair raises it to the largest UID plus one.
   */
  record UidNextTooLow(String account, String folder, long uidNext, long maxUid)
      implements CheckFinding {
    /** Validates the arguments. */
    public UidNextTooLow {
      requireNonNull(account, "account");
      requireNonNull(folder, "folder");
    }

    @Override
    public String message() {
      return "folder "
          + StoreException.quote(folder)
          + " of "
          + account
          + " has UIDNEXT "
          + uidNext
          + " but holds UID "
          + maxUid;
    }

    @Override
    public boolean repairable() {
      return true;
    }
  }

  /**
   * A folder's HIGHESTMODSEQ is below a message's or an expunge's mod-sequence (RFC 7162 §3.1.1).
   * Repair raises it.
   */
  record ModSeqTooLow(String account, String folder, long highestModSeq, long maxModSeq)
      implements CheckFinding {
    /** Validates the arguments. */
    public ModSeqTooLow {
      requireNonNull(account, "account");
      requireNonNull(folder, "folder");
    }

    @Override
    public String message() {
      return "folder "
          + StoreException.quote(folder)
          + " of "
          + account
          + " has HIGHESTMODSEQ "
          + highestModSeq
          + " but holds mod-sequence "
          + maxModSeq;
    }

    @Override
    public boolean repairable() {
      return true;
    }
  }

  /**
   * A blob file that nothing references (a leak, never data: it was never acknowledged or is no
   * longer used). Repair deletes it.
   */
  record OrphanBlob(BlobId blob, long size, Instant modified) implements CheckFinding {
    /** Validates the arguments. */
    public OrphanBlob {
      requireNonNull(blob, "blob");
      requireNonNull(modified, "modified");
    }

    @Override
    public String message() {
      return "blob " + blob + " (" + size + " octets, written " + modified + ") is orphaned";
    }

    @Override
    public boolean repairable() {
      return true;
    }
  }
}
