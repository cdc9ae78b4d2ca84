#!/bin/bash
# Subscribing by mail (issue 8), end to end: mail enters through
# `patchletter deliver` (as an MTA's pipe hands it over), replies and
# digests leave through `patchletter send` to the SMTP server of the
# tests (smtpd.py on aiosmtpd), and what arrives there is read back with
# Python's email package (mailpick.py), as a subscriber's mail reader
# would. The expected values come from the mails the test sends.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-smtp.sh"

need_smtpd
need_cmd sqlite3
D=$(tmpdir)
S=$D/smtp
PORT=$(free_port)
smtp_start "$S" "$PORT" || finish
cat >"$D/bot.conf" <<EOF
bot {
	address = "bot@example.org"
	owner = "owner@example.org"
	state-dir = "$D/state"
	templates-dir = "$TOP/templates"
}
list kvm {
	list-id = "kvm.vger.kernel.org"
	address = "kvm@vger.kernel.org"
}
smtp {
	url = "smtp://127.0.0.1:$PORT"
	tls = none
	timeout = 10s
}
limits {
	commands-per-hour = 6
	replies-per-hour = 4
}
EOF

pl() { "$PATCHLETTER" -c "$D/bot.conf" "$@"; }
pick() { /usr/bin/python3 "$TOP/tests/integration/mailpick.py" "$S" "$@"; }
N=0
# mail FROM SUBJECT [HEADER...]: a mail to the bot, its body on stdin,
# delivered; the exit code is deliver's. Its Message-ID: <cmd.N@...>.
mail() {
	local from=$1 subject=$2 h
	shift 2
	N=$((N + 1))
	{
		printf 'From: %s\nTo: bot@example.org\nSubject: %s\n' "$from" "$subject"
		printf 'Date: %s\nMessage-ID: <cmd.%d@mail.example.com>\n' "$(date -R)" "$N"
		for h in "$@"; do printf '%s\n' "$h"; done
		printf '\n'
		cat
	} >"$D/mail.$N"
	pl -v deliver <"$D/mail.$N" 2>>"$D/deliver.log"
}
send() { pl send >/dev/null 2>>"$D/send.log"; }

RULES='digest {
	frequency = immediate
}

rule "svm" {
	lists = { "kvm" }
	paths = { "arch/x86/kvm/svm/" }
}'

