#!/usr/bin/env bash
# llama.cpp's own benchmarks (llama-bench, llama-batched-bench) on the random-weight models of
# compare-models.sh: the whole-model peer beside PyTorch. llama.cpp is never part of this project and
# this script never builds it: bring a CPU build of llama.cpp made as its own documentation says, and
# its source for the converter. Everything converted stays in a cache outside the repository.
#
#   LLAMA_CPP_BIN=~/llama.cpp/build/bin LLAMA_CPP_SRC=~/llama.cpp benchmarks/llamacpp-bench.sh
#   LLAMA_CPP_SRC=/path/llama.cpp.git LLAMA_CPP_COMMIT=c392e50 ...  # a git dir (bare or not): the
#                                     # commit (default HEAD) is extracted for its converter
#   REPS=2 ... benchmarks/llamacpp-bench.sh                           # repetitions per test (default 5)
#   LLAMA_CPP_CONFIGS="gpt2-f32 pythia-f32" ...                       # a subset of the models
#   benchmarks/llamacpp-bench.sh prepare DIR         # check the binaries, convert; DIR gets llamacpp.txt and logs
#   benchmarks/llamacpp-bench.sh run CONFIG THREADS OUT.json    # one llama-bench process (compare-models.sh)
#   benchmarks/llamacpp-bench.sh batched CONFIG THREADS 1,4,8,16 PROMPT NEW OUT.txt
#                                     # one llama-batched-bench process (compare-batched.sh)
#   benchmarks/llamacpp-bench.sh server CONFIG THREADS PARALLEL PORT
#                                     # llama-server on 127.0.0.1:PORT, PARALLEL slots (compare-server.sh)
#
# LLAMA_CPP_BIN: the folder holding llama-bench, llama-batched-bench and llama-quantize of one CPU
# build (and llama-server for the `server` command). The build decides the instruction set llama.cpp uses: to compare at the AVX2 shape on an
# AVX-512 machine (compare-models.sh PEERS_ISA=avx2), name a build made without AVX-512; `prepare`
# counts the binary's 512-bit (zmm) instructions and records it in llamacpp.txt.
# LLAMA_CPP_SRC: the same commit's source (a checkout, or a git dir to extract it from), for
# convert_hf_to_gguf.py and gguf-py; without internet at benchmark time, clone it beforehand.
# Files missing from a partial git dir (large test vocabularies) are left out and listed.
#
# What it does:
#  1. checks LLAMA_CPP_BIN's three programs;
#  2. makes the models under $MODELS if missing, as compare-models.sh does, and converts them with
#     llama.cpp's own convert_hf_to_gguf.py and its gguf-py: gpt2-124m-f32 and pythia-160m-f32
#     --outtype f32, gpt2-124m-bf16 and pythia-160m-f16 --outtype f16 (llama.cpp's f16 path, as in the
#     issue's table), and gpt2-124m-bf16 --outtype bf16 as config gpt2-bf16-bf16 (not in the default
#     list; compare-server.sh asks for it); a GGUF is reused while its model file, config and
#     converter are unchanged. The converter runs in a venv made once under the cache from /usr/bin/python3 (numpy<2, torch, transformers,
#     sentencepiece, safetensors, tqdm, pyyaml from your pip configuration; PIP_INDEX_URL names an
#     offline mirror). GPT-2 folders hold OpenAI's encoder.json / vocab.bpe, which the converter reads
#     as vocab.json / merges.txt; a NeoX folder without tokenizer.json gets $NEOX_TOKENIZER (Pythia uses
#     the GPT-NeoX-20B tokenizer). A model that cannot be converted stops the script with the reason;
#  2b. Q8_0 GGUFs straight from the converter (--outtype q8_0: every matrix, the tied head included);
#     Q4_0 ones by `llama-quantize F32.gguf OUT Q4_0`, which keeps the output matrix in Q6_K (Q8_0
#     where rows are not a multiple of 256), as llama.cpp's users get them;
#  3. `llama-bench -p 512 -n 128 -t 1,2 -r REPS -o json` for each model: pp512 (one 512-token batch on
#     an empty context) and tg128 (128 tokens one by one), tokens/s per repetition in samples_ts.
# Output: $OUT (default benchmarks/target/llamacpp-bench)/machine.txt, llamacpp.txt (source, commit,
# binaries), <config>.json (llama-bench's JSON), logs, and a table of median [min–max] on stdout.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd) # no cd: relative paths in arguments stay the caller's

