#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: run every benchmark, print all their figures as
#   BENCH <group> <case> <value> <unit> [details]
# and then one human-readable table.  Documentation/performance.md explains
# each figure.  Parts:
#   xdp     make bench-xdp      data path ns/pkt on the host (BPF_PROG_TEST_RUN)
#   maglev  make bench-maglev   table build time, balance, disruption
#   bpf     make bench-bpf      verifier figures and map memory, host kernel
#   vm      make bench-vm       one VM boot: verifier on 6.1, lbctl vs IPVS
#
# usage: tests/bench/run.sh [OUTDIR]     (default build/bench)
#   BENCH_PARTS="xdp maglev bpf vm" selects parts.
# Raw output of each part is kept in OUTDIR/<part>.log, all BENCH lines in
# OUTDIR/bench.txt, the table in OUTDIR/table.txt.  Exit status is non-zero
# if a part failed (its figures are then missing, and the table says so);
# no figure is ever compared against a threshold.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

out=${1:-build/bench}
parts=${BENCH_PARTS:-xdp maglev bpf vm}
mkdir -p "$out"
{
	echo "# bench: $(date -u '+%Y-%m-%d %H:%M UTC'), commit" \
		"$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(
		git diff --quiet HEAD 2>/dev/null || echo ' (modified)')," \
		"host kernel $(uname -r), $(nproc) CPUs"
} | tee "$out/bench.txt"
failed=()

for p in $parts; do
	echo "== bench: $p (log: $out/$p.log)" >&2
	make --no-print-directory -s "bench-$p" >"$out/$p.log" 2>&1
	rc=$?
	# bench_xdp also reports the verifier figure of its own wrapper program
	# (bench_xdp.bpf.c): keep "BENCH bpf" for xlb.bpf.o (bench-bpf).
	grep -E '^BENCH ' "$out/$p.log" |
		if [ "$p" = xdp ]; then
			sed -E 's/^BENCH bpf /BENCH xdp bench_prog./'
		else
			cat
		fi | tee -a "$out/bench.txt"
	if [ $rc -eq 0 ] && ! grep -qE '^BENCH ' "$out/$p.log"; then
		echo "== bench: $p printed no BENCH line" >&2
		rc=1
	fi
	if [ $rc -ne 0 ]; then
		failed+=("$p")
		echo "== bench: $p FAILED (exit $rc); last lines of $out/$p.log:" >&2
		tail -n 15 "$out/$p.log" | sed 's/^/   /' >&2
	fi
done

# Derived: each data path case against the XDP_PASS floor of the same run.
awk '$1 == "BENCH" && $2 == "xdp" && $3 == "pass_floor" { f = $4 }
	$1 == "BENCH" && $2 == "xdp" && $5 == "ns/pkt" && $3 !~ /floor$/ {
		c[++n] = $3; v[n] = $4 }
	END {
		if (f > 0)
			for (i = 1; i <= n; i++)
				printf "BENCH xdp %s.vs_pass_floor %.2f x\n", c[i], v[i] / f
	}' "$out/bench.txt" | tee -a "$out/bench.txt"

{
	head -n 1 "$out/bench.txt"
	tests/bench/table.sh "$out/bench.txt"
} | tee "$out/table.txt"

if [ ${#failed[@]} -gt 0 ]; then
	echo "bench: parts that failed: ${failed[*]} (their figures are missing)"
	exit 1
fi
echo "bench: all parts ran (${parts})"
