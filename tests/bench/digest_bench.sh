#!/bin/bash
# digest_bench.sh BUILD_DIR: issue 7's figure. BENCH_DIGEST_SUBSCRIBERS
# (10000) subscribers with varied rule files (make-rules.py) get their
# digests of BENCH_DIGEST_MAILS (2000) mails of list traffic
# (make-mbox.py: series, versions, reviews, pulls; about a week of a
# busy vger list such as netdev), rendered and then handed to a local
# SMTP server (tests/integration/smtpd.py --discard, on loopback). The
# stages are timed apart: storing the subscribers, loading and indexing
# their rules, matching, building/rendering/composing/queueing the
# digests (tests/bench/digest_bench.c, the daemon's digest job), and
# sending the outbox (`patchletter send`). BENCH_DIGEST_RUNS (3) runs on
# fresh state; the median of each figure is printed last. Measured, not
# asserted.
set -u
O=${1:-build-bench}
top=$(cd "$(dirname "$0")/../.." && pwd)
N=${BENCH_DIGEST_SUBSCRIBERS:-10000}
MAILS=${BENCH_DIGEST_MAILS:-2000}
RUNS=${BENCH_DIGEST_RUNS:-3}
PATCHLETTER=$top/$O/patchletter
BENCH=$top/$O/tests/bench/digest_bench
export PATCHLETTER_TOP=$top
# make-mbox.py dates its mail 2026-04-01 to 04-28; the subscribers
# subscribed on 04-01 and their digests are due on 04-29 at 12:00 UTC.
CREATED=1775001600 # 2026-04-01 00:00:00 UTC
NOW=1777464000     # 2026-04-29 12:00:00 UTC

CLEANUP=()
at_exit() { CLEANUP+=("$1"); }
trap 'for c in "${CLEANUP[@]}"; do eval "$c" >/dev/null 2>&1; done' EXIT
skip_or_fail() { echo "digest: skipped: $1"; exit 0; }
wait_for() {
	local deadline=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt $deadline ] || return 1
		sleep 0.05
	done
}
. "$top/tests/integration/lib-smtp.sh"
need_smtpd
[ -x "$BENCH" ] || skip_or_fail "$BENCH not built"

W=$(mktemp -d "${TMPDIR:-/tmp}/patchletter-digest-bench.XXXXXX")
at_exit "rm -rf '$W'"
/usr/bin/python3 "$top/tests/bench/make-mbox.py" -n "$MAILS" -o "$W/list.mbox"
/usr/bin/python3 "$top/tests/bench/make-rules.py" -n "$N" -o "$W/rules"

# run CMD...: run it, print its output, then "SECONDS MAXRSS_KIB".
run() {
	/usr/bin/python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:])
t = time.monotonic() - t
if r.returncode:
    sys.exit("exit %d: %s" % (r.returncode, " ".join(sys.argv[1:])))
print("run: %.3f %d" % (t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
' "$@"
}

for r in $(seq "$RUNS"); do
	D=$W/run$r
	mkdir -p "$D"
	PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	smtp_start "$D/srv" "$PORT" --discard || exit 1
	smtp_config "$D/conf" "$D/state" "smtp://127.0.0.1:$PORT" "tls = none"
	"$PATCHLETTER" -c "$D/conf" ingest "$W/list.mbox" >"$D/ingest.out" ||
		exit 1
	echo "-- run $r of $RUNS: $(cat "$D/ingest.out")"
	run "$BENCH" -c "$D/conf" -T "$top/templates" -r "$W/rules" \
		-t $CREATED -n $NOW | tee "$D/digest.out" | grep -v '^run:' ||
		exit 1
	out=$(PATCHLETTER_NOW=$NOW run "$PATCHLETTER" -c "$D/conf" \
		-T "$top/templates" send) ||
		exit 1
	smtp_stop
	set -- $(sed -n 's/^run: //p' <<<"$out")
	sent=$(sed -n 's/^send: \([0-9]*\) sent.*/\1/p' <<<"$out")
	echo "send: $sent mails to aiosmtpd on loopback: $1 s," \
		"$(/usr/bin/python3 -c "print(round($sent / $1))") mails/s," \
		"peak RSS $(($2 / 1024)) MiB, $(cat "$D/srv/discarded" 2>/dev/null || echo "?") accepted" |
		tee "$D/send.out"
	rm -rf "$D/state"
done

# The median of each figure over the runs.
/usr/bin/python3 - "$W" "$RUNS" <<'PY'
import re, statistics, sys
w, runs = sys.argv[1], int(sys.argv[2])
pats = {
    "match (s)": (r"match every series.*: (\d+) matches, ([\d.]+) s", 2),
    "render+queue (s)": (r"queue: \d+ digests in ([\d.]+) s", 1),
    "digests/s": (r"s, (\d+) digests/s", 1),
    "digest job peak RSS (MiB)": (r"peak RSS (\d+) MiB", 1),
    "send (s)": (r"loopback: ([\d.]+) s", 1),
    "sent mails/s": (r"s, (\d+) mails/s", 1),
    "send peak RSS (MiB)": (r"peak RSS (\d+) MiB", 1),
}
files = {"send": "send.out"}
out = []
for name, (pat, g) in pats.items():
    f = "send.out" if name.startswith("send") or name.startswith("sent") \
        else "digest.out"
    vals = []
    for r in range(1, runs + 1):
        m = re.search(pat, open("%s/run%d/%s" % (w, r, f)).read())
        if m:
            vals.append(float(m.group(g)))
    if vals:
        out.append("%s %g" % (name, statistics.median(vals)))
print("digest: median of %d runs: %s" % (runs, "; ".join(out)))
PY
