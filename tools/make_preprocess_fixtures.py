#!/usr/bin/env python3
"""Writes the GPT-NeoX oracle fixtures for VectorLM's `preprocess` tests.

    PYTHONPATH=DIR_WITH_TOKENIZERS python3 tools/make_preprocess_fixtures.py GPT_NEOX_CHECKOUT OUTDIR \
        [--tokenizer FILE] [--shakespeare FILE]

Needs numpy, torch (GPT-NeoX's indexed_dataset.py imports it) and Hugging Face `tokenizers`
(`pip install --no-deps tokenizers` is enough). GPT_NEOX_CHECKOUT is a clone of
EleutherAI/gpt-neox: its megatron/data/indexed_dataset.py is loaded from there, unchanged, with
a stand-in for the one `megatron` helper it imports (print_rank_0), so that the datasets are
written by GPT-NeoX's own MMapIndexedDatasetBuilder. Reads no network.

Writes into OUTDIR:
  docs.jsonl                    the corpus: paragraphs of Tiny Shakespeare, texts with accents,
                                CJK, emoji, a literal <|endoftext|>, extra keys and nested values,
                                an empty text (skipped, as GPT-NeoX's lm_dataformat reader skips it)
  neox20b_text_document.bin/.idx  the corpus tokenized as GPT-NeoX's preprocess_data.py does it
                                with --tokenizer-type HFTokenizer --append-eod (HF `tokenizers`
                                encodes; eod = token_to_id("<|endoftext|>"); dtype from
                                best_fitting_dtype(get_vocab_size()))
  neox20b_noeod_text_document.bin/.idx  the same without --append-eod
  docs.jsonl.gz, docs.jsonl.xz, docs.jsonl.zst  the corpus compressed by the gzip, xz and zstd
                                command-line tools (an oracle for the Java decoders)
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import types

import numpy as np
from tokenizers import Tokenizer


def load_indexed_dataset(checkout):
    megatron = types.ModuleType("megatron")
    megatron.print_rank_0 = lambda *a, **k: None
    sys.modules["megatron"] = megatron
    path = os.path.join(checkout, "megatron", "data", "indexed_dataset.py")
    spec = importlib.util.spec_from_file_location("indexed_dataset", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def documents(shakespeare):
    with open(shakespeare, encoding="utf-8") as f:
        paragraphs = [p for p in f.read().split("\n\n") if p.strip()]
    docs = [{"text": p} for p in paragraphs[:40]]
    docs.append({"text": "Crème brûlée, naïve café — déjà vu. 東京は晴れ。 🚀🔥 done.", "id": 7})
    docs.append({"meta": {"source": "x", "list": [1, {"a": "b"}]}, "text": "Nested values are skipped.\n\tTabs too."})
    docs.append({"text": ""})
    docs.append({"text": "Two documents<|endoftext|>in one text."})
    docs.append({"text": " leading space and trailing  ", "extra": None})
    docs.append({"text": "A" * 3000})
    return docs


def write_dataset(indexed_dataset, tokenizer, docs, prefix, append_eod):
    eod = tokenizer.token_to_id("<|endoftext|>")
    builder = indexed_dataset.make_builder(prefix + ".bin", impl="mmap", vocab_size=tokenizer.get_vocab_size())
    for doc in docs:
        text = doc["text"]
        if not text:  # lm_dataformat yields no empty documents
            continue
        ids = tokenizer.encode(text).ids
        sentences = [ids] if ids else []
        if append_eod:
            sentences[-1].append(eod)
        for sentence in sentences:
            builder.add_item(np.array(sentence, dtype=builder.dtype))
        builder.end_document()
    builder.finalize(prefix + ".idx")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    parser = argparse.ArgumentParser()
    parser.add_argument("checkout")
    parser.add_argument("outdir")
    parser.add_argument("--tokenizer",
                        default=os.path.join(repo, "generation/src/test/resources/tokenizers/20B_tokenizer.json"))
    parser.add_argument("--shakespeare", default=os.path.join(repo, "..", "shared", "data", "text", "tinyshakespeare.txt"))
    args = parser.parse_args()
    indexed_dataset = load_indexed_dataset(args.checkout)
    tokenizer = Tokenizer.from_file(args.tokenizer)
    docs = documents(args.shakespeare)
    os.makedirs(args.outdir, exist_ok=True)
    with open(os.path.join(args.outdir, "docs.jsonl"), "w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    write_dataset(indexed_dataset, tokenizer, docs, os.path.join(args.outdir, "neox20b_text_document"), True)
    write_dataset(indexed_dataset, tokenizer, docs, os.path.join(args.outdir, "neox20b_noeod_text_document"), False)
    corpus = os.path.join(args.outdir, "docs.jsonl")
    for tool, suffix in (["gzip", "-n", "-9"], ".gz"), (["xz", "-9"], ".xz"), (["zstd", "-19", "-q"], ".zst"):
        with open(corpus, "rb") as src, open(corpus + suffix, "wb") as dst:
            subprocess.run(tool + ["-c"], stdin=src, stdout=dst, check=True)


if __name__ == "__main__":
    main()
