#!/usr/bin/env python3
"""Reads a POP3 maildrop with Python's poplib and prints it as JSON.

usage: pop3_fetch.py HOST PORT USER PASSWORD CAFILE MODE [DELETE]
MODE is 'stls' (POP3 + STLS) or 'ssl' (POP3_SSL, implicit TLS).
DELETE is a comma-separated list of message numbers to DELE before QUIT.
Output: {"capa": {...}, "stat": [n, octets], "list": [[num, size], ...],
         "messages": [{"num": N, "uidl": "...", "size": S, "body": "<base64>",
                       "top0": "<base64 of TOP N 0>"}, ...], "quit": "..."}
"""
import base64
import json
import poplib
import ssl
import sys


def joined(lines):
    # poplib strips the CRLF of each line and undoes the byte-stuffing
    return b"".join(line + b"\r\n" for line in lines)


def main():
    host, port, user, password, cafile, mode = sys.argv[1:7]
    delete = [int(n) for n in sys.argv[7].split(",")] if len(sys.argv) > 7 and sys.argv[7] else []
    context = ssl.create_default_context(cafile=cafile)
    if mode == "ssl":
        pop = poplib.POP3_SSL(host, int(port), context=context, timeout=30)
    else:
        pop = poplib.POP3(host, int(port), timeout=30)
        capa = pop.capa()
        assert "STLS" in capa, capa
        assert "USER" not in capa, capa  # no plaintext login before TLS
        pop.stls(context=context)
    capa = pop.capa()
    pop.user(user)
    pop.pass_(password)
    count, octets = pop.stat()
    _, listing, _ = pop.list()
    _, uidls, _ = pop.uidl()
    uid_by_num = dict(line.decode().split(" ", 1) for line in uidls)
    messages = []
    for entry in listing:
        num, size = (int(x) for x in entry.split())
        _, lines, retr_octets = pop.retr(num)
        _, top_lines, _ = pop.top(num, 0)
        messages.append({
            "num": num,
            "uidl": uid_by_num[str(num)],
            "size": size,
            "body": base64.b64encode(joined(lines)).decode(),
            "top0": base64.b64encode(joined(top_lines)).decode(),
        })
    for num in delete:
        pop.dele(num)
    quit_reply = pop.quit().decode()
    json.dump({
        "capa": {k: v for k, v in capa.items()},
        "stat": [count, octets],
        "list": [[int(x) for x in e.split()] for e in listing],
        "messages": messages,
        "quit": quit_reply,
    }, sys.stdout)


if __name__ == "__main__":
    main()
