#!/usr/bin/env bash
# Builds the Java client of the integration tests (test/java/fabric8-probe: fabric8
# kubernetes-client from Maven Central) and prints the classpath that runs it.
#
# Maven's local repository (~/.m2, or MAVEN_REPO) caches the dependencies: offline first, online
# only when something is missing. A build newer than the pom and the sources is used as it is, so
# later runs cost no Maven at all. Needs java and mvn (a missing one is an error, never a skip).
set -euo pipefail
dir="$(cd "$(dirname "$0")/../test/java/fabric8-probe" && pwd)"
cd "$dir"
for tool in java javac mvn; do
  command -v "$tool" >/dev/null || { echo "java-probe: $tool is not installed (the Java client tests need a JDK 17+ and Maven)" >&2; exit 1; }
done
stamp=target/build.stamp
newest="$(find pom.xml src -type f -newer "$stamp" 2>/dev/null | head -1 || true)"
if [ ! -f "$stamp" ] || [ ! -f target/classpath.txt ] || [ -n "$newest" ]; then
  args=(-B -q ${MAVEN_REPO:+-Dmaven.repo.local="$MAVEN_REPO"} compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
  mvn -o "${args[@]}" >/dev/null 2>&1 || mvn "${args[@]}" >&2
  touch "$stamp"
fi
echo "$dir/target/classes:$(cat target/classpath.txt)"
