#!/bin/bash
# Rule files and MAINTAINERS from the command line (issue 5): `rules
# check` reports every error at its line, `rules explain` says why a
# stored series matches or not, `rules match` runs the examples of
# rules/examples against the series of tests/demo/sample-list.mbox, and
# `maintainers sections` names the sections of paths and patches, from a
# file or from a git repository at a ref. Expected values are read from
# the inputs: the examples, the mbox, the fixtures.
. "$(dirname "$0")/lib.sh"

D=$(tmpdir)
MBOX=$TOP/tests/demo/sample-list.mbox
EX=$TOP/rules/examples
FIX=$FIXTURES/rules
MFIX=$FIXTURES/maintainers/rules.MAINTAINERS
REAL=$SHARED/corpus/linux-maintainers/MAINTAINERS

cat > "$D/plain.conf" <<EOF
bot {
	address = "patchletter@example.org"
	state-dir = "$D/state"
}
list kvm {
	list-id = "kvm.vger.kernel.org"
}
list netdev {
	list-id = "netdev.vger.kernel.org"
}
EOF
pl() { "$PATCHLETTER" -c "$D/plain.conf" "$@"; }
# The line of file $1 that holds $2 (fixed string), first one; line_is:
# the first line that is exactly $2.
line_of() { grep -nF -- "$2" "$1" | head -n 1 | cut -d: -f1; }
line_is() { grep -nFx -- "$2" "$1" | head -n 1 | cut -d: -f1; }

pl ingest "$MBOX" >/dev/null
# Series ids by title and version, from `series --all --json`.
pl series --all --json > "$D/series.json"
sid() {
	/usr/bin/python3 -c "
import json, sys
for l in open('$D/series.json'):
    s = json.loads(l)
    if s['title'] == sys.argv[1] and s['version'] == int(sys.argv[2]):
        print(s['id'])" "$1" "$2"
}
SVM1=$(sid "KVM: SVM: Use a single ASID per VM" 1)
SVM2=$(sid "KVM: SVM: Use a single ASID per VM" 2)
VFIO=$(sid "vfio/type1: conditionally reschedule while pinning pages" 1)
SPARSE=$(sid "sparse: warn on casts from restricted types" 1)
TUN=$(sid "tun: report virtio-net hashes" 1)
PULL=$(sid "KVM fixes for 6.19-rc2" 1)
check "six series to run the examples on" 6 \
	"$(printf '%s\n' $SVM1 $SVM2 $VFIO $SPARSE $TUN $PULL | sort -u | wc -l)"

# --- rules check ---------------------------------------------------------
# Without MAINTAINERS (sections are then noted as not checked).
for f in "$EX"/*.rules; do
	out=$(pl rules check "$f" 2>/dev/null)
	rc=$?
	check "rules check ${f##*/}: exit 0" 0 $rc
	ok "... and a summary" grep -q "^$f: ok: [0-9]* rules\? (" <<<"$out"
done
out=$(pl rules check "$EX/maintainer.rules")
check "the summary says what the file says" \
	"$EX/maintainer.rules: ok: 2 rules (svm, people), 6 values; digest daily at 07:00 Europe/Berlin, text" \
	"$out"

# errors.rules marks every line that must be reported.
pl rules check --maintainers "$MFIX" "$FIX/errors.rules" >/dev/null 2>"$D/err"
check "a bad rule file is EX_DATAERR" 65 $?
want=$(grep -n '# error: ' "$FIX/errors.rules" | awk -F: '$1 > 4 { print $1 }')
got=$(sed -n "s|^$FIX/errors.rules:\([0-9]*\): .*|\1|p" "$D/err" | sort -un)
check "every marked line of errors.rules is reported, no other" \
	"$(sort -un <<<"$want")" "$got"
l=$(line_of "$FIX/errors.rules" '"SUBTRE"')
ok "an unknown section gets the nearest names" \
	grep -q "^$FIX/errors.rules:$l: .*did you mean 'SUBTREE'" "$D/err"

export PATCHLETTER_SECRET=hunter2-never-echoed
pl rules check "$FIX/env.rules" >"$D/out" 2>"$D/err"
check "\${VAR} in a rule file is refused" 65 $?
ok "... at its line" grep -q "^$FIX/env.rules:5: '\${' is not allowed" "$D/err"
ok "... and the environment is not echoed" \
	bash -c "! grep -q 'hunter2\|$HOME' '$D/err' '$D/out'"
