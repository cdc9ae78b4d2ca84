#!/bin/bash
# t40-archive.sh: the public-inbox archive reader (bot/archive.c) against
# archives that public-inbox itself wrote, and against the real lore epoch
# in ../shared. The driver is the archive unit test binary run with
# arguments (tests/unit/test_archive.c says how); it prints one line per
# message ("add|del EPOCH COMMIT BLOB TIME LEN SOURCE") and one per batch
# ("commit SOURCE CURSOR"), keeps cursors in a file as the store would,
# and with -o DIR writes each message's bytes to DIR/1, DIR/2, ...
#
# Expected values come from git and from the mails the test delivers,
# never from the driver's own output.
. "$(dirname "$0")/lib.sh"

DRV=$PATCHLETTER_BUILD/tests/unit/test_archive
[ -x "$DRV" ] || skip_or_fail "$DRV is not built (make test builds it)"
need_cmd git
D=$(tmpdir)

# mids DIR: the Message-ID of each message written by -o DIR, in order.
mids() {
	local i=1
	while [ -f "$1/$i" ]; do
		grep -i -m1 '^message-id:' "$1/$i" | sed 's/^[^:]*: *//'
		i=$((i + 1))
	done
}

# read_archive OUT PATH NAME [driver options]: run the driver, messages
# into OUT.d/, lines into OUT, the stats line into OUT.err.
read_archive() {
	local out=$1 path=$2 name=$3
	shift 3
	rm -rf "$out.d"
	mkdir -p "$out.d"
	"$DRV" read -o "$out.d" "$@" "$path" "$name" >"$out" 2>"$out.err"
}

# --- the real lore epoch, read in place -----------------------------------

LS=$SHARED/archives/linux-sparse.0.git
if [ -d "$LS/objects" ]; then
	# git refuses this copy (its empty refs/ folder was lost, which the
	# reader handles): give git a view with a refs/ folder over the same
	# objects, to compute what must come out.
	V=$D/view.git
	mkdir -p "$V/refs"
	ln -s "$LS/objects" "$V/objects"
	cat "$LS/HEAD" >"$V/HEAD"
	cat "$LS/packed-refs" >"$V/packed-refs"
	G="git --git-dir=$V"
	$G rev-list --first-parent --reverse HEAD >"$D/sparse.expect"

	ok "linux-sparse: read in place" \
		read_archive "$D/sparse" "$LS" sparse
	awk '$1 == "add" { print $3 }' "$D/sparse" >"$D/sparse.got"
	check "linux-sparse: 3,545 messages (SOURCES.md)" 3545 \
		"$(grep -c '^add ' "$D/sparse")"
	ok "linux-sparse: commits in git's first-parent order, oldest first" \
		cmp -s "$D/sparse.expect" "$D/sparse.got"
	first=$(head -n 1 "$D/sparse.expect")
	last=$(tail -n 1 "$D/sparse.expect")
	ok "linux-sparse: first message's bytes as git show $first:m" \
		cmp -s "$D/sparse.d/1" <($G cat-file blob "$first:m")
	ok "linux-sparse: last message's bytes as git show $last:m" \
		cmp -s "$D/sparse.d/3545" <($G cat-file blob "$last:m")
	check "linux-sparse: first Message-ID" \
		"$($G show "$first:m" | grep -i -m1 '^message-id:' | sed 's/^[^:]*: *//')" \
		"$(mids "$D/sparse.d" | head -n 1)"
	check "linux-sparse: last Message-ID" \
		"$($G show "$last:m" | grep -i -m1 '^message-id:' | sed 's/^[^:]*: *//')" \
		"$(mids "$D/sparse.d" | tail -n 1)"
	check "linux-sparse: the cursor is the tip" \
		"commit archive:sparse $($G rev-parse HEAD)" "$(tail -n 1 "$D/sparse")"

	# Resume from the 1,000th commit: exactly the other 2,545.
	echo "archive:sparse $(sed -n 1000p "$D/sparse.expect")" >"$D/cur"
	read_archive "$D/rest" "$LS" sparse -c "$D/cur"
	awk '$1 == "add" { print $3 }' "$D/rest" >"$D/rest.got"
	ok "linux-sparse: resuming mid-way yields exactly the rest" \
		cmp -s <(sed -n '1001,$p' "$D/sparse.expect") "$D/rest.got"

	# Stopped after two batches of 500, then resumed: every message once.
	rm -f "$D/cur"
	read_archive "$D/part1" "$LS" sparse -c "$D/cur" -b 500 -s 2
	check "linux-sparse: stopped after 2 batches of 500" \
		"archive:sparse $(sed -n 1000p "$D/sparse.expect")" "$(cat "$D/cur")"
	read_archive "$D/part2" "$LS" sparse -c "$D/cur" -b 500
	ok "linux-sparse: stop and resume hand over each commit once" \
		cmp -s "$D/sparse.expect" \
		<(cat "$D/part1" "$D/part2" | awk '$1 == "add" { print $3 }')
