# lib-dovecot.sh: a throwaway Dovecot on loopback for the IMAP tests
# (../shared/notes/test-servers.md says why the config looks as it does).
# Source it after lib.sh:
#
#   need_dovecot                      skip (fail when required) without it
#   D=$(tmpdir); dovecot_setup "$D" [--tls] [--no-idle]
#   dovecot_start "$D"                waits until the port accepts
#   dovecot_stop "$D"                 waits until the master is gone
#   imapc "$D" [--tls MODE] CMD ...   the tests' client (imap-client.py)
#   wait_rows STORE N SECONDS         poll the store for N unparsed rows
#   maildir_deliver "$D" MAILBOX NAME  deliver without the IMAP server
#   start_driver LOG ARGS / stop_driver  the imap_driver in the background
#   expect_refused NAME REASON ARGS...    every attempt fails, with backoff
#
# dovecot_setup writes $D/dovecot.conf with the user bot, password
# "secret" (also in $D/password), Maildir under $D/mail, and sets
# DOVECOT_PORT (IMAP; STARTTLS with --tls) and DOVECOT_IMAPS_PORT (with
# --tls). --tls makes a throwaway CA ($D/tls/ca.pem) and a certificate
# for "localhost" signed by it, another CA ($D/tls/other-ca.pem) that
# signed nothing, and sets ssl = required. --no-idle leaves IDLE out of
# the capabilities. dovecot_start registers the stop with at_exit.

need_dovecot() {
	command -v dovecot >/dev/null 2>&1 ||
		skip_or_fail "dovecot (package dovecot-imapd) not installed"
	command -v sqlite3 >/dev/null 2>&1 ||
		skip_or_fail "sqlite3 (the CLI) not installed"
	[ -x /usr/bin/python3 ] || skip_or_fail "/usr/bin/python3 not installed"
	[ -x "$PATCHLETTER_BUILD/tests/integration/imap_driver" ] ||
		skip_or_fail "imap_driver not built (make)"
	id dovenull >/dev/null 2>&1 && id dovecot >/dev/null 2>&1 ||
		skip_or_fail "the dovecot and dovenull users are missing"
}

dovecot_certs() {
	local t=$1/tls
	mkdir -p "$t"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$t/ca.key" 2>/dev/null
	openssl req -x509 -new -key "$t/ca.key" -days 2 \
		-subj "/CN=patchletter test CA" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign -out "$t/ca.pem"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$t/other-ca.key" 2>/dev/null
	openssl req -x509 -new -key "$t/other-ca.key" -days 2 \
		-subj "/CN=patchletter other CA" \
		-addext basicConstraints=critical,CA:TRUE -out "$t/other-ca.pem"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$t/key.pem" 2>/dev/null
	openssl req -new -key "$t/key.pem" -subj "/CN=localhost" \
		-out "$t/cert.csr"
	printf '%s\n' "subjectAltName=DNS:localhost" \
		"extendedKeyUsage=serverAuth" > "$t/ext"
	openssl x509 -req -in "$t/cert.csr" -CA "$t/ca.pem" \
		-CAkey "$t/ca.key" -CAcreateserial -days 2 \
		-extfile "$t/ext" -out "$t/cert.pem" 2>/dev/null
}

dovecot_setup() {
	local d=$1 tls=no idle=yes ssl=no imaps=0
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--tls) tls=yes ;;
		--no-idle) idle=no ;;
		esac
		shift
	done
	chmod 755 "$d"
	mkdir -p "$d/mail" "$d/run" "$d/state"
	chown dovecot:dovecot "$d/mail"
	echo 'bot:{PLAIN}secret' > "$d/passwd"
	printf 'secret\n' > "$d/password"
	chmod 600 "$d/password"
	DOVECOT_PORT=$(free_port)
	DOVECOT_IMAPS_PORT=
	if [ $tls = yes ]; then
		dovecot_certs "$d"
		ssl=required
		DOVECOT_IMAPS_PORT=$(free_port)
		imaps=$DOVECOT_IMAPS_PORT
	fi
	cat > "$d/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $d/run
state_dir = $d/state
instance_name = patchletter-test-$$-$RANDOM
log_path = $d/dovecot.log
first_valid_uid = 1
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot
mail_location = maildir:$d/mail/%u
ssl = $ssl
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$d/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $DOVECOT_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps
  }
  chroot =
}
service anvil {
  chroot =
}
EOF
	if [ $tls = yes ]; then
		printf '%s\n' "ssl_cert = <$d/tls/cert.pem" \
			"ssl_key = <$d/tls/key.pem" >> "$d/dovecot.conf"
	fi
	if [ $idle = no ]; then
		# What Dovecot 2.3 announces after login, without IDLE.
		echo "imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS" \
			"ID ENABLE LITERAL+ NAMESPACE UIDPLUS" \
			>> "$d/dovecot.conf"
	fi
}

dovecot_pid() {
	cat "$1/run/master.pid" 2>/dev/null
}

port_open() {
	/usr/bin/python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null
}

dovecot_start() {
	local d=$1
	dovecot -c "$d/dovecot.conf" || return 1
	at_exit "dovecot_stop '$d'"
	wait_for 10 port_open "$DOVECOT_PORT" || {
		echo "# dovecot did not start:"
		sed 's/^/#   /' "$d/dovecot.log"
		return 1
	}
}

pid_gone() {
	local p
	for p in "$@"; do
		! kill -0 "$p" 2>/dev/null || return 1
	done
}

