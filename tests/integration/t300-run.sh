#!/bin/bash
# The daemon end to end (issues 6 and 7): `patchletter run` watches a real
# Dovecot over IMAP IDLE, stores and assembles the list mail appended to
# it, matches it against a subscriber's rules and sends the digest through
# a real SMTP server; SIGTERM stops it cleanly, and a restart neither
# loses nor repeats anything. The list traffic is tests/demo's generator
# run with today's dates, so that it is news to the subscriber.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"
. "$(dirname "$0")/lib-smtp.sh"

need_dovecot
need_smtpd

D=$(tmpdir)
mkdir -p "$D/dc" "$D/smtp" "$D/state"
# Dovecot's own users must reach its folder below this one.
chmod 755 "$D"
dovecot_setup "$D/dc"
dovecot_start "$D/dc"
SMTP_PORT=$(free_port)
smtp_start "$D/smtp" "$SMTP_PORT"

# The list traffic, dated from an hour ago.
PATCHLETTER_SAMPLE_BASE=$(( $(date +%s) - 3600 )) \
	/usr/bin/python3 "$TOP/tests/demo/make-sample-mbox.py" >"$D/list.mbox"
# What the input says, read from it: the v2 cover letter of the SVM work.
v2=$(awk '$0 == "Subject: [PATCH v2 0/3] KVM: SVM: Use a single ASID per VM" { f = 1 }
	f && /^Message-ID:/ { gsub(/[<>]/, "", $2); print $2; exit }' "$D/list.mbox")

cat >"$D/patchletter.conf" <<EOF
bot {
	address = "bot@example.org"
	state-dir = "$D/state"
	templates-dir = "$TOP/templates"
	log-level = debug
}
list kvm {
	list-id = "kvm.vger.kernel.org"
}
imap test {
	host = "127.0.0.1"
	port = $DOVECOT_PORT
	tls = none
	user = "bot"
	password-file = "$D/dc/password"
	mailboxes = { "INBOX" }
	timeout = 10s
}
smtp {
	url = "smtp://127.0.0.1:$SMTP_PORT"
	tls = none
	timeout = 10s
}
EOF
chmod 600 "$D/dc/password"
cat >"$D/alice.rules" <<'EOF'
digest {
	frequency = immediate
}
rule "svm" {
	paths = { "arch/x86/kvm/svm/" }
}
EOF
pl() { "$PATCHLETTER" -c "$D/patchletter.conf" "$@"; }
ok "the operator subscribes alice" pl subscribers add alice@example.org "$D/alice.rules"

start_daemon() {
	"$PATCHLETTER" -c "$D/patchletter.conf" run --foreground \
		>>"$D/run.log" 2>&1 &
	DAEMON=$!
	at_exit "kill $DAEMON 2>/dev/null"
}
stored() {
	pl status 2>/dev/null | sed -n 's/^messages: \([0-9]*\) stored.*/\1/p'
}
# Polled by wait_for: they read the state anew at each call.
stored_is() {
	test "$(stored)" = "$1"
}
received_some() {
	test "$(received_for "$1")" -ge 1
}
received_for() {
	grep -l "^X-RcptTo: $1" "$D/smtp/received/new/"* 2>/dev/null | wc -l
}

start_daemon
ok "the daemon starts and opens the mailbox" \
	wait_for 20 grep -q "run: ready" "$D/run.log"

n=$(grep -c '^From mboxrd@z' "$D/list.mbox")
imapc "$D/dc" append-mbox INBOX "$D/list.mbox"
wait_for 20 stored_is "$n"
check "the $n list mails appended while it idles are stored" "$n" "$(stored)"
ok "alice's digest arrives (immediate schedule)" \
	wait_for 30 received_some alice@example.org

mail=$(grep -l "^X-RcptTo: alice@example.org" "$D/smtp/received/new/"* | head -n 1)
got=$(/usr/bin/python3 - "$mail" <<'EOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
body = m.get_body(("plain",)).get_content()
print(m["Auto-Submitted"], "|", "unsubscribe" in m["List-Unsubscribe"], "|",
      m["Subject"].startswith("[kvm] "), "|",
      "[PATCH v2 0/3] KVM: SVM: Use a single ASID per VM" in body, "|",
      "[PATCH 0/3] KVM: SVM" in body)
EOF
)
# v2 supersedes v1: only the newest is listed; the vfio, sparse and tun
# series touch nothing under arch/x86/kvm/svm/.
check "the digest: auto-generated, unsubscribable, the list's, v2 and not v1" \
	"auto-generated | True | True | True | False" "$got"
ok "... with the b4 line for v2" grep -q "b4 am $v2" "$mail"

# The operator's command line beside the running daemon: no reload needed.
cp "$D/alice.rules" "$D/bob.rules"
ok "the operator subscribes bob while the daemon runs" \
	pl subscribers add bob@example.org "$D/bob.rules"
ok "... and bob's first digest follows, without a reload" \
	wait_for 30 received_some bob@example.org

# systemctl reload: SIGHUP re-reads the configuration. One with an error
# changes nothing; a good one restarts the sources, which go on.
cp "$D/patchletter.conf" "$D/good.conf"
printf 'bot {\n\tcolour = blue\n}\n' >>"$D/patchletter.conf"
kill -HUP "$DAEMON"
ok "SIGHUP with a broken configuration: said, and the old one kept" \
	wait_for 10 grep -q "reload: the configuration has errors" "$D/run.log"
ok "... the daemon still runs" kill -0 "$DAEMON"
cp "$D/good.conf" "$D/patchletter.conf"
kill -HUP "$DAEMON"
ok "SIGHUP with a good one: reloaded, the sources restarted" \
	wait_for 10 grep -q "run: reloaded the configuration" "$D/run.log"
printf 'From: Ada <ada@example.com>\nTo: kvm@vger.kernel.org\nList-Id: <kvm.vger.kernel.org>\nSubject: [PATCH] after the reload\nMessage-ID: <after.reload@example.com>\nDate: %s\n\nhi\n' "$(date -R)" |
	imapc "$D/dc" append-file INBOX
wait_for 20 stored_is "$((n + 1))"
check "... and mail appended after the reload is stored" "$((n + 1))" "$(stored)"
n=$((n + 1))

kill -TERM "$DAEMON"
wait "$DAEMON"
check "SIGTERM stops the daemon with exit 0" 0 $?
ok "... saying it stops" grep -q "run: stopping" "$D/run.log"

# A restart: nothing stored twice, no digest repeated.
before=$(received_for alice@example.org)
start_daemon
ok "the daemon starts again" wait_for 20 bash -c "grep -c 'run: ready' '$D/run.log' | grep -qx 2"
sleep 2
check "after the restart nothing is stored twice" "$n" "$(stored)"
check "... and no digest is sent again" "$before" "$(received_for alice@example.org)"
kill -TERM "$DAEMON"
wait "$DAEMON"

finish
