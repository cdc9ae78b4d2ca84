#!/bin/bash
# The daemon with a public-inbox archive as its source (issue 6): `patchletter
# run` clones a v2 inbox served at file:// (lore's layout: epoch N at URL/N)
# with libgit2, ingests it, and fetches it again on its timer in a child
# process; new mail and removals at the origin reach the store, and the
# digests say which of the archive's commits they cover. The archive is
# written by public-inbox itself; expected commit ids come from git.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-smtp.sh"

need_cmd git
need_cmd public-inbox-init
need_cmd public-inbox-mda
need_cmd public-inbox-learn
need_smtpd

D=$(tmpdir)
mkdir -p "$D/state" "$D/smtp" "$D/home" "$D/served"
export HOME=$D/home PI_CONFIG=$D/home/pi_config
PORT=$(free_port)
smtp_start "$D/smtp" "$PORT" || finish

public-inbox-init -V2 -L basic kvm "$D/kvm" http://example.invalid/kvm \
	kvm@vger.kernel.org >/dev/null 2>&1
git config -f "$PI_CONFIG" publicinboxmda.spamcheck none
ln -s "$D/kvm/git/0.git" "$D/served/0"

# patch N: a patch to arch/x86/kvm/svm/ posted an hour ago (the same
# bytes each time: public-inbox-learn rm finds a mail by its content).
WHEN=$(date -R -d '1 hour ago')
export WHEN
patch() {
	cat <<EOF
From: Ada Lovelace <ada@amd.com>
To: kvm@vger.kernel.org
List-Id: <kvm.vger.kernel.org>
Subject: [PATCH] KVM: SVM: fix number $1
Date: $WHEN
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
	log-level = debug
}
list kvm {
	list-id = "kvm.vger.kernel.org"
}
archive kvm {
	url = "file://$D/served"
	path = "$D/state/mirror"
	fetch-interval = 2s
	list = kvm
}
smtp {
	url = "smtp://127.0.0.1:$PORT"
	tls = none
	timeout = 10s
}
EOF
cat >"$D/svm.rules" <<'EOF'
digest {
	frequency = immediate
	format = text
}
rule "svm" {
	paths = { "arch/x86/kvm/svm/" }
}
EOF
pl() { "$PATCHLETTER" -c "$D/patchletter.conf" "$@"; }
stored() {
	pl status 2>/dev/null | sed -n 's/^messages: \([0-9]*\) stored.*/\1/p'
}
stored_is() { test "$(stored)" = "$1"; }
received_some() {
	grep -lq "^X-RcptTo: $1" "$D/smtp/received/new/"* 2>/dev/null
}
# first_line ADDRESS: the first line of the digest ADDRESS received.
first_line() {
	local f
	f=$(grep -l "^X-RcptTo: $1" "$D/smtp/received/new/"* | head -n 1)
	/usr/bin/python3 - "$f" <<'EOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
                                   policy=email.policy.default)
print(m.get_body(("plain",)).get_content().splitlines()[0])
EOF
}

ok "public-inbox takes the first patch" deliver 1
t1=$(tip)
ok "the operator subscribes ada" pl subscribers add ada@example.org "$D/svm.rules"

"$PATCHLETTER" -c "$D/patchletter.conf" run --foreground >>"$D/run.log" 2>&1 &
DAEMON=$!
at_exit "kill $DAEMON 2>/dev/null"
ok "the daemon clones the archive and stores its mail" wait_for 20 stored_is 1
ok "... into a v2 mirror in the state directory" \
	test -d "$D/state/mirror/git/0.git"
ok "ada's digest follows" wait_for 30 received_some ada@example.org
check "... covering the archive up to its tip" "kvm update up to $t1" \
	"$(first_line ada@example.org)"

ok "public-inbox takes two more" sh -c "$(declare -f patch deliver); deliver 2 && deliver 3"
t3=$(tip)
ok "the daemon's next fetch brings them in" wait_for 30 stored_is 3
ok "... fetched by a child process, as the log says" \
	grep -q "archive kvm: 2 new messages" "$D/run.log"

# A subscriber added now: the daemon takes them in from the store, and
# their first digest covers the archive up to its new tip.
ok "the operator subscribes bob while the daemon runs" \
	pl subscribers add bob@example.org "$D/svm.rules"
ok "bob's digest follows" wait_for 30 received_some bob@example.org
check "... up to the tip the fetch brought" "kvm update up to $t3" \
	"$(first_line bob@example.org)"

# A removal at the origin (public-inbox-learn rm commits a "d") removes
# the message from the store at the next fetch.
patch 2 | public-inbox-learn rm >/dev/null 2>&1
ok "a message removed from the archive leaves the store" wait_for 30 stored_is 2
out=$(pl show --json "$D/state/mirror" |
	/usr/bin/python3 -c 'import json, sys; print(" ".join(json.loads(l)["message_id"] for l in sys.stdin))')
check "... and the mirror holds the origin's history" \
	"svm-1@amd.com svm-2@amd.com svm-3@amd.com" "$out"

kill -TERM "$DAEMON"
wait "$DAEMON"
check "SIGTERM stops the daemon with exit 0" 0 $?
finish
