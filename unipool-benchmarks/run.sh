#!/usr/bin/env bash
# Runs the unipool JMH benchmarks (about 10 minutes on 2 cores); builds the jar first if it is missing.
# Extra arguments go to JMH and win over the defaults, e.g.:
#   unipool-benchmarks/run.sh SubmitGet -p impl=JDK_FIXED,UNIPOOL_THREADS -prof gc
#   unipool-benchmarks/run.sh -rf json -rff results.json
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/benchmarks.jar"

is_jdk25() { # whether $1/bin/java runs and reports feature version 25 or newer
  [[ -x "$1/bin/java" ]] || return 1
  local v
  v="$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
  [[ "${v:-0}" -ge 25 ]]
}

jdk=""
if [[ -n "${JAVA_HOME:-}" ]] && is_jdk25 "$JAVA_HOME"; then
  jdk="$JAVA_HOME"
else
  for d in /usr/lib/jvm/*25*; do
    if [[ -x "$d/bin/java" ]]; then jdk="$d"; break; fi
  done
fi
if [[ -z "$jdk" ]]; then
  echo "run.sh: no JDK 25 found: set JAVA_HOME to a JDK 25 or newer (looked at JAVA_HOME and /usr/lib/jvm/*25*)" >&2
  exit 1
fi
export JAVA_HOME="$jdk"

if [[ ! -f "$jar" ]]; then
  echo "run.sh: $jar is missing; building it" >&2
  (cd "$root" && ./mvnw -q -B install -DskipTests -pl unipool-benchmarks -am)
fi

# Forks, iteration counts and times live in the benchmark classes (SubmitGet: 1 fork, 5 + 12 iterations of
# 2 s; FireAndCollect: 3 forks with a pretouched heap, 5 + 15 single shots of 1,000,000 tasks), about 10
# minutes in all on 2 cores (9 min 11 s on 2026-12-04); options given here win (e.g. -f 1 for a quick look,
# -i 3 for fewer iterations).
exec "$JAVA_HOME/bin/java" -jar "$jar" "$@"
