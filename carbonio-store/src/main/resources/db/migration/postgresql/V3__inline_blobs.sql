-- Carbonio store metadata, version 3: small message contents kept inline, in the same
-- transaction as the message rows that reference them, instead of a blob-store object each.
-- A row lives exactly as long as its blobs row (the reference count reaching zero deletes both).
CREATE TABLE blob_data (
  id   TEXT COLLATE "C" PRIMARY KEY REFERENCES blobs (id) ON DELETE CASCADE,
  data BYTEA NOT NULL
);
