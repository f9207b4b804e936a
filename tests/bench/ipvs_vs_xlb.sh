#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Control plane, side by side: xlb (lbctl + xlb.ko) against IPVS (ipvsadm +
# ip_vs + ip_vs_mh) from the same Debian kernel, in the same boot.  Runs as
# root inside the test VM (tests/vm/run.sh --script, see `make bench-vm`);
# never on a machine whose IPVS or xlb configuration matters: it flushes
# both.
#
# Figures (BENCH <group> <case> <value> <unit> [min= max= n=]):
#   ctl restore_<N>_m<M>.{lbctl,ipvs}  load N backends into one empty
#       service: `lbctl restore FILE` (one REPLACE request, one table build)
#       vs `ipvsadm-restore < FILE` (one request per line; ip_vs_mh rebuilds
#       its table on every destination added).  M = Maglev table size; IPVS
#       uses its compiled size (CONFIG_IP_VS_MH_TAB_INDEX), 4093 on Debian,
#       so m4093 is the like-for-like pair; xlb's default 65537 is shown too.
#   ctl set_<K>.{lbctl,ipvs}  K single weight changes, one process each:
#       `lbctl set ADDR weight W service S` vs `ipvsadm -e ... -w W`.
#   ctl set_<K>_s<S>_b<B>.{lbctl,ipvs}  K single weight changes in a
#       service of B backends with S services configured (1/10, 1000/10,
#       1/10000): a single change must not cost more as S grows.
#   ctl exec.{true,lbctl,ipvsadm}  cost of one process start (/bin/true,
#       `lbctl --version`, `ipvsadm --version`), median of RUNS x 10 execs;
#       under TCG this dominates the set_* figures.
#   ctl *_speedup  IPVS median / xlb median (> 1: xlb is faster).
#   ctl *_speedup_net  the same from the minimums, with the process start
#       costs subtracted (exec.ipvsadm / exec.lbctl once per command): the
#       kernel + request side alone.
#   mem module_static.{xlb,ipvs}  module core size from /proc/modules (xlb.ko;
#       ip_vs + ip_vs_mh).
#   mem config_<N>_m<M>.{xlb,ipvs}  kernel memory held by the N-backend
#       configuration: delta of SUnreclaim + VmallocUsed + Percpu in
#       /proc/meminfo between the flushed and the loaded state.
# Every time figure is wall clock ($EPOCHREALTIME around the command), the
# median of RUNS runs (xlb and IPVS interleaved), with min and max.  Under
# QEMU TCG absolute times are meaningless; compare the ratios.
#
# Environment: LBCTL (default build/lbctl), XLB_KO (default
# build/kmod/<running kernel>/xlb.ko),
# XLB_BENCH_RUNS (5), XLB_BENCH_BACKENDS (1000), XLB_BENCH_SETS (100).
set -euo pipefail

LBCTL=${LBCTL:-build/lbctl}
XLB_KO=${XLB_KO:-build/kmod/$(uname -r)/xlb.ko}
RUNS=${XLB_BENCH_RUNS:-5}
N=${XLB_BENCH_BACKENDS:-1000}
K=${XLB_BENCH_SETS:-100}
VIP=10.255.0.1
PORT=80
SVC=$VIP:$PORT/tcp
DIR=$(mktemp -d /tmp/xlb-bench.XXXXXX)
trap 'rm -rf "$DIR"' EXIT

die() { echo "ipvs_vs_xlb: $*" >&2; exit 1; }
note() { echo "# $*"; }

# --- statistics ---------------------------------------------------------------

# median min max of the numbers on stdin (one per line).
stats() {
	sort -g | awk '{ v[NR] = $1 }
		END {
			if (NR == 0) exit 1
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%s %s %s %d\n", m, v[1], v[NR], NR
		}'
}

# bench_line GROUP CASE UNIT FILE: a BENCH line from the samples in FILE.
bench_line() {
	local s
	s=$(stats <"$4") || die "no samples for $2"
	set -- "$1" "$2" "$3" $s
	printf 'BENCH %s %s %s %s min=%s max=%s n=%s\n' "$1" "$2" "$4" "$3" \
		"$5" "$6" "$7"
}

