#!/bin/bash
# APPEND-to-stored latency of the IMAP source during IDLE: a real Dovecot
# on loopback, the imap_driver storing into a fresh store, N mails (100 by
# default) appended one at a time, each timed from the APPEND until its
# row is in the store. Also times the server's own share (APPEND to the
# EXISTS an idling client receives): Dovecot batches change
# notifications for 500 ms (NOTIFY_DELAY_MSECS in its mailbox-watch.c),
# so that much of the latency is the server's.
#
#   bash tests/bench/imap-latency.sh [BUILD-DIR [N]]
O=${1:-build}
N=${2:-100}
top=$(cd "$(dirname "$0")/../.." && pwd)
export PATCHLETTER_TOP="$top" PATCHLETTER="$top/$O/patchletter"
export PATCHLETTER_BUILD="$top/$O"
: "${PATCHLETTER_SHARED:=$top/../shared}"
export PATCHLETTER_SHARED
. "$top/tests/integration/lib.sh"
. "$top/tests/integration/lib-dovecot.sh"
need_dovecot

D=$(tmpdir)
dovecot_setup "$D"
dovecot_start "$D" || skip_or_fail "dovecot does not start here"
imapc "$D" create list
start_driver "$D/driver.log" --store "$D/store.db" --host 127.0.0.1 \
	--port "$DOVECOT_PORT" --tls none --user bot \
	--password-file "$D/password" --mailbox list -vv
wait_log "$D/driver.log" "test/list: idle" 1 10 ||
	skip_or_fail "the driver does not reach IDLE"

bot=$(imapc "$D" latency list "$N" "$D/store.db" | tail -n 1)
server=$(imapc "$D" idle-latency list "$N" | tail -n 1)
echo "imap: APPEND to stored, $N mails, during IDLE (ms): $bot"
echo "imap: of which the server, APPEND to EXISTS (ms):   $server"
stop_driver
check "the driver stops cleanly" 0 "$DRIVER_RC"
finish
