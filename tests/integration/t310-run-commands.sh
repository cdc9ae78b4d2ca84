#!/bin/bash
# Subscribing by mail through the daemon (issue 8), end to end: commands
# are appended to the bot's mailbox on a real Dovecot, `patchletter run`
# picks them up over IMAP IDLE with the list mail, and its replies and
# digests leave through a real SMTP server (aiosmtpd), where they are read
# back as a mail reader would (mailpick.py). Expected values come from the
# mails this test writes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"
. "$(dirname "$0")/lib-smtp.sh"

need_dovecot
need_smtpd
need_cmd sqlite3

D=$(tmpdir)
mkdir -p "$D/dc" "$D/smtp" "$D/state"
chmod 755 "$D"
dovecot_setup "$D/dc"
dovecot_start "$D/dc"
S=$D/smtp
SMTP_PORT=$(free_port)
smtp_start "$S" "$SMTP_PORT"
chmod 600 "$D/dc/password"

cat >"$D/patchletter.conf" <<EOF
bot {
	address = "bot@example.org"
	owner = "owner@example.org"
	state-dir = "$D/state"
	templates-dir = "$TOP/templates"
	log-level = debug
}
list kvm {
	list-id = "kvm.vger.kernel.org"
	address = "kvm@vger.kernel.org"
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
limits {
	commands-per-hour = 6
	replies-per-hour = 4
}
EOF

pl() { "$PATCHLETTER" -c "$D/patchletter.conf" "$@"; }
pick() { /usr/bin/python3 "$TOP/tests/integration/mailpick.py" "$S" "$@"; }
# count_is N PICK-ARGS...: polled by wait_for.
count_is() {
	local n=$1
	shift
	test "$(pick "$@" --count)" -ge "$n"
}
N=0
# mail FROM SUBJECT [HEADER...]: a mail to the bot, its body on stdin,
# appended to the bot's mailbox. Its Message-ID: <run.N@mail.example.com>.
mail() {
	local from=$1 subject=$2 h
	shift 2
	N=$((N + 1))
	{
		printf 'From: %s\nTo: bot@example.org\nSubject: %s\n' "$from" "$subject"
		printf 'Date: %s\nMessage-ID: <run.%d@mail.example.com>\n' "$(date -R)" "$N"
		for h in "$@"; do printf '%s\n' "$h"; done
		printf '\n'
		cat
	} | imapc "$D/dc" append-file INBOX
}
start_daemon() {
	"$PATCHLETTER" -c "$D/patchletter.conf" run --foreground \
		>>"$D/run.log" 2>&1 &
	DAEMON=$!
	at_exit "kill $DAEMON 2>/dev/null"
}

RULES='digest {
	frequency = immediate
}

rule "svm" {
	lists = { "kvm" }
	paths = { "arch/x86/kvm/svm/" }
}'

start_daemon
ok "the daemon starts and opens the mailbox" \
	wait_for 20 grep -q "run: ready" "$D/run.log"

# --- subscribe, confirmation mail, confirm, welcome -------------------------
mail "Ada Lovelace <ada@example.com>" subscribe <<<"$RULES"
ok "a subscribe appended to the mailbox gets its confirmation" \
	wait_for 20 count_is 1 --to ada@example.com --subject "confirm "
