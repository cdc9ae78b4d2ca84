#!/bin/bash
# Delivery (issue 7, items 4-6): the outbox sent through a real SMTP
# server on loopback (tests/integration/smtpd.py on Debian's aiosmtpd).
# Mail is queued by outbox_fill, which composes it as the digest
# scheduler will; what arrives is read back with Python's email package
# (mailcheck.py). Expected values come from what the test queued.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-smtp.sh"

need_smtpd
need_cmd openssl
FILL=$PATCHLETTER_BUILD/tests/integration/outbox_fill
[ -x "$FILL" ] || skip_or_fail "$FILL not built (make integration builds it)"
D=$(tmpdir)
T0=1796108400 # 2026-12-01 07:00:00 UTC

# pl NAME ARGS...: patchletter with configuration $D/NAME.conf
pl() {
	local name=$1
	shift
	"$PATCHLETTER" -c "$D/$name.conf" "$@"
}
# fact NAME FACTS: one NAME=VALUE line of mailcheck.py's output
fact() { sed -n "s/^$1=//p" <<<"$2"; }
mailcheck() { /usr/bin/python3 "$TOP/tests/integration/mailcheck.py" "$@"; }
# the received file whose Message-ID is $2
file_of() { grep -l -i -F "Message-ID: <$2>" "$1"/received/new/* | head -n 1; }
# how many Message-IDs of the list $2 arrived (at least once), and the
# number of copies beyond the first
arrived() { comm -12 <(sort -u <<<"$2") <(smtp_ids "$1" | sort -u) | wc -l; }
# the X-TLS values the server noted in the mails it received
tls_seen() { grep -h '^X-TLS:' "$S"/received/new/* | tr -d '\r' | sort -u | cut -d' ' -f2; }
# send_refused NAME N WHAT: queue N mails in NAME's store and send them to
# a server that must refuse the session: exit 75, nothing received
send_refused() {
	rm -rf "$S/received" "$S/events"
	"$FILL" -n "$2" "$D/$1" >/dev/null
	pl "$1" send >/dev/null 2>&1
	check "$3" "75 0" "$? $(smtp_count "$S")"
}
is_encoded() { [[ $1 == "=?UTF-8?Q?"* ]] && ! LC_ALL=C grep -q '[^ -~]' <<<"$1"; }
copies() { echo $(( $(smtp_ids "$1" | wc -l) - $(smtp_ids "$1" | sort -u | wc -l) )); }

# --- delivery, and mail that parses as valid MIME ----------------------
S=$D/s1
PORT=$(free_port)
smtp_start "$S" "$PORT" || finish
smtp_config "$D/a.conf" "$D/a" "smtp://127.0.0.1:$PORT" "tls = none"
# The body: UTF-8, SMTP's end-of-data line, a dot-started line, a line
# longer than 998 octets (RFC 5322 2.1.1), trailing white space.
{
	printf 'Hello {},\n\nGrüße from the test, Zoë.\n.\n..two dots\n'
	printf 'x%.0s' $(seq 1200)
	printf '\ntrailing space \nend\n'
} >"$D/body.txt"
SUBJ='Zoë’s digest {}: 3 new “sparse” series'
ids=$("$FILL" -n 2 --time $T0 --subject "$SUBJ" --body "$D/body.txt" \
	--url https://patchletter.example.org/unsubscribe "$D/a")
ids="$ids
$("$FILL" -n 1 --first 3 --time $T0 --html "$D/a")"
out=$(pl a send)
check "send: three due, three sent, exit 0" \
	"send: 3 sent, 0 deferred, 0 failed 0" "$out $?"
check "three mails arrived" 3 "$(smtp_count "$S")"
check "over one connection" 1 "$(smtp_connects "$S")"
check "each Message-ID once" "3 0" "$(arrived "$S" "$ids") $(copies "$S")"

mid=$(sed -n 1p <<<"$ids")
f=$(file_of "$S" "$mid")
facts=$(mailcheck "$f" --body-out "$D/got-body.txt")
check "no MIME defects" 0 "$(fact defects "$facts")"
check "lines end in CRLF" crlf "$(fact line-ends "$facts")"
ok "no line passes 998 octets" test "$(fact longest-line "$facts")" -le 998
check "Message-ID is the queued one" "<$mid>" "$(fact message-id "$facts")"
check "Date parses, and is the digest's time" $T0 "$(fact date "$facts")"
check "From" "patchletter <bot@example.org>" "$(fact from "$facts")"
check "To" "user1@example.org" "$(fact to "$facts")"
check "envelope: MAIL FROM" "bot@example.org" "$(fact x-mailfrom "$facts")"
check "envelope: RCPT TO, the To alone" "user1@example.org" \
	"$(fact x-rcptto "$facts")"
check "UTF-8 Subject decodes" "${SUBJ//\{\}/1}" "$(fact subject "$facts")"
ok "... and is RFC 2047-encoded on the wire, ASCII only" \
	is_encoded "$(fact subject-raw "$facts")"
check "Auto-Submitted" auto-generated "$(fact auto-submitted "$facts")"
check "Precedence" bulk "$(fact precedence "$facts")"
check "List-Id" "patchletter digests <digests.patchletter.example.org>" \
	"$(fact list-id "$facts")"
check "List-Unsubscribe: mailto with the token, and the URL" \
	"<mailto:bot@example.org?subject=unsubscribe%20tok1>, <https://patchletter.example.org/unsubscribe?token=tok1>" \
	"$(fact list-unsubscribe "$facts")"
check "List-Unsubscribe-Post (RFC 8058)" "List-Unsubscribe=One-Click" \
	"$(fact list-unsubscribe-post "$facts")"
check "MIME-Version" 1.0 "$(fact mime-version "$facts")"
check "text/plain alone" "text/plain text/plain" \
	"$(fact content-type "$facts") $(fact parts "$facts")"
sed 's/{}/1/g' "$D/body.txt" >"$D/want-body.txt"
ok "the body arrives as it was queued (dots, long line, UTF-8)" \
	cmp -s "$D/want-body.txt" "$D/got-body.txt"
f=$(file_of "$S" "$(sed -n 3p <<<"$ids")")
facts=$(mailcheck "$f" --html-out "$D/got.html")
check "with HTML: multipart/alternative, text first" \
	"0 multipart/alternative text/plain,text/html" \
	"$(fact defects "$facts") $(fact content-type "$facts") $(fact parts "$facts")"
check "... and no List-Unsubscribe-Post without a URL" "" \
	"$(fact list-unsubscribe-post "$facts")"
out=$(pl a status)
ok "status counts them sent" grep -q "^outbox: 0 queued, 3 sent, 0 failed$" <<<"$out"
out=$(pl a send)
check "sent once is sent: nothing again" "send: 0 sent, 0 deferred, 0 failed 0 3" \
	"$out $? $(smtp_count "$S")"

# --- Debian's stock Mailbox handler takes them as well ------------------
smtp_stop
M=$D/mbox
smtp_start_mailbox "$M" "$PORT" || finish
smtp_config "$D/m.conf" "$D/m" "smtp://127.0.0.1:$PORT" "tls = none"
ids=$("$FILL" -n 2 --time $T0 --subject "$SUBJ" --html "$D/m")
out=$(pl m send)
check "aiosmtpd.handlers.Mailbox: both accepted, both kept" \
	"send: 2 sent, 0 deferred, 0 failed 2 2" \
	"$out $(smtp_count "$M") $(arrived "$M" "$ids")"
smtp_stop
smtp_start "$S" "$PORT" || finish

# --- 4xx, then accepted: the same bytes, the same Message-ID -------------
smtp_config "$D/b.conf" "$D/b" "smtp://127.0.0.1:$PORT" "tls = none"
rm -rf "$S/received" "$S/events"
mid=$("$FILL" -n 1 --time $T0 --to carol@example.org "$D/b")
echo 1 >"$S/control/fail-next"
pl b send >/dev/null 2>"$D/err"
check "a 451 defers the mail (exit 75)" 75 $?
check "... nothing kept by the server" 0 "$(smtp_count "$S")"
ok "... the log says deferred, with the server's reply" \
	grep -q "deferred until .*: end of data: 451 4.3.0 Temporary" "$D/err"
out=$(pl b status)
ok "status shows it deferred, with the reply" grep -q \
	"^  deferred: mail 1 <$mid> to carol@example.org (next try .*, 1 attempt): end of data: 451 4.3.0" \
	<<<"$out"
out=$(pl b send)
check "not due yet: not sent again" "send: 0 sent, 0 deferred, 0 failed 0" \
	"$out $(smtp_count "$S")"
out=$(pl b send --all)
check "send --all: sent" "send: 1 sent, 0 deferred, 0 failed 1" \
	"$out $(smtp_count "$S")"
tail -n +4 "$S"/deferred/new/* >"$D/try1"
tail -n +4 "$S"/received/new/* >"$D/try2"
ok "the retry sent the same bytes: Message-ID, Date, body" \
	cmp -s "$D/try1" "$D/try2"
check "... and that Message-ID is the queued one" "$mid" "$(smtp_ids "$S")"

# --- 5xx for one recipient: the others go; the refusal is shown ----------
smtp_config "$D/c.conf" "$D/c" "smtp://127.0.0.1:$PORT" "tls = none"
rm -rf "$S/received" "$S/events"
ids=$("$FILL" -n 5 --time $T0 "$D/c")
echo user3@example.org >"$S/control/refuse"
out=$(pl c send 2>"$D/err")
check "one refused (exit 65), four sent" \
	"send: 4 sent, 0 deferred, 1 failed 65" "$out $?"
check "the four others arrived, once each" "4 4 0" \
	"$(smtp_count "$S") $(arrived "$S" "$ids") $(copies "$S")"
ok "not the refused one" bash -c "! grep -rqs 'RcptTo: user3@' '$S/received'"
out=$(pl c status)
ok "status: 1 failed" grep -q "^outbox: 0 queued, 4 sent, 1 failed$" <<<"$out"
ok "... with its recipient and the server's reply" grep -q \
	"^  failed: mail 3 <$(sed -n 3p <<<"$ids")> to user3@example.org (queued .*, 1 attempt): RCPT TO: 550 5.1.1 <user3@example.org>: Recipient address rejected: User unknown$" \
	<<<"$out"
out=$(pl c send --all)
check "a refused mail is never retried" "send: 0 sent, 0 deferred, 0 failed 4" \
	"$out $(smtp_count "$S")"
rm -f "$S/control/refuse"

# --- the server down, then up: each mail delivered once ------------------
smtp_stop
smtp_config "$D/d.conf" "$D/d" "smtp://127.0.0.1:$PORT" "tls = none"
rm -rf "$S/received" "$S/events"
ids=$("$FILL" -n 5 --time $T0 "$D/d")
out=$(pl d send 2>"$D/err")
check "server down: deferred, exit 75" \
	"send: 0 sent, 1 deferred, 0 failed; the server could not be used (see above) 75" \
	"$out $?"
ok "... the log says the server cannot be used" \
	grep -q "the SMTP server cannot be used" "$D/err"
out=$(pl d status)
ok "... all five still queued" grep -q "^outbox: 5 queued, 0 sent, 0 failed$" <<<"$out"
ok "... the one tried shows why" grep -q "^  deferred: mail 1 .*: connect: " <<<"$out"
smtp_start "$S" "$PORT" || finish
out=$(pl d send)
check "server up: the four untried ones go" "send: 4 sent, 0 deferred, 0 failed" "$out"
out=$(pl d send --all)
check "... and the deferred one with --all" "send: 1 sent, 0 deferred, 0 failed" "$out"
check "each of the five delivered once" "5 5 0" \
	"$(smtp_count "$S") $(arrived "$S" "$ids") $(copies "$S")"

# --- SIGKILL in the middle of a batch, then a restart --------------------
# 200 mails, the server slowed down; the sender killed at a random
# moment, three times. Nothing may be lost, and each kill may double at
# most the one mail in flight (README, "Delivery").
smtp_config "$D/e.conf" "$D/e" "smtp://127.0.0.1:$PORT" "tls = none"
rm -rf "$S/received" "$S/events"
ids=$("$FILL" -n 200 --time $T0 "$D/e")
echo 0.02 >"$S/control/delay"
kills=0
for round in 1 2 3; do
	before=$(smtp_count "$S")
	"$PATCHLETTER" -c "$D/e.conf" send >/dev/null 2>&1 &
	pid=$!
	wait_for 20 bash -c "[ \$(find '$S/received/new' -type f 2>/dev/null | wc -l) -gt $before ]"
	ms=$((RANDOM % 600))
	sleep "0.$(printf %03d $ms)"
	kill -9 $pid 2>/dev/null && kills=$((kills + 1))
	wait $pid 2>/dev/null
done
mid_batch=$(smtp_count "$S")
ok "the kills came in the middle of the batch ($mid_batch of 200 received)" \
	test "$mid_batch" -gt 0 -a "$mid_batch" -lt 200
rm -f "$S/control/delay"
out=$(pl e send --all)
ok "the restart sends the rest" grep -q "^send: [0-9]* sent, 0 deferred, 0 failed$" <<<"$out"
check "nothing lost: all 200 Message-IDs arrived" 200 "$(arrived "$S" "$ids")"
dups=$(copies "$S")
ok "doubled: $dups, at most one per kill ($kills)" test "$dups" -le "$kills"
out=$(pl e status)
ok "the outbox is empty, all sent" grep -q "^outbox: 0 queued, 200 sent, 0 failed$" <<<"$out"
smtp_stop

# --- SIGTERM: the mail in flight is finished and recorded, then exit ------
smtp_start "$S" "$PORT" || finish
smtp_config "$D/t.conf" "$D/t" "smtp://127.0.0.1:$PORT" "tls = none"
rm -rf "$S/received" "$S/events"
"$FILL" -n 100 --time $T0 "$D/t" >/dev/null
echo 0.02 >"$S/control/delay"
"$PATCHLETTER" -c "$D/t.conf" send >"$D/out" 2>&1 &
pid=$!
wait_for 20 bash -c "[ \$(find '$S/received/new' -type f 2>/dev/null | wc -l) -gt 0 ]"
kill -TERM $pid
wait $pid
check "SIGTERM: stops after the mail in flight (exit 75)" 75 $?
ok "... says so" grep -q "stopped by a signal" "$D/out"
n=$(smtp_count "$S")
out=$(pl t status)
ok "... every mail received is recorded sent, no more ($n)" \
	grep -q "^outbox: $((100 - n)) queued, $n sent, 0 failed$" <<<"$out"
rm -f "$S/control/delay"

# --- header injection: text from mail cannot add a header ----------------
smtp_config "$D/f.conf" "$D/f" "smtp://127.0.0.1:$PORT" "tls = none"
rm -rf "$S/received" "$S/events"
mid=$("$FILL" -n 1 --time $T0 --subject $'hi\r\nBcc: victim@example.org' \
	--from-name $'Evil\r\nBcc: victim2@example.org\r\n' "$D/f")
pl f send >/dev/null
f=$(file_of "$S" "$mid")
facts=$(mailcheck "$f")
check "a CRLF and Bcc: in Subject and name add no header" "0 0" \
	"$(fact bcc "$facts") $(fact defects "$facts")"
check "... the envelope has the one recipient" "user1@example.org" \
	"$(fact x-rcptto "$facts")"
check "... the text stays in the Subject" "hi  Bcc: victim@example.org" \
	"$(fact subject "$facts")"
"$FILL" -n 1 --to $'a@example.org\r\nRCPT TO:<victim@example.org>' "$D/f" \
	>/dev/null 2>&1
check "an address with CRLF is refused before it is queued" 1 $?
out=$(pl f status)
ok "... nothing queued" grep -q "^outbox: 0 queued, 1 sent, 0 failed$" <<<"$out"
smtp_stop

# --- TLS: STARTTLS required unless tls = none; certificates verified ------
smtp_certs "$D/tls" || skip_or_fail "openssl could not make certificates"
smtp_start "$S" "$PORT" || finish # no STARTTLS offered
smtp_config "$D/g.conf" "$D/g" "smtp://127.0.0.1:$PORT"
rm -rf "$S/received" "$S/events"
"$FILL" -n 1 "$D/g" >/dev/null
pl g send >/dev/null 2>"$D/err"
check "no STARTTLS offered: refused, deferred (exit 75)" 75 $?
ok "... nothing sent in clear: no MAIL FROM reached the server" \
	bash -c "! grep -q '^rcpt' '$S/events' && [ \$(find '$S/received/new' -type f 2>/dev/null | wc -l) = 0 ]"
out=$(pl g status)
ok "... status says STARTTLS" grep -qi "deferred: .*STARTTLS" <<<"$out"
smtp_config "$D/g.conf" "$D/g" "smtp://127.0.0.1:$PORT" "tls = none"
out=$(pl g send --all)
check "with tls = none: sent in clear" "send: 1 sent, 0 deferred, 0 failed no" \
	"$out $(tls_seen)"
smtp_stop

smtp_start "$S" "$PORT" --starttls --require-starttls \
	--cert "$D/tls/cert.pem" --key "$D/tls/key.pem" || finish
smtp_config "$D/h.conf" "$D/h" "smtp://127.0.0.1:$PORT"
send_refused h 1 "STARTTLS with a certificate from an unknown CA: refused"
out=$(pl h status)
ok "... status says why (certificate)" grep -qi "deferred: .*certificate" <<<"$out"
smtp_config "$D/h.conf" "$D/h" "smtp://127.0.0.1:$PORT" \
	"ca-file = \"$D/tls/ca.pem\""
out=$(pl h send --all)
check "with its CA as ca-file: sent over TLS" \
	"send: 1 sent, 0 deferred, 0 failed yes" "$out $(tls_seen)"
smtp_stop

smtp_start "$S" "$PORT" --smtps --cert "$D/tls/cert.pem" \
	--key "$D/tls/key.pem" || finish
smtp_config "$D/i.conf" "$D/i" "smtps://127.0.0.1:$PORT" \
	"ca-file = \"$D/tls/ca.pem\""
rm -rf "$S/received" "$S/events"
"$FILL" -n 3 "$D/i" >/dev/null
out=$(pl i send)
check "smtps:// (TLS from the first byte): sent, one connection" \
	"send: 3 sent, 0 deferred, 0 failed yes 1" \
	"$out $(tls_seen) $(smtp_connects "$S")"
smtp_stop

# --- AUTH with the password from its file ---------------------------------
smtp_start "$S" "$PORT" --starttls --cert "$D/tls/cert.pem" \
	--key "$D/tls/key.pem" --auth "bot:s3cret-pw" || finish
printf 'wrong\n' >"$D/smtp.password"
chmod 600 "$D/smtp.password"
smtp_config "$D/j.conf" "$D/j" "smtp://127.0.0.1:$PORT" \
	"ca-file = \"$D/tls/ca.pem\"" "user = bot" \
	"password-file = \"$D/smtp.password\""
send_refused j 2 "a wrong password: AUTH refused, nothing sent (exit 75)"
out=$(pl j status)
ok "... status says AUTH, with the server's 535" \
	grep -q "deferred: .*AUTH: 535 5.7.8" <<<"$out"
printf 's3cret-pw\n' >"$D/smtp.password"
"$PATCHLETTER" -v -v -c "$D/j.conf" send --all >"$D/out" 2>"$D/err"
check "the right password: both sent" "send: 2 sent, 0 deferred, 0 failed 2" \
	"$(cat "$D/out") $(smtp_count "$S")"
ok "... the server saw AUTH from bot" grep -q "^auth bot ok$" "$S/events"
b64=$(printf '\0bot\0s3cret-pw' | base64)
ok "... and the debug log shows neither password nor credentials" \
	bash -c "! grep -q -e s3cret -e '$b64' '$D/err'"
ok "... though it logs the dialogue" grep -q "smtp: > MAIL FROM:<bot@example.org>" "$D/err"
chmod 644 "$D/smtp.password"
pl j send >/dev/null 2>"$D/err"
check "a password file others can read is refused (EX_CONFIG)" 78 $?
smtp_stop

# --- the command line -------------------------------------------------------
printf 'bot {\n\taddress = "bot@example.org"\n\tstate-dir = "%s"\n}\n' "$D/k" >"$D/k.conf"
pl k send >/dev/null 2>"$D/err"
check "send without an smtp section: EX_CONFIG" 78 $?
ok "... and says so" grep -q "no smtp section" "$D/err"
"$PATCHLETTER" send --help | grep -q "^usage: patchletter send"
check "send --help" 0 $?

finish
