#!/usr/bin/env python3
"""KL divergence of quantized weights against the weights as stored, chunk by chunk, as llama.cpp counts it.

    benchmarks/scripts/quant_kl.py MODEL IDS_FILE WINDOW TYPE... > kl.jsonl

IDS_FILE holds whitespace-separated token ids. The ids are cut into non-overlapping chunks of WINDOW
tokens; each chunk is scored alone, from an empty cache, by `./vectorlm score --ids CHUNK --window
WINDOW --quantize TYPE --compare-to-f32 --json` (positions 0 … WINDOW-2 of the chunk, each predicting
the next id). Prints one JSON line per TYPE over all chunks: targets, mean and largest KL(as stored ||
quantized) in nats, the fraction of positions with the same most likely token, both perplexities.
A program that runs llama.cpp's f32 and quantized GGUFs over the same chunks and positions gives
the peer's figures (docs/performance-quant.md, "KL divergence beside llama.cpp").
"""
import json
import math
import subprocess
import sys


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    model, ids_file, window, types = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    ids = [int(t) for t in open(ids_file).read().split()]
    chunks = [ids[c * window:(c + 1) * window] for c in range(len(ids) // window)]
    if not chunks:
        sys.exit(f"{ids_file}: fewer than {window} ids")
    for q in types:
        kl = largest = same = nll_reference = nll = 0.0
        targets = 0
        for chunk in chunks:
            out = subprocess.run(["./vectorlm", "score", "--model", model, "--ids", ",".join(map(str, chunk)),
                                  "--window", str(window), "--quantize", q, "--compare-to-f32", "--json"],
                                 capture_output=True, text=True, check=True).stdout
            r = json.loads(out)
            t = len(chunk) - 1
            kl += r["mean_kl_divergence"] * t
            largest = max(largest, r["max_kl_divergence"])
            same += r["same_top_token"] * t
            nll_reference += math.log(r["reference_perplexity"]) * t
            nll += math.log(r["perplexity"]) * t
            targets += t
        print(json.dumps({"quantize": q, "chunks": len(chunks), "targets": targets, "mean_kl_divergence": kl / targets,
                          "max_kl_divergence": largest, "same_top_token": same / targets,
                          "reference_perplexity": math.exp(nll_reference / targets),
                          "perplexity": math.exp(nll / targets)}), flush=True)


if __name__ == "__main__":
    main()