MODELS="${MODELS:-/tmp/vectorlm-bench}"
CACHE="${LLAMA_CPP_CACHE:-/tmp/vectorlm-bench/llama.cpp-build}"
REPS="${REPS:-5}"
NEOX_TOKENIZER="${NEOX_TOKENIZER:-/work/shared/data/neox/20B_tokenizer.json}"
GPT2_TOKENIZER_DIR="${GPT2_TOKENIZER_DIR:-/work/shared/data/gpt2}"
VENV="$CACHE/venv"
PIP_PACKAGES=('numpy<2' torch transformers sentencepiece safetensors tqdm pyyaml)
CONFIGS=(${LLAMA_CPP_CONFIGS:-gpt2-f32 gpt2-bf16 pythia-f32 pythia-f16 gpt2-q8_0 gpt2-q4_0 pythia-q8_0 pythia-q4_0})

die() { echo "llamacpp-bench.sh: $*" >&2; exit 1; }

config_model() { # CONFIG -> "model-folder outtype make-command..." (the names compare-models.sh uses)
    case "$1" in
        gpt2-f32) echo "gpt2-124m-f32 f32 tools/make_gpt2_bench_model.py --dtype f32" ;;
        gpt2-bf16) echo "gpt2-124m-bf16 f16 tools/make_gpt2_bench_model.py --dtype bf16" ;;
        gpt2-bf16-bf16) echo "gpt2-124m-bf16 bf16 tools/make_gpt2_bench_model.py --dtype bf16" ;;
        pythia-f32) echo "pythia-160m-f32 f32 tools/make_neox_bench_model.py --shape pythia-160m" ;;
        pythia-f16) echo "pythia-160m-f16 f16 tools/make_neox_bench_model.py --shape pythia-160m --dtype f16" ;;
        gpt2-q8_0) echo "gpt2-124m-f32 q8_0 tools/make_gpt2_bench_model.py --dtype f32" ;;
        gpt2-q4_0) echo "gpt2-124m-f32 q4_0 tools/make_gpt2_bench_model.py --dtype f32" ;;
        pythia-q8_0) echo "pythia-160m-f32 q8_0 tools/make_neox_bench_model.py --shape pythia-160m" ;;
        pythia-q4_0) echo "pythia-160m-f32 q4_0 tools/make_neox_bench_model.py --shape pythia-160m" ;;
        *) die "unknown config '$1' (gpt2-f32, gpt2-bf16, gpt2-bf16-bf16, pythia-f32, pythia-f16," \
               "{gpt2,pythia}-{q8_0,q4_0})" ;;
    esac
}

