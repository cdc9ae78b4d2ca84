#!/bin/bash
# send_bench.sh BUILD_DIR: how fast `patchletter send` hands mail to a
# local SMTP server, and its peak memory. Measured, not asserted.
#
# BENCH_SEND_MAILS (default 10000) digests of about 6 KiB are queued with
# tests/integration/outbox_fill (composed as the scheduler will), then
# sent to tests/integration/smtpd.py on loopback, which accepts them
# without keeping them (--discard), so that the figure is the sender's:
# one SMTP transaction per mail over a reused connection (a new one every
# MAILER_MAILS_PER_CONNECTION mails), plus the store's commit of "sent",
# one fsync each (synchronous=FULL) on the state directory's disk.
set -u
O=${1:-build-bench}
top=$(cd "$(dirname "$0")/../.." && pwd)
N=${BENCH_SEND_MAILS:-10000}
PATCHLETTER=$top/$O/patchletter
FILL=$top/$O/tests/integration/outbox_fill
export PATCHLETTER_TOP=$top

CLEANUP=()
at_exit() { CLEANUP+=("$1"); }
trap 'for c in "${CLEANUP[@]}"; do eval "$c" >/dev/null 2>&1; done' EXIT
skip_or_fail() { echo "send: skipped: $1"; exit 0; }
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

# run CMD...: run it, then print "SECONDS MAXRSS_KIB" of it.
run() {
	/usr/bin/python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
t = time.monotonic() - t
if r.returncode:
    sys.exit("exit %d: %s" % (r.returncode, " ".join(sys.argv[1:])))
print("%.3f %d" % (t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
' "$@"
}
rate() { /usr/bin/python3 -c "print(round($1 / $2))"; }

# bench TMP WHERE: queue N mails and send them, the state in TMP.
bench() {
	local D where=$2
	D=$(mktemp -d "$1/patchletter-bench.XXXXXX")
	at_exit "rm -rf '$D'"
	PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	smtp_start "$D/srv" "$PORT" --discard || return 1
	smtp_config "$D/conf" "$D/state" "smtp://127.0.0.1:$PORT" "tls = none"
	# A digest-sized body: 6 KiB of text, some UTF-8 (quoted-printable).
	for i in $(seq 60); do
		printf 'Series %d: [PATCH v3 %d/7] mm: fix the accounting of pages, Zoë Ångström, %s\n' \
			"$i" $((i % 7 + 1)) "https://lore.kernel.org/r/2026$i.abc@example.org"
	done >"$D/body.txt"

	set -- $(run "$FILL" -n "$N" --body "$D/body.txt" "$D/state") || return 1
	echo "send: $where: queue $N mails (compose, commit each): $1 s," \
		"$(rate "$N" "$1") mails/s," \
		"store $(($(stat -c %s "$D/state/patchletter.db") / 1024)) KiB"
	set -- $(run "$PATCHLETTER" -c "$D/conf" send) || return 1
	smtp_stop
	echo "send: $where: $N mails to aiosmtpd on loopback: $1 s," \
		"$(rate "$N" "$1") mails/s, peak RSS $(($2 / 1024)) MiB," \
		"$(smtp_connects "$D/srv") connections," \
		"$(cat "$D/srv/discarded" 2>/dev/null || echo "?") accepted"
}

bench "${TMPDIR:-/tmp}" "state on disk"
# Without fsync's cost (tmpfs): what the SMTP dialogue itself costs.
[ -d /dev/shm ] && bench /dev/shm "state on tmpfs"