else
	echo "# skip: $LS is absent; tests on the real lore epoch skipped"
fi

# --- archives written by public-inbox --------------------------------------

need_cmd public-inbox-init
need_cmd public-inbox-mda
export HOME=$D/home PI_CONFIG=$D/home/pi_config
mkdir -p "$HOME"

# mail N [LIST]: a message with Message-ID <pN@example.org>.
mail() {
	printf 'From: A U Thor <author@example.org>\nTo: %s@example.invalid\n' \
		"${2:-test}"
	printf 'Subject: [PATCH] change %s\nDate: Mon, 1 Jan 2024 00:%02d:00 +0000\n' \
		"$1" "$1"
	printf 'Message-ID: <p%s@example.org>\n\nbody %s\n' "$1" "$1"
}

# deliver LIST N...: deliver messages to LIST with public-inbox-mda.
deliver() {
	local list=$1 n
	shift
	for n in "$@"; do
		mail "$n" "$list" |
			ORIGINAL_RECIPIENT=$list@example.invalid public-inbox-mda ||
			return 1
	done
}

newinbox() { # newinbox -V2|-V1 NAME DIR
	public-inbox-init "$1" -L basic "$2" "$3" "http://example.invalid/$2" \
		"$2@example.invalid" >/dev/null 2>&1
}

ok "public-inbox: a v2 inbox" newinbox -V2 test "$D/inbox"
git config -f "$PI_CONFIG" publicinboxmda.spamcheck none
ok "public-inbox: three mails delivered" deliver test 1 2 3

read_archive "$D/v2a" "$D/inbox" test -c "$D/v2.cur"
check "v2: three messages, oldest first" \
	"<p1@example.org> <p2@example.org> <p3@example.org>" \
	"$(mids "$D/v2a.d" | xargs)"
check "v2: their commits, in git's order" \
	"$(git --git-dir="$D/inbox/git/0.git" rev-list --reverse HEAD | xargs)" \
	"$(awk '$1 == "add" { print $3 }' "$D/v2a" | xargs)"
check "v2: cursor per epoch" \
	"archive:test/git/0.git $(git --git-dir="$D/inbox/git/0.git" rev-parse HEAD)" \
	"$(cat "$D/v2.cur")"

got=$("$PATCHLETTER" show --json "$D/inbox" |
	/usr/bin/python3 -c 'import json, sys; print(" ".join(json.loads(l)["message_id"] for l in sys.stdin))')
check "show --json ARCHIVE: each message, oldest first" \
	"p1@example.org p2@example.org p3@example.org" "$got"

# A removal (public-inbox-learn rm writes the mail as "d").
mail 2 | public-inbox-learn rm >/dev/null 2>&1
read_archive "$D/v2b" "$D/inbox" test -c "$D/v2.cur"
check "v2: the removal is handed over as del" "del" \
	"$(awk 'NR == 1 { print $1 }' "$D/v2b")"
check "v2: ... with the removed mail" "<p2@example.org>" "$(mids "$D/v2b.d")"
check "v2: ... and nothing else" 1 "$(grep -c '^\(add\|del\) ' "$D/v2b")"

# --- v1 ---------------------------------------------------------------------

ok "v1: an inbox" newinbox -V1 old "$D/old.git"
deliver old 20 21 22
mail 21 old | public-inbox-learn rm >/dev/null 2>&1
read_archive "$D/v1" "$D/old.git" old
check "v1: added, added, added, removed" "add add add del" \
	"$(awk '$1 ~ /add|del/ { print $1 }' "$D/v1" | xargs)"
check "v1: the messages, and the removed one" \
	"<p20@example.org> <p21@example.org> <p22@example.org> <p21@example.org>" \
	"$(mids "$D/v1.d" | xargs)"

# --- fetching from a file:// remote ----------------------------------------

# lore serves epoch N at URL/N; a local inbox has git/N.git.
mkdir -p "$D/served"
ln -s "$D/inbox/git/0.git" "$D/served/0"
ok "fetch: a v2 mirror is cloned" \
	"$DRV" fetch "$D/mirror" "file://$D/served"
