#!/usr/bin/env python3
"""Writes a JSON-lines corpus: each paragraph of TEXT a document, the whole repeated COPIES times
with the copy number in each text so that no two documents are equal.

    shakespeare_jsonl.py TEXT COPIES OUT.jsonl
"""
import json
import sys

paragraphs = [p for p in open(sys.argv[1], encoding="utf-8").read().split("\n\n") if p.strip()]
with open(sys.argv[3], "w", encoding="utf-8") as f:
    for copy in range(int(sys.argv[2])):
        for p in paragraphs:
            f.write(json.dumps({"text": f"{p}\n({copy})"}) + "\n")
