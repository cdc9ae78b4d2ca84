#!/bin/sh
# make bench: speed and memory, measured (not asserted). Each benchmark
# prints its own figures; "median of N" figures come from N runs.
# Inputs from ../shared are used in place and skipped when absent.
set -u
O=${1:-build-bench}
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${PATCHLETTER_SHARED:=$top/../shared}"
B=$top/$O/tests/bench
MAINT=$PATCHLETTER_SHARED/corpus/linux-maintainers/MAINTAINERS

echo "== machine: $(nproc) cores, $(uname -m), $(. /etc/os-release && echo "$PRETTY_NAME")"

echo "== store: insert in batches, look up by Message-ID (BENCH_MESSAGES=${BENCH_MESSAGES:-200000})"
"$B/store_bench" -n "${BENCH_MESSAGES:-200000}"

echo "== series: assemble and link SERIES_BATCH=${SERIES_BATCH:-100000} messages in one batch; then one at a time into a store of SERIES_BIG=${SERIES_BIG:-1000000}"
"$B/series_bench" -b "${SERIES_BATCH:-100000}" -N "${SERIES_BIG:-1000000}" \
	-a "${SERIES_ARRIVALS:-2000}"

if [ -f "$MAINT" ]; then
	echo "== MAINTAINERS: load, index, match the lore corpus' patches"
	set -- "$PATCHLETTER_SHARED"/corpus/lore-linux-kbuild/*.mbox
	"$B/bench_maintainers" "$MAINT" "$@"
else
	echo "== MAINTAINERS: skipped, $MAINT is absent"
fi
