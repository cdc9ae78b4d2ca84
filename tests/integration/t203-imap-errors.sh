#!/bin/bash
# Failures other than TLS: a wrong password (LOGIN and AUTHENTICATE
# PLAIN), a missing mailbox, nobody listening, a server without STARTTLS
# when it is required, a server that accepts and never answers. Each is
# reported in one line with user and host, retried with backoff, never in
# a loop, and never logs the password. Also: EXAMINE by default, SELECT
# when asked, several mailboxes with a cursor each.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"
need_dovecot

D=$(tmpdir)
dovecot_setup "$D"
dovecot_start "$D" || skip_or_fail "dovecot does not start here"
imapc "$D" create a
imapc "$D" create b
imapc "$D" append a 2 box-a
imapc "$D" append b 3 box-b
printf 'wrong\n' > "$D/wrong"
DRIVER_COMMON=(--host 127.0.0.1 --tls none --user bot --backoff-min 300
	--backoff-max 5000 --timeout 5 --trace -vv)

# Two mailboxes, read-only by default.
start_driver "$D/two.log" --store "$D/two.db" --port "$DOVECOT_PORT" \
	--password-file "$D/password" --mailbox a --mailbox b "${DRIVER_COMMON[@]}"
ok "two mailboxes: all their mail is stored" wait_rows "$D/two.db" 5 10
ok "both idle" wait_log "$D/two.log" ": idle" 2 5
stop_driver
check "the driver stops cleanly" 0 "$DRIVER_RC"
VA=$(imapc "$D" uidvalidity a)
VB=$(imapc "$D" uidvalidity b)
check "a cursor each" "$VA:2 $VB:3" \
	"$(cursor "$D/two.db" imap:test/a) $(cursor "$D/two.db" imap:test/b)"
ok "mailboxes are opened with EXAMINE" grep -q "C: [0-9]* EXAMINE a" "$D/two.log"
check "and never with SELECT" 0 "$(count_lines "$D/two.log" " SELECT ")"
check "the LOGIN password is not traced" 0 "$(count_lines "$D/two.log" secret)"

start_driver "$D/select.log" --store "$D/select.db" --port "$DOVECOT_PORT" \
	--password-file "$D/password" --mailbox a --select "${DRIVER_COMMON[@]}"
ok "--select: the mail is stored" wait_rows "$D/select.db" 2 10
stop_driver
ok "--select: SELECT instead of EXAMINE" grep -q "C: [0-9]* SELECT a" "$D/select.log"

start_driver "$D/plain.log" --store "$D/plain.db" --port "$DOVECOT_PORT" \
	--password-file "$D/password" --mailbox a --auth plain "${DRIVER_COMMON[@]}"
ok "AUTHENTICATE PLAIN: the mail is stored" wait_rows "$D/plain.db" 2 10
stop_driver
ok "AUTHENTICATE PLAIN was used" \
	grep -q "method=PLAIN" "$D/dovecot.log"
# base64 of "\0bot\0secret" and of "\0bot\0wrong" (RFC 4616).
check "the SASL exchange is not traced" 0 \
	"$(grep -c -e AGJvdABzZWNyZXQ -e AGJvdAB3cm9uZw "$D/plain.log")"

expect_refused wrong-password "LOGIN refused: Authentication failed" \
	--port "$DOVECOT_PORT" --password-file "$D/wrong" --mailbox a
# Dovecot logs a failed login when the connection closes.
wait_log "$D/dovecot.log" "auth failed" 4 5
failures=$(count_lines "$D/dovecot.log" "auth failed")
ok "the server saw as few attempts ($failures failed logins)" \
	test "$failures" -ge 4 -a "$failures" -le 6
expect_refused wrong-password-plain "AUTHENTICATE PLAIN refused" \
	--port "$DOVECOT_PORT" --password-file "$D/wrong" --mailbox a \
	--auth plain
expect_refused no-mailbox "EXAMINE refused: Mailbox doesn't exist" \
	--port "$DOVECOT_PORT" --password-file "$D/password" --mailbox nosuch
expect_refused no-starttls "the server does not offer STARTTLS" \
	--port "$DOVECOT_PORT" --password-file "$D/password" --mailbox a \
	--tls starttls
check "no-starttls: no login was attempted in clear" 0 \
	"$(grep -c "C: [0-9]* LOGIN" "$D/no-starttls.log")"

# Nobody listening: a port just taken and released.
expect_refused nobody "connect: Connection refused" \
	--port "$(free_port)" --password-file "$D/password" --mailbox a

# A server that accepts and never says a word: the greeting times out.
mute=$(free_port)
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
' "$mute" &
mute_pid=$!
at_exit "kill $mute_pid"
wait_for 5 port_open "$mute"
DRIVER_COMMON+=(--timeout 1)
expect_refused mute "greeting: connection lost, or no answer within 1s" \
	--port "$mute" --password-file "$D/password" --mailbox a
finish
