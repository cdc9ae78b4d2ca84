#!/bin/bash
# Faults a real server will not produce on cue, from a scripted server
# (fake-imapd.py): a connection dropped in the middle of a mail, a FETCH
# answered NO or BYE, mail expunged between the FETCHes, unsolicited
# FETCH answers, EXISTS that come with a FETCH answer or before IDLE's
# "+", no UIDVALIDITY, a BYE greeting, a mail too large to keep whole.
# Whatever happens, each mail is stored once, the cursor never passes
# mail not stored, and failures are retried with backoff.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"
[ -x /usr/bin/python3 ] || skip_or_fail "/usr/bin/python3 not installed"
[ -x "$PATCHLETTER_BUILD/tests/integration/imap_driver" ] ||
	skip_or_fail "imap_driver not built (make)"

D=$(tmpdir)
printf 'secret\n' > "$D/password"

# scenario NAME: a fake server playing NAME, and the driver against it
# with batches of 2; FAKE_LOG and LOG are their logs, S the store.
scenario() {
	local port
	port=$(free_port)
	FAKE_LOG=$D/$1.fake.log
	LOG=$D/$1.log
	S=$D/$1.db
	/usr/bin/python3 "$TOP/tests/integration/fake-imapd.py" "$port" "$1" \
		"$FAKE_LOG" &
	FAKE_PID=$!
	at_exit "kill $FAKE_PID"
	wait_for 5 port_open "$port" || failed "$1: the fake server starts"
	start_driver "$LOG" --store "$S" --host 127.0.0.1 --port "$port" \
		--tls none --user bot --password-file "$D/password" \
		--mailbox list --batch 2 --backoff-min 200 --backoff-max 1000 \
		--timeout 3 --trace -vv
}

# done_with NAME: stop both; the driver must exit cleanly.
done_with() {
	stop_driver
	check "$1: the driver stops cleanly" 0 "$DRIVER_RC"
	kill "$FAKE_PID"
	wait "$FAKE_PID" 2>/dev/null
}

# stored NAME ROWS CURSOR: the driver idles with ROWS mails stored, each
# once, and the cursor CURSOR.
stored() {
	ok "$1: $2 mails stored" wait_rows "$S" "$2" 10
	ok "$1: then it idles" wait_log "$LOG" "test/list: idle" 1 10
	check "$1: each once, the cursor at the last" "$2 $2 $3" \
		"$(rows "$S") $(distinct "$S") $(cursor "$S" imap:test/list)"
}

scenario drop
stored drop 6 777:7
ok "drop: the cut connection is reported and retried" \
	grep -q "UID FETCH: connection lost.*; retry 1 in" "$LOG"
done_with drop

scenario no
stored no 6 777:7
ok "no: the refusal is reported with the server's words" \
	grep -q "UID FETCH refused: .*try again later; retry 1 in" "$LOG"
done_with no

scenario bye
stored bye 6 777:7
ok "bye: reported and retried" grep -q "UID FETCH: .*; retry 1 in" "$LOG"
done_with bye

# 3 and 5 vanish before the sizes, 6 before the bodies: 1, 2 and 7 stay.
scenario vanish
stored vanish 3 777:7
check "vanish: without a failure" 0 "$(count_lines "$LOG" "retry")"
n=$(sqlite3 "$S" "SELECT count(*) FROM unparsed WHERE CAST(raw AS TEXT) LIKE '%fake.7@%'")
check "vanish: UID 7 is the one after the gap" 1 "$n"
done_with vanish

scenario unsolicited
stored unsolicited 6 777:7
check "unsolicited: without a failure" 0 "$(count_lines "$LOG" "retry")"
done_with unsolicited

# UID 8 arrives during the first body FETCH: its EXISTS comes there only.
scenario exists-in-fetch
stored exists-in-fetch 7 777:8
check "exists-in-fetch: without a reconnection" 0 "$(count_lines "$LOG" "retry")"
done_with exists-in-fetch

# UID 8 arrives as IDLE starts: its EXISTS comes before the "+".
scenario exists-before-idle
ok "exists-before-idle: 7 mails stored" wait_rows "$S" 7 10
check "exists-before-idle: each once, the cursor at the last" "7 7 777:8" \
	"$(rows "$S") $(distinct "$S") $(cursor "$S" imap:test/list)"
check "exists-before-idle: without a reconnection" 0 \
	"$(count_lines "$LOG" "retry")"
done_with exists-before-idle

# UID 3 is larger than MAIL_MAX_BYTES: fetched alone, cut, kept raw
# with the reason (the ingest path's ingest_add_unparsed()).
scenario big
stored big 6 777:7
ok "big: fetched alone, only the first MAIL_MAX_BYTES" \
	grep -q "UID FETCH 3 (UID BODY.PEEK\[\]<0.67108864>)" "$FAKE_LOG"
reason=$(sqlite3 "$S" "SELECT reason FROM unparsed WHERE CAST(raw AS TEXT) LIKE '%fake.3@%'")
check "big: kept with the reason" \
	"IMAP UID 3: 70000000 bytes, only the first 67108864 fetched (MAIL_MAX_BYTES)" \
	"$reason"
ok "big: and a warning" grep -q "only the first 67108864 fetched" "$LOG"
done_with big

scenario no-uidvalidity
ok "no-uidvalidity: refused and retried" \
	wait_log "$LOG" "the server sent no UIDVALIDITY; retry 3 in" 1 10
check "no-uidvalidity: nothing stored" 0 "$(rows "$S")"
done_with no-uidvalidity

scenario greeting-bye
ok "greeting-bye: the server's words are reported, and retried" \
	wait_log "$LOG" "greeting: the server closed the session: BYE server too busy; retry 3 in" 1 10
done_with greeting-bye
finish
