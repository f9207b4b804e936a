#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install into a scratch DESTDIR: lbctl, xlb-healthd, xlb-announce,
# the module, the man pages (lbctl.8, xlb-healthd.8, xlb-announce.8, xlb.7)
# and the completion land where mk/install.mk says; no
# xlb.bpf.o (lbctl embeds the program); every installed man page renders
# without a groff or man warning.  Builds what is not built yet (make all).
#
# usage: tests/unit/test_install.sh
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root" || exit 1
# shellcheck source=tap.bash
. "$root/tests/unit/tap.bash"

# A make of our own: not check-asan's BUILD, not the caller's flags.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory \
	BUILD=build install DESTDIR="$tmp" PREFIX=/usr >"$tmp/make.log" 2>&1
rc=$?
result $((!rc)) "make install DESTDIR=... PREFIX=/usr" "exit $rc: $(tail -3 "$tmp/make.log")"
kabi=$(scripts/kabi.sh)
for f in usr/sbin/lbctl usr/sbin/xlb-healthd usr/sbin/xlb-announce \
	usr/share/man/man8/lbctl.8 usr/share/man/man7/xlb.7 \
	usr/share/man/man8/xlb-healthd.8 usr/share/man/man8/xlb-announce.8 \
	usr/share/bash-completion/completions/lbctl \
	"lib/modules/$kabi/extra/xlb.ko"; do
	[ -f "$tmp/$f" ]
	result $((!$?)) "installs /$f" "missing"
done
objs=$(cd "$tmp" && find usr lib -name '*.o' | tr '\n' ' ')
[ -z "$objs" ]
result $((!$?)) "installs no BPF object (lbctl embeds it)" "found: $objs"

for man in "$tmp"/usr/share/man/man*/*; do
	name=${man#"$tmp"/usr/share/man/}
	warn=$(groff -ww -man -z "$man" 2>&1)
	if command -v man >/dev/null; then
		warn+=$(MANWIDTH=80 man --warnings -l "$man" 2>&1 >/dev/null)
	fi
	[ -z "$warn" ]
	result $((!$?)) "$name renders without warnings" "$warn"
done

tap_done
