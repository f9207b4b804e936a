#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xlb-vm: cpus 2
#
# End to end, in the VM: a spoofed TCP flood (ACK, RST, FIN+ACK without SYN,
# random client addresses and ports) against the VIP of a load balancer with
# a small connection table must not move the real TCP connections it holds,
# even those whose Maglev slot moved after a weight change
# (Documentation/datapath.md, "Connection table").  Topology:
# tests/e2e/topo.sh.

load e2e/suite

# spoof N: N TCP segments without SYN from random sources of the client's
# 10.78.0.0/24 (never the held connections' 10.78.0.10-13) to the VIP.
spoof() {
	xn client "${XLB_PY[@]}" - "$1" "$VIP4" "$VPORT" <<-'EOF'
	import random, socket, struct, sys
	n, vip, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
	s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
	dst = socket.inet_aton(vip)
	rnd = random.Random(1)
	for _ in range(n):
	    src = bytes([10, 78, 0, rnd.randrange(20, 250)])
	    flags = rnd.choice((0x10, 0x04, 0x14, 0x11, 0x18))
	    tcp = struct.pack("!HHIIBBHHH", rnd.randrange(1024, 65536), port,
	                      rnd.getrandbits(32), rnd.getrandbits(32),
	                      5 << 4, flags, 1024, 0, 0)
	    # IP_HDRINCL: the kernel fills in the checksum and total length
	    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0,
	                     src, dst)
	    s.sendto(ip + tcp, (vip, 0))
	EOF
}

@test "spoofed non-SYN flood: held connections stay on their backends after a weight change" {
	local open out n stats before
	# 96 entries per family, 60 of them held connections: a flood of
	# 20000 would flush the table many times over if packets without SYN
	# were recorded.  (The LRU keeps recently used entries on its active
	# list while it is shorter than the inactive one: with a large table
	# a few held connections would survive even that.)
	e2e_config lb1 1:10 2:10 3:10 >"$E2E_DIR/lb1.conf"
	lbn lb1 restore "$E2E_DIR/lb1.conf"
	lbn lb1 attach eth0 mode native conntrack-size 96
	open=$(hold_start f4 4 60 42000)
	note "open: $open"
	[ "$(jq .ok <<<"$open")" = 60 ]
	# 10/10/10 -> 10/10/40: some held connections now have a table slot
	# on backend 3; they must keep their backend through their entries.
	e2e_be lb1 set 3 weight 40
	out=$(hold_check f4)
	note "after the weight change: $out"
	[ "$(jq .fail <<<"$out")" = 0 ]
	before=$(jq -c .backends <<<"$open")

	spoof 20000
	stats=$(lbn lb1 -j stats)
	n=$(jq -r .global.conntrack_untracked <<<"$stats")
	note "after 20000 spoofed segments: conntrack_untracked $n"
	out=$(hold_check f4)
	note "after the flood: $out"
	[ "$(jq .ok <<<"$out")" = 60 ]
	[ "$(jq .fail <<<"$out")" = 0 ]
	[ "$(jq -c .backends <<<"$out")" = "$before" ]
	# and the data path saw it as a flood
	[ "$n" -ge 20000 ]
}