# The master and its children (imap, imap-login, auth, ...). A child
# serving a client may outlive the master by many seconds; a test that
# stops the server wants every connection cut, so it waits for all of
# them and ends the stragglers, each by its pid.
dovecot_stop() {
	local pid kids
	pid=$(dovecot_pid "$1")
	[ -n "$pid" ] || return 0
	kids=$(ps --ppid "$pid" -o pid= 2>/dev/null)
	kill "$pid" 2>/dev/null
	wait_for 10 pid_gone "$pid"
	# shellcheck disable=SC2086
	wait_for 2 pid_gone $kids || {
		kill $kids 2>/dev/null
		wait_for 10 pid_gone $kids
	}
	rm -f "$1/run/master.pid"
}

imapc() {
	local d=$1
	shift
	/usr/bin/python3 "$TOP/tests/integration/imap-client.py" \
		"$DOVECOT_PORT" "$@"
}

# rows STORE: how many mails the driver's stand-in sink stored.
rows() {
	sqlite3 -cmd '.timeout 5000' "$1" \
		'SELECT count(*) FROM unparsed' 2>/dev/null || echo 0
}

rows_are() {
	[ "$(rows "$1")" = "$2" ]
}

# wait_rows STORE N SECONDS: until N mails are stored, or fail.
wait_rows() {
	wait_for "$3" rows_are "$1" "$2"
}

# maildir_deliver DIR MAILBOX NAME: a mail straight into the Maildir, as
# a delivery agent would while the IMAP server is down (write in tmp/,
# rename into new/: the Maildir protocol).
maildir_deliver() {
	local box=$1/mail/bot/.$2 f
	f=$(date +%s).P$$R$RANDOM.$3.patchletter-test
	printf 'Message-ID: <%s@test>\r\nSubject: %s\r\n\r\nDelivered to the Maildir.\r\n' \
		"$3" "$3" > "$box/tmp/$f" &&
		chown dovecot:dovecot "$box/tmp/$f" &&
		mv "$box/tmp/$f" "$box/new/$f"
}

# cursor STORE SOURCE
cursor() {
	sqlite3 -cmd '.timeout 5000' "$1" \
		"SELECT value FROM cursors WHERE source = '$2'" 2>/dev/null
}

# --- the driver (tests/integration/imap_driver.c) ---------------------------

# start_driver LOG ARGS...: run the driver in the background, its output in
# LOG; sets DRIVER_PID. It is killed at exit if still running.
start_driver() {
	local log=$1
	shift
	LSAN_OPTIONS="suppressions=$TOP/tests/integration/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
		"$PATCHLETTER_BUILD/tests/integration/imap_driver" "$@" \
		>"$log" 2>&1 &
	DRIVER_PID=$!
	at_exit "kill $DRIVER_PID"
}

# stop_driver: SIGTERM, wait; DRIVER_RC is how it exited (0: cleanly).
# A driver stuck for 30 s is killed (DRIVER_RC 137). Not in $(...): only
# this shell can wait for its child.
stop_driver() {
	kill -TERM "$DRIVER_PID" 2>/dev/null
	wait_for 30 pid_gone "$DRIVER_PID" || {
		echo "# the driver ignored SIGTERM for 30 s: killed"
		kill -KILL "$DRIVER_PID" 2>/dev/null
	}
	wait "$DRIVER_PID"
	DRIVER_RC=$?
}

# count_lines FILE PATTERN (fixed string)
count_lines() {
	grep -c -F -- "$2" "$1" 2>/dev/null || :
}

lines_at_least() {
	[ "$(count_lines "$1" "$2")" -ge "$3" ]
}

# wait_log FILE PATTERN COUNT SECONDS: until PATTERN is on COUNT lines.
wait_log() {
	wait_for "$4" lines_at_least "$1" "$2" "$3"
}

# distinct STORE: how many different mails the unparsed table holds.
distinct() {
	sqlite3 -cmd '.timeout 5000' "$1" \
		'SELECT count(DISTINCT raw) FROM unparsed' 2>/dev/null || echo 0
}

# expect_refused NAME REASON ARGS...: run the driver against $D with the
# options in the caller's DRIVER_COMMON array, then ARGS, store
# $D/NAME.db and log $D/NAME.log, until its fourth retry. Every attempt
# must fail with REASON (a grep pattern), told in one line with mailbox,
# user and host; the four attempts must take at least the backoff's lower
# bounds for --backoff-min 300 (0.15 + 0.3 + 0.6 s: no tight loop);
# nothing may be stored and no password (secret, wrong, or a SASL PLAIN
# blob: base64 of "\0bot\0") may be logged.
expect_refused() {
	local name=$1 reason=$2 start ms n
	shift 2
	start=$(date +%s%N)
	start_driver "$D/$name.log" --store "$D/$name.db" \
		"${DRIVER_COMMON[@]}" "$@"
	ok "$name: refused, retried" wait_log "$D/$name.log" "retry 4 in" 1 20
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	stop_driver
	check "$name: the driver stops cleanly" 0 "$DRIVER_RC"
	ok "$name: reported with user, host and why" grep -q \
		"imap: test/[a-z]*: bot@[a-z0-9.]*:[0-9]*: $reason.*; retry 1 in" \
		"$D/$name.log"
	n=$(grep -c "retry [0-9]* in" "$D/$name.log")
	ok "$name: four attempts took ${ms}ms ($n in all): backoff, no loop" \
		test "$ms" -ge 1050 -a "$n" -le 6
	check "$name: nothing stored" 0 "$(rows "$D/$name.db")"
	check "$name: no password in the log" 0 \
		"$(grep -c -e secret -e wrong -e AGJvdAB "$D/$name.log")"
}
