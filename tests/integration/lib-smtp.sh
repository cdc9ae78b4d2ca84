# lib-smtp.sh: an SMTP server on loopback for the tests and benchmarks:
# tests/integration/smtpd.py on Debian's python3-aiosmtpd. Source it
# after lib.sh (tests) or alone (benchmarks: then define at_exit first).
#
#   need_smtpd                    skip (or fail) without python3-aiosmtpd
#   smtp_start DIR PORT [OPT...]  start a server keeping its state in DIR
#                                 (smtpd.py's options: --starttls, --auth,
#                                 ...); sets SMTP_PID; waits until it
#                                 listens; stopped at exit
#   smtp_start_mailbox DIR PORT   the same with Debian's stock handler,
#                                 aiosmtpd.handlers.Mailbox, into the
#                                 Maildir DIR/received
#   smtp_stop                     stop it and wait until it is gone
#   smtp_count DIR [FOLDER]       mails in DIR/FOLDER/new (received)
#   smtp_ids DIR                  the Message-IDs received, one a line
#   smtp_connects DIR             connections the server accepted
#   smtp_config FILE STATE URL [LINE...]
#                                 a patchletter configuration: the bot's
#                                 state in STATE, an smtp section with url
#                                 URL and each LINE
#   smtp_certs DIR                a throwaway CA (ca.pem) and a server
#                                 certificate for 127.0.0.1 signed by it
#                                 (cert.pem, key.pem), with openssl
#
# The server is waited for by polling /proc/net/tcp for its listening
# socket, with a deadline: a probe connection would count as a client.

SMTPD=${PATCHLETTER_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}/tests/integration/smtpd.py

need_smtpd() {
	/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
		skip_or_fail "python3-aiosmtpd not installed (apt-get install python3-aiosmtpd)"
}

# smtp_listening PORT: is something listening on 127.0.0.1:PORT?
smtp_listening() {
	local hex
	hex=$(printf '%04X' "$1")
	grep -q "^ *[0-9]*: 0100007F:$hex 00000000:0000 0A " /proc/net/tcp
}

smtp_start() {
	local dir=$1 port=$2
	shift 2
	mkdir -p "$dir/control"
	/usr/bin/python3 "$SMTPD" --port "$port" --dir "$dir" "$@" \
		>>"$dir/smtpd.log" 2>&1 &
	SMTP_PID=$!
	at_exit "kill $SMTP_PID"
	if ! wait_for 20 smtp_listening "$port"; then
		echo "# smtpd on port $port did not start:"
		sed 's/^/#   /' "$dir/smtpd.log"
		return 1
	fi
}

smtp_start_mailbox() {
	local dir=$1 port=$2
	mkdir -p "$dir"
	/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$port" \
		-c aiosmtpd.handlers.Mailbox "$dir/received" \
		>>"$dir/smtpd.log" 2>&1 &
	SMTP_PID=$!
	at_exit "kill $SMTP_PID"
	wait_for 20 smtp_listening "$port"
}

smtp_stop() {
	[ -n "${SMTP_PID:-}" ] || return 0
	kill "$SMTP_PID" 2>/dev/null
	wait "$SMTP_PID" 2>/dev/null
	SMTP_PID=
}

smtp_count() {
	local d="$1/${2:-received}/new"
	[ -d "$d" ] || { echo 0; return; }
	find "$d" -type f | wc -l
}

smtp_ids() {
	local d="$1/received/new"
	[ -d "$d" ] || return 0
	find "$d" -type f -exec grep -h -i -m1 '^Message-ID:' {} + |
		sed 's/^[^<]*<//; s/>.*//' | tr -d '\r'
}

smtp_connects() {
	[ -f "$1/events" ] || { echo 0; return; }
	grep -c '^connect$' "$1/events"
}

smtp_config() {
	local file=$1 state=$2 url=$3 line
	shift 3
	{
		printf 'bot {\n\taddress = "bot@example.org"\n'
		printf '\tstate-dir = "%s"\n}\n' "$state"
		printf 'smtp {\n\turl = "%s"\n\ttimeout = 10s\n' "$url"
		for line in "$@"; do
			printf '\t%s\n' "$line"
		done
		printf '}\n'
	} >"$file"
}

smtp_certs() {
	local d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		-subj "/CN=patchletter test CA" \
		-keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null &&
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$d/key.pem" -out "$d/req.pem" 2>/dev/null &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/ext" &&
	openssl x509 -req -in "$d/req.pem" -days 2 -CA "$d/ca.pem" \
		-CAkey "$d/ca.key" -CAcreateserial -extfile "$d/ext" \
		-out "$d/cert.pem" 2>/dev/null
}
