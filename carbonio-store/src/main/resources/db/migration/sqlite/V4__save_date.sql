-- Carbonio store metadata, version 4: the save date of each message (RFC 8514), the time it was
-- stored in its folder (append, delivery, copy, move, import), in epoch milliseconds.
-- Messages stored before this version have none (NULL), which IMAP reports as NIL.
ALTER TABLE messages ADD COLUMN save_date INTEGER;