# --- the source: SRC_DIR for the converter, COMMIT to name it, KEY for the cache ----------------
resolve_source() {
    [ -n "${LLAMA_CPP_SRC:-}" ] \
        || die "set LLAMA_CPP_SRC to a llama.cpp checkout or git dir (see the top of this script)"
    [ -e "$LLAMA_CPP_SRC" ] || die "LLAMA_CPP_SRC=$LLAMA_CPP_SRC does not exist"
    local src
    src=$(cd "$LLAMA_CPP_SRC" && pwd -P)
    if [ -f "$src/convert_hf_to_gguf.py" ] && [ -z "${LLAMA_CPP_COMMIT:-}" ]; then
        SRC_DIR="$src"
        if git -C "$src" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
            COMMIT=$(git -C "$src" rev-parse HEAD)
            git -C "$src" diff --quiet HEAD -- 2> /dev/null || COMMIT="$COMMIT+local-changes"
        else
            COMMIT="unknown (not a git checkout)"
        fi
        KEY="checkout-$(printf '%s' "$src" | md5sum | cut -c1-8)"
        SOURCE_TEXT="checkout $src"
        return
    fi
    local gitdir
    gitdir=$(git -C "$src" rev-parse --path-format=absolute --git-dir 2> /dev/null) \
        || die "LLAMA_CPP_SRC=$src is neither a checkout (convert_hf_to_gguf.py) nor a git dir"
    COMMIT=$(git --git-dir="$gitdir" rev-parse --verify "${LLAMA_CPP_COMMIT:-HEAD}^{commit}" 2> /dev/null) \
        || die "no commit '${LLAMA_CPP_COMMIT:-HEAD}' in $gitdir"
    KEY="${COMMIT:0:12}"
    SRC_DIR="$CACHE/$KEY/src"
    SOURCE_TEXT="git dir $gitdir, commit $COMMIT ($(git --git-dir="$gitdir" log -1 --format='%cs: %s' "$COMMIT"))"
    if [ ! -f "$SRC_DIR/.extracted" ]; then
        echo "== extracting llama.cpp $COMMIT into $SRC_DIR" >&2
        rm -rf "$SRC_DIR"
        mkdir -p "$SRC_DIR"
        # blobs a partial copy lacks (a snapshot without its large files) are left out, by name
        local listing="$CACHE/$KEY/tree.txt" missing=() excludes=() p
        git --git-dir="$gitdir" ls-tree -r --format='%(objectname) %(objecttype) %(path)' "$COMMIT" \
            | awk '$2 == "blob"' > "$listing"
        mapfile -t missing < <(cut -d' ' -f1 "$listing" | git --git-dir="$gitdir" cat-file --batch-check \
            | awk '$2 == "missing" { print $1 }' | grep -F -f - "$listing" | cut -d' ' -f3-)
        for p in "${missing[@]}"; do excludes+=(":(exclude)$p"); done
        git --git-dir="$gitdir" archive "$COMMIT" -- . "${excludes[@]}" 2> "$CACHE/$KEY/extract.log" \
            | tar -x -C "$SRC_DIR" || { cat "$CACHE/$KEY/extract.log" >&2; die "could not extract $COMMIT"; }
        printf '%s\n' "${missing[@]}" > "$SRC_DIR/.missing"
        echo "$COMMIT" > "$SRC_DIR/.extracted"
    fi
    if [ -s "$SRC_DIR/.missing" ]; then
        SOURCE_TEXT="$SOURCE_TEXT; absent from that git dir, left out: $(tr '\n' ' ' < "$SRC_DIR/.missing")"
    fi
}

