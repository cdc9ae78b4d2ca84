#!/bin/bash
# The IMAP source against a real Dovecot with IDLE: mail appended while
# the bot idles is stored within a second; a burst of 500 is stored once;
# a Dovecot restart mid-IDLE loses and doubles nothing; a recreated
# mailbox (new UIDVALIDITY) is fetched again from UID 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"
need_dovecot

D=$(tmpdir)
dovecot_setup "$D"
dovecot_start "$D" || skip_or_fail "dovecot does not start here"
S=$D/store.db
LOG=$D/driver.log
SRC=imap:test/list

imapc "$D" create list
imapc "$D" append list 3 before
start_driver "$LOG" --store "$S" --host 127.0.0.1 --port "$DOVECOT_PORT" \
	--tls none --user bot --password-file "$D/password" --mailbox list \
	--batch 100 --backoff-min 200 --backoff-max 2000 --timeout 10 \
	--trace -vv

ok "the mail there before the bot starts is stored" wait_rows "$S" 3 10
ok "then the bot idles" wait_log "$LOG" "test/list: idle" 1 5
V=$(imapc "$D" uidvalidity list)
check "the cursor is UIDVALIDITY:3" "$V:3" "$(cursor "$S" "$SRC")"

# One at a time while the bot idles: each stored within a second.
out=$(imapc "$D" latency list 5 "$S")
worst=$(echo "$out" | sed -n 's/^median .* worst \([0-9]*\).*/\1/p')
echo "# latency (ms): $(echo "$out" | tr '\n' ' ')"
ok "a mail appended during IDLE is stored within a second (worst ${worst}ms)" \
	test -n "$worst" -a "${worst:-9999}" -lt 1000

# A burst.
imapc "$D" append list 500 burst
ok "500 mails appended in a burst are all stored" wait_rows "$S" 508 60
ok "back to IDLE after the burst" wait_log "$LOG" "test/list: idle" 8 10
check "each of them once" "508 508" "$(rows "$S") $(distinct "$S")"
check "the cursor is at the last UID" "$V:508" "$(cursor "$S" "$SRC")"
sizes=$(sed -n 's/.*stored \([0-9]*\) mails.*/\1/p' "$LOG")
ok "in batches of at most 100 ($(echo $sizes | wc -w) batches in all)" \
	test "$(echo "$sizes" | sort -n | tail -n 1)" -le 100

# Dovecot stopped mid-IDLE; mail delivered into the Maildir while it is
# down; Dovecot back.
idles=$(count_lines "$LOG" "test/list: idle")
dovecot_stop "$D"
ok "the dropped connection is noticed" wait_log "$LOG" "retry 1 in" 1 10
for i in 1 2 3; do
	maildir_deliver "$D" list "down.$i" || failed "Maildir delivery $i"
done
ok "the bot retries with backoff while the server is down" \
	wait_log "$LOG" "retry 3 in" 1 10
dovecot_start "$D" || failed "dovecot restart"
ok "the mail delivered while the server was down is stored" \
	wait_rows "$S" 511 20
ok "and the bot idles again" wait_log "$LOG" "test/list: idle" $((idles + 1)) 10
imapc "$D" append list 2 after-restart
ok "mail after the restart is stored" wait_rows "$S" 513 10
check "nothing lost or doubled across the restart" "513 513" \
	"$(rows "$S") $(distinct "$S")"
check "the cursor follows" "$V:513" "$(cursor "$S" "$SRC")"
retries=$(grep -c 'retry [0-9]* in' "$LOG")
ok "reconnections were spaced out ($retries attempts in all)" \
	test "$retries" -le 12

# The mailbox deleted and recreated: a new UIDVALIDITY, UIDs from 1 again.
imapc "$D" delete list
imapc "$D" create list
imapc "$D" append list 4 recreated
# (Asked after the APPEND: Dovecot may say 0 of a mailbox never opened.)
V2=$(imapc "$D" uidvalidity list)
ok "the recreated mailbox has a new UIDVALIDITY ($V -> $V2)" \
	test "$V" != "$V2" -a "$V2" != 0
ok "mail in the recreated mailbox is stored" wait_rows "$S" 517 20
ok "after a resync announced in the log" \
	wait_log "$LOG" "UIDVALIDITY changed from $V to $V2" 1 5
check "no duplicates, nothing lost" "517 517" "$(rows "$S") $(distinct "$S")"
check "the cursor has the new UIDVALIDITY" "$V2:4" "$(cursor "$S" "$SRC")"
n=$(sqlite3 "$S" "SELECT count(*) FROM unparsed WHERE CAST(raw AS TEXT) LIKE '%recreated.4@test%'")
check "the fourth new mail (UID 4, below the old cursor) is there" 1 "$n"

stop_driver
check "SIGTERM stops the driver cleanly" 0 "$DRIVER_RC"
check "no password in the log" 0 "$(count_lines "$LOG" secret)"

# RFC 2177: IDLE re-issued at the interval (1 s here) with nothing new.
LOG2=$D/reidle.log
start_driver "$LOG2" --store "$S" --host 127.0.0.1 --port "$DOVECOT_PORT" \
	--tls none --user bot --password-file "$D/password" --mailbox list \
	--idle-interval 1 --trace -vv
ok "IDLE starts" wait_log "$LOG2" "test/list: idle" 1 10
start=$(date +%s%N)
ok "and is re-issued" wait_log "$LOG2" "test/list: idle" 4 10
ms=$(( ($(date +%s%N) - start) / 1000000 ))
ok "each time after DONE, at the interval (3 in ${ms}ms)" \
	test "$ms" -ge 2000 -a "$(grep -c "C: DONE" "$LOG2")" -ge 3
stop_driver
check "nothing new was stored" "517 $V2:4" "$(rows "$S") $(cursor "$S" "$SRC")"
finish
