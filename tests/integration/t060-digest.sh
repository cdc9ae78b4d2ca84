#!/bin/bash
# The digest, rendered (issue 7, items 2, 3 and 6): a golden digest, the
# HTML's escaping, the mail around it, and the plain text's wrapping.
#
# The golden digest: tests/fixtures/digest/golden.mbox (a cover-lettered
# series and its v2 with "Changes in v2" and a b4 change-id, a lone patch
# in ISO-8859-1 quoted-printable with a folded subject holding <, > and &,
# a reply adding Reviewed-by, an RFC, a patch no rule wants, RFC 2047
# names) is ingested; a subscriber with golden.rules (two rules, both
# matching the pwrctrl series) is added at a fixed time, and the digest
# rendered at a fixed time is compared byte for byte with golden.txt,
# which was written by hand from the mails, templates/digest.txt and
# DESIGN.md's digest rules, not pasted from the program.
. "$(dirname "$0")/lib.sh"

G=$FIXTURES/digest
D=$(tmpdir)
printf 'bot {\n\taddress = "bot@example.org"\n\tstate-dir = "%s/state"\n}\n' \
	"$D" >"$D/c.conf"
pl() { "$PATCHLETTER" -c "$D/c.conf" -T "$TOP/templates" "$@"; }
at() { PATCHLETTER_NOW=$1 "$PATCHLETTER" -c "$D/c.conf" -T "$TOP/templates" "${@:2}"; }
fact() { sed -n "s/^$1=//p" <<<"$2"; }
WHO=golden@example.org
NOW=2026-11-26T07:00:00Z

pl ingest "$G/golden.mbox" >/dev/null
check "the fixture: 10 mails stored" "10 0" \
	"$(pl status | sed -n 's/^messages: \([0-9]*\) stored.*/\1/p') $?"
at 2026-11-25T00:00:00Z subscribers add "$WHO" "$G/golden.rules" >/dev/null
check "the subscriber, added at a fixed time" 0 $?

# --- the text, byte for byte --------------------------------------------
at $NOW digest "$WHO" >"$D/got.txt"
check "digest ADDRESS exits 0" 0 $?
if cmp -s "$G/golden.txt" "$D/got.txt"; then
	pass "the digest is golden.txt, byte for byte"
else
	failed "the digest is golden.txt, byte for byte"
	diff -u "$G/golden.txt" "$D/got.txt" | sed 's/^/#   /' | head -60
fi
at $NOW digest "$WHO" >"$D/again.txt"
ok "rendering marks nothing: the same digest again" \
	cmp -s "$D/got.txt" "$D/again.txt"
check "an invalid PATCHLETTER_NOW is a usage error" 64 \
	"$(PATCHLETTER_NOW=yesterday "$PATCHLETTER" -c "$D/c.conf" status \
		>/dev/null 2>&1; echo $?)"

# --- the HTML companion: escaped -----------------------------------------
at $NOW digest --html "$WHO" >"$D/got.html"
check "digest --html ADDRESS exits 0" 0 $?
TITLE_HTML='PCI/ASPM: fix the &quot;lat &lt; min &amp;&amp; lat &gt; max&quot; range check'
check "the title with <, >, & and quotes, escaped in the heading" \
	"<h3 style=\"font-size: 1em\">New: $TITLE_HTML</h3>" \
	"$(grep -F '<h3' "$D/got.html" | head -n 1)"
check "... and in each link to it (list and details)" 2 \
	"$(grep -c -F ">[PATCH] $TITLE_HTML</a>" "$D/got.html")"
check "the author's <address> escaped: contributors, list, details, trailer" 4 \
	"$(grep -c -F 'Jörg Rüdiger &lt;joerg@example.de&gt;' "$D/got.html")"
check "quoted text escaped inside <pre>" 1 \
	"$(grep -c -F 'Fixes: 0123456789ab (&quot;PCI/ASPM: check the L1SS latencies&quot;)' "$D/got.html")"
check "no raw < or & of the mail's text gets through" 0 \
	"$(grep -c -e '"lat <' -e '&& lat' -e '< min' "$D/got.html")"

# --- the mail around it ----------------------------------------------------
at $NOW digest --mail "$WHO" >"$D/got.eml"
facts=$(/usr/bin/python3 "$TOP/tests/integration/mailcheck.py" "$D/got.eml" \
	--body-out "$D/body.txt")
check "the mail parses without MIME defects" 0 "$(fact defects "$facts")"
# 2026-11-26 07:00 UTC: 20,783 days after 1970-01-01, plus 7 hours
check "its Date is the fixed now" 1795676400 "$(fact date "$facts")"
check "its Subject counts 3 series, 1 new version" \
	"[linux-pci.vger.kernel.org] 3 series for your rules, 1 new version (2026-11-26)" \
	"$(fact subject "$facts")"
check "text/plain alone (the rules ask for text)" "text/plain" \
	"$(fact content-type "$facts")"
ok "its decoded body is golden.txt" cmp -s "$G/golden.txt" "$D/body.txt"

# --- wrapped for mail readers ------------------------------------------------
WRAP="/usr/bin/python3 $TOP/tests/integration/wrapcheck.py"
ok "golden.txt: no line over 78 columns but unbreakable ones" \
	eval "$WRAP $G/golden.txt >/dev/null"
# The checker can fail: prose of 84 columns in the series list.
printf '  rule   New      %s\n' \
	"$(printf 'word %.0s' $(seq 12))ending" >"$D/bad.txt"
ok "wrapcheck.py flags a prose line of 84 columns" \
	eval "! $WRAP $D/bad.txt >/dev/null"

need_shared || finish
C=$SHARED/corpus
for f in "$C"/lore-linux-kbuild/*.mbox "$C"/lore-kernel-janitors/*.mbox \
	"$C"/lore-linux-sparse/*.mbox; do
	[ -f "$f" ] || { echo "# skip: $f absent"; finish; }
done
"$PATCHLETTER" -s "$D/corpus" ingest "$C"/lore-linux-kbuild/*.mbox \
	"$C"/lore-kernel-janitors/*.mbox "$C"/lore-linux-sparse/*.mbox >/dev/null
"$PATCHLETTER" -s "$D/corpus" -T "$TOP/templates" digest >"$D/corpus.txt"
check "the corpus' digest (three lists, every series) renders" 0 $?
ok "... with thousands of lines" test "$(wc -l <"$D/corpus.txt")" -gt 5000
out=$($WRAP "$D/corpus.txt")
check "... every line within 78 columns but code, diffstats, quotes, diffs, trailers and single words" \
	"0 lines over 78 columns" "$(tail -n 1 <<<"$out")"
[ "$(tail -n 1 <<<"$out")" = "0 lines over 78 columns" ] ||
	head -n 20 <<<"$out" | sed 's/^/#   /'
finish
