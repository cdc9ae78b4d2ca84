#!/bin/bash
# archive-bench.sh: how fast bot/archive.c reads public-inbox archives,
# beside public-inbox-index on the same archive and machine.
#
#   tests/bench/archive-bench.sh [BUILD [N [WORKDIR]]]
#
# Backfills, each from scratch (no cursor, a fresh store):
#  - the real lore epoch $PATCHLETTER_SHARED/archives/linux-sparse.0.git
#    (3,545 messages), when there;
#  - a generated v2 inbox of N (default 100000) lore-sized messages
#    (tests/bench/archive-gen.py through git fast-import, then packed as a
#    served clone would be).
# Each line gives wall time, messages/s and peak RSS (GNU time), for:
#  - `patchletter ingest ARCHIVE`: the whole backfill, what the daemon does
#    with a new archive: read (bot/archive.c), parse, store, assemble
#    series, in batches with the cursor;
#  - the reader alone (the archive unit test's driver), which only hands
#    raw bytes over (also MB/s);
#  - public-inbox-index at indexlevel basic (SQLite only, no Xapian), its
#    cheapest mode, with a fresh config in WORKDIR: it too parses every
#    message and writes an SQLite index, so the ratio is ours over theirs.
# Figures are reported, not asserted. WORKDIR is removed at the end unless
# it was given.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-build}
N=${2:-100000}
if [ -n "${3:-}" ]; then
	W=$3
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/archive-bench.XXXXXX")
	trap 'rm -rf "$W"' EXIT
fi
DRV=$top/$B/tests/unit/test_archive
PL=$top/$B/patchletter
SHARED=${PATCHLETTER_SHARED:-$top/../shared}
[ -x "$DRV" ] || { echo "build $DRV first (make unit)" >&2; exit 1; }
[ -x "$PL" ] || { echo "build $PL first (make)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time)" >&2; exit 1; }
mkdir -p "$W"
export HOME=$W/home PI_CONFIG=$W/home/pi_config
mkdir -p "$HOME"
rm -f "$PI_CONFIG" # every run indexes from scratch

# ours LABEL PATH: time the reader, print one line.
ours() {
	/usr/bin/time -f 'rss %M' -o "$W/time" "$DRV" read -q "$2" bench \
		2>"$W/err" >/dev/null
	printf '%-28s patchletter archive: %s, peak RSS %s MB\n' "$1" \
		"$(sed -n 's/^archive: \(.* s, .*\)/\1/p' "$W/err")" \
		"$(awk '/^rss/ { printf "%.0f", $2 / 1024 }' "$W/time")"
}

# backfill LABEL PATH: time `patchletter ingest` into a fresh store; its
# messages/s in RATE_OURS.
backfill() {
	rm -rf "$W/state"
	mkdir -p "$W/state"
	/usr/bin/time -f 'wall %e rss %M' -o "$W/time" \
		"$PL" -s "$W/state" ingest "$2" >"$W/ingest.out" 2>&1 </dev/null
	n=$(sed -n 's/^ingest: \([0-9]*\) messages.*/\1/p' "$W/ingest.out")
	RATE_OURS=$(awk -v n="$n" '/^wall/ { printf "%.0f", n / $2 }' "$W/time")
	awk -v label="$1" -v n="$n" '/^wall/ {
		printf "%-28s patchletter ingest (backfill): %d msgs, %.3f s, %.0f messages/s, peak RSS %.0f MB\n",
			label, n, $2, n / $2, $4 / 1024 }' "$W/time"
	rm -rf "$W/state"
}

# theirs LABEL INBOX NAME MESSAGES: time public-inbox-index; the ratio of
# RATE_OURS to its messages/s.
theirs() {
	if ! command -v public-inbox-index >/dev/null; then
		echo "$1 public-inbox-index: not installed"
		return
	fi
	/usr/bin/time -f 'wall %e rss %M' -o "$W/time" \
		public-inbox-index "$2" >/dev/null 2>&1
	awk -v label="$1" -v n="$4" -v ours="$RATE_OURS" '/^wall/ {
		printf "%-28s public-inbox-index (basic): %.3f s, %.0f messages/s, peak RSS %.0f MB\n",
			label, $2, n / $2, $4 / 1024
		printf "%-28s ratio: patchletter ingest %.2fx public-inbox-index\n",
			label, ours / (n / $2) }' "$W/time"
}

newinbox() { # newinbox NAME DIR
	public-inbox-init -V2 -L basic "$1" "$2" "http://example.invalid/$1" \
		"$1@example.invalid" >/dev/null
}

LS=$SHARED/archives/linux-sparse.0.git
if [ -d "$LS/objects" ]; then
	backfill "linux-sparse (3,545 msgs)" "$LS"
	ours "linux-sparse (3,545 msgs)" "$LS"
	if command -v public-inbox-init >/dev/null; then
		rm -rf "$W/sparse"
		newinbox sparse "$W/sparse"
		# git wants a refs/ folder the shared copy lost: a local view.
		V=$W/view.git
		rm -rf "$V"
		mkdir -p "$V/refs"
		ln -s "$LS/objects" "$V/objects"
		cat "$LS/HEAD" >"$V/HEAD"
		cat "$LS/packed-refs" >"$V/packed-refs"
		rm -rf "$W/sparse/git/0.git"
		git clone -q --mirror "file://$V" "$W/sparse/git/0.git"
		theirs "linux-sparse (3,545 msgs)" "$W/sparse" sparse 3545
	fi
else
	echo "linux-sparse: $LS absent, skipped"
fi

G=$W/gen/git/0.git
rm -rf "$W/gen"
if command -v public-inbox-init >/dev/null; then
	newinbox gen "$W/gen"
fi
rm -rf "$G"
git init -q --bare "$G"
python3 "$top/tests/bench/archive-gen.py" "$N" |
	git --git-dir="$G" fast-import --quiet
# A clone from lore arrives as one well-deltified pack.
git --git-dir="$G" repack -adq --window=50
backfill "generated ($N msgs)" "$W/gen"
ours "generated ($N msgs)" "$W/gen"
theirs "generated ($N msgs)" "$W/gen" gen "$N"
[ -z "${3:-}" ] || echo "workdir: $W"
