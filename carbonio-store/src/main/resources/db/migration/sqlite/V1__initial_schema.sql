-- Carbonio store metadata, version 1. Portable SQL where possible (the PostgreSQL backend will
-- reuse the model). Statements are separated by a ";" at the end of a line.

CREATE TABLE store_state (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO store_state (name, value) VALUES ('last_uidvalidity', 0);

CREATE TABLE accounts (
  id         TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL
);

-- AUTOINCREMENT: folder ids are never reused (watch registrations are keyed by id).
CREATE TABLE folders (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id     TEXT NOT NULL REFERENCES accounts (id),
  name           TEXT NOT NULL,
  uidvalidity    INTEGER NOT NULL,
  uidnext        INTEGER NOT NULL,
  highest_modseq INTEGER NOT NULL,
  subscribed     INTEGER NOT NULL,
  role           TEXT,
  UNIQUE (account_id, name)
);

CREATE TABLE blobs (
  id       TEXT PRIMARY KEY,
  size     INTEGER NOT NULL,
  refcount INTEGER NOT NULL
);

-- system_flags: bit mask (1 Seen, 2 Answered, 4 Flagged, 8 Deleted, 16 Draft);
-- keywords: sorted, space-separated.
CREATE TABLE messages (
  folder_id     INTEGER NOT NULL REFERENCES folders (id),
  uid           INTEGER NOT NULL,
  blob_id       TEXT NOT NULL REFERENCES blobs (id),
  size          INTEGER NOT NULL,
  internal_date INTEGER NOT NULL,
  system_flags  INTEGER NOT NULL,
  keywords      TEXT NOT NULL,
  modseq        INTEGER NOT NULL,
  PRIMARY KEY (folder_id, uid)
);
CREATE INDEX messages_by_modseq ON messages (folder_id, modseq);

-- RFC 7162 §3.2.5.2: UIDs expunged, with the mod-sequence of the expunge, for QRESYNC.
CREATE TABLE expunged (
  folder_id INTEGER NOT NULL REFERENCES folders (id),
  uid       INTEGER NOT NULL,
  modseq    INTEGER NOT NULL,
  PRIMARY KEY (folder_id, uid)
);
CREATE INDEX expunged_by_modseq ON expunged (folder_id, modseq);
