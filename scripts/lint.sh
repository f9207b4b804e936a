#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# xlb quality gates: kernel style, static analysis and formatting.
#
# usage: scripts/lint.sh [-v] [GATE...]
#        scripts/lint.sh --apply-format       (make format)
#   GATE: checkpatch sparse cppcheck clang-tidy format bats (default: all)
#   -v    also print the full clang-format diff of every drifting file
#
# Every finding is printed as "FILE:LINE: GATE: message", then one summary
# line per gate ("lint: GATE: N findings") and a verdict.  The exit status is
# 0 only when every gate ran and found nothing.  Which files each gate
# covers, and why, is in Documentation/CONTRIBUTING.md.
#
# Environment: BUILD (build dir, default build), KDIR (kernel headers of the
# VM kernel, default from scripts/kabi.sh), CHECKPATCH (path of
# checkpatch.pl, default: fetched by scripts/fetch-checkpatch.sh),
# CLANG_TIDY, CLANG_FORMAT, CPPCHECK (tool names), LINT_STRICT_CHECKS=1
# (also fail on checkpatch CHECK-level findings).
set -u
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
CLANG_TIDY=${CLANG_TIDY:-clang-tidy-14}
CLANG_FORMAT=${CLANG_FORMAT:-clang-format-14}
CPPCHECK=${CPPCHECK:-cppcheck}
verbose=0

# --- which files each gate looks at ---------------------------------------

# Kernel code: compiled into xlb.ko, held to checkpatch --strict.
kernel_files() {
	find kmod -name '*.[ch]' ! -name compat.h 2>/dev/null | sort
	ls lib/maglev.c lib/maglev.h 2>/dev/null
}

# kmod/compat.h is the one place that tests the kernel version: there the
# version checks checkpatch warns about are the point.
COMPAT_IGNORE=LINUX_VERSION_CODE,CONSTANT_COMPARISON

