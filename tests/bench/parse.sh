#!/bin/sh
# The parser's benchmark (make bench runs it from run.sh): message_parse()
# over generated kernel-list mail, beside cat and git's mail tools.
#
#   tests/bench/parse.sh BUILD_DIR
#
set -u
O=${1:-build-bench}
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$top/$O/tests/bench

# BENCH_MAILS mails (100000) from tests/bench/make-mbox.py, kept in $O for
# the next run; each figure is the median of BENCH_RUNS runs (5). Beside
# it, as reference points over the same file: cat (reading it), git
# mailsplit (splitting it into files) and git mailinfo (one process per
# message, so timed over the first BENCH_GIT_MAILINFO split messages).
N=${BENCH_MAILS:-100000}
RUNS=${BENCH_RUNS:-5}
GITN=${BENCH_GIT_MAILINFO:-10000}
T=$(mktemp -d "${TMPDIR:-/tmp}/patchletter-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT

# gen_mbox COUNT: the path of a generated mbox of COUNT mails.
gen_mbox() {
	f=$top/$O/bench-mails-$1.mbox
	if [ ! -s "$f" ]; then
		echo "(writing $1 mails to $f)" >&2
		python3 "$top/tests/bench/make-mbox.py" -n "$1" -o "$f.tmp" &&
			mv "$f.tmp" "$f"
	fi
	echo "$f"
}

# timed CMD...: run CMD under /usr/bin/time -v; its stdout goes to $OUT
# ($T/out); prints "wall_s cpu_s maxrss_kb".
OUT=$T/out
timed() {
	/usr/bin/time -v "$@" >"$OUT" 2>"$T/time" || {
		cat "$T/time" >&2
		return 1
	}
	awk -F': ' '
		/Elapsed \(wall clock\)/ {
			n = split($2, p, ":"); w = 0
			for (i = 1; i <= n; i++) w = w * 60 + p[i]
		}
		/User time/ { c += $2 }
		/System time/ { c += $2 }
		/Maximum resident set size/ { m = $2 }
		END { printf "%.3f %.3f %d\n", w, c, m }' "$T/time"
}

# median: the median of the numbers on stdin, one a line.
median() {
	sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# field NAME: the value of NAME=... in mail_bench's line ($T/out).
field() {
	tr ' ' '\n' <"$T/out" | sed -n "s/^$1=//p"
}

MBOX=$(gen_mbox "$N") || exit 1
SMALL=$(gen_mbox $((N / 10))) || exit 1
# MB as mail_bench counts them: 10^6 bytes.
MB=$(awk -v b="$(wc -c <"$MBOX")" 'BEGIN { printf "%.1f", b / 1e6 }')
echo "== parser: message_parse() over $N generated mails ($MB MB), median of $RUNS runs"
: >"$T/rates"
: >"$T/mbs"
: >"$T/rss"
: >"$T/walls"
for i in $(seq "$RUNS"); do
	set -- $(timed "$B/mail_bench" "$MBOX") || exit 1
	echo "$1" >>"$T/walls"
	echo "$3" >>"$T/rss"
	field msgs_per_cpu_s >>"$T/rates"
	field mb_per_cpu_s >>"$T/mbs"
done
echo "   last run: $(cat "$T/out")"
printf '   patchletter: %s messages/s, %s MB/s (one core, CPU time); %s s wall; peak RSS %s MB\n' \
	"$(median <"$T/rates")" "$(median <"$T/mbs")" "$(median <"$T/walls")" \
	"$(( $(median <"$T/rss") / 1024 ))"
set -- $(timed "$B/mail_bench" "$SMALL") || exit 1
echo "   peak RSS over $((N / 10)) mails: $(($3 / 1024)) MB (memory does not grow with the count)"

# Real list traffic too, when ../shared is there: the lore exports.
: "${PATCHLETTER_SHARED:=$top/../shared}"
set -- "$PATCHLETTER_SHARED"/corpus/lore-*/*.mbox
if [ -f "$1" ]; then
	: >"$T/rates"
	: >"$T/mbs"
	for i in $(seq "$RUNS"); do
		timed "$B/mail_bench" "$@" >/dev/null || exit 1
		field msgs_per_cpu_s >>"$T/rates"
		field mb_per_cpu_s >>"$T/mbs"
	done
	printf '   lore exports of ../shared (%s messages): %s messages/s, %s MB/s\n' \
		"$(field messages)" "$(median <"$T/rates")" "$(median <"$T/mbs")"
fi

: >"$T/walls"
for i in $(seq "$RUNS"); do
	OUT=/dev/null
	set -- $(timed cat "$MBOX")
	OUT=$T/out
	echo "$1" >>"$T/walls"
done
w=$(median <"$T/walls")
echo "   cat FILE > /dev/null: $w s, $(awk -v m="$MB" -v w="$w" 'BEGIN { printf "%.0f", (w > 0 ? m / w : 0) }') MB/s"

if command -v git >/dev/null 2>&1; then
	: >"$T/walls"
	for i in $(seq "$RUNS"); do
		rm -rf "$T/split"
		mkdir "$T/split"
		set -- $(timed git mailsplit --mboxrd -o"$T/split" "$MBOX") || exit 1
		echo "$1" >>"$T/walls"
	done
	ws=$(median <"$T/walls")
	echo "   git mailsplit --mboxrd: $ws s, $(awk -v n="$N" -v w="$ws" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }') messages/s (one file per message)"
	ls "$T/split" | head -n "$GITN" >"$T/list"
	gn=$(wc -l <"$T/list")
	: >"$T/walls"
	for i in $(seq "$RUNS"); do
		set -- $(timed sh -c 'cd "$1" && while read -r f; do
			git mailinfo "$2/msg" "$2/patch" <"$f" >/dev/null || exit 1
		done <"$2/list"' sh "$T/split" "$T") || exit 1
		echo "$1" >>"$T/walls"
	done
	wi=$(median <"$T/walls")
	echo "   git mailinfo, one process per message, over $gn of them: $wi s, $(awk -v n="$gn" -v w="$wi" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }') messages/s"
	echo "   git mailsplit + mailinfo over all $N (mailinfo extrapolated): $(awk -v n="$N" -v gn="$gn" -v ws="$ws" -v wi="$wi" 'BEGIN { t = ws + wi * n / gn; printf "%.0f s, %.0f messages/s", t, n / t }')"
else
	echo "   git: not installed, its reference points skipped"
fi
