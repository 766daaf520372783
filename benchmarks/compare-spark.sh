#!/usr/bin/env bash
# Issue 22's Spark targets: preprocess in local[2] against local[1], and scoring through Spark
# against the in-process engine on the same cores (same model, same texts).
#
#   benchmarks/compare-spark.sh
#   RUNS=3 COPIES=48 TEXTS=400 MODEL=models/gpt2-shakespeare benchmarks/compare-spark.sh
#
# Each measurement is one JVM (spark/src/test/java/.../SparkBench.java, run with the spark module's
# test class path, where Spark's `provided` jars are): it times a second pass after a warm-up pass
# in the same JVM, so JIT, model load and Spark start are excluded. Rounds interleave the
# configurations: PreprocessJob in local[1] and local[2] on a JSON-lines corpus (Tiny Shakespeare
# paragraphs x COPIES, as compare-preprocess.sh makes it, 2 partitions per core); the first TEXTS
# paragraphs scored by one Engine in process with 1 and 2 kernel threads, and by VectorLmScorer in
# local[1] and local[2] (spark.vectorlm.threads = cores). Prints a markdown table (median of RUNS,
# min-max) and the ratios; output in benchmarks/target/compare-spark/.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-3}"
COPIES="${COPIES:-48}"
TEXTS="${TEXTS:-400}"
MODEL="$(realpath "${MODEL:-models/gpt2-shakespeare}")"
TEXT="$(realpath "${SHAKESPEARE:-../shared/data/text/tinyshakespeare.txt}")"
TOKENIZER="$(realpath generation/src/test/resources/tokenizers/20B_tokenizer.json)"
OUT=benchmarks/target/compare-spark
rm -rf "$OUT"
mkdir -p "$OUT"
benchmarks/scripts/machine_info.sh > "$OUT/machine.txt"
echo "== $(sed -n 's/^machine=//p' "$OUT/machine.txt")" >&2

# Spark, Scala and the other libraries from ~/.m2; VectorLM's own modules from this tree (the
# reactor's build, not ~/.m2's snapshots); spark is the last module, so its class path stays
./mvnw -B -q -o -pl spark -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.excludeGroupIds=io.github.vectorlm -Dmdep.outputFile="$PWD/$OUT/classpath.txt"
CP="spark/target/test-classes:spark/target/classes"
for m in tensor-core checkpoint-io generation decoder-core gpt2-model neox-model corpus test-support; do
    CP="$CP:$m/target/classes"
done
CP="$CP:$(cat "$OUT/classpath.txt")"
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED -Xmx3g -XX:+UseParallelGC)
. .mvn/jdk25.sh
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

/usr/bin/python3 benchmarks/scripts/shakespeare_jsonl.py "$TEXT" "$COPIES" "$OUT/corpus.jsonl"
echo "== corpus: $(wc -l < "$OUT/corpus.jsonl") documents, $(du -h "$OUT/corpus.jsonl" | cut -f1); $TEXTS texts to score" >&2

bench() { "$JAVA" "${FLAGS[@]}" -cp "$CP" io.github.vectorlm.spark.SparkBench "$@" 2>>"$OUT/stderr.log" | tail -1; }
for run in $(seq 1 "$RUNS"); do
    for c in 1 2; do
        bench preprocess "$OUT/corpus.jsonl" "$TOKENIZER" "$c" "$PWD/$OUT/spark-$c" > "$OUT/preprocess-$c-$run.json"
        bench engine "$MODEL" "$TEXT" "$TEXTS" "$c" > "$OUT/engine-$c-$run.json"
        bench score "$MODEL" "$TEXT" "$TEXTS" "$c" > "$OUT/score-$c-$run.json"
    done
    echo "== round $run done (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
done

/usr/bin/python3 - "$OUT" "$RUNS" <<'PY' | tee "$OUT/table.md"
import json, os, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
def get(name, key):
    v = [json.load(open(os.path.join(out, f"{name}-{r}.json")))[key] for r in range(1, runs + 1)]
    return statistics.median(v), min(v), max(v)
rows = [("PreprocessJob local[1], MB/s", get("preprocess-1", "mb_per_s")),
        ("PreprocessJob local[2], MB/s", get("preprocess-2", "mb_per_s")),
        ("Engine in process, 1 thread, tokens/s", get("engine-1", "tokens_per_s")),
        ("Engine in process, 2 threads, tokens/s", get("engine-2", "tokens_per_s")),
        ("VectorLmScorer local[1], tokens/s", get("score-1", "tokens_per_s")),
        ("VectorLmScorer local[2], tokens/s", get("score-2", "tokens_per_s"))]
print(f"| {runs} runs | median | min-max |")
print("|---|---|---|")
for name, (m, lo, hi) in rows:
    print(f"| {name} | {m:.1f} | {lo:.1f}-{hi:.1f} |")
r = {name: m for name, (m, _, _) in rows}
print()
print(f"- preprocess local[2] / local[1]: {rows[1][1][0] / rows[0][1][0]:.2f}x (target 1.7x)")
print(f"- scoring local[2] / local[1]: {rows[5][1][0] / rows[4][1][0]:.2f}x")
print(f"- Spark scoring per core / engine per core: 1 core {rows[4][1][0] / rows[2][1][0]:.0%}, "
      f"2 cores {rows[5][1][0] / rows[3][1][0]:.0%} (target 85 %)")
PY
