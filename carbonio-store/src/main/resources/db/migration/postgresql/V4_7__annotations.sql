-- Carbonio store metadata, version 4.7: annotations (IMAP METADATA, RFC 5464) of a folder, or of
-- the account itself (folder_id 0). Deleted with their folder or account; renames keep them (the
-- folder id does not change). The same model as sqlite/V4_7__annotations.sql.
CREATE TABLE annotations (
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
  folder_id  BIGINT NOT NULL,
  entry      TEXT COLLATE "C" NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (account_id, folder_id, entry)
);
CREATE INDEX annotations_by_folder ON annotations (folder_id);