read_archive "$D/m1" "$D/mirror" test -c "$D/mirror.cur"
check "fetch: the mirror holds what the origin has" \
	"$(awk '$1 ~ /add|del/ { print $1, $3 }' "$D/v2a" "$D/v2b")" \
	"$(awk '$1 ~ /add|del/ { print $1, $3 }' "$D/m1")"
deliver test 4 5
ok "fetch: fetched again" "$DRV" fetch "$D/mirror" "file://$D/served"
read_archive "$D/m2" "$D/mirror" test -c "$D/mirror.cur"
check "fetch: only the new messages come out" \
	"<p4@example.org> <p5@example.org>" "$(mids "$D/m2.d" | xargs)"
ok "fetch: a single-repository mirror (PATH.git) is cloned" \
	"$DRV" fetch "$D/one.git" "file://$D/served/0"
read_archive "$D/one" "$D/one.git" one
check "fetch: ... and reads as the origin's epoch" \
	"$(git --git-dir="$D/inbox/git/0.git" rev-list --reverse HEAD | xargs)" \
	"$(awk '$1 ~ /add|del/ { print $3 }' "$D/one" | xargs)"
"$DRV" fetch "$D/none.git" "file://$D/nowhere" >/dev/null 2>&1
check "fetch: an unreachable remote fails and leaves nothing" "1 absent" \
	"$? $([ -e "$D/none.git" ] && echo present || echo absent)"

# --- a rewritten history: public-inbox-purge --------------------------------

need_cmd public-inbox-purge
mail 1 | public-inbox-purge --all >/dev/null 2>&1
ok "purge: the origin's history was rewritten" \
	sh -c "! git --git-dir='$D/inbox/git/0.git' merge-base --is-ancestor \
		$(cut -d' ' -f2 "$D/mirror.cur") HEAD 2>/dev/null"
ok "purge: fetched (forced)" "$DRV" fetch "$D/mirror" "file://$D/served"
read_archive "$D/m3" "$D/mirror" test -c "$D/mirror.cur"
ok "purge: the lost cursor is logged" \
	grep -q 'not in the history of .* any more' "$D/m3.err"
check "purge: the epoch is read again; the purged mail is gone" \
	"<p2@example.org> <p3@example.org> <p2@example.org> <p4@example.org> <p5@example.org>" \
	"$(mids "$D/m3.d" | xargs)"
check "purge: ... in the new history's order" \
	"$(git --git-dir="$D/inbox/git/0.git" rev-list --reverse HEAD | tail -n +2 | xargs)" \
	"$(awk '$1 ~ /add|del/ { print $3 }' "$D/m3" | xargs)"
read_archive "$D/m4" "$D/mirror" test -c "$D/mirror.cur"
check "purge: afterwards, nothing new" "" "$(cat "$D/m4")"

# --- several epochs ---------------------------------------------------------

# public-inbox 1.9 rotates at about 1 GiB and has no setting for it, so a
# second epoch is made by public-inbox in another inbox and moved in.
ok "epochs: two v2 inboxes" sh -c \
	"$(declare -f newinbox); newinbox -V2 multi '$D/multi' &&
	 newinbox -V2 other '$D/other'"
deliver multi 10 11
deliver other 12 13
mv "$D/other/git/0.git" "$D/multi/git/1.git"
read_archive "$D/e" "$D/multi" multi -c "$D/multi.cur"
check "epochs: every message, epoch 0 first" \
	"<p10@example.org> <p11@example.org> <p12@example.org> <p13@example.org>" \
	"$(mids "$D/e.d" | xargs)"
check "epochs: epoch numbers" "0 0 1 1" \
	"$(awk '$1 == "add" { print $2 }' "$D/e" | xargs)"
check "epochs: one cursor each" "archive:multi/git/0.git archive:multi/git/1.git" \
	"$(cut -d' ' -f1 "$D/multi.cur" | xargs)"
mkdir -p "$D/served-multi"
ln -s "$D/multi/git/0.git" "$D/served-multi/0"
ln -s "$D/multi/git/1.git" "$D/served-multi/1"
ok "epochs: fetch clones every epoch" \
	"$DRV" fetch "$D/multi-mirror" "file://$D/served-multi"
read_archive "$D/em" "$D/multi-mirror" multi
check "epochs: the mirror reads the same" \
	"$(awk '$1 == "add" { print $2, $3 }' "$D/e")" \
	"$(awk '$1 == "add" { print $2, $3 }' "$D/em")"

finish
