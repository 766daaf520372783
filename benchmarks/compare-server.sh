#!/usr/bin/env bash
# The HTTP layer's cost: aggregate decode tokens/s through the OpenAI server with N concurrent
# streaming clients, beside the engine's own rate at N sequences, in one run, two ways.
#
#   benchmarks/compare-server.sh                         # GPT-2 124M bf16 (random weights), 8 clients
#   MODEL=models/gpt2-shakespeare CLIENTS=8 NEW=64 RUNS=3 ROUNDS=2 PAIRED_RUNS=8 THREADS=2 benchmarks/compare-server.sh
#
# Paired, in one process: `vectorlm bench --parallel CLIENTS --http --runs PAIRED_RUNS`: one engine
# and one server on it; each run submits CLIENTS sequences to the engine directly, then sends the
# same prompts as CLIENTS streaming requests (java.net.http), so each ratio compares two runs a few
# seconds apart on the same warm JVM. This is the figure to quote on a shared machine.
#
# End to end, ROUNDS times: (1) `./vectorlm bench --parallel CLIENTS --json`: CLIENTS sequences of
# PROMPT random token ids decode NEW tokens together, RUNS runs after a warm-up; the aggregate is all
# tokens after each sequence's first over the time from the first sequence's first token to the
# last one's end. (2) `./vectorlm serve --parallel CLIENTS` on a free port, and
# benchmarks/scripts/server_stream_bench.py: CLIENTS streaming /v1/completions requests at once with
# the same kind of prompts, greedy, `ignore_eos` (exactly NEW tokens each), RUNS runs after a
# warm-up, the same aggregate measured by the client from the events' arrival; then SIGTERM.
# The client (Python, one thread per stream) runs on the same machine and shares its cores.
# (3) With LLAMA_CPP_BIN (and LLAMA_CPP_SRC for the converter; see benchmarks/llamacpp-bench.sh),
# each round also starts llama.cpp's llama-server on the same model converted to GGUF
# (LLAMA_CPP_CONFIG, default gpt2-bf16-bf16: BF16 weights as ours), CLIENTS slots, THREADS threads,
# and runs the same client against it; the table adds its rate and VectorLM's HTTP rate over it.
# Only for the default model (the GGUF is made from $MODELS/gpt2-124m-bf16).
# Output: benchmarks/target/compare-server/{machine.txt,engine-R.json,server-R.json,serve-R.log,table.md}.
set -euo pipefail
cd "$(dirname "$0")/.."

MODELS="${MODELS:-/tmp/vectorlm-bench}"
MODEL="${MODEL:-$MODELS/gpt2-124m-bf16}"
CLIENTS="${CLIENTS:-8}"
PROMPT="${PROMPT:-16}"
NEW="${NEW:-64}"
RUNS="${RUNS:-3}"
ROUNDS="${ROUNDS:-2}"
THREADS="${THREADS:-2}"
OUT=benchmarks/target/compare-server
rm -rf "$OUT"
mkdir -p "$OUT"
benchmarks/scripts/machine_info.sh > "$OUT/machine.txt"
echo "== $(sed -n 's/^machine=//p' "$OUT/machine.txt")" >&2

if [ ! -f "$MODEL/model.safetensors" ] && [ ! -f "$MODEL/ckpt.pt" ]; then
    case "$(basename "$MODEL")" in
        gpt2-124m-bf16) echo "== making $MODEL" >&2
            /usr/bin/python3 tools/make_gpt2_bench_model.py "$MODEL" --dtype bf16 >&2 ;;
        *) echo "compare-server.sh: no model at $MODEL" >&2; exit 1 ;;
    esac
fi
NAME=$(basename "$MODEL")
PAIRED_RUNS="${PAIRED_RUNS:-8}"
./vectorlm --version > /dev/null # builds once here, not inside a measurement
LLAMA_CPP_CONFIG="${LLAMA_CPP_CONFIG:-gpt2-bf16-bf16}"
LLAMA=0
if [ -z "${LLAMA_CPP_BIN:-}" ]; then
    echo "== no LLAMA_CPP_BIN: llama-server not compared (see benchmarks/llamacpp-bench.sh)" >&2
elif [ "$NAME" != gpt2-124m-bf16 ]; then
    echo "== llama-server not compared: it runs the GGUF of gpt2-124m-bf16, and MODEL is $NAME" >&2
else
    echo "== llama.cpp: converting for $LLAMA_CPP_CONFIG" >&2
    LLAMA_CPP_CONFIGS="$LLAMA_CPP_CONFIG" benchmarks/llamacpp-bench.sh prepare "$OUT/llamacpp" > /dev/null
    LLAMA=1
fi

echo "== paired: vectorlm bench --parallel $CLIENTS --http --runs $PAIRED_RUNS" >&2
./vectorlm bench --model "$MODEL" --threads "$THREADS" --parallel "$CLIENTS" --http --prompt-tokens "$PROMPT" \
    --new-tokens "$NEW" --runs "$PAIRED_RUNS" --warmup 1 --json > "$OUT/paired.json" 2> "$OUT/paired.log"

SERVER_PID=
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2> /dev/null || true
        wait "$SERVER_PID" 2> /dev/null || true
        SERVER_PID=
    fi
}
trap stop_server EXIT