# Headers shared by the module, the XDP program and userspace: checkpatch
# with the few rules that cannot hold outside the kernel tree switched off.
shared_headers() {
	ls include/uapi/*.h lib/xlb_hash.h 2>/dev/null
}
SHARED_IGNORE=COMPLEX_MACRO,MACRO_ARG_REUSE,PREFER_DEFINED_ATTRIBUTE_MACRO

# Userspace C analysed by cppcheck and clang-tidy: lbctl, host tests and
# benchmarks, and lib/*.c (also linked into lbctl and the unit tests).
user_c_files() {
	find user tests -name '*.c' ! -name '*.bpf.c' 2>/dev/null | sort
	ls lib/*.c 2>/dev/null
}

# Code formatted by .clang-format: userspace and BPF (not kernel code).
format_files() {
	find user bpf tests -name '*.[ch]' 2>/dev/null | sort
}

USER_CFLAGS="-std=gnu11 -D_GNU_SOURCE -Iinclude -Iinclude/uapi -Ilib -Iuser \
-Itests/unit -Itests/bpf -I$BUILD \
$(pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)"

# bats suites and the helper files they load: assertions that cannot fail
# (scripts/lint_bats.py).
bats_files() {
	find tests \( -name '*.bats' -o -name '*.bash' \) 2>/dev/null | sort
}

# --- helpers ----------------------------------------------------------------

declare -A found	# gate -> number of findings
declare -A broken	# gate -> reason the gate could not run
gates_run=()

finding_count() {
	# stdin: tool output already reduced to finding lines
	grep -c . || true
}

# --- gates ------------------------------------------------------------------

gate_checkpatch() {
	local cp=${CHECKPATCH:-}
	local out n fail_re='(ERROR|WARNING)'

	if [ -z "$cp" ]; then
		cp=$(scripts/fetch-checkpatch.sh) || {
			broken[checkpatch]="cannot fetch checkpatch.pl"
			return
		}
	fi
	[ "${LINT_STRICT_CHECKS:-0}" = 1 ] && fail_re='(ERROR|WARNING|CHECK)'

	local kf sf
	mapfile -t kf < <(kernel_files)
	mapfile -t sf < <(shared_headers)
	out=$(
		{
			[ ${#kf[@]} -gt 0 ] &&
			perl "$cp" --strict --no-tree --terse --show-types \
				--no-summary --max-line-length=80 -f "${kf[@]}"
			perl "$cp" --strict --no-tree --terse --show-types \
				--no-summary --max-line-length=80 \
				--ignore "$COMPAT_IGNORE" -f kmod/compat.h
			[ ${#sf[@]} -gt 0 ] &&
			perl "$cp" --strict --no-tree --terse --show-types \
				--no-summary --max-line-length=80 \
				--ignore "$SHARED_IGNORE" -f "${sf[@]}"
		} 2>&1 | sed -E 's/^([^:]+:[0-9]+): /\1: checkpatch: /'
	)
	# Advisory CHECKs are shown but (by default) do not fail the gate.
	printf '%s\n' "$out" | grep -E ": checkpatch: CHECK:" |
		grep -vE ": checkpatch: $fail_re:" | sed 's/$/ (advisory)/'
	printf '%s\n' "$out" | grep -E ": checkpatch: $fail_re:"
	n=$(printf '%s\n' "$out" | grep -E ": checkpatch: $fail_re:" |
		finding_count)
	found[checkpatch]=$n
}

gate_sparse() {
	local kdir=${KDIR:-/usr/src/linux-headers-$(scripts/kabi.sh)}
	local dir="$BUILD/lint/sparse" abs out rc

	if ! command -v sparse >/dev/null; then
		broken[sparse]="sparse is not installed (scripts/setup.sh)"
		return
	fi
	if [ ! -d "$kdir" ]; then
		broken[sparse]="no kernel headers at $kdir"
		return
	fi
	# A private copy: checking everything (C=2) must not race with, or
	# leave objects behind in, the tree other builds use.
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -a Kbuild kmod lib include "$dir"/
	abs=$(cd "$dir" && pwd)
	out=$(make -s -C "$kdir" M="$abs" C=2 modules 2>&1)
	rc=$?
	out=$(printf '%s\n' "$out" | sed "s|$abs/||g")
	if [ $rc -ne 0 ]; then
		printf '%s\n' "$out" | grep -E '(error|warning|Error|No rule)' |
			head -20 | sed 's/^/sparse: build: /'
		broken[sparse]="module build failed (make C=2, exit $rc)"
		return
	fi
	# Findings in our files only; kernel headers are not ours to fix.
	out=$(printf '%s\n' "$out" |
		grep -E '^(kmod|lib|include)/[^:]+:[0-9]+:[0-9]+: (warning|error):' |
		sed -E 's/^([^:]+:[0-9]+):[0-9]+: /\1: sparse: /' |
		awk '!seen[$0]++')	# headers are seen once per .c file
	[ -n "$out" ] && printf '%s\n' "$out"
	found[sparse]=$(printf '%s\n' "$out" | finding_count)
}

gate_cppcheck() {
	local files out rc

	mapfile -t files < <(user_c_files)
	if [ ${#files[@]} -eq 0 ]; then
		found[cppcheck]=0
		return
	fi
	# Not -I$BUILD: the generated skeletons embed the BPF objects as
	# string literals of several MB, which cppcheck takes minutes to parse
	# (and they are not ours; clang-tidy sees them).
	# shellcheck disable=SC2086 # USER_CFLAGS is a list of flags
	out=$("$CPPCHECK" -q --std=c11 --language=c --platform=unix64 \
		--library=gnu --library=posix --library=scripts/cppcheck-libs.cfg \
		--enable=warning,style,performance,portability \
		--inline-suppr --suppressions-list=.cppcheck-suppressions \
		--template='{file}:{line}: cppcheck: {severity}:{id}: {message}' \
		$(printf '%s\n' $USER_CFLAGS | grep -E '^-[ID]' |
			grep -vx -- "-I$BUILD") \
		"${files[@]}" 2>&1)
	rc=$?
	if [ $rc -ne 0 ]; then
		printf '%s\n' "$out" | grep -v ': cppcheck: ' | head -5
		broken[cppcheck]="cppcheck failed (exit $rc)"
		return
	fi
	out=$(printf '%s\n' "$out" | grep -E ': cppcheck: ')
	[ -n "$out" ] && printf '%s\n' "$out"
	found[cppcheck]=$(printf '%s\n' "$out" | finding_count)
}

gate_clang_tidy() {
	local files out

	mapfile -t files < <(user_c_files)
	if [ ${#files[@]} -eq 0 ]; then
		found[clang-tidy]=0
		return
	fi
	if [ ! -e "$BUILD/xlb.skel.h" ]; then
		broken[clang-tidy]="$BUILD/xlb.skel.h missing (make bpf first)"
		return
	fi
	# One clang-tidy per file, as many at once as there are CPUs; each
	# writes its own log so the outputs cannot interleave.
	local tmp
	tmp=$(mktemp -d)
	# shellcheck disable=SC2016,SC2086 # the inner sh expands $0..$@;
	# USER_CFLAGS is a list of flags
	printf '%s\n' "${files[@]}" |
		xargs -P "$(nproc)" -I{} sh -c \
			'f=$1 ct=$2; shift 2
			 "$ct" --quiet "$f" -- "$@" >"$0/$(echo "$f" | tr / _).log" 2>&1' \
			"$tmp" {} "$CLANG_TIDY" $USER_CFLAGS
	out=$(cat "$tmp"/*.log 2>/dev/null |
		grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' |
		sed -E "s|^$PWD/||; s/^([^:]+:[0-9]+):[0-9]+: /\1: clang-tidy: /" |
		grep -v "^$BUILD/" |	# generated skeletons are not ours
		sort -u)
	rm -rf "$tmp"
	[ -n "$out" ] && printf '%s\n' "$out"
	found[clang-tidy]=$(printf '%s\n' "$out" | finding_count)
}

gate_format() {
	local f d n total=0 nfiles=0

	while read -r f; do
		d=$("$CLANG_FORMAT" --style=file "$f" | diff -u "$f" -)
		[ -z "$d" ] && continue
		n=$(printf '%s\n' "$d" | grep -c '^-[^-]')
		nfiles=$((nfiles + 1))
		total=$((total + n))
		printf '%s:%s: format: %s lines differ from .clang-format (make format)\n' \
			"$f" "$(printf '%s\n' "$d" |
				sed -nE 's/^@@ -([0-9]+).*/\1/p' | head -1)" "$n"
		[ $verbose = 1 ] && printf '%s\n' "$d"
	done < <(format_files)
	found[format]=$nfiles
}