pl rules check "$FIX/include.rules" 2>"$D/err" >/dev/null
check "include() is refused" 65 $?
ok "... with a hint" grep -q "^$FIX/include.rules:3: .*include() is not supported" "$D/err"
head -c 10485760 /dev/zero | tr '\0' '#' > "$D/big.rules"
pl rules check "$D/big.rules" 2>"$D/err" >/dev/null
check "a 10 MB rule file is refused" 65 $?
ok "... for its size" grep -q "larger than 65536 bytes" "$D/err"
pl rules check "$D/none.rules" 2>/dev/null
check "a missing file is EX_NOINPUT" 66 $?
pl rules frobnicate x 2>/dev/null
check "an unknown action is a usage error" 64 $?

# --- rules match: the examples against the sample mail -----------------------
# Read off the mbox: v1 of the SVM series is superseded by v2 (same
# change-id); the vfio patch calls cond_resched() and has an Acked-by; the
# sparse series is an RFC; the tun series adds an _IOW() ioctl and touches
# Documentation/ besides code; the pull request's diffstat names
# arch/x86/kvm/svm/sev.c and it comes from Paula Maintainer.
matched() { pl rules match --maintainers "${2:-$MFIX}" "$1" 2>/dev/null | awk '{ print $1 }' | sort -n | tr '\n' ' '; }
ids() { printf '%s\n' "$@" | sort -n | tr '\n' ' '; }
check "maintainer.rules: SVM v2 and the pull request (svm paths, people)" \
	"$(ids $SVM2 $PULL)" "$(matched "$EX/maintainer.rules")"
check "keywords.rules: vfio (cond_resched) and tun (_IOW()" \
	"$(ids $VFIO $TUN)" "$(matched "$EX/keywords.rules")"
check "weekly.rules: every newest non-RFC series of the list" \
	"$(ids $SVM2 $VFIO $TUN $PULL)" "$(matched "$EX/weekly.rules")"
out=$(pl rules match "$EX/maintainer.rules")
ok "rules match names the rules" grep -q "^ *$PULL  v1  KVM fixes for 6.19-rc2  ('svm', 'people')$" <<<"$out"

# --- rules explain ---------------------------------------------------------------
out=$(pl rules explain "$EX/maintainer.rules" "$SVM2")
check "explain exits 0" 0 $?
l=$(line_of "$EX/maintainer.rules" 'rule "svm"')
v=$(line_of "$EX/maintainer.rules" '"arch/x86/kvm/svm/"')
ok "explain: which rule matched" grep -q "^rule 'svm' (line $l): matches$" <<<"$out"
ok "... which path hit which pattern" \
	grep -q "^  paths: arch/x86/kvm/svm/svm.c matches 'arch/x86/kvm/svm/' (line $v)$" <<<"$out"
ok "... and the result" grep -q "^result: the series matches (rules 'svm', 'people')$" <<<"$out"
out=$(pl rules explain "$EX/maintainer.rules" "$SVM1")
ok "explain v1: superseded, so versions = newest fails" \
	grep -q "^  versions: a newer version supersedes this series, and versions = newest (the default)$" <<<"$out"
out=$(pl rules explain "$EX/maintainer.rules" "$VFIO")
a=$(line_of "$EX/maintainer.rules" '"ada.lindqvist@example.com"')
ok "explain vfio: the first criterion that failed, and on what" \
	grep -q "^  authors: the author Rajesh Iyer <rajesh.iyer@example.net> is none of 'ada.lindqvist@example.com' (line $a), 'Paula Maintainer'" <<<"$out"
ok "... and that nothing matched" grep -q "^result: no rule matches$" <<<"$out"
pl rules explain "$EX/maintainer.rules" 9999 >/dev/null 2>&1
check "explain of a series not stored is EX_NOINPUT" 66 $?
pl rules explain "$EX/maintainer.rules" abc >/dev/null 2>&1
check "explain of a bad id is a usage error" 64 $?

