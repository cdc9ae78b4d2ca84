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
	echo "== rules: ${BENCH_SUBSCRIBERS:-10000} subscribers x 10 rules, series of 50 files against the index"
	P=$(mktemp -d "${TMPDIR:-/tmp}/patchletter-bench.XXXXXX")
	trap 'rm -rf "$P"' EXIT
	"$B/bench_match" -s "${BENCH_SUBSCRIBERS:-10000}" -w "$P/patches" "$MAINT"
	# The reference: get_maintainer.pl on the same patches. The script
	# is not part of this tree; point GET_MAINTAINER at a copy of the
	# kernel's scripts/get_maintainer.pl to run it.
	GM_ARGS="--no-tree --no-git --no-git-fallback --no-m --no-r --no-l --no-email --subsystem"
	if [ -n "${GET_MAINTAINER:-}" ] && [ -f "$GET_MAINTAINER" ]; then
		mkdir "$P/tree"
		ln -s "$MAINT" "$P/tree/MAINTAINERS"
		set -- "$P"/patches/s00[0-1]-p*.patch
		t0=$(date +%s%N)
		for f in "$@"; do
			(cd "$P/tree" && perl "$GET_MAINTAINER" $GM_ARGS "$f" >/dev/null 2>&1)
		done
		t1=$(date +%s%N)
		ms=$(( (t1 - t0) / 1000000 / $# ))
		echo "get_maintainer.pl on $# of the same patches: $ms ms per patch (wall clock), $(( ms * 10 )) ms for one series of 10 patches, sections only"
	else
		echo "get_maintainer.pl reference: not run (set GET_MAINTAINER=path/to/get_maintainer.pl);"
		echo "  measured on these patches: 260-340 ms per patch (2.6-3.4 s a series of 10),"
		echo "  earlier on the lore corpus ~520 ms per patch, for: perl get_maintainer.pl $GM_ARGS PATCH"
	fi
else
	echo "== MAINTAINERS, rules: skipped, $MAINT is absent"
fi

echo "== send: the outbox to a local SMTP server (BENCH_SEND_MAILS=${BENCH_SEND_MAILS:-10000})"
bash "$top/tests/bench/send_bench.sh" "$O"
echo "== digests: ${BENCH_DIGEST_SUBSCRIBERS:-10000} subscribers, ${BENCH_DIGEST_MAILS:-2000} mails of list traffic: match, render, queue, send (median of ${BENCH_DIGEST_RUNS:-3})"
bash "$top/tests/bench/digest_bench.sh" "$O"
sh "$top/tests/bench/parse.sh" "$O"

echo "== archives: backfill linux-sparse and a generated archive of BENCH_ARCHIVE_MESSAGES=${BENCH_ARCHIVE_MESSAGES:-100000}, beside public-inbox-index"
bash "$top/tests/bench/archive-bench.sh" "$O" "${BENCH_ARCHIVE_MESSAGES:-100000}"

echo "== imap: APPEND to stored, one mail at a time during IDLE (BENCH_IMAP_MAILS=${BENCH_IMAP_MAILS:-100})"
bash "$top/tests/bench/imap-latency.sh" "$O" "${BENCH_IMAP_MAILS:-100}"
