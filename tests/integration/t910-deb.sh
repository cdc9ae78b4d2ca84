#!/bin/bash
# The Debian package (issue 9), end to end on this machine: `make deb`
# builds it (unit tests included), lintian finds no error in it, it
# installs with its dependencies, creates the patchletter system user, the
# conffile and the state directory, the program runs as that user the way
# the systemd unit starts it, and a purge leaves nothing behind but the
# state directory and its user, as README.Debian documents.
#
# The service end to end (issue 9, item 4): the installed configuration
# is pointed at a Dovecot and an SMTP server started on loopback, the
# unit's own command line runs as the unit's user, the operator
# subscribes someone with the installed program, list mail arrives over
# IMAP, and one digest reaches the SMTP server; reload and stop are what
# the unit says they are (ExecReload=, SIGTERM).
#
# It installs a package, creates a system user and starts Dovecot (whose
# processes change users), so it needs root, and it refuses to run where
# a patchletter package is already installed (it would replace and then
# purge it) or where one left its state directory behind (it would write
# into someone's store). What it created (the user, the state directory)
# is removed at exit, so the machine ends as it was.
#
# The package is built from the committed tree plus the uncommitted
# changes to tracked files (packaging/build-deb.sh): a file not yet added
# to git is not in the package under test. A dirty tree is not refused;
# the .deb is rebuilt whenever that tree changes.
#
# make check runs the suite twice, plain then under ASan. The package is
# built by dpkg-buildpackage with Debian's flags, whatever the build folder
# holds, so the sanitizer pass would only repeat the plain one: it skips.
# A .deb built from the same tree is reused rather than built again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-dovecot.sh"
. "$(dirname "$0")/lib-smtp.sh"

if grep -q __asan_init "$PATCHLETTER" 2>/dev/null; then
	echo "# skip: a sanitizer build; the package is built apart from it," \
		"and the plain pass of make check tests it"
	finish
fi

[ "$(id -u)" -eq 0 ] ||
	skip_or_fail "needs root: it installs a package and starts Dovecot"
for c in dpkg-buildpackage dh lintian apt-get runuser setpriv git \
	systemd-analyze man flock dovecot; do
	need_cmd "$c"
done
# need_dovecot would ask for the imap_driver too, which this test does not
# use.
id dovenull >/dev/null 2>&1 && id dovecot >/dev/null 2>&1 ||
	skip_or_fail "the dovecot and dovenull users are missing"
need_smtpd

D=$(tmpdir)
OUT=$TOP/build-deb
VERSION=$(sed -n 's/^VERSION = //p' "$TOP/Makefile")
ARCH=$(dpkg --print-architecture)
DEB=$OUT/patchletter_${VERSION}_${ARCH}.deb
APT=(apt-get -y -q -o DPkg::Lock::Timeout=300)

# Two make checks on one machine (two worktrees) must not install and
# purge at the same time.
exec 9>/run/lock/patchletter-test-deb.lock
flock -w 900 9 || skip_or_fail "another package test holds the lock"
# Under the lock: another run's package is gone once it is ours.
state=$(dpkg-query -W -f='${db:Status-Status}' patchletter 2>/dev/null)
case $state in
"" | not-installed) ;;
*) skip_or_fail "a patchletter package is $state here; this test would replace and purge it" ;;
esac
[ ! -e /var/lib/patchletter ] ||
	skip_or_fail "/var/lib/patchletter exists (a purged package's store?); this test would write into it"

# --- build ---------------------------------------------------------------
# The tree make deb exports: the commit plus uncommitted changes to
# tracked files (git stash create), identified by its tree id.
tree=$(cd "$TOP" && c=$(git stash create) && git rev-parse "${c:-HEAD}^{tree}" 2>/dev/null)
if [ -n "$tree" ] && [ -f "$DEB" ] && [ "$(cat "$OUT/.tree" 2>/dev/null)" = "$tree" ]; then
	pass "make deb: reusing $(basename "$DEB"), built from this tree"
else
	rm -f "$OUT/.tree"
	start=$(date +%s)
	if make -C "$TOP" --no-print-directory deb >"$D/build.log" 2>&1; then
		pass "make deb builds the package, unit tests included ($(($(date +%s) - start)) s)"
		[ -z "$tree" ] || echo "$tree" >"$OUT/.tree"
	else
		failed "make deb builds the package"
		# cmocka's lines about a failed test, then how the build ended.
		grep -B 12 -E '^\[  (FAILED|ERROR) +\]' "$D/build.log" |
			head -n 60 | sed 's/^/#   /'
		tail -n 20 "$D/build.log" | sed 's/^/#   /'
		finish
	fi
