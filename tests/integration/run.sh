#!/bin/sh
# Run every tests/integration/t*.sh against the build in $1 and total them.
# Each script prints "ok N - ..." / "not ok N - ..." lines and its own
# "N passed, N failed" line; this runner adds them up and ends with one.
set -u
O=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
export PATCHLETTER_TOP="$top"
export PATCHLETTER="$top/$O/patchletter"
export PATCHLETTER_BUILD="$top/$O"
: "${PATCHLETTER_SHARED:=$top/../shared}"
export PATCHLETTER_SHARED
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

passed=0 failed=0
for t in "$top"/tests/integration/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	echo "# $(basename "$t")"
	t0=$(date +%s)
	out=$(bash "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	echo "# $(basename "$t"): $(($(date +%s) - t0)) s"
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.*, \([0-9]*\) failed$/\1/p')
	if [ -z "$line" ] || { [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; }; then
		echo "# $(basename "$t"): exited $rc without a clean summary"
		f=$(( ${f:-0} + 1 ))
	fi
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
done
echo "integration: $passed passed, $failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
