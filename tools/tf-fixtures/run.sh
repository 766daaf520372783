#!/bin/sh
# Builds the TensorFlow bundle fixture generator and runs it from the caller's folder (so relative
# paths work). Needs Maven Central the first time: TensorFlow Java's native jar is ~160 MB.
#   tools/tf-fixtures/run.sh fixtures OUTDIR
#   tools/tf-fixtures/run.sh from-safetensors IN.safetensors OUT_PREFIX [MAPPING.json]
#   tools/tf-fixtures/run.sh random-gpt2 OUT_PREFIX [LAYERS]
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
(cd "$here" && ../../mvnw -B -q compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2)
. "$here/../../.mvn/jdk25.sh"   # the JDK ./mvnw builds with
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx${TF_FIXTURES_HEAP:-4g} --enable-native-access=ALL-UNNAMED \
  -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" io.github.vectorlm.tools.tffixtures.TfFixtures "$@"
