#!/usr/bin/env bash
# Corpus preprocessing: `vectorlm preprocess` on 1 and 2 workers beside Hugging Face `tokenizers`
# (Rust, through its Python package) on one core, same tokenizer file, same documents.
#
#   benchmarks/compare-preprocess.sh                  # GPT-NeoX-20B tokenizer, Tiny Shakespeare x COPIES
#   RUNS=5 COPIES=16 benchmarks/compare-preprocess.sh
#   HF_TOKENIZERS_PATH=/tmp/pylib-tok benchmarks/compare-preprocess.sh   # where `tokenizers` is, if not installed
#
# What it does: writes a JSON-lines corpus (each paragraph of Tiny Shakespeare a document, the whole
# repeated COPIES times with the copy number in each text so that no two documents are equal), then
# interleaves RUNS rounds of: `vectorlm preprocess --append-eod --workers 1` with the whole process
# held to one core (`taskset -c 0`: its reading thread, the JIT and the collector share that core,
# so this is "one core"), the same unpinned (one worker, the rest of the process on the other
# core), and `--workers 2` (time as reported by the command: first line read to files written, JVM
# start and tokenizer load excluded), and benchmarks/scripts/hf_tokenize_jsonl.py one document at a time and in
# batches of 64 (one thread; json.loads + encode + eod, no file written, so the baseline does less).
# Prints a markdown table of MB/s of JSON lines (median of RUNS, min-max) and ratios.
# Output: benchmarks/target/compare-preprocess/. Without `tokenizers` the baseline is skipped, saying so.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-3}"
COPIES="${COPIES:-8}"
OUT=benchmarks/target/compare-preprocess
TOKENIZER=generation/src/test/resources/tokenizers/20B_tokenizer.json
TEXT="${SHAKESPEARE:-../shared/data/text/tinyshakespeare.txt}"
rm -rf "$OUT"
mkdir -p "$OUT"
benchmarks/scripts/machine_info.sh > "$OUT/machine.txt"
echo "== $(sed -n 's/^machine=//p' "$OUT/machine.txt")" >&2

/usr/bin/python3 benchmarks/scripts/shakespeare_jsonl.py "$TEXT" "$COPIES" "$OUT/corpus.jsonl"
echo "== corpus: $(wc -l < "$OUT/corpus.jsonl") documents, $(du -h "$OUT/corpus.jsonl" | cut -f1)" >&2

HF=1
export PYTHONPATH="${HF_TOKENIZERS_PATH:-}${PYTHONPATH:+:$PYTHONPATH}"
if ! /usr/bin/python3 -c "import tokenizers" 2>/dev/null; then
    echo "== Hugging Face tokenizers not importable: baseline skipped (pip install tokenizers, or set HF_TOKENIZERS_PATH)" >&2
    HF=0
fi
./vectorlm preprocess --help > /dev/null # builds once, outside the timing

PIN=1
command -v taskset > /dev/null || { PIN=0; echo "== taskset not found: the one-core row is skipped" >&2; }
for run in $(seq 1 "$RUNS"); do
    if [ "$PIN" = 1 ]; then
        taskset -c 0 ./vectorlm preprocess --input "$OUT/corpus.jsonl" --tokenizer "$TOKENIZER" --append-eod --workers 1 \
            --output-prefix "$OUT/vectorlm-core1" --json 2>/dev/null > "$OUT/vectorlm-core1-$run.json"
    fi
    for w in 1 2; do
        ./vectorlm preprocess --input "$OUT/corpus.jsonl" --tokenizer "$TOKENIZER" --append-eod --workers "$w" \
            --output-prefix "$OUT/vectorlm-w$w" --json 2>/dev/null > "$OUT/vectorlm-w$w-$run.json"
    done
    if [ "$HF" = 1 ]; then
        TOKENIZERS_PARALLELISM=false RAYON_NUM_THREADS=1 /usr/bin/python3 benchmarks/scripts/hf_tokenize_jsonl.py \
            "$TOKENIZER" "$OUT/corpus.jsonl" > "$OUT/hf-one-$run.json"
        TOKENIZERS_PARALLELISM=false RAYON_NUM_THREADS=1 /usr/bin/python3 benchmarks/scripts/hf_tokenize_jsonl.py \
            "$TOKENIZER" "$OUT/corpus.jsonl" --batch > "$OUT/hf-batch-$run.json"
    fi
    echo "== round $run done" >&2
done

/usr/bin/python3 - "$OUT" "$RUNS" "$HF" "$PIN" <<'PY' | tee "$OUT/table.md"
import json, os, statistics, sys
out, runs, hf, pin = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1"
size = os.path.getsize(os.path.join(out, "corpus.jsonl"))
def rates(name):
    values = []
    for r in range(1, runs + 1):
        j = json.load(open(os.path.join(out, f"{name}-{r}.json")))
        values.append(size / 1e6 / j["seconds"])
    return statistics.median(values), min(values), max(values)
rows = [("vectorlm preprocess, 1 worker", rates("vectorlm-w1")), ("vectorlm preprocess, 2 workers", rates("vectorlm-w2"))]
if hf:
    rows += [("HF tokenizers, encode per document, 1 thread", rates("hf-one")),
             ("HF tokenizers, encode_batch(64), 1 thread", rates("hf-batch"))]
base = rows[0][1][0]
print(f"| {runs} runs, MB/s of JSON lines | median | min-max | vs vectorlm 1 worker |")
print("|---|---|---|---|")
for name, (m, lo, hi) in rows:
    print(f"| {name} | {m:.2f} | {lo:.2f}-{hi:.2f} | {m / base:.2f}x |")
if pin:
    core1 = rates("vectorlm-core1")
    print(f"| vectorlm preprocess, 1 worker, process on one core (taskset -c 0) | {core1[0]:.2f} | {core1[1]:.2f}-{core1[2]:.2f} | {core1[0] / base:.2f}x |")
print()
print(f"2 workers / 1 worker: {rows[1][1][0] / base:.2f}x")
if pin:
    print(f"2 workers on 2 cores / 1 worker on one core: {rows[1][1][0] / core1[0]:.2f}x")
if hf:
    print(f"vectorlm 1 worker / HF per document: {base / rows[2][1][0]:.2f}x; / HF batch: {base / rows[3][1][0]:.2f}x")
PY
