# lib.sh: sourced by every integration test (bash).
#
#   . "$(dirname "$0")/lib.sh"
#   ok "what it checks" test -s "$out"      # runs a command
#   check "what" "$expected" "$actual"       # compares two strings
#   need_shared || finish                    # skip when ../shared is absent
#   finish                                   # prints "N passed, N failed"
#
# Servers and temp folders are cleaned up by the trap that tmpdir sets.
# A missing server or tool skips its tests with a message, unless
# PATCHLETTER_REQUIRE=1 (make check sets it: deps installed everything,
# so absence is a failure there).

set -u
: "${PATCHLETTER:?run through tests/integration/run.sh}"
TOP=$PATCHLETTER_TOP
SHARED=$PATCHLETTER_SHARED
FIXTURES=$TOP/tests/fixtures
T_PASSED=0
T_FAILED=0
T_N=0
T_CLEANUP=()

t_cleanup() {
	local i
	for ((i = ${#T_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${T_CLEANUP[$i]}" >/dev/null 2>&1 || :
	done
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

# at_exit CMD: run CMD (a string) at exit, last registered first.
at_exit() {
	T_CLEANUP+=("$1")
}

# tmpdir: print a fresh temp folder that is removed at exit.
tmpdir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/patchletter-test.XXXXXX")
	at_exit "rm -rf '$d'"
	echo "$d"
}

pass() {
	T_N=$((T_N + 1))
	T_PASSED=$((T_PASSED + 1))
	echo "ok $T_N - $1"
}

failed() {
	T_N=$((T_N + 1))
	T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_N - $1"
}

# ok DESCRIPTION CMD...: passes when CMD exits 0.
ok() {
	local what=$1
	shift
	if "$@"; then pass "$what"; else failed "$what"; fi
}

# check DESCRIPTION EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		failed "$1"
		echo "#   expected: $(printf '%s' "$2" | head -c 2000)"
		echo "#   actual:   $(printf '%s' "$3" | head -c 2000)"
	fi
}

# skip_or_fail WHY: skip the rest (exit through finish) or fail when the
# run requires everything.
skip_or_fail() {
	if [ "${PATCHLETTER_REQUIRE:-0}" = 1 ]; then
		failed "required but unavailable: $1"
	else
		echo "# skip: $1"
	fi
	finish
}

need_shared() {
	[ -d "$SHARED/corpus" ] && return 0
	echo "# skip: ../shared is absent ($SHARED); tests on the real corpus skipped"
	return 1
}

need_cmd() {
	command -v "$1" >/dev/null 2>&1 || skip_or_fail "$1 not installed"
}

# wait_for DEADLINE_SECONDS CMD...: poll CMD until it succeeds.
wait_for() {
	local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 ))
	shift
	until "$@"; do
		[ $(( $(date +%s%N) / 1000000 )) -lt $deadline ] || return 1
		sleep 0.05
	done
}

# free_port: print a TCP port on 127.0.0.1 nobody listens on.
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

finish() {
	echo "$T_PASSED passed, $T_FAILED failed"
	[ "$T_FAILED" -eq 0 ]
	exit $?
}
