#!/bin/sh
# Install the Debian packages patchletter needs to build and test, when any
# is missing. Idempotent and silent when everything is there; README.md's
# dependency table says why each one.
set -eu

# Build.
BUILD="gcc make pkg-config libetpan-dev libcurl4-gnutls-dev libgit2-dev
libconfuse-dev libsqlite3-dev libgnutls28-dev"
# Tests: unit tests, the real servers the integration tests start, the
# fuzzer's compiler, reference tools for the benchmarks, and the package
# test's tools (build and check the .deb, render the manual pages, check
# the systemd unit).
TEST="libcmocka-dev sqlite3 dovecot-imapd python3-aiosmtpd public-inbox
git clang libclang-rt-14-dev openssl procps debhelper lintian groff-base
man-db systemd time"

missing=
for p in $BUILD $TEST; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || s=
	[ "$s" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have empty package lists; refresh them once.
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null ||
	{ $SUDO apt-get update -q >/dev/null &&
	  $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null; }
