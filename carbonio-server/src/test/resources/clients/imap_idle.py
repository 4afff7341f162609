#!/usr/bin/env python3
"""Waits in IDLE (RFC 2177) with Python's imaplib and reports what another session changes.

usage: imap_idle.py HOST PORT USER PASSWORD CAFILE MAILBOX
Logs in over IMAPS, SELECTs MAILBOX, prints "exists N" and "idling" once the server accepted
IDLE, then prints each untagged EXISTS / EXPUNGE / FETCH line it receives ("* 3 EXISTS") until
the first EXPUNGE, ends IDLE with DONE, checks with NOOP and a UID SEARCH that its view
agrees, prints "uids ..." and "done", and logs out. Every read has a 60 s timeout.
"""
import imaplib
import re
import ssl
import sys


def main():
    host, port, user, password, cafile, mailbox = sys.argv[1:7]
    context = ssl.create_default_context(cafile=cafile)
    imap = imaplib.IMAP4_SSL(host, int(port), ssl_context=context, timeout=60)
    imap.login(user, password)
    typ, data = imap.select(mailbox)
    assert typ == "OK", (typ, data)
    print("exists %s" % data[0].decode(), flush=True)
    tag = b"IDLE1"
    imap.send(tag + b" IDLE\r\n")
    line = imap.readline()
    assert line.startswith(b"+"), line
    print("idling", flush=True)
    while True:
        line = imap.readline().rstrip(b"\r\n")
        m = re.match(rb"\* \d+ (EXISTS|EXPUNGE|FETCH)", line)
        if m:
            print(line.decode(), flush=True)
            if m.group(1) == b"EXPUNGE":
                break
    imap.send(b"DONE\r\n")
    while True:
        line = imap.readline()
        if line.startswith(tag + b" "):
            assert line.startswith(tag + b" OK"), line
            break
    typ, data = imap.noop()
    assert typ == "OK", (typ, data)
    typ, data = imap.uid("SEARCH", None, "ALL")
    assert typ == "OK", (typ, data)
    print("uids %s" % data[0].decode(), flush=True)
    imap.logout()
    print("done", flush=True)


if __name__ == "__main__":
    main()
