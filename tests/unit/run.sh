#!/bin/sh
# Run every cmocka unit test binary in $1/tests/unit and total them.
# Fixtures are found through PATCHLETTER_FIXTURES and ../shared through
# PATCHLETTER_SHARED; a test that needs ../shared skips when it is absent.
set -u
O=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
export PATCHLETTER_FIXTURES="$top/tests/fixtures"
: "${PATCHLETTER_SHARED:=$top/../shared}"
export PATCHLETTER_SHARED
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

passed=0 failed=0 broken=
for t in "$top/$O"/tests/unit/test_*; do
	case $t in *.o|*.d) continue ;; esac
	[ -x "$t" ] || continue
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ $rc -ne 0 ] && [ -z "$f" ]; then
		# Crashed or killed by a sanitizer before cmocka could count.
		failed=$((failed + 1))
		broken="$broken $(basename "$t")"
	fi
done
[ -n "$broken" ] && echo "unit: crashed:$broken"
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