subject=$(pick --to ada@example.com --subject "confirm " --field subject)
token=${subject#confirm }
ok "... whose Subject is \"confirm TOKEN\" ($subject)" \
	bash -c "[[ '$token' =~ ^[A-Za-z0-9_-]{22}\$ ]]"
check "... threaded under the command" "<run.1@mail.example.com>" \
	"$(pick --to ada@example.com --subject "confirm " --field in-reply-to)"
check "... an automatic reply (RFC 3834)" auto-replied \
	"$(pick --to ada@example.com --subject "confirm " --field auto-submitted)"
out=$(pl subscribers list)
ok "subscribers list: ada pending" grep -q "^ada@example.com  *pending " <<<"$out"

mail "Ada Lovelace <ada@example.com>" "Re: $subject" <<<"Yes, that was me."
ok "the confirmation comes back: the welcome follows" \
	wait_for 20 count_is 1 --to ada@example.com --subject welcome
out=$(pl subscribers list)
ok "subscribers list: ada active" grep -q "^ada@example.com  *active " <<<"$out"

# --- list mail arrives in the same mailbox; the digest follows -----------------
now=$(date -R)
for i in 0 1; do
	{
		printf 'From: Ada Lindqvist <ada.lindqvist@example.com>\n'
		printf 'To: kvm@vger.kernel.org\nCc: bot@example.org\n'
		printf 'List-Id: <kvm.vger.kernel.org>\n'
		printf 'Date: %s\nMessage-ID: <svm.%d@example.com>\n' "$now" $i
		if [ $i = 0 ]; then
			printf 'Subject: [PATCH 0/1] KVM: SVM: flush the ASID\n\n'
			printf 'The cover letter.\n\nAda Lindqvist (1):\n  KVM: SVM: flush\n\n'
			printf ' arch/x86/kvm/svm/svm.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n'
		else
			printf 'Subject: [PATCH 1/1] KVM: SVM: flush\n'
			printf 'In-Reply-To: <svm.0@example.com>\n\n'
			printf 'Flush it.\n\nSigned-off-by: Ada Lindqvist <ada.lindqvist@example.com>\n---\n'
			printf 'diff --git a/arch/x86/kvm/svm/svm.c b/arch/x86/kvm/svm/svm.c\n'
			printf -- '--- a/arch/x86/kvm/svm/svm.c\n+++ b/arch/x86/kvm/svm/svm.c\n'
			printf '@@ -1 +1 @@\n-old\n+new\n'
		fi
	} | imapc "$D/dc" append-file INBOX
done
ok "the digest follows the list mail (frequency = immediate)" \
	wait_for 30 count_is 1 --to ada@example.com --subject "series for your rules"
pick --to ada@example.com --subject "series for your rules" --body >"$D/digest"
ok "... listing the series" grep -q "KVM: SVM: flush the ASID" "$D/digest"
# List mail that also names the bot (a Cc) is list mail, never a command.
check "... and no reply to list mail that Cc'd the bot" 0 \
	"$(pick --to ada.lindqvist@example.com --count)"
out=$(pl series)
ok "the list mail is stored and assembled" grep -q "KVM: SVM: flush the ASID" <<<"$out"
unsub=$(pick --to ada@example.com --subject "series for your rules" --field list-unsubscribe)
ok "... the digest carries a List-Unsubscribe mailto to the bot" \
	bash -c "[[ '$unsub' =~ ^\<mailto:bot@example.org\?subject=unsubscribe%20[A-Za-z0-9_-]{22}\>\$ ]]"

# --- a bad rule file: an error reply, the old rules stay ---------------------
before=$(pl subscribers show ada@example.com)
mail "ada@example.com" "subscribe" <<'EOF'
digest {
	frequency = fortnightly
}
rule "svm" {
	paths = { "arch/x86/kvm/svm/" }
}
EOF
ok "a bad rule file gets an error reply" \
	wait_for 20 count_is 1 --to ada@example.com --subject "errors in your rule file"
pick --to ada@example.com --subject "errors in your rule file" --body >"$D/body"
ok "... quoting the error with its line number" \
	grep -q "^line 2: digest: frequency 'fortnightly' is not one of" "$D/body"
check "... and the rules in force stay" "$before" "$(pl subscribers show ada@example.com)"

# --- a forged subscribe: a confirmation to the one named, nothing changes ------
mail "bob@example.net" subscribe "Reply-To: eve@example.com" "Sender: eve@example.com" <<<"$RULES"
ok "a forged subscribe in bob's name mails bob the confirmation" \
	wait_for 20 count_is 1 --to bob@example.net --subject "confirm "
check "... nothing goes to the forger" 0 "$(pick --to eve@example.com --count)"
out=$(pl subscribers list)
ok "... and bob is not subscribed (pending only)" grep -q "^bob@example.net  *pending " <<<"$out"

# --- a restart handles no command twice ----------------------------------------
kill -TERM "$DAEMON"
wait "$DAEMON"
check "SIGTERM stops the daemon with exit 0" 0 $?
before=$(find "$S/received/new" -type f | wc -l)
start_daemon
ok "the daemon starts again" \
	wait_for 20 bash -c "grep -c 'run: ready' '$D/run.log' | grep -qx 2"
sleep 2
check "... and answers no command a second time" "$before" \
	"$(find "$S/received/new" -type f | wc -l)"

# --- unsubscribe through the digest's List-Unsubscribe mailto -----------------
usubj=$(sed 's/.*subject=//; s/>.*//; s/%20/ /' <<<"$unsub")
mail "Ada at home <ada.home@example.net>" "$usubj" </dev/null
ok "unsubscribe through List-Unsubscribe: the sender is told" \
	wait_for 20 count_is 1 --to ada.home@example.net
out=$(pl subscribers list)
ok "... and ada is gone" bash -c "! grep -q '^ada@example.com ' <<<'$out'"

# --- a mail storm from one sender is throttled ---------------------------------
for i in $(seq 1 20); do
	mail "storm@example.com" "help $i" </dev/null
done
mail "calm@example.com" help </dev/null
ok "another sender is answered meanwhile" \
	wait_for 30 count_is 1 --to calm@example.com
# replies-per-hour = 4, commands-per-hour = 6.
ok "the storm's commands are all read" \
	wait_for 30 bash -c "test \$(grep -c 'from storm@example.com: dropped: 6 commands an hour reached' '$D/run.log') -eq 14"
check "... four replies to the storm, no more" 4 "$(pick --to storm@example.com --count)"

# --- SIGKILL while commands are handled and answered -------------------------
# Ten people ask for help at once; the daemon is killed as the first
# answers arrive, and started again. Every one is answered; a command is
# never handled twice (its replies and the mailbox's cursor move in one
# transaction), and only SMTP's own window (the server took a reply, the
# outbox had not marked it sent) can send one reply again, once per kill.
for i in $(seq 1 10); do
	mail "kill$i@example.net" help </dev/null
done
wait_for 30 bash -c "ls '$S/received/new' | xargs -r grep -l '^X-RcptTo: kill' 2>/dev/null | grep -q ."
kill -KILL "$DAEMON"
wait "$DAEMON" 2>/dev/null
answered_all() {
	local i
	for i in $(seq 1 10); do
		count_is 1 --to "kill$i@example.net" || return 1
	done
}
start_daemon
ok "after a SIGKILL among ten commands, every one is answered" \
	wait_for 30 answered_all
total=0
for i in $(seq 1 10); do
	total=$((total + $(pick --to "kill$i@example.net" --count)))
done
ok "... and at most one reply twice ($total replies for 10)" \
	test "$total" -le 11
# What was committed: one reply queued per command, whatever the log says
# of a handling a kill rolled back.
n_handled=$(sqlite3 "$D/state/patchletter.db" \
	"SELECT count(*) FROM outbox WHERE recipient LIKE 'kill%@example.net'")
check "... each command handled once: ten replies in the outbox" 10 "$n_handled"

kill -TERM "$DAEMON"
wait "$DAEMON"
check "SIGTERM stops the daemon with exit 0" 0 $?
finish
