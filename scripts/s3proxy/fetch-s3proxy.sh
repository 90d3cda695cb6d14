#!/usr/bin/env bash
# Fetches S3Proxy's jars with Maven, as pom.xml beside this script names them, into a cache
# outside the repository:
#   ${S3PROXY_CACHE_DIR:-$HOME/.cache/molam-analytics/s3proxy-<version>}/lib
# Used by the file-store tests (test/support/s3-server.ts, which calls it); .ci/run calls it too.
# Idempotent: a marker holding pom.xml's checksum makes a second run return at once; a changed
# pom.xml fetches again. Prints the lib directory on stdout. Nothing is downloaded but through Maven.
# (The same steps as scripts/kafka/fetch-kafka.sh, for another pom.)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pom="$here/pom.xml"
version="$(sed -n 's:.*<s3proxy.version>\(.*\)</s3proxy.version>.*:\1:p' "$pom")"
[ -n "$version" ] || { echo "fetch-s3proxy: no <s3proxy.version> in $pom" >&2; exit 1; }
cache="${S3PROXY_CACHE_DIR:-$HOME/.cache/molam-analytics/s3proxy-$version}"
marker="$cache/.fetched"
sum="$(sha256sum "$pom" | cut -d' ' -f1)"
fetched() { [ -f "$marker" ] && [ "$(cat "$marker")" = "$sum" ] && [ -d "$cache/lib" ]; }
if fetched; then echo "$cache/lib"; exit 0; fi
command -v mvn >/dev/null || { echo "fetch-s3proxy: mvn not found (Maven is needed to fetch S3Proxy's jars)" >&2; exit 1; }
mkdir -p "$cache"
# One fetch at a time (two test files may ask at once); the second finds the first one's marker.
exec 9>"$cache/.lock"
flock 9
if fetched; then echo "$cache/lib"; exit 0; fi
# Into a fresh directory first, then renamed: a run that dies half-way never leaves a partial
# lib/ behind a marker.
staging="$(mktemp -d "$cache/lib.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
echo "fetch-s3proxy: S3Proxy $version jars into $cache/lib (Maven)" >&2
mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$staging" >&2
ls "$staging"/s3proxy-"$version".jar >/dev/null
rm -rf "$cache/lib.old"
[ -d "$cache/lib" ] && mv "$cache/lib" "$cache/lib.old"
mv "$staging" "$cache/lib"
rm -rf "$cache/lib.old"
echo "$sum" > "$marker"
echo "$cache/lib"
