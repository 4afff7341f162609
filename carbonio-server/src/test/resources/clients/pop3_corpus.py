#!/usr/bin/env python3
"""Reads a whole POP3 maildrop over implicit TLS with Python's poplib (RETR of every message in
one session) and prints one line per message: its UIDL and the SHA-256 of what poplib returned,
its lines joined with CRLF (poplib strips each line's CRLF and undoes the byte-stuffing).

usage: pop3_corpus.py HOST PORT USER PASSWORD CAFILE
"""
import hashlib
import poplib
import ssl
import sys

# poplib refuses lines longer than 2,048 octets (its own limit, not RFC 1939's); corpus messages
# have longer ones, so the limit is raised as a user of poplib would.
poplib._MAXLINE = 10_000_000


def main():
    host, port, user, password, cafile = sys.argv[1:6]
    context = ssl.create_default_context(cafile=cafile)
    pop = poplib.POP3_SSL(host, int(port), context=context, timeout=60)
    pop.user(user)
    pop.pass_(password)
    _, uidls, _ = pop.uidl()
    for entry in uidls:
        num, uidl = entry.decode().split(" ", 1)
        _, lines, _ = pop.retr(int(num))
        digest = hashlib.sha256(b"".join(line + b"\r\n" for line in lines)).hexdigest()
        print(uidl, digest)
    pop.quit()


if __name__ == "__main__":
    main()
