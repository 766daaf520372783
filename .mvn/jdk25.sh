# Sourced by ./mvnw and ./vectorlm: points JAVA_HOME at a JDK 25 or newer, found without help.
# Looks at JAVA_HOME, the java on PATH, then the usual install folders; fails with one line.
# Bash builtins only where it can (no sed, no subshell per candidate): every fork costs a few
# milliseconds of each ./vectorlm start.

vectorlm_jdk_feature() { # sets vectorlm_feature to the feature version (25, 26, ...) of the JDK at $1, or ""
  local release="$1/release" line
  vectorlm_feature=
  [ -x "$1/bin/java" ] || return 0
  if [ -f "$release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in
        JAVA_VERSION=\"*)
          line=${line#JAVA_VERSION=\"}
          vectorlm_feature=${line%%[!0-9]*}
          return 0
          ;;
      esac
    done < "$release"
  else
    vectorlm_feature=$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
}

vectorlm_find_jdk() { # sets VECTORLM_JDK to the first JDK >= 25 among the candidates, or fails
  local candidate path_java=
  if [ -n "${JAVA_HOME:-}" ]; then
    vectorlm_jdk_feature "$JAVA_HOME"
    if [ -n "$vectorlm_feature" ] && [ "$vectorlm_feature" -ge 25 ] 2>/dev/null; then
      VECTORLM_JDK=$JAVA_HOME
      return 0
    fi
  fi
  if path_java=$(command -v java 2>/dev/null); then
    path_java=$(readlink -f "$path_java" 2>/dev/null) && path_java=${path_java%/bin/java}
  fi
  for candidate in "$path_java" /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/*jdk* \
      "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -n "$candidate" ] && [ -d "$candidate" ] || continue
    vectorlm_jdk_feature "$candidate"
    if [ -n "$vectorlm_feature" ] && [ "$vectorlm_feature" -ge 25 ] 2>/dev/null; then
      VECTORLM_JDK=$candidate
      return 0
    fi
  done
  return 1
}

if ! vectorlm_find_jdk; then
  echo "VectorLM needs JDK 25 or newer and found none: install one (e.g. Temurin 25 from https://adoptium.net) or set JAVA_HOME to it." >&2
  exit 1
fi
export JAVA_HOME="$VECTORLM_JDK"
