#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Render BENCH lines as a human table, grouped, with how each group was
# measured.  usage: tests/bench/table.sh [FILE]   (default: stdin)
#
# Accepted line shape: BENCH <group> <case...> <value> <unit> [details]
# where <case...> may be several words (the first numeric word is the
# value) and details may hold min=, max= and n= (shown as columns) and any
# other key=value notes.
exec awk '
function isnum(s) { return s ~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/ }
BEGIN {
	how["xdp"] = "host kernel, BPF_PROG_TEST_RUN; compare with the XDP_PASS floor"
	how["maglev"] = "host, userspace build of lib/maglev.c"
	how["maglev_build"] = how["maglev"]
	how["maglev_build_weighted"] = how["maglev"]
	how["bpf"] = "verifier figures from bpf_prog_info; vm_* = Debian 6.1 in the VM, others = host"
	how["bpfmem"] = "map memlock from /proc/<pid>/fdinfo at default sizes; vm_* = 6.1"
	how["ctl"] = "VM under QEMU TCG, wall clock, median of n: only the ratios are meaningful"
	how["mem"] = "VM: /proc/modules size; /proc/meminfo delta (SUnreclaim+VmallocUsed+Percpu)"
}
$1 == "BENCH" {
	k = 0
	for (i = 4; i < NF; i++)
		if (isnum($i)) { k = i; break }
	if (!k) { bad[++nbad] = $0; next }
	c = $3
	for (i = 4; i < k; i++)
		c = c " " $i
	g = $2
	if (!(g in seen)) { seen[g] = 1; order[++ng] = g }
	n = ++cnt[g]
	cs[g, n] = c; val[g, n] = $k; unit[g, n] = $(k + 1)
	mn[g, n] = mx[g, n] = nn[g, n] = notes[g, n] = ""
	for (i = k + 2; i <= NF; i++) {
		if ($i ~ /^min=/) mn[g, n] = substr($i, 5)
		else if ($i ~ /^max=/) mx[g, n] = substr($i, 5)
		else if ($i ~ /^n=/) nn[g, n] = substr($i, 3)
		else notes[g, n] = notes[g, n] (notes[g, n] == "" ? "" : " ") $i
	}
}
END {
	if (ng == 0) { print "bench: no BENCH lines"; exit }
	for (j = 1; j <= ng; j++) {
		g = order[j]
		printf "\n%s: %s\n", g, (g in how) ? how[g] : "see Documentation/performance.md"
		printf "  %-44s %14s %-6s %12s %12s %3s  %s\n", "case", "value", "unit", "min", "max", "n", "notes"
		for (n = 1; n <= cnt[g]; n++)
			printf "  %-44s %14s %-6s %12s %12s %3s  %s\n", cs[g, n], val[g, n], unit[g, n], mn[g, n], mx[g, n], nn[g, n], notes[g, n]
	}
	for (i = 1; i <= nbad; i++)
		print "unparsed: " bad[i]
}' "${1:--}"
