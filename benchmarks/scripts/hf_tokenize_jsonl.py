#!/usr/bin/env python3
"""The Hugging Face `tokenizers` baseline of compare-preprocess.sh: what GPT-NeoX's
preprocess_data.py does per document (json.loads, Tokenizer.encode(text).ids, append the eod id),
on one thread, timed from the first line to the last, tokenizer load excluded.

    TOKENIZERS_PARALLELISM=false python3 hf_tokenize_jsonl.py TOKENIZER_JSON CORPUS.jsonl [--batch]

--batch encodes 64 documents per Tokenizer.encode_batch call instead (less Python per document;
RAYON_NUM_THREADS=1 keeps it on one core). Prints one JSON line: documents, tokens, text_bytes, seconds.
"""
import json
import sys
import time

from tokenizers import Tokenizer


def main():
    tokenizer = Tokenizer.from_file(sys.argv[1])
    eod = tokenizer.token_to_id("<|endoftext|>")
    batch = "--batch" in sys.argv[3:]
    documents = tokens = text_bytes = 0
    start = time.perf_counter()
    with open(sys.argv[2], "rb") as f:
        pending = []
        for line in f:
            text = json.loads(line)["text"]
            if not text:
                continue
            text_bytes += len(line)
            documents += 1
            if batch:
                pending.append(text)
                if len(pending) == 64:
                    tokens += sum(len(e.ids) + 1 for e in tokenizer.encode_batch(pending))
                    pending = []
            else:
                ids = tokenizer.encode(text).ids
                ids.append(eod)
                tokens += len(ids)
        if pending:
            tokens += sum(len(e.ids) + 1 for e in tokenizer.encode_batch(pending))
    seconds = time.perf_counter() - start
    print(json.dumps({"documents": documents, "tokens": tokens, "text_bytes": text_bytes, "seconds": seconds}))


if __name__ == "__main__":
    main()
