#!/usr/bin/env bash
# Benchmarks VectorLM's matrix kernels against OpenBLAS and the machine's read bandwidth, in one run.
#
#   benchmarks/compare-blas.sh            # 3 runs (JMH forks / OpenBLAS repetitions)
#   RUNS=5 benchmarks/compare-blas.sh
#   QUICK=1 benchmarks/compare-blas.sh    # 1 run, shorter iterations: a smoke test, not a measurement
#   RUNS=1 JMH_ITERATIONS="-wi 2 -w 1s -i 3 -r 1s" benchmarks/compare-blas.sh   # ~12 minutes
#   VECTORLM_JAVA_OPTS="-XX:UseAVX=2" benchmarks/compare-blas.sh     # JVM options for the JMH JVMs and forks
#                      # (here: the AVX2 shape on an AVX-512 machine; 128-bit: -XX:MaxVectorSize=16)
#   PEERS_ISA=avx2 benchmarks/compare-blas.sh   # all at the AVX2 shape: VectorLM -XX:UseAVX=2 (unless
#                      # VECTORLM_JAVA_OPTS says otherwise), OpenBLAS with OPENBLAS_CORETYPE=Haswell,
#                      # the native read probe built with -mavx2
#
# Needs: JDK 25 (found like ./mvnw finds it), /usr/bin/python3 with numpy on OpenBLAS
# (Debian: apt-get install -y python3-numpy libopenblas0-pthread). Builds benchmarks.jar if missing.
# Output: benchmarks/target/compare-blas/{openblas-1,openblas-2,jmh,jmh-int8}.json, machine.txt (CPU, ISA,
# cores, the JVM's vector width with VECTORLM_JAVA_OPTS: benchmarks/scripts/machine_info.sh) and the
# table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-3}"
OUT=benchmarks/target/compare-blas
JAR=benchmarks/target/benchmarks.jar
mkdir -p "$OUT"

find_java() {
    local candidates=()
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
    candidates+=(/usr/lib/jvm/*/bin/java "$(command -v java || true)")
    for j in "${candidates[@]}"; do
        [ -x "$j" ] || continue
        local v
        v=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
        if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then
            echo "$j"
            return
        fi
    done
    echo "compare-blas.sh: no JDK 25 found; install one (e.g. Temurin 25) or set JAVA_HOME" >&2
    exit 1
}
JAVA=$(find_java)
PEERS_ISA="${PEERS_ISA:-native}"
BLAS_ISA_ENV=()
case "$PEERS_ISA" in
    native) ;;
    avx2)
        VECTORLM_JAVA_OPTS="${VECTORLM_JAVA_OPTS:--XX:UseAVX=2}"
        export VECTORLM_JAVA_OPTS
        BLAS_ISA_ENV=(OPENBLAS_CORETYPE=Haswell) ;;
    *) echo "compare-blas.sh: PEERS_ISA is native or avx2, not '$PEERS_ISA'" >&2; exit 2 ;;
esac
read -r -a JAVA_OPTS <<< "${VECTORLM_JAVA_OPTS:-}"
# JMH's forks inherit the launching JVM's options; a -jvmArgsAppend on the command line would instead
# replace the benchmarks' own @Fork(jvmArgsAppend = ...), their -Xmx1g with it
benchmarks/scripts/machine_info.sh "$JAVA" > "$OUT/machine.txt"
echo "== $(sed -n 's/^machine=//p' "$OUT/machine.txt")"

if [ ! -f "$JAR" ]; then
    ./mvnw -B -q -pl benchmarks -am package -DskipTests
fi

if [ -n "${QUICK:-}" ]; then
    RUNS=1
    JMH_ITER=(-wi 1 -w 1s -i 2 -r 1s)
elif [ -n "${JMH_ITERATIONS:-}" ]; then
    read -r -a JMH_ITER <<< "$JMH_ITERATIONS" # e.g. JMH_ITERATIONS="-wi 2 -w 1s -i 3 -r 1s": a shorter run
else
    JMH_ITER=()
fi

echo "date=$(date -u +%Y-%m-%dT%H:%MZ)" >> "$OUT/machine.txt"
echo "runs=$RUNS" >> "$OUT/machine.txt"
echo "peers_isa=$PEERS_ISA" >> "$OUT/machine.txt"
echo "== $(date -u +%Y-%m-%dT%H:%MZ), runs=$RUNS"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

for t in 1 2; do
    echo "== OpenBLAS sgemm, $t thread(s)"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "${BLAS_ISA_ENV[@]}" OPENBLAS_NUM_THREADS=$t \
        /usr/bin/python3 benchmarks/scripts/openblas_sgemm.py "$RUNS" "$OUT/openblas-$t.json"
done

echo "== native read probe (benchmarks/native/read_probe.c, $PEERS_ISA)"
benchmarks/scripts/native_read.sh "$OUT" "$PEERS_ISA"

echo "== JMH: GEMM, GEMV, read bandwidth"
"$JAVA" --add-modules jdk.incubator.vector "${JAVA_OPTS[@]}" -jar "$JAR" \
    'GemmBenchmark|GemvBenchmark.gemvBesideRead|BandwidthBenchmark' \
    -f "$RUNS" "${JMH_ITER[@]}" -rf json -rff "$OUT/jmh.json" > "$OUT/jmh.log" 2>&1 \
    || { tail -30 "$OUT/jmh.log"; exit 1; }

echo "== JMH: int8 GEMV (LLM.int8 layer quantized from F32, [out, in])"
"$JAVA" --add-modules jdk.incubator.vector "${JAVA_OPTS[@]}" -jar "$JAR" 'GemvBenchmark.gemvBesideRead' \
    -p dtype=I8 -p layout=OUT_IN -f "$RUNS" "${JMH_ITER[@]}" \
    -rf json -rff "$OUT/jmh-int8.json" > "$OUT/jmh-int8.log" 2>&1 \
    || { tail -30 "$OUT/jmh-int8.log"; exit 1; }

echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
/usr/bin/python3 benchmarks/scripts/compare_table.py "$OUT"