# --- 1. the binaries ----------------------------------------------------------------------------
binaries() { # [PROGRAM...]: sets BIN, BENCH; dies unless LLAMA_CPP_BIN holds the programs (default: three)
    [ -n "${LLAMA_CPP_BIN:-}" ] \
        || die "set LLAMA_CPP_BIN to the bin folder of a llama.cpp CPU build (see the top of this script)"
    BIN=$(cd "$LLAMA_CPP_BIN" 2> /dev/null && pwd -P) || die "LLAMA_CPP_BIN=$LLAMA_CPP_BIN does not exist"
    local p programs=("$@")
    [ $# -gt 0 ] || programs=(llama-bench llama-batched-bench llama-quantize)
    for p in "${programs[@]}"; do
        [ -x "$BIN/$p" ] || die "no $p in LLAMA_CPP_BIN=$BIN"
    done
    BENCH="$BIN/llama-bench"
}

zmm_count() { # PROGRAM: how many instructions of the program (and what it links statically) use zmm registers
    if command -v objdump > /dev/null; then
        objdump -d --no-show-raw-insn "$1" 2> /dev/null | grep -c '%zmm' || true
    else
        echo "unknown (no objdump)"
    fi
}

# --- 2. GGUFs ----------------------------------------------------------------------------------------
venv() {
    if [ ! -f "$VENV/.ready" ]; then
        echo "== making the converter's venv $VENV (${PIP_PACKAGES[*]})" >&2
        rm -rf "$VENV"
        /usr/bin/python3 -m venv "$VENV" || die "/usr/bin/python3 -m venv failed (Debian: apt-get install python3-venv)"
        "$VENV/bin/pip" install -q "${PIP_PACKAGES[@]}" > "$CACHE/venv-install.log" 2>&1 \
            || { grep -v 'is ignored' "$CACHE/venv-install.log" | tail -20 >&2
                 die "pip could not install the converter's packages ($CACHE/venv-install.log)"; }
        "$VENV/bin/pip" freeze > "$VENV/.ready"
    fi
}

make_model() { # DIR TOOL ARGS...: as compare-models.sh, unless DIR already holds a finished model
    local dir="$1"; shift
    if [ ! -f "$dir/bench_model.json" ]; then
        echo "== making $dir" >&2
        mkdir -p "$LOGS"
        /usr/bin/python3 "$ROOT/$1" "$dir" "${@:2}" > "$LOGS/make-$(basename "$dir").log" \
            || die "could not make $dir ($LOGS/make-$(basename "$dir").log)"
    fi
}

gguf_path() { # CONFIG -> the GGUF's path
    local spec
    read -r -a spec <<< "$(config_model "$1")"
    echo "$CACHE/$KEY/gguf/${spec[0]}.${spec[1]}.gguf"
}

convert() { # CONFIG: makes its GGUF unless a current one is there; dies with the reason otherwise
    local spec dir out outtype stage log stamp
    read -r -a spec <<< "$(config_model "$1")"
    if [ "${spec[1]}" = q4_0 ]; then # llama-quantize of the f32 GGUF (the converter writes no Q4_0)
        local f32="${1%-q4_0}-f32" src
        convert "$f32"
        src=$(gguf_path "$f32")
        out=$(gguf_path "$1")
        if [ ! -f "$out" ] || [ "$src" -nt "$out" ]; then
            echo "== llama-quantize $src Q4_0 (its output matrix stays Q6_K or Q8_0, as llama-quantize keeps it)" >&2
            "$BIN/llama-quantize" "$src" "$out.tmp" Q4_0 > "$LOGS/quantize-$1.log" 2>&1 \
                || { tail -15 "$LOGS/quantize-$1.log" >&2; die "llama-quantize failed ($LOGS/quantize-$1.log)"; }
            mv "$out.tmp" "$out"
        fi
        return
    fi
    dir="$MODELS/${spec[0]}"
    outtype="${spec[1]}"
    make_model "$dir" "${spec[@]:2}"
    out=$(gguf_path "$1")
    # which model file, of which size and time, and which converter the GGUF was made from
    stamp="$(readlink -f "$dir/model.safetensors") $(stat -L -c '%s %Y' "$dir/model.safetensors" "$dir/config.json" \
        "$SRC_DIR/convert_hf_to_gguf.py" | tr '\n' ' ')"
    if [ -f "$out" ] && [ "$(cat "$out.source" 2> /dev/null)" = "$stamp" ]; then
        return
    fi
    stage="$CACHE/$KEY/stage/${spec[0]}" # the model's files as convert_hf_to_gguf.py reads a HF folder
    rm -rf "$stage"
    mkdir -p "$stage" "$(dirname "$out")" "$LOGS"
    ln -s "$dir/config.json" "$dir/model.safetensors" "$stage/"
    case "$1" in
        gpt2-*)
            local tok="$dir"
            [ -f "$tok/encoder.json" ] || tok="$GPT2_TOKENIZER_DIR"
            [ -f "$tok/encoder.json" ] && [ -f "$tok/vocab.bpe" ] \
                || die "cannot convert $dir: the converter needs its tokenizer, and there is no" \
                       "encoder.json / vocab.bpe there or in GPT2_TOKENIZER_DIR=$GPT2_TOKENIZER_DIR"
            cp "$tok/encoder.json" "$stage/vocab.json"   # the same files under Hugging Face's names
            cp "$tok/vocab.bpe" "$stage/merges.txt" ;;
        pythia-*)
            if [ -f "$dir/tokenizer.json" ]; then
                ln -s "$dir/tokenizer.json" "$stage/"
            elif [ -f "$NEOX_TOKENIZER" ]; then
                cp "$NEOX_TOKENIZER" "$stage/tokenizer.json"
            else
                die "cannot convert $dir: the converter needs its tokenizer, and there is no tokenizer.json" \
                    "there and no NEOX_TOKENIZER=$NEOX_TOKENIZER (the GPT-NeoX-20B tokenizer.json)"
            fi ;;
    esac
    log="$LOGS/convert-$1.log"
    echo "== converting $dir to $out (--outtype $outtype)" >&2
    if ! PYTHONPATH="$SRC_DIR/gguf-py" "$VENV/bin/python" "$SRC_DIR/convert_hf_to_gguf.py" "$stage" \
            --outtype "$outtype" --outfile "$out.tmp" > "$log" 2>&1; then
        rm -f "$out.tmp"
        grep -v -E '^(INFO|Writing)' "$log" | tail -15 >&2
        die "cannot convert $dir with llama.cpp's convert_hf_to_gguf.py (full log: $log)"
    fi
    mv "$out.tmp" "$out"
    echo "$stamp" > "$out.source"
}

