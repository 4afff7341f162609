#!/usr/bin/env python3
"""Reads a whole mailbox with Python's imaplib and checks every message against a manifest.

usage: imap_corpus.py HOST PORT USER PASSWORD CAFILE MODE MAILBOX MANIFEST [BATCH [ITEM]]
MODE is 'starttls' (IMAP4 + STARTTLS) or 'ssl' (IMAP4_SSL, implicit TLS).
MANIFEST has one line per message: "UID SHA256" (hex of the bytes expected on the wire).
The mailbox is SELECTed read-only, then read with UID FETCH n:m (UID BODY.PEEK[]) in batches of
BATCH (default 250) UIDs. With ITEM (e.g. BINARY.PEEK[]), only the manifest's UIDs are fetched,
with UID FETCH u1,u2,... (UID ITEM). Prints "checked N" and one "MISMATCH uid got-sha256 got-size" or
"MISSING uid" / "UNEXPECTED uid" line per difference; exits 1 when there is any.
"""
import hashlib
import imaplib
import re
import ssl
import sys


def main():
    host, port, user, password, cafile, mode, mailbox, manifest = sys.argv[1:9]
    batch = int(sys.argv[9]) if len(sys.argv) > 9 else 250
    item = sys.argv[10] if len(sys.argv) > 10 else None
    expected = {}
    with open(manifest) as f:
        for line in f:
            uid, digest = line.split()
            expected[int(uid)] = digest
    context = ssl.create_default_context(cafile=cafile)
    if mode == "ssl":
        imap = imaplib.IMAP4_SSL(host, int(port), ssl_context=context)
    else:
        imap = imaplib.IMAP4(host, int(port))
        imap.starttls(ssl_context=context)
    imap.login(user, password)
    typ, data = imap.select(mailbox, readonly=True)
    assert typ == "OK", (typ, data)
    if item:
        uids = sorted(expected)
    else:
        typ, data = imap.uid("SEARCH", None, "ALL")
        assert typ == "OK", (typ, data)
        uids = [int(u) for u in data[0].split()]
    got = {}
    for i in range(0, len(uids), batch):
        chunk = uids[i:i + batch]
        if item:
            typ, parts = imap.uid("FETCH", ",".join(map(str, chunk)), "(UID %s)" % item)
        else:
            typ, parts = imap.uid("FETCH", "%d:%d" % (chunk[0], chunk[-1]), "(UID BODY.PEEK[])")
        assert typ == "OK", (typ, parts)
        for part in parts:
            if not isinstance(part, tuple):
                continue  # the closing ")" of a FETCH response
            head, body = part
            m = re.search(rb"UID (\d+)", head)
            assert m, head
            got[int(m.group(1))] = body
    imap.logout()
    problems = 0
    for uid, digest in sorted(expected.items()):
        body = got.get(uid)
        if body is None:
            print("MISSING %d" % uid)
            problems += 1
        elif hashlib.sha256(body).hexdigest() != digest:
            print("MISMATCH %d %s %d" % (uid, hashlib.sha256(body).hexdigest(), len(body)))
            problems += 1
    for uid in sorted(set(got) - set(expected)):
        print("UNEXPECTED %d" % uid)
        problems += 1
    print("checked %d" % len(got))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
