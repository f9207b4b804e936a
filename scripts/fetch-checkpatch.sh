#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Put the kernel's scripts/checkpatch.pl and the data files it reads
# (spelling.txt, const_structs.checkpatch) into a cache directory, taken from
# Debian's linux-source-6.1 package.  checkpatch is never committed here.
#
# usage: scripts/fetch-checkpatch.sh [DIR]     (default: $XLB_CACHE/checkpatch)
# Prints the path of checkpatch.pl.  Idempotent: does nothing when present.
set -eu

cache=${XLB_CACHE:-/var/cache/xlb}
dir=${1:-$cache/checkpatch}
files="checkpatch.pl spelling.txt const_structs.checkpatch"

have_all() {
	for f in $files; do
		[ -s "$dir/$f" ] || return 1
	done
}

if have_all; then
	echo "$dir/checkpatch.pl"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xlb-checkpatch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# apt-get download runs as the _apt user when it can: give it a directory
# it may write to.
chmod 0777 "$tmp"
(cd "$tmp" && apt-get download -q linux-source-6.1 >&2) || {
	echo "fetch-checkpatch: apt-get download linux-source-6.1 failed" \
	     "(run apt-get update?)" >&2
	exit 1
}
deb=$(ls "$tmp"/linux-source-6.1_*.deb)
dpkg-deb --fsys-tarfile "$deb" |
	tar -x -C "$tmp" --wildcards '*/linux-source-6.1.tar.xz'
tarball=$(find "$tmp" -name linux-source-6.1.tar.xz)
members=""
for f in $files; do
	members="$members linux-source-6.1/scripts/$f"
done
# shellcheck disable=SC2086 # word splitting of $members is intended
tar -xJf "$tarball" -C "$tmp" $members

mkdir -p "$dir"
for f in $files; do
	install -m 0644 "$tmp/linux-source-6.1/scripts/$f" "$dir/$f"
done
chmod 0755 "$dir/checkpatch.pl"
dpkg-deb -f "$deb" Version >"$dir/VERSION"
echo "$dir/checkpatch.pl"
