#!/usr/bin/python3
"""What offlineimap3 writes to its Maildir for each message the IMAP server sends.

usage: offlineimap_expected.py DIR
DIR holds one file per message, named by its UID, with the bytes the server's store holds.
offlineimap3 does not write what it fetched: it parses BODY[] with Python's email package
(BytesParser, policy "8bit-RFC") and writes msg.as_bytes(policy "8bit") to the Maildir
(offlineimap/folder/IMAP.py _fetch_from_imap, folder/Maildir.py save_to_tmp_file). This script
runs the same code on the stored bytes, with offlineimap's own policies and boundary fix, under
offlineimap's interpreter (/usr/bin/python3), and prints "UID SHA256" of the file offlineimap
must have written, or "UID refused" when offlineimap cannot serialize the message (it then
reports "UID n ... has defects preventing it from being processed" and skips it).
Where a multipart message lacks its boundary, the serializer makes up a random one
("===============<digits>=="): every such token is replaced by "===============0==" before
hashing, and the test does the same to offlineimap's file.
"""
import hashlib
import os
import re
import sys
from email.errors import NoBoundaryInMultipartDefect
from email.parser import BytesParser

sys.path.insert(0, "/usr/share/offlineimap3")
from offlineimap.folder.IMAP import IMAPFolder  # noqa: E402
from email import policy  # noqa: E402

RFC = policy.default.clone(cte_type="8bit", utf8=True, refold_source="none", linesep="\r\n")
LOCAL = policy.default.clone(cte_type="8bit", utf8=True, refold_source="none")


def main():
    folder = sys.argv[1]
    parser = BytesParser(policy=RFC)
    for name in sorted(os.listdir(folder), key=int):
        with open(os.path.join(folder, name), "rb") as f:
            raw = f.read()
        msg = parser.parsebytes(raw)
        try:
            if msg.defects:
                if any(isinstance(d, NoBoundaryInMultipartDefect) for d in msg.defects):
                    msg = parser.parsebytes(IMAPFolder._quote_boundary_fix(None, raw))
                msg.as_bytes(policy=RFC)
            out = msg.as_bytes(policy=LOCAL)
        except UnicodeEncodeError:
            print(name, "refused")
            continue
        out = re.sub(rb"={15}\d+==", b"===============0==", out)
        print(name, hashlib.sha256(out).hexdigest())


if __name__ == "__main__":
    main()
