#!/bin/bash
# TLS: implicit TLS and STARTTLS work with a throwaway CA named as the
# extra CA file; a certificate the bot cannot trust (unknown CA, another
# CA, a name that does not match) is refused before any credential is
# sent, reported in one line and retried with backoff, not in a loop.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"
need_dovecot
need_cmd openssl

D=$(tmpdir)
dovecot_setup "$D" --tls
dovecot_start "$D" || skip_or_fail "dovecot does not start here"
imapc "$D" --tls starttls create list
imapc "$D" --tls starttls append list 2 tls
CA=$D/tls/ca.pem
DRIVER_COMMON=(--user bot --password-file "$D/password" --mailbox list
	--backoff-min 300 --backoff-max 5000 --timeout 10 -v)

logins() {
	count_lines "$D/dovecot.log" "Login: user=<bot>"
}

# run_ok NAME ARGS...: the driver stores the two mails, then stops.
run_ok() {
	local name=$1
	shift
	start_driver "$D/$name.log" --store "$D/$name.db" \
		"${DRIVER_COMMON[@]}" "$@"
	ok "$name: the mail is stored" wait_rows "$D/$name.db" 2 10
	stop_driver
	check "$name: the driver stops cleanly" 0 "$DRIVER_RC"
	ok "$name: the connection was TLS" \
		grep -q "bot@localhost:[0-9]* (TLS)" "$D/$name.log"
}

run_ok implicit --host localhost --port "$DOVECOT_IMAPS_PORT" \
	--tls implicit --ca-file "$CA"
run_ok starttls --host localhost --port "$DOVECOT_PORT" \
	--tls starttls --ca-file "$CA"

# refused NAME REASON ARGS...: expect_refused, and no login at all.
refused() {
	local before
	before=$(logins)
	expect_refused "$@"
	check "$1: no login was attempted" "$before" "$(logins)"
}

refused unknown-ca "certificate not trusted: .*issuer is unknown" \
	--host localhost --port "$DOVECOT_IMAPS_PORT" --tls implicit
refused other-ca "certificate not trusted: .*issuer is unknown" \
	--host localhost --port "$DOVECOT_IMAPS_PORT" --tls implicit \
	--ca-file "$D/tls/other-ca.pem"
refused name-mismatch "certificate not trusted: .*does not match" \
	--host 127.0.0.1 --port "$DOVECOT_IMAPS_PORT" --tls implicit \
	--ca-file "$CA"
refused starttls-unknown-ca "certificate not trusted" \
	--host localhost --port "$DOVECOT_PORT" --tls starttls
refused tls-to-plain-port "TLS handshake failed" \
	--host localhost --port "$DOVECOT_PORT" --tls implicit --ca-file "$CA"
ok "TLS failures name the server" \
	grep -q "bot@localhost:$DOVECOT_IMAPS_PORT: certificate not trusted" \
	"$D/unknown-ca.log"
check "no password in any log" 0 "$(cat "$D"/*.log | grep -c secret)"
finish
