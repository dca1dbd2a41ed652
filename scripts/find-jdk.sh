# shellcheck shell=bash
# Finds a JDK 25 or newer for ./unipool and ./check, which source this file.
#
#   find_jdk25 || exit 2     # on success JAVA_HOME is set (not exported) to the JDK's home
#
# Order: $JAVA_HOME if its java reports version 25+, else the newest /usr/lib/jvm/*/ that does.
# The machine's default `java` is deliberately ignored: it is often an older release.

UNIPOOL_MIN_JAVA=25

# Prints the feature release (8, 17, 25, ...) that <java-home>/bin/java reports, or nothing.
java_feature_version() {
  local java="$1/bin/java" line version
  [ -x "$java" ] || return 1
  line="$("$java" -version 2>&1 | grep -m1 -E 'version "[^"]+"')" || return 1
  version="${line#*version \"}"
  version="${version%%\"*}"
  case "$version" in
    1.*) version="${version#1.}" ;;   # 1.8.0_412 means 8
  esac
  version="${version%%[!0-9]*}"
  [ -n "$version" ] || return 1
  printf '%s\n' "$version"
}

# A JDK, not just a runtime: the launcher builds the project, which needs javac.
is_jdk25() {
  local v
  [ -x "$1/bin/javac" ] || return 1
  v="$(java_feature_version "$1")" || return 1
  [ "$v" -ge "$UNIPOOL_MIN_JAVA" ]
}

find_jdk25() {
  local candidate best="" best_version=0 v
  if [ -n "${JAVA_HOME:-}" ] && is_jdk25 "$JAVA_HOME"; then
    return 0
  fi
  for candidate in /usr/lib/jvm/*/; do
    candidate="${candidate%/}"
    is_jdk25 "$candidate" || continue
    v="$(java_feature_version "$candidate")"
    if [ "$v" -gt "$best_version" ]; then
      best="$candidate"
      best_version="$v"
    fi
  done
  if [ -n "$best" ]; then
    JAVA_HOME="$best"
    return 0
  fi
  {
    echo "unipool needs a JDK $UNIPOOL_MIN_JAVA or newer, and found none"
    echo "  (looked at JAVA_HOME=${JAVA_HOME:-<unset>} and /usr/lib/jvm/*)."
    if command -v apt-cache >/dev/null 2>&1 && apt-cache show "openjdk-$UNIPOOL_MIN_JAVA-jdk" >/dev/null 2>&1; then
      echo "Install one with:  sudo apt-get install openjdk-$UNIPOOL_MIN_JAVA-jdk"
      echo "or install Temurin $UNIPOOL_MIN_JAVA (https://adoptium.net), then run this again."
    else
      echo "Install Temurin $UNIPOOL_MIN_JAVA (https://adoptium.net) or your distribution's openjdk-$UNIPOOL_MIN_JAVA-jdk,"
      echo "then run this again (or point JAVA_HOME at it)."
    fi
  } >&2
  return 2
}
