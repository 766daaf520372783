#!/usr/bin/env bash
# Whole-model benchmarks: VectorLM against PyTorch eager on the same random-weight models, in one run.
#
#   benchmarks/compare-models.sh              # 3 alternating rounds; prints a markdown table
#   ROUNDS=5 benchmarks/compare-models.sh
#   QUICK=1 benchmarks/compare-models.sh      # 1 round, short runs, no scale test: a smoke test, not a measurement
#   SCALE=0 benchmarks/compare-models.sh      # without the Pythia-2.8B-shaped (6.2 GB) scale test
#   ONLY="gpt2-f32 pythia-f32" COLD=0 BATCHED=0 benchmarks/compare-models.sh   # only those rows (names as in
#                      # the table's files: gpt2-f32 gpt2-bf16 pythia-f32 pythia-int8 pythia-f16
#                      # {gpt2,pythia}-{q8_0,q4_0}); COLD=0: no cold starts
#   MODELS=/somewhere benchmarks/compare-models.sh   # where the models are made (default /tmp/vectorlm-bench)
#   LLAMA_CPP_BIN=~/llama.cpp/build/bin LLAMA_CPP_SRC=~/llama.cpp benchmarks/compare-models.sh
#                      # with llama.cpp's llama-bench beside PyTorch (your build; see llamacpp-bench.sh)
#   VECTORLM_JAVA_OPTS="-XX:UseAVX=2" benchmarks/compare-models.sh   # JVM options for every VectorLM JVM
#                      # (here: the AVX2 shape on an AVX-512 machine; 128-bit: -XX:MaxVectorSize=16)
#   PEERS_ISA=avx2 LLAMA_CPP_BIN=<a build without AVX-512> ... benchmarks/compare-models.sh
#                      # everything at the AVX2 shape on an AVX-512 machine: VectorLM -XX:UseAVX=2 (unless
#                      # VECTORLM_JAVA_OPTS says otherwise), PyTorch with OPENBLAS_CORETYPE=Haswell,
#                      # ATEN_CPU_CAPABILITY=avx2 and oneDNN capped at AVX2, the native read probe built
#                      # with -mavx2, and llama.cpp refused if its llama-bench uses zmm registers
#
# What it does, in order:
#  1. builds benchmarks/target/benchmarks.jar (ModelBench, BandwidthBenchmark) when missing or older
#     than the sources;
#  2. makes the models under $MODELS unless present: GPT-2 124M shape f32 and bf16
#     (tools/make_gpt2_bench_model.py), Pythia-160M shape f32 and f16 (tools/make_neox_bench_model.py);
#  2b. with LLAMA_CPP_BIN and LLAMA_CPP_SRC (a llama.cpp build's bin folder and its source, see
#     benchmarks/llamacpp-bench.sh): converts the models to GGUF (f32, f16 for the 16-bit ones, Q8_0, Q4_0);
#  3. measures read bandwidth with the kernels' JMH BandwidthBenchmark (1 and 2 threads) and with a
#     native C reader (benchmarks/native/read_probe.c, gcc -O3; benchmarks/scripts/native_read.sh);
#     the table's bandwidth limit is the faster of the two;
#  4. for each round, for 1 and 2 threads, for each model, runs VectorLM's ModelBench and then the
#     PyTorch eager script (benchmarks/scripts/torch_model_bench.py), each in a fresh process with its
#     own warm-up and measured repetitions; PyTorch runs with torch.set_num_threads(n),
#     OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=n, OMP_WAIT_POLICY=PASSIVE, and without this machine's
#     OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE; with llama.cpp, llama-bench follows PyTorch
#     (`-p 512 -n 128 -t n`, same number of repetitions), so all three share each round;
#  5. checks the greedy ids of VectorLM against PyTorch's f32 run on the same weights;
#  6. time to first token and peak RSS of cold starts: `./vectorlm generate` when the launcher is
#     there, and always ModelBench's `generate` probe (a bare JVM: load, prefill, decode);
#  7. the scale test: a Pythia-2.8B-shaped f16 model of 6.2 GB generating 8 tokens (RSS, tokens/s);
#  8. prints the table (benchmarks/scripts/compare_models_table.py);
#  9. unless BATCHED=0 or QUICK: batched decoding, N sequences at once beside one
#     (benchmarks/compare-batched.sh, llama-batched-bench beside it with llama.cpp).
# Every VectorLM JVM gets $VECTORLM_JAVA_OPTS (split on spaces; JMH's forks inherit them from their
# launcher; ./vectorlm reads the variable itself); the machine (CPU, ISA, cores, the JVM's vector
# width with those options: benchmarks/scripts/machine_info.sh) is printed first and kept in machine.txt.
# Needs: JDK 25, /usr/bin/python3 with torch (Debian python3-torch 1.13), /usr/bin/time.
# Output: benchmarks/target/compare-models/*.json, *.log and the table on stdout (also table.md).
set -euo pipefail
cd "$(dirname "$0")/.."