fi
ok "the package is $(basename "$DEB")" test -f "$DEB"
check "its version is the Makefile's" "$VERSION" "$(dpkg-deb -f "$DEB" Version)"

# --- what is in it ------------------------------------------------------------
# lintian: no error (E:); what else it says is printed for the record.
lintian --display-info --fail-on error "$DEB" >"$D/lintian" 2>&1
rc=$?
sed -n '/^[EWIPX]: /s/^/# lintian: /p' "$D/lintian"
check "lintian finds no error in the package" 0 $rc

dpkg-deb -c "$DEB" | awk '{ print $NF }' | sed 's,^\./,/,' >"$D/contents"
for f in /usr/bin/patchletter /etc/patchletter/patchletter.conf \
	/lib/systemd/system/patchletter.service \
	/usr/share/patchletter/templates/digest.txt \
	/usr/share/man/man1/patchletter.1.gz \
	/usr/share/man/man5/patchletter.conf.5.gz \
	/usr/share/man/man5/patchletter-rules.5.gz \
	/usr/share/doc/patchletter/README.Debian \
	/usr/share/doc/patchletter/copyright; do
	ok "the package holds $f" grep -qx "$f" "$D/contents"
done
dpkg-deb -e "$DEB" "$D/control"
check "the configuration is its one conffile" /etc/patchletter/patchletter.conf \
	"$(cat "$D/control/conffiles")"
ok "the package does not ship the state directory (postinst makes it)" \
	bash -c "! grep -q '^/var/lib/patchletter' '$D/contents'"

# --- install -----------------------------------------------------------------
# Names under the system's folders, to compare after the purge.
leftovers() {
	find /etc /usr /lib /var /opt /srv -name '*patchletter*' \
		-not -path '/var/lib/patchletter/*' 2>/dev/null | sort
}
leftovers >"$D/before"
had_user=$(getent passwd patchletter)
# Whatever happens next, leave the machine as it was (the last registered
# runs first: the purge, then what it leaves).
at_exit "rm -rf /var/lib/patchletter"
[ -n "$had_user" ] || at_exit "deluser --system --quiet patchletter;
	delgroup --system --quiet patchletter"
at_exit "dpkg --purge patchletter"
# `dpkg -i` and `apt-get -f install` in one step that waits for the lock.
cp "$DEB" "$D/"
chmod 644 "$D/$(basename "$DEB")"
chmod 755 "$D"
if "${APT[@]}" install "$D/$(basename "$DEB")" >"$D/install.log" 2>&1; then
	pass "the package installs with its dependencies"
else
	failed "the package installs with its dependencies"
	tail -n 20 "$D/install.log" | sed 's/^/#   /'
	finish
fi
check "dpkg has it installed" "install ok installed" \
	"$(dpkg-query -W -f='${Status}' patchletter)"

IFS=: read -r _ _ uid gid _ home shell <<<"$(getent passwd patchletter)"
ok "the patchletter user exists" test -n "$uid"
ok "it is a system user (uid $uid)" test "$uid" -lt 1000
check "its home is the state directory" /var/lib/patchletter "$home"
check "it cannot log in" /usr/sbin/nologin "$shell"
check "its group is patchletter" patchletter "$(getent group "$gid" | cut -d: -f1)"
check "the state directory is patchletter's, mode 0750" \
	"patchletter:patchletter 750" "$(stat -c '%U:%G %a' /var/lib/patchletter)"
ok "the conffile is the annotated example" \
	cmp -s /etc/patchletter/patchletter.conf "$TOP/packaging/patchletter.conf"
ok "dpkg knows it as a conffile" \
	bash -c "dpkg-query -W -f='\${Conffiles}' patchletter | grep -q ' /etc/patchletter/patchletter.conf '"
ok "the templates are in /usr/share/patchletter/templates" \
	test -s /usr/share/patchletter/templates/digest.txt
ok "the manual pages are found by man" \
	bash -c "{ man -w patchletter && man -w 5 patchletter.conf &&
		man -w 5 patchletter-rules; } >/dev/null"
