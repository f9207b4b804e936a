#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The XDP object passes the verifier of the running kernel.  check-vm runs
# this in the VM (Debian 6.1); on the host (6.18) run it with
# `bats tests/verifier.bats`.  build/bpf_info loads every program of the
# object with libbpf and prints the verifier's figures (`make bench` records
# them too).

bats_require_minimum_version 1.5.0

setup_file() {
	cd "${XLB_ROOT:-$BATS_TEST_DIRNAME/..}" || return 1
	export BPF_INFO=$PWD/build/bpf_info OBJ=$PWD/build/xlb.bpf.o
	[ -f "$OBJ" ] || { echo "no $OBJ (make bpf)" >&2; return 1; }
	if [ ! -x "$BPF_INFO" ]; then
		BPF_INFO=$BATS_FILE_TMPDIR/bpf_info
		gcc -std=gnu11 -O2 -Iinclude -o "$BPF_INFO" \
			tests/bench/bpf_info.c -lbpf -lelf -lz || return 1
	fi
}

@test "xlb.bpf.o passes the verifier on kernel $(uname -r)" {
	run "$BPF_INFO" "$OBJ"
	echo "$output"
	[ "$status" -eq 0 ]
	insns=$(echo "$output" | awk '$3 ~ /verifier_insns$/ { print $4 }')
	jited=$(echo "$output" | awk '$3 ~ /jited_bytes$/ { print $4 }')
	[ "$insns" -gt 0 ]
	[ "$jited" -gt 0 ]
}

@test "a program the verifier rejects is reported as a failure" {
	src=$BATS_TEST_TMPDIR/bad.bpf.c
	cat >"$src" <<'BPF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
/* Reads the packet without a bounds check: must be rejected. */
SEC("xdp") int bad(struct xdp_md *ctx)
{
	return *(int *)(long)ctx->data;
}
BPF
	clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu \
		-c "$src" -o "$BATS_TEST_TMPDIR/bad.bpf.o"
	run -1 "$BPF_INFO" "$BATS_TEST_TMPDIR/bad.bpf.o"
	echo "$output"
	[[ "$output" == *"does not load"* ]]
	[[ "$output" == *"invalid access to packet"* ]]
}
