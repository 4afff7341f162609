#!/usr/bin/env python3
"""Reads every message of a mailbox with Python's imaplib and prints them as JSON.

usage: imap_fetch.py HOST PORT USER PASSWORD CAFILE MODE [MAILBOX]
MODE is 'starttls' (IMAP4 + STARTTLS) or 'ssl' (IMAP4_SSL, implicit TLS).
Output: [{"uid": N, "flags": "...", "body": "<base64 of BODY.PEEK[]>"}, ...]
"""
import base64
import imaplib
import json
import re
import ssl
import sys


def main():
    host, port, user, password, cafile, mode = sys.argv[1:7]
    mailbox = sys.argv[7] if len(sys.argv) > 7 else "INBOX"
    context = ssl.create_default_context(cafile=cafile)
    if mode == "ssl":
        imap = imaplib.IMAP4_SSL(host, int(port), ssl_context=context)
    else:
        imap = imaplib.IMAP4(host, int(port))
        imap.starttls(ssl_context=context)
    imap.login(user, password)
    typ, _ = imap.select(mailbox, readonly=True)
    assert typ == "OK", typ
    typ, data = imap.uid("SEARCH", None, "ALL")
    assert typ == "OK", typ
    messages = []
    for uid in data[0].split():
        typ, parts = imap.uid("FETCH", uid, "(UID FLAGS BODY.PEEK[])")
        assert typ == "OK", typ
        head, body = parts[0]
        rest = b"".join(p for p in parts[1:] if isinstance(p, bytes))
        flags = re.search(rb"FLAGS \(([^)]*)\)", head + rest)
        messages.append({
            "uid": int(uid),
            "flags": flags.group(1).decode() if flags else "",
            "body": base64.b64encode(body).decode(),
        })
    imap.logout()
    json.dump(messages, sys.stdout)


if __name__ == "__main__":
    main()
