#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xlb-vm: cpus 2
#
# Path MTU end to end, in the VM (topology: tests/e2e/topo.sh, every link
# 1500 bytes): a client's full-sized TCP segments no longer fit the
# backends' 1500-byte path once xlb encapsulates them.  xlb answers with
# ICMP "fragmentation needed" / ICMPv6 "packet too big" from the XDP
# program; the client's TCP lowers its segment size and 1 MB goes through.
# The backends advertise the MSS of their 1500-byte link here (the topology
# gives each a smaller one so flowgen can identify them: removed below).

load e2e/suite

# 1 MB from the client to the VIP of family 4|6 over one TCP connection.
# Prints the first line namesrv sent (its name).  The backend closes only
# once it has read the client's FIN, which follows the last byte: EOF here
# means the backend received the whole megabyte.
upload() {
	local vip=$VIP4
	[ "$1" = 4 ] || vip=$VIP6
	xn client "${XLB_PY[@]}" -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=60)
s.sendall(b"x" * (1 << 20))
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    got += b
print(got.split(b"\n")[0].decode())
' "$vip" "$VPORT"
}

stat() {
	lbn lb1 -j stats | jq -r ".global.$1"
}

@test "setup: xlb on lb1, backends advertise their full 1500-byte MSS" {
	local i
	e2e_lb lb1 1:1 2:1 3:1
	for i in 1 2 3; do
		xn "b$i" ip route replace default via 10.77.0.1
		xn "b$i" ip -6 route replace default via fd77::1
	done
	run xn b3 ip route show default
	[[ "$output" == "default via 10.77.0.1 dev eth0"* ]]
	[[ "$output" != *advmss* ]]
	run xn b3 ip -6 route show default
	[[ "$output" == "default via fd77::1 dev eth0"* ]]
	[[ "$output" != *advmss* ]]
}

@test "IPv4: 1 MB over TCP through a 1500-byte backend path, client learns MTU 1480" {
	local sent
	sent=$(stat tx_icmp_too_big)
	run upload 4
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^b[123]$ ]]
	run xn client ip route get "$VIP4"
	echo "$output"
	[[ "$output" =~ mtu\ 1480([^0-9]|$) ]]
	note "tx_icmp_too_big: $sent -> $(stat tx_icmp_too_big)"
	[ "$(stat tx_icmp_too_big)" -gt "$sent" ]
}

@test "IPv6: 1 MB over TCP through a 1500-byte backend path, client learns MTU 1460" {
	local sent
	sent=$(stat tx_icmp_too_big)
	run upload 6
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^b[123]$ ]]
	run xn client ip -6 route get "$VIP6"
	echo "$output"
	[[ "$output" =~ mtu\ 1460([^0-9]|$) ]]
	note "tx_icmp_too_big: $sent -> $(stat tx_icmp_too_big)"
	[ "$(stat tx_icmp_too_big)" -gt "$sent" ]
}
