#!/usr/bin/env bash
# Batched decoding: the engine's aggregate decode rate with N sequences at once, beside one sequence,
# and beside llama.cpp's llama-batched-bench on the same weights when LLAMA_CPP_BIN and LLAMA_CPP_SRC are given (your llama.cpp build and
# its source; see benchmarks/llamacpp-bench.sh).
#
#   benchmarks/compare-batched.sh                        # GPT-2 124M f32 and bf16, 1 and 2 threads
#   PARALLEL=1,4,8,16 PROMPT=16 NEW=64 RUNS=3 benchmarks/compare-batched.sh
#   LLAMA_CPP_BIN=~/llama.cpp/build/bin LLAMA_CPP_SRC=~/llama.cpp benchmarks/compare-batched.sh
#                                                       # with llama-batched-bench (S_TG t/s)
#   VECTORLM_JAVA_OPTS="-XX:UseAVX=2" benchmarks/compare-batched.sh
#
# What it does: makes the random-weight models under $MODELS (as compare-models.sh), then for each
# model and thread count runs `./vectorlm bench --parallel $PARALLEL --json` (N sequences of PROMPT
# random tokens each decode NEW tokens together; the aggregate is all decoded tokens over the time
# from the first sequence's first token to the last one's end; median of RUNS after a warm-up) and,
# with llama.cpp, `llama-batched-bench -npp PROMPT -ntg NEW -npl $PARALLEL` (its S_TG t/s, the
# same aggregate). Prints a markdown table: tokens/s, and each parallelism's multiple of its own
# single sequence. Output: benchmarks/target/compare-batched/*.json, *.txt, table.md.
set -euo pipefail
cd "$(dirname "$0")/.."

MODELS="${MODELS:-/tmp/vectorlm-bench}"
PARALLEL="${PARALLEL:-1,4,8,16}"
PROMPT="${PROMPT:-16}"
NEW="${NEW:-64}"
RUNS="${RUNS:-3}"
OUT=benchmarks/target/compare-batched
CONFIGS=(gpt2-f32 gpt2-bf16)
rm -rf "$OUT"
mkdir -p "$OUT" "$MODELS"
benchmarks/scripts/machine_info.sh > "$OUT/machine.txt"
echo "== $(sed -n 's/^machine=//p' "$OUT/machine.txt")" >&2

model_dir() { case "$1" in gpt2-f32) echo gpt2-124m-f32 ;; gpt2-bf16) echo gpt2-124m-bf16 ;; esac; }
for c in "${CONFIGS[@]}"; do
    d="$MODELS/$(model_dir "$c")"
    if [ ! -f "$d/model.safetensors" ]; then
        echo "== making $d" >&2
        /usr/bin/python3 tools/make_gpt2_bench_model.py "$d" --dtype "${c#gpt2-}" >&2
    fi
done
LLAMA=0
if [ -n "${LLAMA_CPP_SRC:-}" ] && [ -n "${LLAMA_CPP_BIN:-}" ]; then
    LLAMA=1
    LLAMA_CPP_CONFIGS="${CONFIGS[*]}" benchmarks/llamacpp-bench.sh prepare "$OUT/llamacpp" >&2
fi

for c in "${CONFIGS[@]}"; do
    for t in 1 2; do
        echo "== $c, $t thread(s): vectorlm bench --parallel $PARALLEL" >&2
        ./vectorlm bench --model "$MODELS/$(model_dir "$c")" --threads "$t" --parallel "$PARALLEL" \
            --prompt-tokens "$PROMPT" --new-tokens "$NEW" --runs "$RUNS" --warmup 1 --json \
            > "$OUT/vectorlm-$c-$t.json" 2> "$OUT/vectorlm-$c-$t.log"
        if [ "$LLAMA" = 1 ]; then
            echo "== $c, $t thread(s): llama-batched-bench -npl $PARALLEL" >&2
            LLAMA_CPP_CONFIGS="${CONFIGS[*]}" benchmarks/llamacpp-bench.sh batched "$c" "$t" "$PARALLEL" \
                "$PROMPT" "$NEW" "$OUT/llamacpp-$c-$t.txt"
        fi
    done
done
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"

/usr/bin/python3 - "$OUT" "$LLAMA" "${CONFIGS[@]}" << 'PY' | tee "$OUT/table.md"
import json, os, sys
out, llama, configs = sys.argv[1], sys.argv[2] == "1", sys.argv[3:]
machine = dict(l.split("=", 1) for l in open(os.path.join(out, "machine.txt")).read().splitlines() if "=" in l)
print(f"Machine: {machine.get('machine', '?')}\n")
def llama_rates(path):
    rates = {}
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 10 and cells[2].isdigit():
            rates[int(cells[2])] = float(cells[7])  # B -> S_TG t/s
    return rates
head = "| model | threads | sequences | VectorLM aggregate decode tok/s [range] | × its 1 sequence | per sequence |"
sep = "|---|---|---|---|---|---|"
if llama:
    head += " llama.cpp S_TG tok/s | × its 1 sequence | VectorLM / llama.cpp |"
    sep += "---|---|---|"
print(head)
print(sep)
for c in configs:
    for t in (1, 2):
        v = json.load(open(os.path.join(out, f"vectorlm-{c}-{t}.json")))
        rows = {r["sequences"]: r for r in v["parallel"]}
        one = rows.get(1, {}).get("aggregateDecodeTokensPerSecond")
        l = llama_rates(os.path.join(out, f"llamacpp-{c}-{t}.txt")) if llama else {}
        for n, r in sorted(rows.items()):
            a = r["aggregateDecodeTokensPerSecond"]
            lo, hi = r["aggregateRange"]
            line = (f"| {c} | {t} | {n} | {a:.1f} [{lo:.1f}–{hi:.1f}] | {a / one:.2f}× | "
                    f"{r['perSequenceDecodeTokensPerSecond']:.1f} |") if one else f"| {c} | {t} | {n} | {a:.1f} | — | |"
            if llama:
                ln = l.get(n)
                l1 = l.get(1)
                line += (f" {ln:.1f} | {ln / l1:.2f}× | {a / ln:.2f} |" if ln and l1 else " — | — | — |")
            print(line)
PY
