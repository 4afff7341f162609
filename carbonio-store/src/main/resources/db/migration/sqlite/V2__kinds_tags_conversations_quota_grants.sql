-- Carbonio store metadata, version 2: folder kinds, tags, conversations, quota usage and sharing
-- grants. The same model as postgresql/V2__kinds_tags_conversations_quota_grants.sql, adapted
-- to SQLite. Statements are separated by a ";" at the end of a line.

-- Folder kinds (FolderKind): MAIL, CALENDAR, CONTACTS, FILES. Existing folders hold mail.
ALTER TABLE folders ADD COLUMN kind TEXT NOT NULL DEFAULT 'MAIL';

-- Quota usage (RFC 9208 STORAGE and MESSAGE), kept current by every write that adds or removes
-- messages. The limit is not stored: it comes from the directory (QuotaPolicy).
ALTER TABLE accounts ADD COLUMN used_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN used_messages INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET
  used_bytes = (SELECT COALESCE(SUM(m.size), 0) FROM messages m JOIN folders f ON f.id = m.folder_id
                WHERE f.account_id = accounts.id),
  used_messages = (SELECT COUNT(*) FROM messages m JOIN folders f ON f.id = m.folder_id
                   WHERE f.account_id = accounts.id);

-- Tags (Zimbra style): a message carries a tag when its keywords hold the tag's name.
-- color: 24-bit RGB.
CREATE TABLE tags (
  account_id TEXT NOT NULL REFERENCES accounts (id),
  name       TEXT NOT NULL,
  color      INTEGER NOT NULL,
  PRIMARY KEY (account_id, name)
);

-- Conversations: ids are store-wide surrogate keys (never reused); a conversation belongs to
-- one account. Messages stored before version 2 get a conversation of their own each.
CREATE TABLE conversations (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL REFERENCES accounts (id)
);
CREATE INDEX conversations_by_account ON conversations (account_id);
ALTER TABLE messages ADD COLUMN conversation_id INTEGER NOT NULL DEFAULT 0;
INSERT INTO conversations (id, account_id)
  SELECT m.rowid, f.account_id FROM messages m JOIN folders f ON f.id = m.folder_id;
UPDATE messages SET conversation_id = rowid;
CREATE INDEX messages_by_conversation ON messages (conversation_id);

-- What conversation matching looks up, one row per message and msg-id: its own Message-ID
-- (is_ref = 0) and the msg-ids it references (is_ref = 1, References or In-Reply-To).
-- subject_hash: 64 bits of SHA-256 of the lower-cased RFC 5256 base subject.
CREATE TABLE thread_keys (
  account_id      TEXT NOT NULL REFERENCES accounts (id),
  msg_id          TEXT NOT NULL,
  is_ref          INTEGER NOT NULL,
  subject_hash    INTEGER NOT NULL,
  folder_id       INTEGER NOT NULL REFERENCES folders (id),
  uid             INTEGER NOT NULL,
  conversation_id INTEGER NOT NULL
);
CREATE INDEX thread_keys_by_msg_id ON thread_keys (account_id, msg_id, is_ref, subject_hash);
CREATE INDEX thread_keys_by_message ON thread_keys (folder_id, uid);

-- Sharing grants per folder. grantee_kind: USER, GROUP, DOMAIN, EVERYONE (name ''); rights: bit
-- mask of Right ordinals.
CREATE TABLE grants (
  folder_id    INTEGER NOT NULL REFERENCES folders (id),
  grantee_kind TEXT NOT NULL,
  grantee_name TEXT NOT NULL,
  rights       INTEGER NOT NULL,
  PRIMARY KEY (folder_id, grantee_kind, grantee_name)
);
CREATE INDEX grants_by_grantee ON grants (grantee_kind, grantee_name);
