#!/bin/bash
# A server without IDLE is polled at the configured interval.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"
need_dovecot

D=$(tmpdir)
dovecot_setup "$D" --no-idle
dovecot_start "$D" || skip_or_fail "dovecot does not start here"
S=$D/store.db
LOG=$D/driver.log

imapc "$D" create list
imapc "$D" append list 2 before
start_driver "$LOG" --store "$S" --host 127.0.0.1 --port "$DOVECOT_PORT" \
	--tls none --user bot --password-file "$D/password" --mailbox list \
	--poll-interval 1 --backoff-min 200 -vv

ok "the mail there before is stored" wait_rows "$S" 2 10
ok "the bot sees the server has no IDLE" \
	wait_log "$LOG" "polling (no IDLE)" 1 5
ok "and polls" wait_log "$LOG" "test/list: poll" 2 5
check "it never tries IDLE" 0 "$(count_lines "$LOG" "test/list: idle")"
polls=$(count_lines "$LOG" "test/list: poll")
imapc "$D" append list 3 polled
ok "new mail is found by a poll" wait_rows "$S" 5 5
ok "polls go on at the interval" wait_log "$LOG" "test/list: poll" $((polls + 3)) 6
before=$(count_lines "$LOG" "test/list: poll")
start=$(date +%s%N)
wait_log "$LOG" "test/list: poll" $((before + 2)) 10
ms=$(( ($(date +%s%N) - start) / 1000000 ))
ok "about one poll a second, not a tight loop (2 polls in ${ms}ms)" \
	test "$ms" -ge 1000 -a "$ms" -le 4000
check "each mail once" "5 5" "$(rows "$S") $(distinct "$S")"
V=$(imapc "$D" uidvalidity list)
check "the cursor" "$V:5" "$(cursor "$S" imap:test/list)"
stop_driver
check "SIGTERM stops the driver cleanly" 0 "$DRIVER_RC"
finish