free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
await_health() { # PORT LOG: until GET /health answers 200, or the server exits
    for _ in $(seq 1 120); do
        if /usr/bin/python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$1/health', timeout=1)" \
                2> /dev/null; then
            return
        fi
        kill -0 "$SERVER_PID" 2> /dev/null || { echo "the server did not start: $2" >&2; exit 1; }
        sleep 0.5
    done
    echo "the server did not answer /health in 60 s: $2" >&2
    exit 1
}

for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round: vectorlm bench --parallel $CLIENTS" >&2
    ./vectorlm bench --model "$MODEL" --threads "$THREADS" --parallel "$CLIENTS" --prompt-tokens "$PROMPT" \
        --new-tokens "$NEW" --runs "$RUNS" --warmup 1 --json > "$OUT/engine-$round.json" 2> "$OUT/engine-$round.log"

    echo "== round $round: vectorlm serve --parallel $CLIENTS, $CLIENTS streaming clients" >&2
    PORT=$(free_port)
    ./vectorlm serve --model "$MODEL" --model-name "$NAME" --threads "$THREADS" --parallel "$CLIENTS" \
        --port "$PORT" > /dev/null 2> "$OUT/serve-$round.log" &
    SERVER_PID=$!
    await_health "$PORT" "$OUT/serve-$round.log"
    /usr/bin/python3 benchmarks/scripts/server_stream_bench.py "http://127.0.0.1:$PORT" "$NAME" --clients "$CLIENTS" \
        --prompt-tokens "$PROMPT" --new-tokens "$NEW" --runs "$RUNS" --warmup 1 --seed "$round" \
        > "$OUT/server-$round.json" 2> "$OUT/server-$round.log"
    stop_server

    if [ "$LLAMA" = 1 ]; then
        echo "== round $round: llama-server ($LLAMA_CPP_CONFIG), $CLIENTS streaming clients" >&2
        PORT=$(free_port)
        benchmarks/llamacpp-bench.sh server "$LLAMA_CPP_CONFIG" "$THREADS" "$CLIENTS" "$PORT" \
            > /dev/null 2> "$OUT/llama-serve-$round.log" &
        SERVER_PID=$!
        await_health "$PORT" "$OUT/llama-serve-$round.log"
        /usr/bin/python3 benchmarks/scripts/server_stream_bench.py "http://127.0.0.1:$PORT" "$NAME" \
            --clients "$CLIENTS" --prompt-tokens "$PROMPT" --new-tokens "$NEW" --runs "$RUNS" --warmup 1 \
            --seed "$round" > "$OUT/llama-server-$round.json" 2> "$OUT/llama-server-$round.log"
        stop_server
    fi
done
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"

/usr/bin/python3 - "$OUT" "$ROUNDS" "$CLIENTS" "$NAME" "$THREADS" "$LLAMA" "$LLAMA_CPP_CONFIG" << 'PY' \
    | tee "$OUT/table.md"
import json, os, statistics, sys
out, rounds, clients, name, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
llama, llama_config = sys.argv[6] == "1", sys.argv[7]
machine = dict(l.split("=", 1) for l in open(os.path.join(out, "machine.txt")).read().splitlines() if "=" in l)
engine, server, ratios = [], [], []
for r in range(1, rounds + 1):
    e = json.load(open(os.path.join(out, f"engine-{r}.json")))["parallel"][0]
    s = json.load(open(os.path.join(out, f"server-{r}.json")))
    engine.append(e["aggregateDecodeTokensPerSecond"])
    server.append(statistics.median(s["aggregate"]))
    ratios.append(server[-1] / engine[-1])
def cell(values, digits=1):
    return f"{statistics.median(values):.{digits}f} [{min(values):.{digits}f}–{max(values):.{digits}f}]"
paired = json.load(open(os.path.join(out, "paired.json")))["http"][0]
print(f"Machine: {machine.get('machine', '?')}; load after: {machine.get('load_after', '?')}\n")
print(f"| how | model | threads | sequences | engine tok/s | HTTP, {clients} streaming clients tok/s | HTTP / engine |")
print("|---|---|---|---|---|---|---|")
print(f"| paired in one process, {len(paired['httpOverEngine'])} runs | {name} | {threads} | {clients} | "
      f"{cell(paired['engineTokensPerSecond'])} | {cell(paired['httpTokensPerSecond'])} | {cell(paired['httpOverEngine'], 2)} |")
print(f"| separate processes (bench, then serve + Python clients), {rounds} rounds | {name} | {threads} | {clients} | "
      f"{cell(engine)} | {cell(server)} | {cell(ratios, 2)} |")
if llama:
    peer, over = [], []
    for r in range(1, rounds + 1):
        peer.append(statistics.median(json.load(open(os.path.join(out, f"llama-server-{r}.json")))["aggregate"]))
        over.append(server[r - 1] / peer[-1])
    gguf = ""
    for line in open(os.path.join(out, "llamacpp", "llamacpp.txt")):
        if line.startswith("gguf_"):
            gguf = os.path.basename(line.split("=", 1)[1].split()[0])
    print(f"\n| server, {clients} streaming clients, {rounds} rounds | weights | threads | tok/s | vectorlm serve / llama-server |")
    print("|---|---|---|---|---|")
    print(f"| vectorlm serve | {name} (safetensors BF16) | {threads} | {cell(server)} | |")
    print(f"| llama.cpp llama-server | {gguf} ({llama_config}) | {threads} | {cell(peer)} | {cell(over, 2)} |")
PY