# --- maintainers sections --------------------------------------------------------
# rules.MAINTAINERS: drivers/sub/ is SUBTREE's; THE REST has F: */.
out=$(pl maintainers sections --maintainers "$MFIX" drivers/sub/a.c)
check "sections of a path" "SUBTREE
THE REST" "$out"
pl maintainers sections drivers/sub/a.c >/dev/null 2>"$D/err"
check "no MAINTAINERS anywhere is EX_CONFIG" 78 $?
ok "... saying where to give one" grep -q "give --maintainers PATH or configure maintainers" "$D/err"
pl maintainers sections --maintainers "$D/nothing" x >/dev/null 2>&1
check "a MAINTAINERS that is not there is EX_NOINPUT" 66 $?

# From the configuration: a file, then a git repository at a ref.
{ cat "$D/plain.conf"; printf 'maintainers {\n\tfile = "%s"\n}\n' "$MFIX"; } > "$D/file.conf"
out=$("$PATCHLETTER" -c "$D/file.conf" maintainers sections drivers/one/b.c)
check "maintainers { file } from the configuration" "ONE LEVEL
THE REST" "$out"

need_cmd git
G=$D/linux
git init -q "$G"
cp "$MFIX" "$G/MAINTAINERS"
git -C "$G" add MAINTAINERS
git -C "$G" -c user.name=t -c user.email=t@example.org commit -q -m one
git -C "$G" tag v1
printf '\nLATE SECTION\nF:\tlate/\n' >> "$G/MAINTAINERS"
git -C "$G" -c user.name=t -c user.email=t@example.org commit -q -am two
{ cat "$D/plain.conf"; printf 'maintainers {\n\tgit = "%s"\n\tref = "v1"\n}\n' "$G"; } > "$D/git.conf"
out=$("$PATCHLETTER" -c "$D/git.conf" maintainers sections late/a.c)
check "maintainers { git ref = v1 }: the file as of the tag" "THE REST" "$out"
sed -i 's/ref = "v1"/ref = "HEAD"/' "$D/git.conf"
out=$("$PATCHLETTER" -c "$D/git.conf" maintainers sections late/a.c)
check "... and as of HEAD" "LATE SECTION
THE REST" "$out"

if need_shared; then
	# The sample's SVM patch 2/3, as a patch file, against the kernel's
	# MAINTAINERS: the sections get_maintainer.pl --subsystem names for
	# arch/x86/kvm/svm/svm.c.
	awk '/^From mboxrd/ { n++ } n == 3' "$MBOX" > "$D/svm.patch"
	out=$(pl maintainers sections --maintainers "$REAL" "$D/svm.patch")
	check "sections of a patch file (get_maintainer.pl's answer)" \
		"KERNEL VIRTUAL MACHINE FOR X86 (KVM/x86)
X86 ARCHITECTURE (32-BIT AND 64-BIT)
THE REST" "$out"
	out=$(pl maintainers sections --maintainers "$REAL" - < "$D/svm.patch")
	check "... read from standard input" 3 "$(wc -l <<<"$out")"
	out=$(pl maintainers sections --maintainers "$REAL" --paths "$D/svm.patch" drivers/vfio/vfio_iommu_type1.c)
	ok "--paths takes a file name as a path" grep -qx "VFIO DRIVER" <<<"$out"
	# reviewer.rules names sections of the kernel's MAINTAINERS.
	check "reviewer.rules: the KVM/x86 series (every version) and vfio" \
		"$(ids $SVM1 $SVM2 $VFIO $PULL)" "$(matched "$EX/reviewer.rules" "$REAL")"
	out=$(pl rules explain --maintainers "$REAL" "$EX/reviewer.rules" "$VFIO")
	f=$(line_is "$REAL" "$(printf 'F:\tdrivers/vfio/')")
	ok "explain: which section holds which path, through which line" \
		grep -q "^  sections: 'VFIO DRIVER' (line [0-9]*) holds drivers/vfio/vfio_iommu_type1.c through F: drivers/vfio/ (MAINTAINERS line $f)$" <<<"$out"
	pl rules check --maintainers "$REAL" "$EX/reviewer.rules" >/dev/null 2>"$D/err"
	check "reviewer.rules checks against the kernel's MAINTAINERS" 0 $?
	check "... without a note" "" "$(cat "$D/err")"
fi

finish
