#!/usr/bin/env bash
# The native read probe beside the Java one: compiles benchmarks/native/read_probe.c with gcc -O3 for
# the instruction set under test and reads 1 GiB with 1 and 2 threads.
#
#   benchmarks/scripts/native_read.sh OUT_DIR [native|avx2|sse]   # writes OUT_DIR/native-read-t{1,2}.json
#
# native: -march=native (what the machine has); avx2: -mavx2 -mfma (256-bit, as on an AVX2-only CPU);
# sse: 128-bit SSE4.2 (the width of ARM's NEON). Needs gcc; without it, prints why and writes nothing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$1"
ISA="${2:-native}"
case "$ISA" in
    native) FLAGS=(-march=native) ;;
    avx2) FLAGS=(-mavx2 -mfma) ;;
    sse) FLAGS=(-msse4.2) ;;
    *) echo "native_read.sh: unknown ISA '$ISA' (native, avx2, sse)" >&2; exit 2 ;;
esac
if ! command -v gcc > /dev/null; then
    echo "   native read probe skipped: no gcc (Debian: apt-get install gcc)" >&2
    exit 0
fi
mkdir -p "$ROOT/benchmarks/target" "$OUT"
PROBE="$ROOT/benchmarks/target/read_probe-$ISA"
gcc -O3 "${FLAGS[@]}" -pthread -o "$PROBE" "$ROOT/benchmarks/native/read_probe.c"
for t in 1 2; do
    "$PROBE" 1024 "$t" 9 > "$OUT/native-read-t$t.json"
done
