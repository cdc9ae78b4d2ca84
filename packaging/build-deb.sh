#!/bin/sh
# build-deb.sh VERSION: what `make deb` does. The design card keeps the
# Debian packaging in packaging/debian, so the package is built from a
# copy of the tree with packaging/debian put at debian/:
#
#   build-deb/patchletter-VERSION/           the tree, exported
#   build-deb/patchletter_VERSION_ARCH.deb   what dpkg-buildpackage -b made
#
# The tree exported is the committed one plus the uncommitted changes to
# tracked files (git stash create), never untracked or ignored files such
# as build outputs; outside git, a copy without the build folders.
# DEB_BUILD_OPTIONS is passed on (nocheck skips the unit tests), with
# parallel=NPROC added unless it names its own.
set -eu

version=${1:?usage: build-deb.sh VERSION}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build-deb
src=$out/patchletter-$version

cd "$top"
cl=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
if [ "$cl" != "$version" ]; then
	echo "deb: packaging/debian/changelog is at $cl, the Makefile's" \
		"VERSION at $version: make them agree" >&2
	exit 1
fi

rm -rf "$src"
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	commit=$(git stash create)
	git archive --format=tar "${commit:-HEAD}" | tar -x -C "$src"
else
	tar -c --exclude=./build --exclude='./build-*' --exclude=./.git . |
		tar -x -C "$src"
fi
cp -R "$src/packaging/debian" "$src/debian"

case " ${DEB_BUILD_OPTIONS:-} " in
*" parallel="*) ;;
*) DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=$(nproc)" ;;
esac
export DEB_BUILD_OPTIONS

cd "$src"
dpkg-buildpackage -us -uc -b
echo "deb: $(ls "$out"/patchletter_"$version"_*.deb)"
