#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The data-path benchmark of this tree against another commit's data path,
# in one run: `make bench-xdp-ab BASE=<commit>` (or this script as root).
#
# The base is checked out in build/ab-base (a detached git worktree), this
# tree's benchmark (tests/bench/bench_xdp.c, bench_xdp.bpf.c,
# bench_bucket.h) is copied into it, so both binaries measure the same
# cases with the same harness, and only bpf/, include/ and lib/ differ.
# Then, in one network namespace, the two binaries run alternately ROUNDS
# times, in the order base, new, new,
# base, base, new, ... (a drift of the machine's load, or whatever the
# later run of a pair pays, falls on both sides alike);
# each run prints the median of its own interleaved rounds.  The result
# per case is the median over the ROUNDS runs of each side, and
# new/base speedup = base / new; "paired" is the median over the rounds of
# each round's own base / new (its two runs follow each other, so on a host
# whose speed drifts between states, many short rounds, BENCH_RUNS=1, pair
# runs that met the same state).
#
# usage: tests/bench/xdp_ab.sh BASE [ROUNDS]     (ROUNDS default 3)
#   BENCH_RUNS, BENCH_REPEAT, BENCH_CASE pass through to bench_xdp.
set -euo pipefail
cd "$(dirname "$0")/../.."

base=${1:?usage: $0 BASE-COMMIT [ROUNDS]}
rounds=${2:-3}
wt=build/ab-base
out=build/bench/ab
mkdir -p "$out"

rev=$(git rev-parse --verify "$base^{commit}")
if [ -d "$wt" ]; then
	git -C "$wt" checkout -q -f --detach "$rev"
else
	git worktree add -q --detach "$wt" "$rev"
fi
cp tests/bench/bench_xdp.c tests/bench/bench_xdp.bpf.c tests/bench/bench_bucket.h \
	"$wt/tests/bench/"
make -s -C "$wt" build/bench_xdp
make -s build/bench_xdp

echo "# xdp_ab: base $(git -C "$wt" log --oneline -1 | cut -c1-60)"
echo "# xdp_ab: new  $(git log --oneline -1 | cut -c1-60)$(
	git diff --quiet HEAD -- bpf include lib || echo ' (modified)')"
rm -f "$out"/base.* "$out"/new.*
# shellcheck disable=SC2016 # expanded by the inner shell
tests/bpf/run.sh sh -c '
	i=0
	while [ $i -lt "$3" ]; do
		if [ $((i % 2)) = 0 ]; then
			"$1/build/bench_xdp" >"$4/base.$i" || exit 1
			"$2/build/bench_xdp" >"$4/new.$i" || exit 1
		else
			"$2/build/bench_xdp" >"$4/new.$i" || exit 1
			"$1/build/bench_xdp" >"$4/base.$i" || exit 1
		fi
		i=$((i + 1))
	done' sh "$PWD/$wt" "$PWD" "$rounds" "$out"

# Per case: median over the runs of each side, then base / new.
awk '
function med(s,   a, n, i, j, t) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
FNR == 1 {
	side = FILENAME ~ /\/base\.[0-9]+$/ ? "base" : "new"
	round = FILENAME; sub(/.*\./, "", round)
}
$1 == "BENCH" && $2 == "xdp" && $5 == "ns/pkt" {
	if (!(($3) in seen)) { seen[$3] = 1; order[++n] = $3 }
	v[side, $3] = v[side, $3] " " $4
	r[side, $3, round] = $4; nr = round + 1 > nr ? round + 1 : nr
	for (i = 6; i <= NF; i++)
		if ($i ~ /^(fc_hit|ct_hit)=/)
			h[side, $3] = h[side, $3] " " $i
}
END {
	printf "%-28s %9s %9s %8s %7s  %s\n", "case", "base ns", "new ns",
	       "speedup", "paired", "hit rates of the last run: base | new"
	for (k = 1; k <= n; k++) {
		c = order[k]
		b = med(v["base", c]); w = med(v["new", c])
		split(h["base", c], hb, " "); split(h["new", c], hn, " ")
		# paired: the median of the rounds own ratios (the two runs
		# of a round follow each other, so they share the hosts state)
		p = ""
		for (i = 0; i < nr; i++)
			if (r["base", c, i] > 0 && r["new", c, i] > 0)
				p = p " " r["base", c, i] / r["new", c, i]
		printf "%-28s %9s %9s %8s %7s  %s %s | %s %s\n", c, b, w,
		       (b > 0 && w > 0) ? sprintf("%.2fx", b / w) : "-",
		       p != "" ? sprintf("%.2fx", med(p)) : "-",
		       hb[length(hb) - 1], hb[length(hb)],
		       hn[length(hn) - 1], hn[length(hn)]
	}
}' "$out"/base.* "$out"/new.* | tee "$out/table.txt"
