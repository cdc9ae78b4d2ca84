#!/bin/bash
# `patchletter show` and the parser behind it (issue 3), message by message:
#  - the project's fixture mails against tests/fixtures/message/expect.json;
#  - real mail of ../shared/corpus against
#    tests/fixtures/corpus-expect/messages.json (values written by reading
#    each mail; see the README there), and git's mailinfo expectations
#    (git-t5100) for author and title;
#  - mbox, Maildir and standard input give JSON Lines, one per message;
#  - hostile mail (patchwork's fuzz set, notmuch's corpora) parsed without
#    a crash or sanitizer report (make asan runs this on the ASan build);
#  - mail over a bounds.h limit is kept unparsed by ingest, said once in
#    the log, and counted by status.
. "$(dirname "$0")/lib.sh"

D=$(tmpdir)
EXPECT=$TOP/tests/integration/show_expect.py
pl() { "$PATCHLETTER" -s "$D/state" "$@"; }

# run_expect ARGS...: show_expect.py's ok / not ok lines into our counts.
run_expect() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*) pass "${line#ok - }" ;;
		"not ok - "*) failed "${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done < <(/usr/bin/python3 "$EXPECT" "$@" 2>&1 || echo "not ok - show_expect.py $* failed")
}

# --- the project's fixtures -------------------------------------------------
run_expect "$PATCHLETTER" "$FIXTURES" "$FIXTURES/message/expect.json"

# --- JSON Lines from every container ----------------------------------------
n=$(grep -c '^From ' "$FIXTURES/mbox/quoting.mbox")
got=$("$PATCHLETTER" show --json "$FIXTURES/mbox/quoting.mbox" | wc -l)
check "an mbox gives one JSON object per message" "$n" "$got"
got=$("$PATCHLETTER" show --json - <"$FIXTURES/mbox/quoting.mbox" | wc -l)
check "... read from standard input too" "$n" "$got"
n=$(find "$FIXTURES/mbox/maildir/cur" "$FIXTURES/mbox/maildir/new" -type f ! -name ".*" | wc -l)
got=$("$PATCHLETTER" show --json "$FIXTURES/mbox/maildir" |
	/usr/bin/python3 -c 'import json, sys; print(sum(1 for l in sys.stdin if json.loads(l)))')
check "a Maildir gives one JSON object per message (tmp/ and dot files left out)" "$n" "$got"
got=$("$PATCHLETTER" show "$FIXTURES/message/cover.eml" | grep -c '^Kind: *cover, version 2, 0 of 3$')
check "show without --json prints what it understood" 1 "$got"

# --- hostile mail -------------------------------------------------------------
# A mail cut anywhere, and bytes that are no mail at all: never a crash.
hostile() { # FILE...: show each; a signal or a sanitizer report fails
	local f rc bad=0
	for f in "$@"; do
		"$PATCHLETTER" show --json "$f" >/dev/null 2>"$D/err"
		rc=$?
		if [ $rc -ge 128 ] || grep -q 'Sanitizer\|runtime error' "$D/err"; then
			echo "# $f: exit $rc"
			head -n 20 "$D/err"
			bad=1
		fi
	done
	return $bad
}
head -c 3000 "$FIXTURES/message/patch-qp.eml" >"$D/cut.eml"
head -c 100000 /dev/urandom >"$D/random.bin" 2>/dev/null || : >"$D/random.bin"
ok "cut and random input: no crash" hostile "$D/cut.eml" "$D/random.bin"

# --- limits: kept unparsed, said once, counted ------------------------------
{
	printf 'From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: A <a@example.org>\n'
	printf 'Subject: [PATCH] fine\nMessage-ID: <fine@example.org>\n\nok\n\n'
	printf 'From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: B <b@example.org>\n'
	printf 'Subject: many headers\nMessage-ID: <headers@example.org>\n'
	for i in $(seq 2001); do printf 'X-Junk-%d: y\n' "$i"; done
	printf '\nbody\n\n'
	printf 'From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: C <c@example.org>\n'
	printf 'Subject: deep\nMessage-ID: <deep@example.org>\nMIME-Version: 1.0\n'
	for i in $(seq 20); do
		printf 'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' "$i" "$i"
	done
	printf 'Content-Type: text/plain\n\ndeep text\n\n'
	printf 'From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: E <e@example.org>\n'
	printf 'Subject: [PATCH %s] tags\nMessage-ID: <tags@example.org>\n\nx\n\n' \
		"$(seq -s ' ' -f 'p%g' 17)"
	# Over MAIL_MAX_BYTES (64 MiB): 900,000 lines of 76 bytes.
	printf 'From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: D <d@example.org>\n'
	printf 'Subject: huge\nMessage-ID: <huge@example.org>\n\n'
	yes 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' |
		head -n 900000
} >"$D/limits.mbox"
pl ingest "$D/limits.mbox" >"$D/out" 2>"$D/err"
check "ingest keeps mail over a limit unparsed" \
	"ingest: 5 messages: 1 stored, 0 duplicates, 4 unparsed" "$(sed 's/ (.*//' "$D/out")"
check "... with one log line naming the mail and the limit (header fields)" 1 \
	"$(grep -c '<headers@example.org>: header fields over the limit of 2000' "$D/err")"
check "... (MIME depth)" 1 "$(grep -c '<deep@example.org>: MIME depth over the limit of 16' "$D/err")"
check "... (subject tags)" 1 "$(grep -c '^message: <tags@example.org>: subject: tag words past SUBJECT_MAX_PREFIXES dropped; parse incomplete$' "$D/err")"
check "... (message size)" 1 "$(grep -c 'message 4 is [0-9]* bytes, over the limit of 67108864' "$D/err")"
check "... and no other line" 4 "$(wc -l <"$D/err")"
check "status counts them as kept unparsed" "messages: 1 stored, 4 kept unparsed" \
	"$(pl status | grep '^messages:')"
"$PATCHLETTER" show --json "$D/limits.mbox" >"$D/out" 2>"$D/err"
check "show says which messages it kept unparsed" 4 \
	"$(grep -c 'over a size limit, kept unparsed' "$D/err")"
check "... and shows the others" 1 "$(wc -l <"$D/out")"

# --- the shared corpus -------------------------------------------------------
need_shared || finish
C=$SHARED/corpus
nr=$(/usr/bin/python3 -c "import json; print(len(json.load(open('$FIXTURES/corpus-expect/messages.json'))))")
ok "the corpus expectations cover at least 80 mails ($nr)" test "$nr" -ge 80
for k in cover patch reply pull other; do
	ok "... of which some are a $k" grep -q "\"kind\": \"$k\"" "$FIXTURES/corpus-expect/messages.json"
done
run_expect "$PATCHLETTER" "$C" "$FIXTURES/corpus-expect/messages.json"
run_expect --git-t5100 "$PATCHLETTER" "$C/git-t5100"

# patchwork's malformed mails and notmuch's broken, crypto and HTML mail.
mapfile -t files < <(find "$C/patchwork/fuzz" "$C/notmuch" -type f)
ok "the corpus' malformed mails (${#files[@]}): no crash, leak or sanitizer report" \
	hostile "${files[@]}"

finish
