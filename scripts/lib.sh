# Shared helpers for ./evmore and .ci/run. Source, don't execute.

# Finds a JDK 21+ and exports JAVA_HOME. Honours JAVA_HOME when it is already 21+.
evmore_find_jdk() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/* /usr/local/java/*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    # the JDK's release file when it has one (no JVM start: ./evmore run's start-up counts it), else the JVM's answer
    version=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$candidate/release" 2>/dev/null)
    [ -n "$version" ] && [ "$version" != 1 ] ||
      version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ -n "$version" ] && [ "${version%%.*}" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "evmore: no JDK 21 or newer found (looked at JAVA_HOME and /usr/lib/jvm). Install one, e.g. apt-get install openjdk-21-jdk." >&2
  return 1
}

# Installs the pinned Node.js tools (hardhat, solc, cosmjs) into tools/node when missing or stale.
evmore_node_tools() {
  local dir="$EVMORE_ROOT/tools/node"
  if ! command -v npm >/dev/null 2>&1; then
    echo "evmore: npm not found; install Node.js 18+ (apt-get install nodejs npm)" >&2
    return 1
  fi
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "evmore: installing pinned Node.js tools into tools/node (npm ci)" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >&2
  fi
}
