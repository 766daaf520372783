#!/bin/sh
# Opening cost of ~500 MB checkpoints (GPT-2 124M shapes): a TensorFlow bundle written by
# TensorFlow's own SaveV2 (tools/tf-fixtures random-gpt2) and the same tensors as safetensors
# (written by SafetensorsWriter). Files go to ${BENCH_DIR:-/tmp/vectorlm-checkpoint-bench}; nothing
# is committed. Time and peak RSS of each whole JVM come from /usr/bin/time -v.
set -eu
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${BENCH_DIR:-/tmp/vectorlm-checkpoint-bench}"
mkdir -p "$dir/tf" "$dir/classes"
cd "$root"
./mvnw -B -q -pl checkpoint-io -am compile dependency:build-classpath -Dmdep.outputFile="$dir/deps.txt" >/dev/null
cp="$root/checkpoint-io/target/classes:$(cat "$dir/deps.txt")"
. "$root/.mvn/jdk25.sh"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
"${JAVA_HOME:+$JAVA_HOME/bin/}javac" -d "$dir/classes" -cp "$cp" tools/checkpoint-bench/CheckpointBench.java
if [ ! -f "$dir/tf/model.ckpt.index" ]; then
  TF_FIXTURES_HEAP=8g tools/tf-fixtures/run.sh random-gpt2 "$dir/tf/model.ckpt" 2>&1 | grep -v WARNING | tail -2
fi
run() {
  /usr/bin/time -v "$java" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$dir/classes:$cp" CheckpointBench "$@" \
    2>"$dir/time.txt"
  grep -E "Elapsed \(wall|Maximum resident" "$dir/time.txt" | sed 's/^\s*/    /'
}
[ -f "$dir/model.safetensors" ] || run convert "$dir/tf/model.ckpt" "$dir/model.safetensors"
ls -l "$dir/model.safetensors" "$dir"/tf/model.ckpt.*
cat "$dir"/tf/model.ckpt.* "$dir/model.safetensors" >/dev/null   # page cache warm
echo "baseline: the same work on the tiny committed fixtures (what the JVM and class loading cost)"
run open "$root/checkpoint-io/src/test/resources/safetensors/metadata.safetensors"
run open "$root/checkpoint-io/src/test/resources/tf/basic/model.ckpt.index"
for i in 1 2 3; do
  run open "$dir/model.safetensors"
  run open "$dir/tf/model.ckpt.index"
done
for i in 1 2 3; do run verify "$dir/tf/model.ckpt.index"; done
run crc "$dir/tf/model.ckpt.data-00000-of-00001"