prepare() { # DIR: builds, converts, writes DIR/llamacpp.txt
    local dir="$1"
    LOGS="$dir"
    mkdir -p "$dir" "$CACHE"
    resolve_source
    binaries
    venv
    local c
    for c in "${CONFIGS[@]}"; do convert "$c"; done
    {
        echo "source=$SOURCE_TEXT"
        echo "commit=$COMMIT"
        echo "binaries=$BIN: $(zmm_count "$BENCH") instructions on zmm (512-bit) registers in llama-bench"
        echo "converter=convert_hf_to_gguf.py of that source;" \
            "$(grep -i -E '^(torch|transformers|numpy)==' "$VENV/.ready" | tr '\n' ' ')"
        for c in "${CONFIGS[@]}"; do echo "gguf_$c=$(gguf_path "$c") $(stat -c %s "$(gguf_path "$c")") bytes"; done
    } > "$dir/llamacpp.txt"
}

run_bench() { # CONFIG THREADS OUT.json: one llama-bench process
    local cfg="$1" threads="$2" out="$3" gguf
    [ -n "${KEY:-}" ] || resolve_source
    binaries
    gguf=$(gguf_path "$cfg")
    [ -f "$gguf" ] || die "no $gguf: run '$0 prepare DIR' first"
    "$BENCH" -m "$gguf" -p 512 -n 128 -t "$threads" -r "$REPS" -o json > "$out" 2> "${out%.json}.log" \
        || { tail -20 "${out%.json}.log" >&2; die "llama-bench failed on $gguf (${out%.json}.log)"; }
}

run_batched() { # CONFIG THREADS NPL PROMPT NEW OUT.txt: one llama-batched-bench process (compare-batched.sh)
    local cfg="$1" threads="$2" npl="$3" npp="$4" ntg="$5" out="$6" gguf bin
    [ -n "${KEY:-}" ] || resolve_source
    binaries
    bin="$BIN/llama-batched-bench"
    gguf=$(gguf_path "$cfg")
    [ -f "$gguf" ] || die "no $gguf: run '$0 prepare DIR' first"
    # -c: a KV cell per position of every sequence; one batch holds all prompts (-b, -ub)
    "$bin" -m "$gguf" -c 4096 -b 2048 -ub 512 -npp "$npp" -ntg "$ntg" -npl "$npl" -t "$threads" > "$out" \
        2> "${out%.txt}.log" || { tail -20 "${out%.txt}.log" >&2; die "llama-batched-bench failed on $gguf"; }
}