median_of() { stats <"$1" | cut -d' ' -f1; }

ratio_line() {	# GROUP CASE NUMERATOR_FILE DENOMINATOR_FILE
	awk -v a="$(median_of "$3")" -v b="$(median_of "$4")" \
		-v g="$1" -v c="$2" \
		'BEGIN { printf "BENCH %s %s %.2f x\n", g, c, (b > 0 ? a / b : 0) }'
}

min_of() { stats <"$1" | cut -d' ' -f2; }

# net_ratio_line GROUP CASE A_FILE A_EXEC_FILE B_FILE B_EXEC_FILE COUNT:
# (min(A) - COUNT * min(A_EXEC)) / (min(B) - COUNT * min(B_EXEC)), i.e. the
# ratio once the process start costs are taken out.  Minimums (the least
# disturbed run): a difference of medians drowns in the noise of a shared
# machine under TCG.
net_ratio_line() {
	awk -v a="$(min_of "$3")" -v ae="$(min_of "$4")" \
		-v b="$(min_of "$5")" -v be="$(min_of "$6")" -v k="$7" \
		-v g="$1" -v c="$2" 'BEGIN {
			x = a - k * ae; y = b - k * be
			if (x <= 0 || y <= 0)
				printf "# %s %s: below the process start cost, no ratio\n", g, c
			else
				printf "BENCH %s %s %.2f x\n", g, c, x / y
		}'
}

# Milliseconds per exec since an $EPOCHREALTIME stamp, for $E execs.
per_exec() {
	awk -v a="$1" -v b="$EPOCHREALTIME" -v n="$E" \
		'BEGIN { printf "%.3f\n", (b - a) * 1000 / n }'
}

# Milliseconds since an $EPOCHREALTIME stamp.
ms_since() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}

meminfo_kb() {	# SUnreclaim + VmallocUsed + Percpu, in kB
	awk '/^(SUnreclaim|VmallocUsed|Percpu):/ { s += $2 } END { print s }' \
		/proc/meminfo
}

settle() { sync; echo 3 >/proc/sys/vm/drop_caches; sleep 0.5; }

# --- setup --------------------------------------------------------------------

[ "$(id -u)" = 0 ] || die "must run as root (in the VM: make bench-vm)"
[ -x "$LBCTL" ] || die "no lbctl at $LBCTL (make lbctl)"
[ -f "$XLB_KO" ] || die "no module at $XLB_KO (make module)"
command -v ipvsadm-restore >/dev/null || die "ipvsadm missing (scripts/setup.sh)"
[ "$N" -le 64516 ] || die "XLB_BENCH_BACKENDS=$N: at most 64516 (254 * 254)"

note "kernel $(uname -r), $(nproc) CPUs; runs=$RUNS backends=$N sets=$K"
grep -q '^xlb ' /proc/modules || insmod "$XLB_KO"
modprobe ip_vs
modprobe ip_vs_mh
"$LBCTL" flush
ipvsadm -C

# Attach the data path to a veth so that changes are also published into the
# BPF maps, as in production.  The figures say whether this worked.
bound=no
if ip link add xlbb0 type veth peer name xlbb1 2>/dev/null &&
   ip link set xlbb0 up && ip link set xlbb1 up &&
   "$LBCTL" attach xlbb0 >"$DIR/attach.log" 2>&1; then
	bound=yes
else
	note "lbctl attach failed, measuring the module without bound maps:"
	sed 's/^/#   /' "$DIR/attach.log" 2>/dev/null || true
fi
note "lbctl attached (maps bound, tables published): $bound"

# be_addr VAR I: backend I (0-based) is 10.1.X.Y.  No subshell: a fork
# costs tens of milliseconds under TCG.
be_addr() { printf -v "$1" '10.1.%d.%d' $(($2 / 254)) $(($2 % 254 + 1)); }

