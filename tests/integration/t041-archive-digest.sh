#!/bin/bash
# t041-archive-digest.sh: a digest of mail read from a public-inbox archive
# says which of the archive's commits it covers, as the list updates kernel
# readers know do ("KVM mailing list update from d8f1927f to b1b22b99",
# ../shared/reference): up to the archive's tip for a subscriber's first
# digest, then from the tip at their previous digest to the tip now. Mail
# from anywhere else is covered by the time window alone.
#
# The archive is written by public-inbox (public-inbox-mda), ingested with
# `patchletter ingest`, and the digests go through `patchletter send` to a
# real SMTP server. Expected commit ids come from git.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-smtp.sh"

need_cmd git
need_cmd sqlite3
need_cmd public-inbox-init
need_cmd public-inbox-mda
need_smtpd

D=$(tmpdir)
mkdir -p "$D/state" "$D/smtp" "$D/home"
export HOME=$D/home PI_CONFIG=$D/home/pi_config
PORT=$(free_port)
smtp_start "$D/smtp" "$PORT" || finish

public-inbox-init -V2 -L basic kvm "$D/kvm" http://example.invalid/kvm \
	kvm@vger.kernel.org >/dev/null 2>&1
git config -f "$PI_CONFIG" publicinboxmda.spamcheck none

# patch N: a patch to arch/x86/kvm/svm/ posted to the list an hour ago.
patch() {
	cat <<EOF
From: Ada Lovelace <ada@amd.com>
To: kvm@vger.kernel.org
List-Id: <kvm.vger.kernel.org>
Subject: [PATCH] KVM: SVM: fix number $1
Date: $(date -R -d '1 hour ago')
Message-ID: <svm-$1@amd.com>

Fix number $1.

Signed-off-by: Ada Lovelace <ada@amd.com>
---
 arch/x86/kvm/svm/svm.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/arch/x86/kvm/svm/svm.c b/arch/x86/kvm/svm/svm.c
--- a/arch/x86/kvm/svm/svm.c
+++ b/arch/x86/kvm/svm/svm.c
@@ -1,1 +1,1 @@
-int fix = 0;
+int fix = $1;
EOF
}
deliver() {
	patch "$1" | ORIGINAL_RECIPIENT=kvm@vger.kernel.org public-inbox-mda
}
tip() { git --git-dir="$D/kvm/git/0.git" rev-parse HEAD | cut -c1-8; }

cat >"$D/patchletter.conf" <<EOF
bot {
	address = "bot@example.org"
	state-dir = "$D/state"
	templates-dir = "$TOP/templates"
}
list kvm {
	list-id = "kvm.vger.kernel.org"
}
smtp {
	url = "smtp://127.0.0.1:$PORT"
	tls = none
	timeout = 10s
}
EOF
cat >"$D/ada.rules" <<'EOF'
digest {
	frequency = immediate
	format = text
}
rule "svm" {
	paths = { "arch/x86/kvm/svm/" }
}
EOF
pl() { "$PATCHLETTER" -c "$D/patchletter.conf" "$@"; }
ok "the operator subscribes ada" \
	pl subscribers add ada@example.org "$D/ada.rules"

# header N: the first two lines of the N-th digest received, CRs removed.
header() {
	local f
	f=$(ls -tr "$D/smtp/received/new/"* | sed -n "$1p")
	/usr/bin/python3 - "$f" <<'EOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
                                   policy=email.policy.default)
print("\n".join(m.get_body(("plain",)).get_content().splitlines()[:2]))
EOF
}
# The immediate schedule spaces digests five minutes apart: let ten
# minutes pass, by moving what happened so far ten minutes back (the last
# digest, the series' updates, and the matching pass's cursor with them,
# so that what was reported is not taken for new activity).
ten_minutes_pass() {
	sqlite3 "$D/state/patchletter.db" \
		"UPDATE subscribers SET last_digest_at = last_digest_at - 600;
		 UPDATE series SET updated = updated - 600;
		 UPDATE matches SET matched_at = matched_at - 600;
		 UPDATE cursors SET value = CAST(value AS INTEGER) - 600
			WHERE source = 'match:series-updated';"
}
# One digest queued and sent. A digest is named for the second its
# period ends, so two in one second wait: poll until the next is sent.
send_one() {
	test "$(pl send 2>/dev/null | sed -n 's/^send: \([0-9]*\) sent.*/\1/p')" = 1
}

ok "public-inbox takes the first patch" deliver 1
t1=$(tip)
ok "the archive is ingested" pl ingest "$D/kvm"
ok "the first digest is sent" wait_for 5 send_one
check "... and covers the archive up to its tip" \
	"kvm update up to $t1" "$(header 1 | sed -n 1p)"
ok "... with the time window beside it" \
	sh -c "$(declare -f header); D='$D' header 1 | tail -n 1 |
		grep -Eq '^\([0-9-]+ [0-9:]+ to [0-9-]+ [0-9:]+ UTC; your rules: svm\)$'"

ten_minutes_pass
ok "public-inbox takes two more" sh -c "$(declare -f patch deliver); deliver 2 && deliver 3"
t3=$(tip)
pl ingest "$D/kvm" >/dev/null
ok "the second digest is sent" wait_for 5 send_one
check "... from the tip at the first to the tip now" \
	"kvm update from $t1 to $t3" "$(header 2 | sed -n 1p)"

# Mail that came another way (an mbox): the window says what is covered.
ten_minutes_pass
patch 4 | sed '1i From mboxrd@z Thu Jan  1 00:00:00 1970' >"$D/four.mbox"
pl ingest "$D/four.mbox" >/dev/null
ok "a digest of mail from an mbox is sent" wait_for 5 send_one
check "... with no commit range" "kvm update" "$(header 3 | sed -n 1p)"

# The archive moved on meanwhile; the next range starts at the tip noted
# with the mbox digest, not at the one before.
ten_minutes_pass
ok "public-inbox takes a fifth" deliver 5
t5=$(tip)
pl ingest "$D/kvm" >/dev/null
ok "the fourth digest is sent" wait_for 5 send_one
check "... from the tip at the third" "kvm update from $t3 to $t5" \
	"$(header 4 | sed -n 1p)"

finish
