#!/usr/bin/env bash
# Prints the machine a benchmark ran on, as key=value lines, for the top of each script's output and
# its result folder (machine.txt); the table scripts print the `machine=` line above their tables.
#
#   benchmarks/scripts/machine_info.sh [JAVA]     # JAVA: the java the benchmark runs (default: a JDK 25
#                                                 # found as ./mvnw finds it, if any)
#
# Keys: cpu (/proc/cpuinfo "model name", or lscpu's on CPUs whose cpuinfo has none), cpu_family,
# cpu_model, isa (the vector extensions present: x86 avx2 fma avx512f avx512bw avx512vl avx512_bf16
# avx512_vnni; ARM asimd sve sve2), cores (nproc), java_vector (the JVM's FloatVector.SPECIES_PREFERRED,
# with VECTORLM_JAVA_OPTS applied), vectorlm_java_opts, and machine: all of it on one line.
# Exits 1 (after printing) when that JVM rejects VECTORLM_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/../.."

JAVA="${1:-}"
if [ -z "$JAVA" ]; then
    # a subshell: jdk25.sh exits when it finds no JDK, and that must not end this script
    JAVA=$( (. .mvn/jdk25.sh > /dev/null 2>&1 && echo "$JAVA_HOME/bin/java") || true)
fi

cpuinfo_field() { # the first value of a /proc/cpuinfo field, or nothing
    sed -n "s/^$1[[:space:]]*: *//p" /proc/cpuinfo 2> /dev/null | head -1
}

cpu=$(cpuinfo_field 'model name')
[ -n "$cpu" ] || cpu=$(lscpu 2> /dev/null | sed -n 's/^Model name: *//p' | head -1)
[ -n "$cpu" ] || cpu="unknown CPU ($(uname -m))"
family=$(cpuinfo_field 'cpu family')
model=$(cpuinfo_field 'model')
flags=" $(cpuinfo_field 'flags') $(cpuinfo_field 'Features') "
isa=()
for f in avx2 fma avx512f avx512bw avx512vl avx512_bf16 avx512_vnni asimd sve sve2; do
    case "$flags" in *" $f "*) isa+=("$f") ;; esac
done
isa_text="${isa[*]:-none of avx2/avx512*/asimd/sve}"
cores=$(nproc)

read -r -a jopts <<< "${VECTORLM_JAVA_OPTS:-}"
java_vector="no JDK 25 found"
java_failed=""
if [ -n "$JAVA" ] && [ -x "$JAVA" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    cat > "$tmp/PreferredVector.java" << 'EOF'
import jdk.incubator.vector.FloatVector;

class PreferredVector {
    public static void main(String[] args) {
        var s = FloatVector.SPECIES_PREFERRED;
        System.out.println(s.vectorBitSize() + " bits (FloatVector.SPECIES_PREFERRED = " + s + ")");
    }
}
EOF
    java_vector=$("$JAVA" --add-modules jdk.incubator.vector "${jopts[@]}" "$tmp/PreferredVector.java" 2> "$tmp/err") \
        || { java_failed=$(grep -v -i 'incubator' "$tmp/err" | head -1); java_vector="unknown: $java_failed"; }
fi
opts="${VECTORLM_JAVA_OPTS:-}"

echo "cpu=$cpu"
echo "cpu_family=$family"
echo "cpu_model=$model"
echo "isa=$isa_text"
echo "cores=$cores"
echo "java_vector=$java_vector"
echo "vectorlm_java_opts=$opts"
echo "machine=$cpu (cpu family ${family:-?}, model ${model:-?}), $cores cores; ISA: $isa_text;" \
    "JDK vector: ${java_vector%% (*}; VECTORLM_JAVA_OPTS=${opts:-(none)}"
if [ -n "$java_failed" ]; then # a bad VECTORLM_JAVA_OPTS stops the benchmark here, not an hour later
    echo "machine_info.sh: $JAVA with VECTORLM_JAVA_OPTS='$opts' failed: $java_failed" >&2
    exit 1
fi