gate_bats() {
	local files out rc

	mapfile -t files < <(bats_files)
	if [ ${#files[@]} -eq 0 ]; then
		found[bats]=0
		return
	fi
	if ! command -v python3 >/dev/null; then
		broken[bats]="python3 is not installed"
		return
	fi
	out=$(python3 scripts/lint_bats.py "${files[@]}")
	rc=$?
	if [ $rc -gt 1 ]; then
		printf '%s\n' "$out"
		broken[bats]="scripts/lint_bats.py could not parse a file (exit $rc)"
		return
	fi
	[ -n "$out" ] && printf '%s\n' "$out"
	found[bats]=$(printf '%s\n' "$out" | finding_count)
}

# --- main -------------------------------------------------------------------

all_gates=(checkpatch sparse cppcheck clang-tidy format bats)
want=()
for a in "$@"; do
	case $a in
	-v) verbose=1 ;;
	--apply-format)
		format_files | xargs -r "$CLANG_FORMAT" --style=file -i
		exit ;;
	all) want+=("${all_gates[@]}") ;;
	checkpatch|sparse|cppcheck|clang-tidy|format|bats) want+=("$a") ;;
	*) echo "lint.sh: unknown gate \"$a\": expected one of" \
		"${all_gates[*]} or all" >&2; exit 2 ;;
	esac
done
[ ${#want[@]} -eq 0 ] && want=("${all_gates[@]}")

for g in "${want[@]}"; do
	gates_run+=("$g")
	"gate_${g//-/_}"
done

status=0
for g in "${gates_run[@]}"; do
	if [ -n "${broken[$g]:-}" ]; then
		echo "lint: $g: could not run: ${broken[$g]}"
		status=1
	else
		echo "lint: $g: ${found[$g]:-0} findings"
		[ "${found[$g]:-0}" -eq 0 ] || status=1
	fi
done
if [ $status -eq 0 ]; then
	echo "lint: PASS"
else
	echo "lint: FAIL"
fi
exit $status
