#!/bin/sh
# make demo: the main job on an embedded default. A throwaway state
# directory, the sample list mail of tests/demo ingested, the series
# patchletter made of it, and the digest a subscriber following the whole
# list would get. Nothing outside the temporary directory is touched.
set -eu
O=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/$O/patchletter"
state=$(mktemp -d "${TMPDIR:-/tmp}/patchletter-demo.XXXXXX")
trap 'rm -rf "$state"' EXIT

say() { printf '\n### %s\n\n' "$*"; }

say "patchletter ingest tests/demo/sample-list.mbox"
"$bin" -s "$state" ingest "$top/tests/demo/sample-list.mbox"

say "patchletter series --all   (every posting, and what supersedes what)"
"$bin" -s "$state" series --all

say "patchletter digest   (the newest version of each series)"
"$bin" -s "$state" -T "$top/templates" digest
