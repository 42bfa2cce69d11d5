#!/bin/sh
# Prints the home of a JDK whose feature version is at least 25 (vectorgrad needs the final FFM API
# and the jdk.incubator.vector module), or explains what to install and exits 1.
# Order: $JAVA_HOME, the `java` on PATH, then the usual install folders, so that a machine whose
# default java is older but that has a JDK 25 beside it works without any set-up.
set -u
set +f
REQUIRED=25

feature_version() { # $1 = JDK home; prints the feature version or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  v=""
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n 1)
  fi
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  fi
  printf '%s' "$v"
}

try() { # $1 = candidate home
  [ -n "$1" ] || return 1
  v=$(feature_version "$1")
  [ -n "$v" ] && [ "$v" -ge "$REQUIRED" ] 2>/dev/null || return 1
  printf '%s\n' "$1"
  exit 0
}

try "${JAVA_HOME-}"
if command -v java >/dev/null 2>&1; then
  try "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
fi
for home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*/jdk* \
            "${HOME-}"/.sdkman/candidates/java/* "${HOME-}"/.jdks/* \
            /Library/Java/JavaVirtualMachines/*/Contents/Home; do
  [ -d "$home" ] && try "$home"
done

cat >&2 <<MSG
vectorgrad needs JDK $REQUIRED or newer (final FFM API and the jdk.incubator.vector module),
but none was found in JAVA_HOME, on PATH, or under /usr/lib/jvm, /usr/java, /opt, ~/.sdkman, ~/.jdks.
Install one, for example:
  Debian/Ubuntu: apt-get install temurin-25-jdk   (Adoptium repository) or openjdk-25-jdk
  SDKMAN:        sdk install java 25-tem
then run the command again (or point JAVA_HOME at it).
MSG
exit 1
