#!/usr/bin/env bash
# Fetches Apache Kafka's jars (broker, controller, storage tool, console tools, Log4j 2 binding)
# with Maven, as pom.xml beside this script names them, into a cache outside the repository:
#   ${KAFKA_CACHE_DIR:-$HOME/.cache/molam-analytics/kafka-<version>}/lib
# Used by the Kafka tests (test/support/kafka-broker.ts) and benchmarks; .ci/run calls it.
# Idempotent: a marker holding pom.xml's checksum makes a second run return at once; a changed
# pom.xml fetches again. Prints the lib directory on stdout. Nothing is downloaded but through Maven.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pom="$here/pom.xml"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")"
[ -n "$version" ] || { echo "fetch-kafka: no <kafka.version> in $pom" >&2; exit 1; }
cache="${KAFKA_CACHE_DIR:-$HOME/.cache/molam-analytics/kafka-$version}"
marker="$cache/.fetched"
sum="$(sha256sum "$pom" | cut -d' ' -f1)"
fetched() { [ -f "$marker" ] && [ "$(cat "$marker")" = "$sum" ] && [ -d "$cache/lib" ]; }
if fetched; then echo "$cache/lib"; exit 0; fi
command -v mvn >/dev/null || { echo "fetch-kafka: mvn not found (Maven is needed to fetch Kafka's jars)" >&2; exit 1; }
mkdir -p "$cache"
# One fetch at a time (two test files may ask at once); the second finds the first one's marker.
exec 9>"$cache/.lock"
flock 9
if fetched; then echo "$cache/lib"; exit 0; fi
# Into a fresh directory first, then renamed: a run that dies half-way never leaves a partial
# lib/ behind a marker.
staging="$(mktemp -d "$cache/lib.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
echo "fetch-kafka: Apache Kafka $version jars into $cache/lib (Maven)" >&2
mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$staging" >&2
ls "$staging"/kafka_2.13-"$version".jar "$staging"/kafka-tools-"$version".jar >/dev/null
rm -rf "$cache/lib.old"
[ -d "$cache/lib" ] && mv "$cache/lib" "$cache/lib.old"
mv "$staging" "$cache/lib"
rm -rf "$cache/lib.old"
echo "$sum" > "$marker"
echo "$cache/lib"