ROUNDS="${ROUNDS:-3}"
MODELS="${MODELS:-/tmp/vectorlm-bench}"
SCALE="${SCALE:-1}"
OUT=benchmarks/target/compare-models
JAR=benchmarks/target/benchmarks.jar
THREADS=(1 2)
if [ -n "${QUICK:-}" ]; then
    ROUNDS=1
    OURS_RUNS=(--runs 2 --warmup 1)
    TORCH_RUNS=(--runs 2 --warmup 1)
    LLAMA_REPS=2
    COLD_RUNS=2
    SCALE=0
else
    OURS_RUNS=(--runs 3 --warmup 2)
    TORCH_RUNS=(--runs 3 --warmup 1)
    LLAMA_REPS=3
    COLD_RUNS=5
fi

# shellcheck source=../.mvn/jdk25.sh
. .mvn/jdk25.sh
JAVA="$JAVA_HOME/bin/java"
PEERS_ISA="${PEERS_ISA:-native}"
TORCH_ISA_ENV=()
TORCH_BF16=bf16 # PyTorch computes the bf16 model in bf16 (oneDNN)
case "$PEERS_ISA" in
    native) ;;
    avx2)
        VECTORLM_JAVA_OPTS="${VECTORLM_JAVA_OPTS:--XX:UseAVX=2}"
        export VECTORLM_JAVA_OPTS
        TORCH_ISA_ENV=(OPENBLAS_CORETYPE=Haswell ATEN_CPU_CAPABILITY=avx2 DNNL_MAX_CPU_ISA=AVX2 ONEDNN_MAX_CPU_ISA=AVX2)
        # oneDNN has no bf16 matmul below AVX-512 ("could not create a primitive descriptor"): on an
        # AVX2 CPU PyTorch 1.13 can only run the bf16 weights widened to f32
        TORCH_BF16=f32 ;;
    *) echo "compare-models.sh: PEERS_ISA is native or avx2, not '$PEERS_ISA'" >&2; exit 2 ;;
esac
read -r -a JAVA_OPTS <<< "${VECTORLM_JAVA_OPTS:-}"
VJAVA=("$JAVA" --add-modules jdk.incubator.vector "${JAVA_OPTS[@]}")
# JMH's forks inherit the launching JVM's options; a -jvmArgsAppend on the command line would instead
# replace the benchmarks' own @Fork(jvmArgsAppend = ...), their -Xmx1g with it
rm -rf "$OUT"
mkdir -p "$OUT" "$MODELS"
benchmarks/scripts/machine_info.sh "$JAVA" > "$OUT/machine.txt"
echo "== $(sed -n 's/^machine=//p' "$OUT/machine.txt")" >&2
echo "peers_isa=$PEERS_ISA" >> "$OUT/machine.txt"
if [ -n "${LLAMA_CPP_SRC:-}" ] && [ -n "${LLAMA_CPP_BIN:-}" ]; then
    LLAMA=1
else
    LLAMA=0
    echo "== llama.cpp column skipped: set LLAMA_CPP_BIN (a llama.cpp build's bin folder) and LLAMA_CPP_SRC" \
        "(its source) to add it (benchmarks/llamacpp-bench.sh)" >&2
fi

if [ ! -f "$JAR" ] || [ -n "$(find pom.xml ./*/pom.xml ./*/src/main -newer "$JAR" -print -quit)" ]; then
    echo "== building $JAR" >&2
    ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi

make_model() { # DIR TOOL ARGS...: runs the generator unless DIR already holds a finished model
    local dir="$1"; shift
    if [ ! -f "$dir/bench_model.json" ]; then
        echo "== making $dir" >&2
        /usr/bin/python3 "$@" > "$OUT/make-$(basename "$dir").log"
    fi
}
make_model "$MODELS/gpt2-124m-f32" tools/make_gpt2_bench_model.py "$MODELS/gpt2-124m-f32" --dtype f32
make_model "$MODELS/gpt2-124m-bf16" tools/make_gpt2_bench_model.py "$MODELS/gpt2-124m-bf16" --dtype bf16
make_model "$MODELS/pythia-160m-f32" tools/make_neox_bench_model.py "$MODELS/pythia-160m-f32" --shape pythia-160m
make_model "$MODELS/pythia-160m-f16" tools/make_neox_bench_model.py "$MODELS/pythia-160m-f16" --shape pythia-160m --dtype f16

selected() { # NAME: whether ONLY (default: every row) names it
    [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]
}
ours() { # NAME THREADS ROUND MODEL_DIR [FLAGS...]
    local name="$1" t="$2" r="$3" dir="$4"; shift 4
    selected "$name" || return 0
    "${VJAVA[@]}" -cp "$JAR" io.github.vectorlm.bench.model.ModelBench \
        --model "$dir" --threads "$t" "${OURS_RUNS[@]}" "$@" \
        > "$OUT/$name-t$t-ours-r$r.json" 2> "$OUT/$name-t$t-ours-r$r.log" \
        || { cat "$OUT/$name-t$t-ours-r$r.log" >&2; exit 1; }
}
pytorch() { # NAME THREADS ROUND MODEL_DIR COMPUTE [FLAGS...]
    local name="$1" t="$2" r="$3" dir="$4" compute="$5"; shift 5
    selected "${name%-as-f32}" || return 0
    # PASSIVE: OpenMP's idle threads sleep instead of spinning while OpenBLAS's own pthreads run the
    # matmuls; with the default (spinning) the two pools fight over the 2 cores and PyTorch's 2-thread
    # prefill drops to a third of its 1-thread rate (measured 224 against 636 tokens/s at n = 128)
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "${TORCH_ISA_ENV[@]}" OPENBLAS_NUM_THREADS="$t" OMP_NUM_THREADS="$t" OMP_WAIT_POLICY=PASSIVE \
        /usr/bin/python3 benchmarks/scripts/torch_model_bench.py --model "$dir" --threads "$t" \
        --compute "$compute" "$@" \
        > "$OUT/$name-t$t-torch-r$r.json" 2> "$OUT/$name-t$t-torch-r$r.log" \
        || { cat "$OUT/$name-t$t-torch-r$r.log" >&2; exit 1; }
}
llamacpp() { # NAME THREADS ROUND: llama-bench on NAME's GGUF (benchmarks/llamacpp-bench.sh prepare made it)
    [ "$LLAMA" = 1 ] && selected "$1" || return 0
    REPS="$LLAMA_REPS" MODELS="$MODELS" benchmarks/llamacpp-bench.sh run "$1" "$2" "$OUT/$1-t$2-llamacpp-r$3.json"
}
if [ "$LLAMA" = 1 ]; then
    echo "== llama.cpp: llama-bench and the GGUFs (benchmarks/llamacpp-bench.sh prepare)" >&2
    MODELS="$MODELS" benchmarks/llamacpp-bench.sh prepare "$OUT"
    zmm=$(sed -n 's/^binaries=.*: \([0-9]*\) instructions on zmm.*/\1/p' "$OUT/llamacpp.txt")
    if [ "$PEERS_ISA" = avx2 ] && [ "${zmm:-0}" != 0 ]; then
        echo "compare-models.sh: PEERS_ISA=avx2, but LLAMA_CPP_BIN's llama-bench has $zmm instructions on" \
             "512-bit registers: name a llama.cpp build made without AVX-512" >&2
        exit 1
    fi
fi

{
    echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
    echo "memory=$(free -g | awk '/^Mem:/ {print $2}') GiB"
    echo "java=$("$JAVA" -version 2>&1 | head -1)"
    echo "torch=$(/usr/bin/python3 -c 'import torch; print(torch.__version__)')"
    echo "rounds=$ROUNDS"
    echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} >> "$OUT/machine.txt"
echo "== $(grep -E '^(date|memory|java|torch|rounds|load_before)=' "$OUT/machine.txt" | tr '\n' ' ')" >&2

