#!/bin/bash
# The first end-to-end path (issue 2): the command line, ingest of an
# mbox, series with their cover letters and versions, the digest, status.
# Expected values are read from tests/demo/sample-list.mbox, the input.
. "$(dirname "$0")/lib.sh"

D=$(tmpdir)
MBOX=$TOP/tests/demo/sample-list.mbox
pl() { "$PATCHLETTER" -s "$D/state" -T "$TOP/templates" "$@"; }
# The Message-ID of the mail whose Subject is exactly $1, from the mbox.
mid_of() {
	awk -v s="Subject: $1" '$0 == s { f = 1 } f && /^Message-ID:/ { gsub(/[<>]/, "", $2); print $2; exit }' "$MBOX"
}
json() { /usr/bin/python3 -c "import json,sys; $1" ; }

# --- the command line ---------------------------------------------------
ok "--help lists the commands" bash -c "'$PATCHLETTER' --help | grep -q '^  ingest'"
for c in run ingest show series digest rules maintainers status; do
	ok "$c --help exits 0" bash -c "'$PATCHLETTER' $c --help >/dev/null"
done
"$PATCHLETTER" frobnicate >/dev/null 2>&1
check "an unknown command is a usage error (EX_USAGE)" 64 $?
pl series >/dev/null 2>&1
check "series before any ingest: no store yet (EX_NOINPUT)" 66 $?

# --- ingest ----------------------------------------------------------------
n=$(grep -c '^From mboxrd@z' "$MBOX")
out=$(pl ingest "$MBOX")
check "ingest stores every message of the mbox" \
	"ingest: $n messages: $n stored, 0 duplicates, 0 unparsed" "${out% (*}"
out=$(pl ingest "$MBOX")
check "ingest again stores nothing twice" \
	"ingest: $n messages: 0 stored, $n duplicates, 0 unparsed" "${out% (*}"

# --- series ----------------------------------------------------------------
pl series --all --json > "$D/all.json"
pl series --json > "$D/newest.json"
# Postings in the mbox: two versions of the SVM series, the lone vfio
# patch, the RFC sparse series, the net-next tun series, the pull request.
check "six postings make six series" 6 "$(wc -l < "$D/all.json")"
check "five are the newest of their family" 5 "$(wc -l < "$D/newest.json")"

v1=$(mid_of "[PATCH 0/3] KVM: SVM: Use a single ASID per VM")
v2=$(mid_of "[PATCH v2 0/3] KVM: SVM: Use a single ASID per VM")
got=$(json "
for l in open('$D/all.json'):
    s = json.loads(l)
    if s['cover'] == '$v2':
        old = [x for x in open('$D/all.json') if json.loads(x)['cover'] == '$v1'][0]
        old = json.loads(old)
        print(s['version'], s['total'], s['received'], s['complete'],
              [e['evidence'] for e in s['supersedes']],
              [e['series'] for e in s['supersedes']] == [old['id']],
              [e['series'] for e in old['superseded_by']] == [s['id']],
              len(s['messages']), s['reviews'], s['replies'])
")
# v2's cover carries change-id: 20261120-svm-asid-4f2c1a9b7e3d as v1's
# does; two replies answer v2 (a Reviewed-by, a Tested-by).
check "v2 supersedes v1 by change-id, both ways round" \
	"2 3 3 True ['change-id'] True True 3 2 2" "$got"

tun=$(mid_of "[PATCH net-next 0/3] tun: report virtio-net hashes")
got=$(json "
for l in open('$D/newest.json'):
    s = json.loads(l)
    if s['cover'] == '$tun':
        print(s['total'], s['received'], s['complete'], s['title'])
")
check "a series with 2/3 missing is incomplete" \
	"3 2 False tun: report virtio-net hashes" "$got"

got=$(json "
for l in open('$D/newest.json'):
    s = json.loads(l)
    if s['kind'] == 'pull':
        print(s['title'], s['cover'], len(s['messages']))
")
check "the pull request is a series of its own" \
	"KVM fixes for 6.19-rc2 None 1" "$got"

got=$(json "
for l in open('$D/newest.json'):
    s = json.loads(l)
    if s['title'].startswith('sparse:'):
        print(s['author']['name'], s['rfc'], s['received'])
")
check "an RFC 2047 name is decoded" "Zoë Ångström True 2" "$got"

# --- digest ----------------------------------------------------------------
pl digest > "$D/digest.txt"
ok "the digest lists the newest SVM version" grep -q "^  all v2 .*\[PATCH v2 0/3\] KVM: SVM: Use a single ASID per VM" "$D/digest.txt"
ok "... and not v1 as separate work" bash -c "! grep -q '\[PATCH 0/3\] KVM: SVM' '$D/digest.txt'"
ok "... says what v2 supersedes and why" grep -q "^Supersedes: v1 of 2026-11-20 (change-id 20261120-svm-asid-4f2c1a9b7e3d)" "$D/digest.txt"
ok "... quotes the Changes in v2 notes" grep -q "^- Flush only the current ASID" "$D/digest.txt"
ok "... gives the b4 line" grep -q "^Get it: b4 am $v2\$" "$D/digest.txt"
ok "... and the lore link" grep -q "^Link: https://lore.kernel.org/r/$v2\$" "$D/digest.txt"
ok "... says which patch is missing" grep -q "^Missing: 2/3 not received yet" "$D/digest.txt"
ok "... decodes quoted-printable (no =3D, no =C3)" bash -c "! grep -q '=3D\|=C3' '$D/digest.txt'"

# --- status and misuse -----------------------------------------------------
out=$(pl status)
ok "status counts the messages" grep -q "^messages: $n stored" <<<"$out"
printf 'bot {\n  address = "a@b"\n  frobs = 1\n}\n' > "$D/bad.conf"
"$PATCHLETTER" -c "$D/bad.conf" series 2>"$D/err" >/dev/null
check "a bad configuration is EX_CONFIG" 78 $?
ok "... and names file and line" grep -q "^$D/bad.conf:3: " "$D/err"
timeout 20 "$PATCHLETTER" -c "$D/bad.conf" run --foreground >/dev/null 2>&1
check "the daemon refuses a bad configuration at once (EX_CONFIG)" 78 $?

finish