gen_files() {	# M: Maglev table size of the lbctl file
	local m=$1 i a w
	{
		echo "service add $SVC table-size $m"
		for ((i = 0; i < N; i++)); do
			be_addr a $i
			w=$((1 + i % 4))
			echo "add $a weight $w service $SVC"
		done
	} >"$DIR/lbctl.$m"
	{
		echo "-A -t $VIP:$PORT -s mh"
		for ((i = 0; i < N; i++)); do
			be_addr a $i
			w=$((1 + i % 4))
			echo "-a -t $VIP:$PORT -r $a:$PORT -i -w $w"
		done
	} >"$DIR/ipvs"
}

xlb_count() { "$LBCTL" save | grep -c '^add ' || true; }
ipvs_count() { ipvsadm -Ln | grep -c -- '->.*Tunnel' || true; }

# --- process start costs ---------------------------------------------------------
# Every figure below includes starting lbctl / ipvsadm (dynamic linking over
# 9p is slow under TCG).  Measure that alone, per exec, so the kernel side
# can be compared too (the *_net ratios).

E=10
: >"$DIR/e.true"
: >"$DIR/e.lbctl"
: >"$DIR/e.ipvsadm"
for ((r = 0; r <= RUNS; r++)); do	# run 0 warms the page cache
	t=$EPOCHREALTIME
	for ((i = 0; i < E; i++)); do /bin/true; done
	[ $r = 0 ] || per_exec "$t" >>"$DIR/e.true"
	t=$EPOCHREALTIME
	for ((i = 0; i < E; i++)); do "$LBCTL" --version >/dev/null; done
	[ $r = 0 ] || per_exec "$t" >>"$DIR/e.lbctl"
	t=$EPOCHREALTIME
	for ((i = 0; i < E; i++)); do ipvsadm --version >/dev/null; done
	[ $r = 0 ] || per_exec "$t" >>"$DIR/e.ipvsadm"
done
bench_line ctl exec.true ms "$DIR/e.true"
bench_line ctl exec.lbctl ms "$DIR/e.lbctl"
bench_line ctl exec.ipvsadm ms "$DIR/e.ipvsadm"

# --- load N backends ------------------------------------------------------------

for m in 4093 65537; do
	gen_files $m
	# Warm-up, not measured.
	"$LBCTL" flush
	"$LBCTL" restore "$DIR/lbctl.$m"
	ipvsadm -C
	ipvsadm-restore <"$DIR/ipvs"
	: >"$DIR/t.lbctl.$m"
	: >"$DIR/t.ipvs.$m"
	for ((r = 1; r <= RUNS; r++)); do
		"$LBCTL" flush
		t=$EPOCHREALTIME
		"$LBCTL" restore "$DIR/lbctl.$m"
		ms_since "$t" >>"$DIR/t.lbctl.$m"
		[ "$(xlb_count)" -eq "$N" ] ||
			die "lbctl restore loaded $(xlb_count) backends, not $N"

		[ $m = 4093 ] || continue	# IPVS has one table size
		ipvsadm -C
		t=$EPOCHREALTIME
		ipvsadm-restore <"$DIR/ipvs"
		ms_since "$t" >>"$DIR/t.ipvs.$m"
		[ "$(ipvs_count)" -eq "$N" ] ||
			die "ipvsadm-restore loaded $(ipvs_count) backends, not $N"
	done
	bench_line ctl "restore_${N}_m$m.lbctl" ms "$DIR/t.lbctl.$m"
done
bench_line ctl "restore_${N}_m4093.ipvs" ms "$DIR/t.ipvs.4093"
ratio_line ctl "restore_${N}_m4093_speedup" "$DIR/t.ipvs.4093" \
	"$DIR/t.lbctl.4093"
ratio_line ctl "restore_${N}_m65537_vs_ipvs_m4093_speedup" \
	"$DIR/t.ipvs.4093" "$DIR/t.lbctl.65537"
net_ratio_line ctl "restore_${N}_m4093_speedup_net" "$DIR/t.ipvs.4093" \
	"$DIR/e.ipvsadm" "$DIR/t.lbctl.4093" "$DIR/e.lbctl" 1

