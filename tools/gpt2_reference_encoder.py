#!/usr/bin/env python3
"""A second, local oracle for GPT-2 token ids: OpenAI's published encoder algorithm, written out
from its description (GPT-2 paper, section 2.2, and the encoder's documented steps), on Python's
`regex` module (Debian: python3-regex).

    python3 tools/gpt2_reference_encoder.py OUTDIR [--gpt2-dir DIR] [--shakespeare FILE]

Writes OUTDIR/gpt2-openai.json in the format of make_tokenizer_fixtures.py (same texts), so the
Java tests can check the ids against two independent implementations. OpenAI's encoder knows no
special tokens, so the text is first cut at each "<|endoftext|>", which becomes id 50256, as a
Hugging Face special token (normalized=False, no strip flags) does.

The algorithm:
  1. split the text with the pattern below (\\p{L} letters, \\p{N} numbers, \\s Unicode white space);
  2. map each piece's UTF-8 bytes to printable stand-ins (bytes_to_unicode);
  3. repeatedly find the adjacent pair with the lowest merge rank and merge all its occurrences,
     left to right, until no pair has a rank;
  4. look each resulting symbol up in encoder.json.
"""

import argparse
import json
import os
import sys

import regex

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_tokenizer_fixtures as fixtures  # noqa: E402  (the same texts, without importing tokenizers)

PATTERN = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
END_OF_TEXT = "<|endoftext|>"


def bytes_to_unicode():
    """Printable Latin-1 bytes stand for themselves; the other 68 move to 256 and up, in byte order."""
    direct = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    table = {}
    moved = 0
    for b in range(256):
        if b in direct:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + moved)
            moved += 1
    return table


class ReferenceEncoder:
    def __init__(self, encoder, merges):
        self.encoder = encoder
        self.decoder = {v: k for k, v in encoder.items()}
        self.ranks = {pair: rank for rank, pair in enumerate(merges)}
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {v: k for k, v in self.byte_encoder.items()}

    def bpe(self, piece):
        symbols = list(piece)
        while len(symbols) > 1:
            ranked = [(self.ranks.get((a, b), None), i) for i, (a, b) in enumerate(zip(symbols, symbols[1:]))]
            ranked = [r for r in ranked if r[0] is not None]
            if not ranked:
                break
            best = min(ranked)[1]
            first, second = symbols[best], symbols[best + 1]
            merged = []
            i = 0
            while i < len(symbols):
                if i + 1 < len(symbols) and symbols[i] == first and symbols[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            symbols = merged
        return symbols

    def encode_plain(self, text):
        ids = []
        for piece in PATTERN.findall(text):
            mapped = "".join(self.byte_encoder[b] for b in piece.encode("utf-8"))
            ids.extend(self.encoder[s] for s in self.bpe(mapped))
        return ids

    def encode(self, text):
        ids = []
        parts = text.split(END_OF_TEXT)
        for i, part in enumerate(parts):
            if i > 0:
                ids.append(self.encoder[END_OF_TEXT])
            ids.extend(self.encode_plain(part))
        return ids

    def decode(self, ids):
        data = bytearray()
        for i in ids:
            token = self.decoder[i]
            if all(c in self.byte_decoder for c in token):
                data.extend(self.byte_decoder[c] for c in token)
            else:
                data.extend(token.encode("utf-8"))
        return data.decode("utf-8", errors="replace")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--gpt2-dir")
    ap.add_argument("--shakespeare")
    args = ap.parse_args()
    gpt2_dir = args.gpt2_dir or os.path.dirname(fixtures.find_input(None, "gpt2", "encoder.json"))
    with open(os.path.join(gpt2_dir, "encoder.json"), encoding="utf-8") as f:
        encoder = json.load(f)
    with open(os.path.join(gpt2_dir, "vocab.bpe"), encoding="utf-8") as f:
        merges = [tuple(line.split(" ")) for line in f.read().split("\n")[1:] if line]
    with open(fixtures.find_input(args.shakespeare, "text", "tinyshakespeare.txt"), encoding="utf-8") as f:
        corpus = f.read()
    ref = ReferenceEncoder(encoder, merges)
    texts = fixtures.all_texts(corpus)
    records = []
    for name, text in texts:
        ids = ref.encode(text)
        records.append({"name": name, "text": text, "ids": ids, "decoded": ref.decode(ids)})
    os.makedirs(args.outdir, exist_ok=True)
    fixtures.write(args.outdir, "gpt2-openai.json", {
        "tokenizer": "GPT-2 by OpenAI's encoder algorithm (tools/gpt2_reference_encoder.py), <|endoftext|> cut out first",
        "versions": {"regex": regex.__version__, "python": sys.version.split()[0]},
        "texts": records,
    })


if __name__ == "__main__":
    main()
