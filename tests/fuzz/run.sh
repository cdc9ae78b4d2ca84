#!/bin/sh
# make fuzz: run the parser's libFuzzer target for a bounded time.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS
#
# The working corpus is BUILD_DIR/corpus (kept between runs, so that each
# run goes on from what the last one found); the seeds are the project's
# fixture mails, mboxes and patch bodies. A finding (crash, leak, sanitizer
# report, timeout) leaves its input in BUILD_DIR/findings and fails.
set -u
O=${1:-build-fuzz}
secs=${2:-60}
top=$(cd "$(dirname "$0")/../.." && pwd)
F=$top/tests/fixtures
mkdir -p "$O/corpus" "$O/findings"

seeds=
for d in mail message mbox patch; do
	[ -d "$F/$d" ] && seeds="$seeds $F/$d"
done

echo "== fuzz: message_parse() and mbox_split() for ${secs} s (libFuzzer)"
"$O/fuzz_mail" -max_total_time="$secs" -max_len=65536 -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 \
	-dict="$top/tests/fuzz/mail.dict" \
	-artifact_prefix="$O/findings/" \
	"$O/corpus" $seeds \
	>"$O/fuzz.log" 2>&1
rc=$?
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )' \
	"$O/fuzz.log"
if [ $rc -ne 0 ]; then
	tail -n 60 "$O/fuzz.log"
	echo "fuzz: FAILED (exit $rc); inputs in $O/findings, log in $O/fuzz.log"
	exit 1
fi
echo "fuzz: no finding in ${secs} s ($(ls "$O/corpus" | wc -l) inputs in the corpus)"