# --- K single weight changes ---------------------------------------------------
# Both systems now hold the same N backends (xlb: table size 65537, the
# default).  Each run gives every one of K backends a new weight.

: >"$DIR/t.set.lbctl"
: >"$DIR/t.set.ipvs"
: >"$DIR/t.floor"
for ((r = 1; r <= RUNS; r++)); do
	w=$((10 + r))
	t=$EPOCHREALTIME
	for ((i = 0; i < K; i++)); do
		be_addr a $i
		"$LBCTL" set "$a" weight $w service $SVC
	done
	ms_since "$t" >>"$DIR/t.set.lbctl"

	t=$EPOCHREALTIME
	for ((i = 0; i < K; i++)); do
		be_addr a $i
		ipvsadm -e -t $VIP:$PORT -r "$a:$PORT" -i -w $w
	done
	ms_since "$t" >>"$DIR/t.set.ipvs"
done
# The last weight must have reached both.
be_addr a 0
# (Whole outputs to files first: with pipefail, grep -q closing the pipe
# early would fail the producer with SIGPIPE.)
"$LBCTL" save >"$DIR/save"
grep -q "^add $a weight $((10 + RUNS)) " "$DIR/save" ||
	die "lbctl set did not change the weight of $a"
ipvsadm -Ln >"$DIR/ipvs.list"
grep -qE -- "-> $a:$PORT +Tunnel +$((10 + RUNS)) " "$DIR/ipvs.list" ||
	die "ipvsadm -e did not change the weight of $a"
bench_line ctl "set_$K.lbctl" ms "$DIR/t.set.lbctl"
bench_line ctl "set_$K.ipvs" ms "$DIR/t.set.ipvs"
ratio_line ctl "set_${K}_speedup" "$DIR/t.set.ipvs" "$DIR/t.set.lbctl"
net_ratio_line ctl "set_${K}_speedup_net" "$DIR/t.set.ipvs" "$DIR/e.ipvsadm" \
	"$DIR/t.set.lbctl" "$DIR/e.lbctl" "$K"

# --- memory --------------------------------------------------------------------

mod_size() { awk -v m="$1" '$1 == m { print $2 }' /proc/modules; }
echo "BENCH mem module_static.xlb $(mod_size xlb) bytes"
echo "BENCH mem module_static.ipvs $(($(mod_size ip_vs) + $(mod_size ip_vs_mh))) bytes"

: >"$DIR/m.xlb.4093"
: >"$DIR/m.xlb.65537"
: >"$DIR/m.ipvs"
gen_files 65537	# the ipvs file does not depend on M
for ((r = 1; r <= RUNS; r++)); do
	"$LBCTL" flush
	ipvsadm -C
	for m in 4093 65537; do
		settle
		m0=$(meminfo_kb)
		"$LBCTL" restore "$DIR/lbctl.$m"
		settle
		echo $(($(meminfo_kb) - m0)) >>"$DIR/m.xlb.$m"
		"$LBCTL" flush
	done

	settle
	m0=$(meminfo_kb)
	ipvsadm-restore <"$DIR/ipvs"
	settle
	echo $(($(meminfo_kb) - m0)) >>"$DIR/m.ipvs"
	ipvsadm -C
done
bench_line mem "config_${N}_m4093.xlb" KiB "$DIR/m.xlb.4093"
bench_line mem "config_${N}_m65537.xlb" KiB "$DIR/m.xlb.65537"
bench_line mem "config_${N}_m4093.ipvs" KiB "$DIR/m.ipvs"
note "memory: xlb keeps its own copy of each table (to rebuild and publish" \
	"from); IPVS mh has one table of 4093"

# --- one change against the size of the configuration ------------------------
# K single weight changes in service 0 (10 backends) with 1 or 1,000
# services configured (10 backends each), and in a service of 10,000
# backends: what one `lbctl set` / `ipvsadm -e` costs as the configuration
# grows.  xlb's work is the changed service's (issue 19): the 1,000-service
# figure should equal the 1-service one within noise.  The maps are
# re-attached with room for 1,024 services (table-max 65537 would need 512
# MiB of tables): every change is also published.