ok "the service is installed disabled (the configuration needs editing first)" \
	test ! -e /etc/systemd/system/multi-user.target.wants/patchletter.service
ok "systemd-analyze verify accepts the installed unit" \
	systemd-analyze verify --man=no /lib/systemd/system/patchletter.service
score=$(systemd-analyze security --offline=yes --no-pager \
	/lib/systemd/system/patchletter.service 2>/dev/null |
	sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
echo "# systemd-analyze security: exposure $score"
# README.md gives the figure and the systemd version it was measured on;
# on that version it must be the README's, elsewhere close to it.
readme=$(sed -n 's/.*exposure \*\*\([0-9.]*\) .* on systemd \([0-9]*\).*/\1 \2/p' \
	"$TOP/README.md")
if [ "${readme#* }" = "$(systemd-analyze --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p')" ]; then
	check "the unit's exposure is README's (systemd ${readme#* })" \
		"${readme% *}" "$score"
else
	ok "the unit's exposure stays at most 1.5 (README: ${readme% *} on systemd ${readme#* })" \
		awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 1.5) }'
fi

# --- the program, as the unit runs it ------------------------------------------
# The unit's command line, as its user, with the installed configuration.
UNIT=/lib/systemd/system/patchletter.service
# unit_get KEY: the value of the unit's last KEY= line (the one in force
# for a setting that takes one value).
unit_get() {
	sed -n "s/^$1=//p" "$UNIT" | tail -n 1
}
# plain_words LINE: what this shell can run as systemd would: no prefix
# (- @ : + !), specifier (%), variable ($) or quoting.
plain_words() {
	! grep -q '^[-@:+!]\|[%$"'\''\\]' <<<"$1"
}
exec_start=$(unit_get ExecStart)
check "the unit runs patchletter run as in the manual" \
	"/usr/bin/patchletter -c /etc/patchletter/patchletter.conf run --foreground" \
	"$exec_start"
ok "ExecStart= is plain words" plain_words "$exec_start"
unit_user=$(unit_get User)
unit_group=$(unit_get Group)
unit_umask=$(unit_get UMask)
unit_wd=$(unit_get WorkingDirectory)
check "the unit runs as the package's user, in its state directory" \
	"patchletter patchletter /var/lib/patchletter" \
	"$unit_user ${unit_group:-$unit_user} $unit_wd"
as_bot() { runuser -u patchletter -- "$@"; }
# Whole outputs, then grep: a pipe closed early makes runuser report the
# SIGPIPE its child got.
out=$(as_bot patchletter --help)
check "patchletter --help runs as the patchletter user" "0 yes" \
	"$? $(grep -q '^  run ' <<<"$out" && echo yes)"
check "--version is the package's" "patchletter $VERSION" \
	"$(as_bot patchletter --version)"
CONF=(-c /etc/patchletter/patchletter.conf)
n=$(grep -c '^From mboxrd@z' "$TOP/tests/demo/sample-list.mbox")
out=$(as_bot patchletter "${CONF[@]}" ingest - <"$TOP/tests/demo/sample-list.mbox")
check "as its user, with the installed configuration, it stores mail in the state directory" \
	"ingest: $n messages: $n stored, 0 duplicates, 0 unparsed" "${out% (*}"
check "the store is the user's" patchletter \
	"$(stat -c %U /var/lib/patchletter/patchletter.db)"
out=$(as_bot patchletter "${CONF[@]}" digest)
check "the digest renders with the installed templates" "0 yes" \
	"$? $(grep -q 'Get it: b4 am ' <<<"$out" && echo yes)"

# --- the service, end to end ------------------------------------------------
# "Starts the service's command line the way the unit would": no systemd
# runs units here (a container's PID 1 is not systemd), so this shell does
# what systemd would, from the unit's own lines (unit_user and the rest
# above): the user, group, umask and working directory, no new privileges
# and no capabilities, a clean environment with NOTIFY_SOCKET, then
# ExecStart=; ExecReload= is `systemctl reload`, SIGTERM `systemctl stop`.
# The sandbox (ProtectSystem=strict and the rest) is not reproduced; what
# it would forbid is looked for after the run instead: files written
# outside the state directory.
unit_priv=(--reuid="$unit_user" --regid="${unit_group:-$unit_user}" --init-groups)
[ "$(unit_get NoNewPrivileges)" = yes ] && unit_priv+=(--no-new-privs)
# An empty CapabilityBoundingSet= is an empty bounding set.
grep -qx 'CapabilityBoundingSet=' "$UNIT" &&
	unit_priv+=(--bounding-set=-all --inh-caps=-all)
