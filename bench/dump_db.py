#!/usr/bin/python3
"""Prints one line per document of a newsidx database: URL, then the SHA-256 of its document
data, sorted by URL. Two databases hold the same articles exactly when their dumps are equal.

usage: /usr/bin/python3 bench/dump_db.py DB   (needs Debian's python3-xapian)
"""
import hashlib
import json
import sys

import xapian


def main() -> None:
    db = xapian.Database(sys.argv[1])
    rows = []
    for posting in db.postlist(""):
        data = db.get_document(posting.docid).get_data()
        url = json.loads(data.split(b"\0", 1)[0])["url"]
        rows.append(f"{url}\t{hashlib.sha256(data).hexdigest()}")
    rows.sort()
    sys.stdout.write("\n".join(rows) + ("\n" if rows else ""))


if __name__ == "__main__":
    main()