echo "== read bandwidth (BandwidthBenchmark, JMH)" >&2
for attempt in $(seq 1 60); do # another JMH run holds /tmp/jmh.lock: wait for it rather than run beside it
    if "${VJAVA[@]}" -jar "$JAR" BandwidthBenchmark -f 1 -wi 2 -w 1s -i 5 -r 1s \
        -rf json -rff "$OUT/bandwidth.json" > "$OUT/bandwidth.log" 2>&1; then
        break
    fi
    grep -q 'Unable to acquire the JMH lock' "$OUT/bandwidth.log" || { tail -30 "$OUT/bandwidth.log" >&2; exit 1; }
    [ "$attempt" = 1 ] && echo "   another JMH run holds /tmp/jmh.lock; waiting (up to 30 min)" >&2
    [ "$attempt" = 60 ] && { echo "compare-models.sh: /tmp/jmh.lock still held after 30 min" >&2; exit 1; }
    sleep 30
done

echo "== read bandwidth (native C reader, $PEERS_ISA)" >&2
benchmarks/scripts/native_read.sh "$OUT" "$PEERS_ISA"

for r in $(seq 1 "$ROUNDS"); do
    for t in "${THREADS[@]}"; do
        echo "== round $r/$ROUNDS, $t thread(s), load $(cut -d' ' -f1 /proc/loadavg)" >&2
        ours gpt2-f32 "$t" "$r" "$MODELS/gpt2-124m-f32"
        pytorch gpt2-f32 "$t" "$r" "$MODELS/gpt2-124m-f32" f32 "${TORCH_RUNS[@]}"
        llamacpp gpt2-f32 "$t" "$r"
        ours gpt2-bf16 "$t" "$r" "$MODELS/gpt2-124m-bf16"
        pytorch gpt2-bf16 "$t" "$r" "$MODELS/gpt2-124m-bf16" "$TORCH_BF16" "${TORCH_RUNS[@]}"
        llamacpp gpt2-bf16 "$t" "$r"
        ours pythia-f32 "$t" "$r" "$MODELS/pythia-160m-f32"
        pytorch pythia-f32 "$t" "$r" "$MODELS/pythia-160m-f32" f32 "${TORCH_RUNS[@]}"
        llamacpp pythia-f32 "$t" "$r"
        ours pythia-int8 "$t" "$r" "$MODELS/pythia-160m-f32" --int8
        ours pythia-f16 "$t" "$r" "$MODELS/pythia-160m-f16"
        llamacpp pythia-f16 "$t" "$r"
        for q in q8_0 q4_0; do # quantized at load from the f32 files; llama.cpp on its own Q8_0/Q4_0 GGUFs
            ours "gpt2-$q" "$t" "$r" "$MODELS/gpt2-124m-f32" --quantize "$q"
            llamacpp "gpt2-$q" "$t" "$r"
            ours "pythia-$q" "$t" "$r" "$MODELS/pythia-160m-f32" --quantize "$q"
            llamacpp "pythia-$q" "$t" "$r"
        done
    done
done

echo "== greedy ids of PyTorch f32 on the 16-bit weights (one run each)" >&2
pytorch gpt2-bf16-as-f32 1 1 "$MODELS/gpt2-124m-bf16" f32 --runs 1 --warmup 0 --prefill ""
pytorch pythia-f16-as-f32 1 1 "$MODELS/pythia-160m-f16" f32 --runs 1 --warmup 0 --prefill ""

cold() { # NAME RUN COMMAND...: wall seconds and max RSS of one fresh process
    local name="$1" i="$2"; shift 2
    /usr/bin/time -f '{"wall_s": %e, "max_rss_kb": %M, "exit": %x}' -o "$OUT/$name-time-$i.json" \
        "$@" > "$OUT/$name-$i.out" 2> "$OUT/$name-$i.log" || { cat "$OUT/$name-$i.log" >&2; exit 1; }
}
PROBE=("${VJAVA[@]}" -cp "$JAR" io.github.vectorlm.bench.model.ModelBench generate)
CLI="${VECTORLM_CLI:-./vectorlm}"
has_cli() { [ -x "$CLI" ] && "$CLI" generate --help > /dev/null 2>&1; }
echo "== cold starts: time to first token, peak RSS" >&2
if [ "${COLD:-1}" = 0 ]; then
    echo "   (COLD=0: skipped)" >&2
