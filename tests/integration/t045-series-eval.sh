#!/bin/bash
# Series assembly and supersession, measured (issue 4): the labelled
# cases of tests/fixtures/series/labels.txt, written by reading the mails,
# against what `patchletter series --all --json` makes of them. The
# constructed fixtures always run; the cases on the real corpus in
# ../shared skip when it is absent. series_eval.py says how edges and
# series are compared.
. "$(dirname "$0")/lib.sh"

D=$(tmpdir)
LABELS=$FIXTURES/series/labels.txt
PY=/usr/bin/python3
[ -x "$PY" ] || skip_or_fail "python3 not installed"

# result FILE KEY: the value of "RESULT KEY=N" in FILE.
result() { sed -n "s/^RESULT $2=//p" "$1"; }

# judge NAME FILE: the thresholds of issue 4 on one evaluation.
judge() {
	local f=$2 right false missed labelled proved pfound sl sf sp spx
	right=$(result "$f" edges_right)
	false=$(result "$f" edges_false)
	missed=$(result "$f" edges_missed)
	labelled=$(result "$f" edges_labelled)
	proved=$(result "$f" proved)
	pfound=$(result "$f" proved_found)
	sl=$(result "$f" series_labelled)
	sf=$(result "$f" series_found)
	sp=$(result "$f" series_program)
	spx=$(result "$f" series_program_exact)
	ok "$1: cases were evaluated" test "$(result "$f" cases)" -gt 0
	check "$1: edge precision 100% (no false edge)" 0 "$false"
	check "$1: every edge a change-id, Supersedes: or link proves is found" \
		"$proved" "$pfound"
	ok "$1: edge recall at least 95% ($((labelled - missed)) of $labelled)" \
		test $((100 * (labelled - missed))) -ge $((95 * labelled))
	ok "$1: series recall at least 95% ($sf of $sl)" \
		test $((100 * sf)) -ge $((95 * sl))
	check "$1: series precision 100%" "$sp" "$spx"
	check "$1: series attributes as labelled" 0 "$(result "$f" attrs_bad)"
}

# evaluate NAME fixtures|corpus [SEED]: run the evaluation into $D/NAME.out;
# with SEED, each case's messages arrive in an order shuffled by it.
evaluate() {
	mkdir -p "$D/$1"
	"$PY" "$TOP/tests/integration/series_eval.py" --patchletter "$PATCHLETTER" \
		--labels "$LABELS" --fixtures "$FIXTURES" --shared "$SHARED" \
		--work "$D/$1" --only "$2" ${3:+--shuffle "$3"} > "$D/$1.out" 2>&1
}

evaluate fixtures fixtures
rc=$?
grep '^#' "$D/fixtures.out"
check "the constructed cases were evaluated" 0 $rc
judge "fixtures" "$D/fixtures.out"

# Arrival order must not matter: the constructed cases again, each time
# with their messages in another order.
for seed in 1 2 3; do
	evaluate "shuffled$seed" fixtures $seed
	rc=$?
	check "the constructed cases, shuffled ($seed), were evaluated" 0 $rc
	grep '^#   \|^# case\|^# edges:\|^# series:' "$D/shuffled$seed.out" |
		sed "s/^# /# shuffled ($seed): /"
	judge "fixtures shuffled ($seed)" "$D/shuffled$seed.out"
done

if need_shared; then
	evaluate corpus corpus
	rc=$?
	grep '^#' "$D/corpus.out"
	check "the corpus cases were evaluated" 0 $rc
	judge "corpus" "$D/corpus.out"
	# A year of a list in random order is harder than any real
	# arrival: measured and shown, not judged.
	evaluate corpus-shuffled corpus 1
	grep '^# edges\|^# series' "$D/corpus-shuffled.out" |
		sed 's/^# /# corpus, every case shuffled: /'
fi
finish