run_server() { # CONFIG THREADS PARALLEL PORT: llama-server in the foreground (compare-server.sh)
    local cfg="$1" threads="$2" parallel="$3" port="$4" gguf
    [ -n "${KEY:-}" ] || resolve_source
    binaries llama-server
    gguf=$(gguf_path "$cfg")
    [ -f "$gguf" ] || die "no $gguf: run 'LLAMA_CPP_CONFIGS=$cfg $0 prepare DIR' first"
    # -c: the model's 1,024 positions for each of the PARALLEL slots (llama-server splits -c among them)
    exec "$BIN/llama-server" -m "$gguf" --host 127.0.0.1 --port "$port" -t "$threads" -tb "$threads" \
        -np "$parallel" -c $((parallel * 1024)) --no-webui
}

for c in "${CONFIGS[@]}"; do config_model "$c" > /dev/null; done
[ "${1:-}" != run ] || [ $# != 4 ] || config_model "$2" > /dev/null

case "${1:-all}" in
    prepare)
        [ $# = 2 ] || die "usage: $0 prepare DIR"
        prepare "$2" ;;
    run)
        [ $# = 4 ] || die "usage: $0 run CONFIG THREADS OUT.json"
        run_bench "$2" "$3" "$4" ;;
    batched)
        [ $# = 7 ] || die "usage: $0 batched CONFIG THREADS NPL PROMPT NEW OUT.txt"
        run_batched "$2" "$3" "$4" "$5" "$6" "$7" ;;
    server)
        [ $# = 5 ] || die "usage: $0 server CONFIG THREADS PARALLEL PORT"
        config_model "$2" > /dev/null
        run_server "$2" "$3" "$4" "$5" ;;
    all)
        OUT="${OUT:-$ROOT/benchmarks/target/llamacpp-bench}"
        rm -rf "$OUT"
        mkdir -p "$OUT"
        "$ROOT/benchmarks/scripts/machine_info.sh" > "$OUT/machine.txt"
        echo "== $(sed -n 's/^machine=//p' "$OUT/machine.txt")"
        prepare "$OUT"
        echo "== llama.cpp $COMMIT; $(date -u +%Y-%m-%dT%H:%MZ);" \
            "load average $(cut -d' ' -f1-3 /proc/loadavg); reps=$REPS"
        for c in "${CONFIGS[@]}"; do
            echo "== llama-bench $c, threads 1,2" >&2
            run_bench "$c" 1,2 "$OUT/$c.json"
        done
        echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
        /usr/bin/python3 - "$OUT" "${CONFIGS[@]}" << 'EOF'
import json, os, statistics, sys
out, configs = sys.argv[1], sys.argv[2:]
print()
print("llama-bench tokens/s, median [min–max] over the repetitions of one process")
print()
print("| model | GGUF | threads | tg128 | pp512 |")
print("|---|---|---|---|---|")
for c in configs:
    rows, gguf = {}, ""
    for r in json.load(open(os.path.join(out, c + ".json"))):
        rows.setdefault(r["n_threads"], {})["tg" if r["n_gen"] else "pp"] = r["samples_ts"]
        gguf = os.path.basename(r["model_filename"])
    for t, tests in sorted(rows.items()):
        cells = [f"{statistics.median(v):.1f} [{min(v):.1f}–{max(v):.1f}]" if v else "—"
                 for v in (tests.get("tg", []), tests.get("pp", []))]
        print(f"| {c} | {gguf} | {t} | " + " | ".join(cells) + " |")
EOF
        ;;
    *) die "unknown command '$1' (none, prepare DIR, run CONFIG THREADS OUT.json, batched ..., server ...)" ;;
esac