elif has_cli; then
    # the first call builds the CLI and its AOT cache if needed; not counted
    "$CLI" generate --model "$MODELS/gpt2-124m-f32" --ids 1,2,3 --max-new-tokens 1 --temperature 0 \
        > /dev/null 2> "$OUT/cli-first.log" || { cat "$OUT/cli-first.log" >&2; exit 1; }
    for i in $(seq 1 "$COLD_RUNS"); do
        cold cli-ttft-gpt2-f32 "$i" "$CLI" generate --model "$MODELS/gpt2-124m-f32" --ids 1,2,3 \
            --max-new-tokens 1 --temperature 0
        # a 16-token text prompt: the tokenizer's load and the 16-row prefill count too
        cold cli-ttft-prompt-gpt2-f32 "$i" "$CLI" generate --model "$MODELS/gpt2-124m-f32" \
            --prompt "The quick brown fox jumps over the lazy dog and then runs into the forest where" \
            --max-new-tokens 1 --temperature 0
    done
    for m in gpt2-124m-f32 gpt2-124m-bf16 pythia-160m-f32 pythia-160m-f16; do
        cold "cli-rss-$m" 1 "$CLI" generate --model "$MODELS/$m" --ids 1,2,3 --max-new-tokens 32 --temperature 0
    done
else
    echo "   (no $CLI generate: only the ModelBench probe; VECTORLM_CLI=path/to/vectorlm names another launcher)" >&2
fi
[ "${COLD:-1}" = 0 ] && COLD_RUNS=0
for i in $(seq 1 "$COLD_RUNS"); do
    cold probe-ttft-gpt2-f32 "$i" "${PROBE[@]}" --model "$MODELS/gpt2-124m-f32" --ids 1,2,3 --max-new-tokens 1 \
        --launched-ms "$(date +%s%3N)"
done
for m in gpt2-124m-f32 gpt2-124m-bf16 pythia-160m-f32 pythia-160m-f16; do
    [ "${COLD:-1}" = 0 ] && break
    cold "probe-rss-$m" 1 "${PROBE[@]}" --model "$MODELS/$m" --ids 1,2,3 --max-new-tokens 32
done
# the same with the serial collector and a small young generation: the warm-up's garbage (the Vector
# API's interpreted forms box every vector) then never grows the heap
[ "${COLD:-1}" = 0 ] || cold probe-serial-rss-gpt2-124m-f32 1 "${VJAVA[@]}" -XX:+UseSerialGC -Xmn24m \
    -cp "$JAR" io.github.vectorlm.bench.model.ModelBench generate --model "$MODELS/gpt2-124m-f32" --ids 1,2,3 \
    --max-new-tokens 32

if [ "$SCALE" = 1 ]; then
    echo "== scale test: Pythia-2.8B-shaped f16 model (6.2 GB)" >&2
    make_model "$MODELS/pythia-2.8b-f16" tools/make_neox_bench_model.py "$MODELS/pythia-2.8b-f16" --shape pythia-2.8b
    ids=$(/usr/bin/python3 -c 'print(",".join(str((1000 + 7919 * i) % 50000) for i in range(16)))')
    for t in "${THREADS[@]}"; do
        cold "scale-t$t" 1 "${PROBE[@]}" --model "$MODELS/pythia-2.8b-f16" --ids "$ids" --max-new-tokens 8 --threads "$t"
    done
    if has_cli; then
        cold scale-cli 1 "$CLI" generate --model "$MODELS/pythia-2.8b-f16" --ids "$ids" --max-new-tokens 8 \
            --temperature 0 --threads 2
    fi
    du -b "$MODELS/pythia-2.8b-f16/model.safetensors" | cut -f1 > "$OUT/scale-file-bytes.txt"
fi

echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
for m in gpt2-124m-f32 gpt2-124m-bf16 pythia-160m-f32 pythia-160m-f16; do
    echo "$m $(du -b "$MODELS/$m/model.safetensors" | cut -f1)"
done > "$OUT/model-bytes.txt"
/usr/bin/python3 benchmarks/scripts/compare_models_table.py "$OUT" | tee "$OUT/table.md"
# batched decoding beside the single stream (benchmarks/compare-batched.sh); BATCHED=0 leaves it out
if [ "${BATCHED:-1}" = 1 ] && [ -z "${QUICK:-}" ]; then
    echo
    echo "Batched decoding (benchmarks/compare-batched.sh):"
    echo
    MODELS="$MODELS" benchmarks/compare-batched.sh | tee -a "$OUT/table.md"
fi
