#!/bin/sh
# Builds the TensorFlow bundle fixture generator and runs it (needs network access to Maven
# Central the first time: TensorFlow Java's native jar is ~160 MB).
#   ./run.sh fixtures OUTDIR
#   ./run.sh from-safetensors IN.safetensors OUT_PREFIX [MAPPING.json]
#   ./run.sh random-gpt2 OUT_PREFIX [LAYERS]
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
../../mvnw -B -q compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
for candidate in /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; do
  [ -z "${JAVA_HOME:-}" ] && [ -x "$candidate" ] && java_bin="$candidate"
done
exec "$java_bin" -Xmx${TF_FIXTURES_HEAP:-4g} --enable-native-access=ALL-UNNAMED \
  -cp "target/classes:$(cat target/classpath.txt)" io.github.vectorlm.tools.tffixtures.TfFixtures "$@"
