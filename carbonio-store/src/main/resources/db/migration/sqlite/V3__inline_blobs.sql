-- Carbonio store metadata, version 3: small message contents kept inline, in the same
-- transaction (and WAL fsync) as the message rows that reference them, instead of a file each.
-- A row lives exactly as long as its blobs row (the reference count reaching zero deletes both).
CREATE TABLE blob_data (
  id   TEXT PRIMARY KEY REFERENCES blobs (id) ON DELETE CASCADE,
  data BLOB NOT NULL
);