# systemd's environment for a service with User=: PATH, HOME, USER,
# LOGNAME and SHELL from the user's entry, nothing inherited.
unit_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	HOME="$home" USER="$unit_user" LOGNAME="$unit_user" SHELL="$shell")
# as_unit [VAR=VALUE...] CMD...: CMD as the unit runs its commands.
as_unit() {
	local vars=()
	while [ $# -gt 0 ] && [[ $1 == *=* ]]; do
		vars+=("$1")
		shift
	done
	env -i "${unit_env[@]}" "${vars[@]}" setpriv "${unit_priv[@]}" \
		/bin/sh -c 'umask "$1" && cd "$2" && shift 2 && exec "$@"' sh \
		"${unit_umask:-0022}" "${unit_wd:-/}" "$@"
}
read -ra start_argv <<<"$exec_start"
BIN=${start_argv[0]}

# The servers, on loopback. Dovecot's own users must reach its folder.
mkdir -p "$D/dc" "$D/smtp"
dovecot_setup "$D/dc"
dovecot_start "$D/dc" || finish
SMTP_PORT=$(free_port)
smtp_start "$D/smtp" "$SMTP_PORT" || finish

# The list traffic: tests/demo's generator, dated from an hour ago so that
# it is news to a subscriber. What the digest must show is read from it:
# the list's List-Id, and the work alice's rule (arch/x86/kvm/svm/)
# catches. A work is what a thread starts (a cover letter, a lone patch,
# a pull request) touching that folder; the postings of one title are
# versions of one work (DESIGN.md's "same normalised title and author"),
# of which the digest lists the newest. One line per work:
# versions, newest Message-ID, newest Subject, oldest Subject.
PATCHLETTER_SAMPLE_BASE=$(($(date +%s) - 3600)) \
	/usr/bin/python3 "$TOP/tests/demo/make-sample-mbox.py" >"$D/list.mbox"
list_id=$(sed -n 's/^List-Id: .*<\(.*\)>.*/\1/p' "$D/list.mbox" | sort -u)
/usr/bin/python3 - "$D/list.mbox" >"$D/works" <<'PY'
import mailbox, re, sys
works = {}
for m in mailbox.mbox(sys.argv[1]):
    subject = " ".join(str(m["Subject"]).split())
    body = m.get_payload(decode=True) or b""
    tags = re.match(r"\[([^]]*)\] *(.*)", subject)
    if not tags or b"arch/x86/kvm/svm/" not in body:
        continue  # replies ("Re: ..."), or elsewhere in the tree
    n = re.search(r"\b([0-9]+)/[0-9]+$", tags.group(1))
    if n and int(n.group(1)) != 0:
        continue  # a patch of a series: its cover letter stands for it
    mid = m["Message-ID"].strip("<> ")
    works.setdefault(tags.group(2), []).append((mid, subject))
for postings in works.values():
    print("%d\t%s\t%s\t%s" % (len(postings), postings[-1][0],
                              postings[-1][1], postings[0][1]))
PY
nr_works=$(wc -l <"$D/works")
nr_versions=$(awk -F '\t' '$1 > 1' "$D/works" | wc -l)
check "the input: one list; the rule catches work with new versions" "1 yes yes" \
	"$(wc -l <<<"$list_id") $([ "$nr_works" -ge 1 ] && echo yes) $([ "$nr_versions" -ge 1 ] && echo yes)"

# The operator's edit of the installed configuration (the shipped one is
# put back before the purge, so that dpkg sees its conffile unmodified;
# should the test stop before, the purge at exit removes both),
# and the password file as README.Debian says to make it. state-dir and
# templates-dir are left out: the built-in defaults are the package's.
cp -p /etc/patchletter/patchletter.conf "$D/shipped.conf"
cat >"$D/test.conf" <<CONF
# The package test's: a Dovecot and an SMTP server on loopback.
bot {
	address = "patchletter@example.org"
	log-level = debug
}
list kvm {
	list-id = "$list_id"
}
imap test {
	host = "127.0.0.1"
	port = $DOVECOT_PORT
	tls = none
	user = "bot"
	password-file = "/etc/patchletter/imap.password"
	timeout = 10s
}
smtp {
	url = "smtp://127.0.0.1:$SMTP_PORT"
	tls = none
	timeout = 10s
}
CONF
cat "$D/test.conf" >/etc/patchletter/patchletter.conf
install -m 600 -o "$unit_user" -g "${unit_group:-$unit_user}" \
	"$D/dc/password" /etc/patchletter/imap.password
# The ingest above stored the same Message-IDs (the same sample, other
# dates): the service starts from an empty state directory, as on a new
# installation.
find /var/lib/patchletter -mindepth 1 -delete

# The service manager's end of sd_notify: an abstract socket, which the
# unit's user can reach without a file; it notes each sender's pid, as
# systemd does to check NotifyAccess=main.
notify=patchletter-test-$$-$RANDOM
/usr/bin/python3 "$TOP/tests/integration/notifyd.py" "$notify" \
	"$D/notify" 2>>"$D/notifyd.log" &
at_exit "kill $!"
wait_for 10 grep -qs '^# listening' "$D/notify" ||
	failed "the notify listener starts"
# notified VAR=VALUE: how many times the daemon said it.
notified() {
	awk -v a="$1" '$3 == a' "$D/notify" | wc -l
}
notified_at_least() {
	test "$(notified "$1")" -ge "$2"
}
received_for() {
	grep -l "^X-RcptTo: $1" "$D/smtp/received/new/"* 2>/dev/null | wc -l
}
received_some() {
	test "$(received_for "$1")" -ge 1
}

touch "$D/started"
as_unit NOTIFY_SOCKET="@$notify" "${start_argv[@]}" >"$D/run.log" 2>&1 &
DAEMON=$!
at_exit "kill $DAEMON"
ok "the unit's command line starts and says READY=1 (the mailbox is open)" \
	wait_for 30 notified_at_least READY=1 1
# The main pid, as systemd knows it: the sender of READY=1.
mainpid=$(awk '$3 == "READY=1" { print $1; exit }' "$D/notify")
if [ -z "$mainpid" ]; then
	echo "# its log:"
	sed 's/^/#   /' "$D/run.log"
	pkill -TERM -P "$DAEMON"
	finish
fi
# Gone before the purge, or userdel refuses to delete its user.
at_exit "kill $mainpid; wait_for 10 pid_gone $mainpid"
# Real and effective ids (systemd's User= and Group= set both).
check "it runs as the unit's user and group" "$uid $uid $gid $gid" \
	"$(awk '/^Uid:/ { u = $2 " " $3 } /^Gid:/ { g = $2 " " $3 }
		END { print u, g }' "/proc/${mainpid:-0}/status" 2>/dev/null)"
check "... the installed program, without new privileges or capabilities" \
	"$BIN 1 0000000000000000" \
	"$(readlink "/proc/${mainpid:-0}/exe") $(awk '/^NoNewPrivs:/ { n = $2 }
		/^CapBnd:/ { c = $2 } END { print n, c }' "/proc/${mainpid:-0}/status" 2>/dev/null)"

# The operator subscribes alice with the installed program, as the unit's
# user, while the service runs; `systemctl reload` (ExecReload=, with
# $MAINPID) makes the daemon take the new subscription in.
cat >"$D/alice.rules" <<'RULES'
digest {
	frequency = immediate
}
rule "svm" {
	paths = { "arch/x86/kvm/svm/" }
}
RULES
chmod 644 "$D/alice.rules"
CONF=(-c /etc/patchletter/patchletter.conf)
out=$(as_unit "$BIN" "${CONF[@]}" subscribers add alice@example.org \
	"$D/alice.rules" 2>&1)
check "the operator subscribes alice as the unit's user" \
	"0 subscribers: alice@example.org: active, 1 rule in force" "$? $out"
exec_reload=$(unit_get ExecReload)
reload_line=${exec_reload//\$MAINPID/$mainpid}
ok "ExecReload= is plain words but for \$MAINPID" plain_words "$reload_line"
read -ra reload_argv <<<"$reload_line"
ok "ExecReload= runs" as_unit "${reload_argv[@]}"
ok "... the daemon reloads: RELOADING=1, then READY=1 again" \
	wait_for 20 notified_at_least READY=1 2
check "... once" 1 "$(notified RELOADING=1)"
ok "... with alice's subscription" \
	grep -q 'run: reloaded .* and 1 subscriptions;' "$D/run.log"

n=$(grep -c '^From mboxrd@z' "$D/list.mbox")
imapc "$D/dc" append-mbox INBOX "$D/list.mbox"
ok "the $n list mails reach Dovecot's mailbox, and one digest the SMTP server" \
	wait_for 60 received_some alice@example.org
mail=$(grep -l "^X-RcptTo: alice@example.org" "$D/smtp/received/new/"* | head -n 1)
/usr/bin/python3 "$TOP/tests/integration/mailcheck.py" "${mail:-/dev/null}" \
	--body-out "$D/body.txt" >"$D/mail.txt" 2>&1
field() {
	sed -n "s/^$1=//p" "$D/mail.txt"
}
check "it is to alice" alice@example.org "$(field to)"
check "from the bot, auto-generated" "patchletter <patchletter@example.org> auto-generated" \
	"$(field from) $(field auto-submitted)"
subject=$(field subject)
# As in the digest's own summary line: series, then new versions (an
# "s" from two on), then the day.
want="[kvm] $nr_works series for your rules"
[ "$nr_versions" -eq 0 ] ||
	want="$want, $nr_versions new version$([ "$nr_versions" -eq 1 ] || echo s)"
check "its Subject: the list, the series and new versions, today" \
	"$want ($(date -u +%F))" "$subject"
while IFS=$'\t' read -r versions new_id new_title old_title; do
	ok "it lists $new_title" grep -qF -- "$new_title" "$D/body.txt"
	ok "... with its b4 line" grep -qF "b4 am $new_id" "$D/body.txt"
	[ "$versions" -gt 1 ] || continue
	ok "... and not the version it supersedes, $old_title" \
		bash -c '! grep -qF -- "$1" "$2"' sh "$old_title" "$D/body.txt"
done <"$D/works"

kill -TERM "$mainpid"
wait_for 30 pid_gone "$mainpid" || {
	echo "# the daemon ignored SIGTERM for 30 s: killed"
	kill -KILL "$mainpid"
}
wait "$DAEMON"
check "SIGTERM (systemctl stop) ends it with exit 0" 0 $?
check "... after STOPPING=1" 1 "$(notified STOPPING=1)"
check "one digest was delivered, no more" 1 "$(received_for alice@example.org)"
check "no password in its log" 0 "$(grep -c secret "$D/run.log")"
ok "its store is in the state directory" test -f /var/lib/patchletter/patchletter.db
check "... which holds nothing but the user's private files (UMask=$unit_umask)" "" \
	"$(find /var/lib/patchletter -mindepth 1 \
		\( -not -user "$unit_user" -o -perm /077 \) -printf '%P %u %m\n')"
check "it wrote nothing outside the state directory (ProtectSystem=strict)" "" \
	"$(find /etc /var /run /opt /srv /home /dev/shm -newer "$D/started" \
		-user "$unit_user" -not -path '/var/lib/patchletter*' \
		-not -path '/var/tmp/*' 2>/dev/null)"
if [ "$T_FAILED" -gt 0 ]; then
	echo "# its log:"
	tail -n 40 "$D/run.log" | sed 's/^/#   /'
	echo "# the digest:"
	head -n 60 "$D/body.txt" 2>/dev/null | sed 's/^/#   /'
fi

cat "$D/shipped.conf" >/etc/patchletter/patchletter.conf
check "the shipped configuration is back: dpkg finds nothing modified" "" \
	"$(dpkg --verify patchletter 2>&1)"

# --- remove, purge -------------------------------------------------------------
if "${APT[@]}" purge patchletter >"$D/purge.log" 2>&1; then
	pass "the package purges"
else
	failed "the package purges"
	tail -n 20 "$D/purge.log" | sed 's/^/#   /'
fi
ok "dpkg has forgotten it" \
	bash -c "! dpkg-query -W -f='\${db:Status-Status}' patchletter 2>/dev/null | grep -q ."
ok "/etc/patchletter is gone" test ! -e /etc/patchletter
ok "the state directory stays, with the store (README.Debian)" \
	test -f /var/lib/patchletter/patchletter.db
ok "and so does the user that owns it" \
	bash -c "getent passwd patchletter >/dev/null"
leftovers >"$D/after"
# What appeared and stays: only the state directory itself.
check "nothing else of patchletter is left on the system" \
	/var/lib/patchletter \
	"$(comm -13 "$D/before" "$D/after" | tr '\n' ' ' | sed 's/ $//')"

finish
