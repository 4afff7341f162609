-- Carbonio store metadata on PostgreSQL, version 1: the model of db/migration/sqlite/V1.
-- Text keys use COLLATE "C" so that ORDER BY name is binary (code point) order, as in SQLite.
-- Ids are BIGINT identities (never reused: watch registrations are keyed by folder id).

CREATE TABLE store_state (
  name  TEXT COLLATE "C" PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO store_state (name, value) VALUES ('last_uidvalidity', 0);

CREATE TABLE accounts (
  id         TEXT COLLATE "C" PRIMARY KEY,
  created_at BIGINT NOT NULL
);

CREATE TABLE folders (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id     TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
  name           TEXT COLLATE "C" NOT NULL,
  uidvalidity    BIGINT NOT NULL,
  uidnext        BIGINT NOT NULL,
  highest_modseq BIGINT NOT NULL,
  subscribed     INTEGER NOT NULL,
  role           TEXT,
  UNIQUE (account_id, name)
);

CREATE TABLE blobs (
  id       TEXT COLLATE "C" PRIMARY KEY,
  size     BIGINT NOT NULL,
  refcount INTEGER NOT NULL
);

-- system_flags: bit mask (1 Seen, 2 Answered, 4 Flagged, 8 Deleted, 16 Draft);
-- keywords: sorted, space-separated.
CREATE TABLE messages (
  folder_id     BIGINT NOT NULL REFERENCES folders (id),
  uid           BIGINT NOT NULL,
  blob_id       TEXT COLLATE "C" NOT NULL REFERENCES blobs (id),
  size          BIGINT NOT NULL,
  internal_date BIGINT NOT NULL,
  system_flags  INTEGER NOT NULL,
  keywords      TEXT COLLATE "C" NOT NULL,
  modseq        BIGINT NOT NULL,
  PRIMARY KEY (folder_id, uid)
);
CREATE INDEX messages_by_modseq ON messages (folder_id, modseq);
-- PostgreSQL checks the blob_id foreign key on DELETE FROM blobs through this index.
CREATE INDEX messages_by_blob ON messages (blob_id);

-- RFC 7162 §3.2.5.2: UIDs expunged, with the mod-sequence of the expunge, for QRESYNC.
CREATE TABLE expunged (
  folder_id BIGINT NOT NULL REFERENCES folders (id),
  uid       BIGINT NOT NULL,
  modseq    BIGINT NOT NULL,
  PRIMARY KEY (folder_id, uid)
);
CREATE INDEX expunged_by_modseq ON expunged (folder_id, modseq);
