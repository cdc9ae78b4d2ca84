#!/bin/sh
# make demo: the daemon end to end, as one command. A throwaway Dovecot
# and SMTP server on loopback (the integration tests' helpers), the sample
# list traffic of tests/demo dated from an hour ago and appended to the
# watched mailbox over IMAP, `patchletter run` picking it up while it
# idles, and the digest it sends to a subscriber following the whole list,
# printed as the SMTP server received it. Everything lives in one
# temporary directory and is stopped and removed on the way out.
#
# Dovecot must be started as root (it drops to its own users). Without
# root, or without Dovecot, Python's aiosmtpd or sqlite3 (`make deps`
# installs them), the demo says so and ingests the same mail from an
# mbox instead.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
O=${1:-build}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
bin="$TOP/$O/patchletter"
state=$(mktemp -d "${TMPDIR:-/tmp}/patchletter-demo.XXXXXX")

# What lib-dovecot.sh and lib-smtp.sh expect of lib.sh: at_exit, wait_for,
# free_port (lib.sh itself is the test harness; the demo is not a test).
CLEANUP=()
at_exit() { CLEANUP+=("$1"); }
cleanup() {
	local i
	for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUP[$i]}" >/dev/null 2>&1 || :
	done
	rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
wait_for() {
	local deadline=$(($(date +%s%N) / 1000000 + $1 * 1000))
	shift
	until "$@"; do
		[ $(($(date +%s%N) / 1000000)) -lt $deadline ] || return 1
		sleep 0.05
	done
}
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
say() { printf '\n### %s\n\n' "$*"; }

# The same mail from an mbox, when no local Dovecot can be had.
mbox_demo() {
	say "patchletter ingest tests/demo/sample-list.mbox"
	"$bin" -s "$state" ingest "$TOP/tests/demo/sample-list.mbox"
	say "patchletter series --all   (every posting, and what supersedes what)"
	"$bin" -s "$state" series --all
	say "patchletter digest   (the newest version of each series)"
	"$bin" -s "$state" -T "$TOP/templates" digest
}

why=
if [ "$(id -u)" -ne 0 ]; then
	why="Dovecot needs root to start"
elif ! command -v dovecot >/dev/null 2>&1 ||
	! id dovenull >/dev/null 2>&1 || ! id dovecot >/dev/null 2>&1; then
	why="Dovecot (dovecot-imapd) is not installed"
elif ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
	why="python3-aiosmtpd is not installed"
fi
if [ -n "$why" ]; then
	echo "demo: $why (make deps, as root, installs what is missing);" \
		"ingesting the sample mbox instead"
	mbox_demo
	exit 0
fi

PATCHLETTER_BUILD=$TOP/$O
. "$TOP/tests/integration/lib-dovecot.sh"
. "$TOP/tests/integration/lib-smtp.sh"

dc=$state/dovecot smtp=$state/smtp
mkdir -p "$dc" "$smtp" "$state/bot"
# Dovecot's own users must reach its folder below this one.
chmod 755 "$state"
dovecot_setup "$dc"
dovecot_start "$dc"
SMTP_PORT=$(free_port)
smtp_start "$smtp" "$SMTP_PORT"

cat >"$state/patchletter.conf" <<EOF
bot {
	address = "bot@example.org"
	state-dir = "$state/bot"
	templates-dir = "$TOP/templates"
}
list kvm {
	list-id = "kvm.vger.kernel.org"
}
imap local {
	host = "127.0.0.1"
	port = $DOVECOT_PORT
	tls = none
	user = "bot"
	password-file = "$dc/password"
	mailboxes = { "INBOX" }
}
smtp {
	url = "smtp://127.0.0.1:$SMTP_PORT"
	tls = none
}
EOF
cat >"$state/ada.rules" <<'EOF'
digest {
	frequency = immediate
	format = text
}
rule "kvm-list" {
	lists = { "kvm.vger.kernel.org" }
}
EOF
pl() { "$bin" -c "$state/patchletter.conf" "$@"; }

say "a throwaway Dovecot on 127.0.0.1:$DOVECOT_PORT and an SMTP server on 127.0.0.1:$SMTP_PORT"
pl subscribers add ada@example.org "$state/ada.rules"

say "patchletter run --foreground   (log: the lines that tell the story)"
# Not through pl(): a function run with & is a subshell, and its pid
# would not be the daemon's.
"$bin" -c "$state/patchletter.conf" run --foreground >"$state/run.log" 2>&1 &
daemon=$!
at_exit "kill $daemon; wait $daemon"
ready() { grep -q "run: ready" "$state/run.log"; }
wait_for 20 ready || {
	echo "demo: the daemon did not start:"
	cat "$state/run.log"
	exit 1
}

# The sample traffic, dated from an hour ago so that it is news.
PATCHLETTER_SAMPLE_BASE=$(($(date +%s) - 3600)) \
	/usr/bin/python3 "$TOP/tests/demo/make-sample-mbox.py" >"$state/list.mbox"
n=$(grep -c '^From mboxrd@z' "$state/list.mbox")
imapc "$dc" append-mbox INBOX "$state/list.mbox" >/dev/null
received() { [ "$(smtp_count "$smtp")" -ge 1 ]; }
wait_for 30 received || {
	echo "demo: no digest within 30 s; the daemon's log:"
	cat "$state/run.log"
	exit 1
}
kill -TERM "$daemon"
wait "$daemon" || :
grep -E "run: (ready|stopping)|imap|digest:|outbox" "$state/run.log" |
	sed 's/^/  /' | head -n 20
echo "  ($n mails appended to INBOX over IMAP while the daemon idled)"

say "patchletter series --all   (every posting, and what supersedes what)"
pl series --all

say "the digest ada@example.org received"
/usr/bin/python3 - "$smtp"/received/new/* <<'EOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
                                   policy=email.policy.default)
for h in ("From", "To", "Subject", "Date", "Message-ID", "List-Id",
          "List-Unsubscribe", "Auto-Submitted"):
    if m[h]:
        print("%s: %s" % (h, m[h]))
print()
print(m.get_body(("plain",)).get_content().rstrip())
EOF