# --- subscribe, confirmation mail, confirm, welcome -------------------------
mail "Ada Lovelace <ada@example.com>" subscribe <<<"$RULES"
check "deliver takes a command (exit 0)" 0 $?
send
check "the confirmation arrives, to ada alone" 1 "$(pick --to ada@example.com --count)"
subject=$(pick --to ada@example.com --field subject)
token=${subject#confirm }
ok "its Subject is \"confirm TOKEN\" ($subject)" \
	bash -c "[[ '$token' =~ ^[A-Za-z0-9_-]{22}\$ ]]"
check "it is an automatic reply (RFC 3834)" auto-replied \
	"$(pick --to ada@example.com --field auto-submitted)"
check "... threaded under the command" "<cmd.1@mail.example.com>" \
	"$(pick --to ada@example.com --field in-reply-to)"
check "... carrying the bot's X-Loop" bot@example.org \
	"$(pick --to ada@example.com --field x-loop)"
pick --to ada@example.com --body >"$D/body"
ok "... its body gives the token" grep -q "^    confirm $token\$" "$D/body"
ok "... and says what the rules are" grep -q '^        paths: arch/x86/kvm/svm/$' "$D/body"
out=$(pl subscribers list)
ok "subscribers list: ada pending" grep -q "^ada@example.com  *pending " <<<"$out"

mail "Ada Lovelace <ada@example.com>" "Re: $subject" <<<"Yes, that was me."
send
check "the welcome arrives" 1 "$(pick --to ada@example.com --subject welcome --count)"
pick --to ada@example.com --subject welcome --body >"$D/body"
ok "... saying so" grep -q "^Welcome: ada@example.com is subscribed" "$D/body"
out=$(pl subscribers list)
ok "subscribers list: ada active" grep -q "^ada@example.com  *active " <<<"$out"
out=$(pl subscribers show ada@example.com)
ok "subscribers show: the rule file in force, with its time" \
	grep -q "^--- rule file 1, .* UTC, active$" <<<"$out"

# --- list mail arrives, the digest follows ----------------------------------
now=$(date -R)
for i in 0 1; do
	{
		printf 'From: Ada Lindqvist <ada.lindqvist@example.com>\n'
		printf 'To: kvm@vger.kernel.org\nList-Id: <kvm.vger.kernel.org>\n'
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
	} | pl -v deliver 2>>"$D/deliver.log"
done
ok "list mail is stored by deliver" grep -q "<svm.1@example.com>: list mail (the List-Id of a configured list): stored" "$D/deliver.log"
out=$(pl series)
ok "... and makes a series" grep -q "KVM: SVM: flush the ASID" <<<"$out"
check "no reply to list mail" 0 "$(pick --to ada.lindqvist@example.com --count)"
send
check "the digest follows at once (frequency = immediate)" 1 \
	"$(pick --to ada@example.com --subject 'series for your rules' --count)"
pick --to ada@example.com --subject 'series for your rules' --body >"$D/digest"
ok "... listing the series" grep -q "KVM: SVM: flush the ASID" "$D/digest"
unsub=$(pick --to ada@example.com --subject 'series for your rules' --field list-unsubscribe)
ok "... with a List-Unsubscribe mailto to the bot ($unsub)" \
	bash -c "[[ '$unsub' =~ ^\<mailto:bot@example.org\?subject=unsubscribe%20[A-Za-z0-9_-]{22}\>\$ ]]"


# Immediate is at most one digest in five minutes: a second series now
# waits; once the last digest is ten minutes old it goes.
{
	printf 'From: Ada Lindqvist <ada.lindqvist@example.com>\n'
	printf 'To: kvm@vger.kernel.org\nList-Id: <kvm.vger.kernel.org>\n'
	printf 'Date: %s\nMessage-ID: <svm.2@example.com>\n' "$(date -R)"
	printf 'Subject: [PATCH] KVM: SVM: drop a stale comment\n\n'
	printf 'Drop it.\n\nSigned-off-by: Ada Lindqvist <ada.lindqvist@example.com>\n---\n'
	printf 'diff --git a/arch/x86/kvm/svm/nested.c b/arch/x86/kvm/svm/nested.c\n'
	printf -- '--- a/arch/x86/kvm/svm/nested.c\n+++ b/arch/x86/kvm/svm/nested.c\n'
	printf '@@ -1 +1 @@\n-/* stale */\n+\n'
} | pl deliver 2>>"$D/deliver.log"
send
check "a second series within five minutes waits" 1 \
	"$(pick --to ada@example.com --subject 'series for your rules' --count)"
sqlite3 "$D/state/patchletter.db" \
	"UPDATE subscribers SET last_digest_at = last_digest_at - 600 WHERE address = 'ada@example.com'"
# A digest's Message-ID names the second its period ends: the next second.
sleep 1
send
check "... and follows five minutes after the first" 2 \
	"$(pick --to ada@example.com --subject 'series for your rules' --count)"
pick --to ada@example.com --subject 'series for your rules' --body >"$D/digest2"
ok "... listing the new series" grep -q "New      \[PATCH\] KVM: SVM: drop a stale comment" "$D/digest2"

# --- a bad rule file: an error reply, the old rules stay ---------------------
before=$(pl subscribers show ada@example.com)
mail "ada@example.com" "new rules" <<'EOF'
subscribe
digest {
	frequency = fortnightly
}
rule "svm" {
	colour = blue
}
EOF
send
check "the error reply arrives" 1 "$(pick --to ada@example.com --subject 'errors in your rule file' --count)"
pick --to ada@example.com --subject 'errors in your rule file' --body >"$D/body"
ok "... quoting the error with its line number" \
	grep -q "^line 2: digest: frequency 'fortnightly' is not one of" "$D/body"
ok "... and the offending line" grep -qP '^    2 \| \tfrequency = fortnightly$' "$D/body"
ok "... the second error too" grep -q "^line 5: unknown option 'colour' in rule 'svm'" "$D/body"
ok "... saying the rules in force stay" grep -q "^The rules in force for ada@example.com stay in force.$" "$D/body"
check "the rules in force stayed, nothing proposed" "$before" "$(pl subscribers show ada@example.com)"

# --- forged subscribes: a confirmation to the one named, nothing changes ------
mail "bob@example.net" subscribe "Reply-To: eve@example.com" "Sender: eve@example.com" <<<"$RULES"
mail "ada@example.com" subscribe "Reply-To: eve@example.com" <<'EOF'
rule "eve" {
	authors = { "*@example.com" }
}
EOF
send
check "a forged subscribe mails its confirmation to the address named" 1 \
	"$(pick --to bob@example.net --subject 'confirm ' --count)"
check "... nothing goes to the forger" 0 "$(pick --to eve@example.com --count)"
out=$(pl subscribers show bob@example.net)
ok "... bob is pending, with no rules in force" \
	bash -c "grep -q '^bob@example.net: pending' <<<'$out' && ! grep -q ', active$' <<<'$out'"
ok "... the proposal waits for bob's confirmation (subscribers show)" \
	grep -q "^--- rule file [0-9]*, .* UTC, proposed, waits for confirmation until .* UTC$" <<<"$out"
pick --to ada@example.com --subject 'confirm ' --body >"$D/body"
ok "a forged change of ada's rules asks ada" grep -q "asked to replace the rules of" "$D/body"
out=$(pl subscribers show ada@example.com)
ok "... ada's rules in force did not change" \
	bash -c "grep -q '^--- rule file 1, .*, active$' <<<'$out'"
forged=$(pick --to ada@example.com --subject 'confirm ' --field subject)
mail "eve@example.com" "$forged" </dev/null
send
out=$(pl subscribers show ada@example.com)
ok "... and its token confirms nothing from another address" \
	bash -c "grep -q '^--- rule file 1, .*, active$' <<<'$out'"
pick --to eve@example.com --body >"$D/body"
ok "... which is told so" grep -q "sent to another address" "$D/body"

# The operator vouches for bob: active at once, and the request that
# waited for bob's confirmation can no longer be confirmed.
printf '%s\n' "$RULES" >"$D/bob.rules"
out=$(pl subscribers add bob@example.net "$D/bob.rules")
check "subscribers add: bob active at once, no confirmation" \
	"subscribers: bob@example.net: active, 1 rule in force" "$out"
bob_subject=$(pick --to bob@example.net --subject 'confirm ' --field subject)
mail "bob@example.net" "Re: $bob_subject" </dev/null
send
pick --to bob@example.net --subject 'no such confirmation' --body >"$D/body"
ok "... and the forged request is withdrawn" grep -q "^No request waits for that confirmation" "$D/body"

# --- no answer to bounces, automatic mail, the bot's own mail -----------------
before=$(find "$S/received/new" -type f | wc -l)
mail "MAILER-DAEMON@mx.example.net" "Undelivered Mail Returned to Sender" \
	"Auto-Submitted: auto-replied" "Return-Path: <>" <<<"help"
mail "patchletter <bot@example.org>" "help" <<<"help"
mail "ada@example.com" "help" "List-Id: <other.example.org>" <<<"help"
send
check "no reply to a bounce, to the bot itself or to list mail" "$before" \
	"$(find "$S/received/new" -type f | wc -l)"
ok "... each logged as not answered" \
	test "$(grep -c 'not answered' "$D/deliver.log")" -ge 3

# --- unsubscribe through the digest's List-Unsubscribe mailto -----------------
# RFC 6068: the mailto's subject is "unsubscribe%20TOKEN".
usubj=$(sed 's/.*subject=//; s/>.*//; s/%20/ /' <<<"$unsub")
mail "Ada at home <ada.home@example.net>" "$usubj" </dev/null
send
out=$(pl subscribers list)
ok "unsubscribe through List-Unsubscribe: ada is gone" \
	bash -c "! grep -q '^ada@example.com ' <<<'$out'"
pick --to ada.home@example.net --body >"$D/body"
ok "... the mail program's sender is told" grep -q "^ada@example.com is unsubscribed" "$D/body"

# --- one-click (RFC 8058) through the command the web endpoint runs -----------
mail "carol@example.org" subscribe <<<"$RULES"
send
c_subject=$(pick --to carol@example.org --subject 'confirm ' --field subject)
mail "carol@example.org" "Re: $c_subject" </dev/null
ctoken=$(sqlite3 "$D/state/patchletter.db" \
	"SELECT token FROM subscribers WHERE address = 'carol@example.org'")
pl unsubscribe AAAAAAAAAAAAAAAAAAAAAA >/dev/null 2>&1
check "unsubscribe with an unknown token: EX_NOUSER" 67 $?
pl unsubscribe "not a token" >/dev/null 2>&1
check "unsubscribe with no token: EX_DATAERR" 65 $?
out=$(pl unsubscribe "$ctoken")
check "unsubscribe TOKEN: done, exit 0" 0 $?
ok "... says so" grep -q "^unsubscribe: subscriber [0-9]* removed (one-click)$" <<<"$out"
out=$(pl subscribers list)
ok "... carol is gone" bash -c "! grep -q '^carol@' <<<'$out'"

# --- a mail storm from one sender is throttled ---------------------------------
for i in $(seq 1 30); do
	mail "storm@example.com" "help $i" </dev/null || break
done
check "thirty mails delivered (exit 0 each)" 30 "$i"
send
# replies-per-hour = 4, commands-per-hour = 6.
check "four replies, no more" 4 "$(pick --to storm@example.com --count)"
check "six commands handled, the rest dropped" 24 \
	"$(grep -c 'from storm@example.com: dropped: 6 commands an hour reached' "$D/deliver.log")"
mail "calm@example.com" help </dev/null
send
check "another sender is not held up" 1 "$(pick --to calm@example.com --count)"

# --- the MTA's contract: a busy store means "try again later" ------------------
/usr/bin/python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(15)' "$D/state/patchletter.db" "$D/locked" &
locker=$!
at_exit "kill $locker"
wait_for 10 test -f "$D/locked"
mail "dave@example.com" help </dev/null
check "deliver while the store is locked: EX_TEMPFAIL (75)" 75 $?
kill $locker
wait $locker 2>/dev/null
mail "dave@example.com" help </dev/null
check "... and the retry is taken" 0 $?

# --- the command line -----------------------------------------------------------
"$PATCHLETTER" deliver --help | grep -q "^usage: patchletter deliver"
check "deliver --help" 0 $?
pl deliver extra </dev/null >/dev/null 2>&1
check "deliver with an argument: EX_USAGE" 64 $?
pl deliver --recipient "not an address" </dev/null >/dev/null 2>&1
check "deliver --recipient checks the address: EX_USAGE" 64 $?
printf 'From: x@example.com\nTo: someone@example.com\nSubject: hi\n\nhi\n' |
	pl -v deliver 2>"$D/err"
check "mail to someone else: ignored, exit 0" 0 $?
ok "... with a log line" grep -q "ignored: addressed neither to the bot nor to a list" "$D/err"

finish