gen_scale() {	# S B M: S services of B backends, table size M
	awk -v S="$1" -v B="$2" -v M="$3" -v port=$PORT \
		-v lf="$DIR/scale.lbctl" -v vf="$DIR/scale.ipvs" 'BEGIN {
		for (i = 0; i < S; i++) {
			vip = sprintf("10.254.%d.%d", int(i / 250), i % 250 + 1)
			printf "service add %s:%d/tcp table-size %d\n", vip, port, M > lf
			printf "-A -t %s:%d -s mh\n", vip, port > vf
			for (j = 0; j < B; j++) {
				a = sprintf("10.2.%d.%d", int(j / 250), j % 250 + 1)
				printf "add %s weight %d service %s:%d/tcp\n", a, 1 + j % 4, vip, port > lf
				printf "-a -t %s:%d -r %s:%d -i -w %d\n", vip, port, a, port, 1 + j % 4 > vf
			}
		}
	}'
}

if [ $bound = yes ]; then
	"$LBCTL" flush
	"$LBCTL" detach xlbb0
	rm -rf /sys/fs/bpf/xlb
	"$LBCTL" attach xlbb0 max-services 1024 max-backends 16384 \
		table-max 65537 >/dev/null 2>&1 &&
		note "re-attached: max-services 1024" ||
		note "re-attach with max-services 1024 failed: unbound figures"
fi
KS=${XLB_BENCH_SCALE_SETS:-20}
for c in "1 10 4093" "1000 10 251" "1 10000 65537"; do
	set -- $c
	S=$1 B=$2 M=$3
	"$LBCTL" flush
	ipvsadm -C
	rm -f "$DIR/scale.lbctl" "$DIR/scale.ipvs"
	gen_scale "$S" "$B" "$M"
	"$LBCTL" restore "$DIR/scale.lbctl"
	ipvsadm-restore <"$DIR/scale.ipvs"
	: >"$DIR/t.sc.lbctl"
	: >"$DIR/t.sc.ipvs"
	for ((r = 1; r <= RUNS; r++)); do
		w=$((10 + r))
		t=$EPOCHREALTIME
		for ((i = 0; i < KS; i++)); do
			"$LBCTL" set "10.2.0.$((i % 10 + 1))" weight $w \
				service 10.254.0.1:$PORT/tcp
		done
		ms_since "$t" >>"$DIR/t.sc.lbctl"
		t=$EPOCHREALTIME
		for ((i = 0; i < KS; i++)); do
			ipvsadm -e -t 10.254.0.1:$PORT -r "10.2.0.$((i % 10 + 1)):$PORT" \
				-i -w $w
		done
		ms_since "$t" >>"$DIR/t.sc.ipvs"
	done
	"$LBCTL" save >"$DIR/save"
	grep -q "^add 10.2.0.1 weight $((10 + RUNS)) service 10.254.0.1:" \
		"$DIR/save" || die "lbctl set did not change the weight (S=$S B=$B)"
	bench_line ctl "set_${KS}_s${S}_b$B.lbctl" ms "$DIR/t.sc.lbctl"
	bench_line ctl "set_${KS}_s${S}_b$B.ipvs" ms "$DIR/t.sc.ipvs"
	ratio_line ctl "set_${KS}_s${S}_b${B}_speedup" "$DIR/t.sc.ipvs" \
		"$DIR/t.sc.lbctl"
	net_ratio_line ctl "set_${KS}_s${S}_b${B}_speedup_net" "$DIR/t.sc.ipvs" \
		"$DIR/e.ipvsadm" "$DIR/t.sc.lbctl" "$DIR/e.lbctl" "$KS"
done

"$LBCTL" flush
ipvsadm -C
if [ $bound = yes ]; then
	"$LBCTL" detach xlbb0 || true
fi
ip link del xlbb0 2>/dev/null || true
