# Sourced by ./mvnw and ./vectorlm: points JAVA_HOME at a JDK 25 or newer, found without help.
# Looks at JAVA_HOME, the java on PATH, then the usual install folders; fails with one line.

vectorlm_jdk_feature() { # prints the feature version (25, 26, ...) of the JDK at $1, or nothing
  local release="$1/release" v
  [ -x "$1/bin/java" ] || return 0
  if [ -f "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  else
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
  echo "$v"
}

vectorlm_find_jdk() {
  local candidate v
  local path_java
  path_java=$(command -v java 2>/dev/null) && path_java=$(readlink -f "$path_java" 2>/dev/null) \
    && path_java=${path_java%/bin/java}
  for candidate in "${JAVA_HOME:-}" "$path_java" /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/*jdk* \
      "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -n "$candidate" ] && [ -d "$candidate" ] || continue
    v=$(vectorlm_jdk_feature "$candidate")
    if [ -n "$v" ] && [ "$v" -ge 25 ] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! VECTORLM_JDK=$(vectorlm_find_jdk); then
  echo "VectorLM needs JDK 25 or newer and found none: install one (e.g. Temurin 25 from https://adoptium.net) or set JAVA_HOME to it." >&2
  exit 1
fi
export JAVA_HOME="$VECTORLM_JDK"
