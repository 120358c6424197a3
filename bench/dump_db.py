#!/usr/bin/python3
"""Prints one line per document of a newsidx database: URL, then the SHA-256 of its document
data without its first_indexed time (runs at different times record different ones), sorted by
URL. Two databases hold the same articles exactly when their dumps are equal.

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
        head, _, text = db.get_document(posting.docid).get_data().partition(b"\0")
        fields = json.loads(head)
        fields.pop("first_indexed", None)
        digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode() + b"\0" + text).hexdigest()
        rows.append(f"{fields['url']}\t{digest}")
    rows.sort()
    sys.stdout.write("\n".join(rows) + ("\n" if rows else ""))


if __name__ == "__main__":
    main()
