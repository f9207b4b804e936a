#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host DSR test: real TCP connections (IPv4 and IPv6) from a client through
# the XDP program to two backends that decapsulate (XDP, tests/host/
# decap.bpf.c: the host kernel has no ipip/ip6tnl) and answer the client
# directly from the VIP on their loopback.
#
#   client ns  c0 10.0.0.1 fd00::1 --- lc 10.0.0.2 fd00::2      lb ns
#                                       (xlb.bpf.o, maps by xlb_pub)
#   b1 ns      e0 10.0.1.11 fd01::11 --- l1 10.0.1.1 fd01::1
#   b2 ns      e0 10.0.2.12 fd02::12 --- l2 10.0.2.1 fd02::1
#   VIPs 10.99.0.100:80 and [fd99::100]:80 on the backends' lo.
# Replies go from the backend via the lb namespace's plain routing (not
# through the XDP program) to the client.
#
# usage: tests/host/dsr.sh BUILD_DIR    (root)
set -euo pipefail
B=${1:-build}
T=$(mktemp -d)
P=xlb-dsr-$$
C=$P-c L=$P-lb B1=$P-b1 B2=$P-b2
PUB=
cleanup() {
	set +e
	exec 2>/dev/null
	exec 3>&- 2>/dev/null
	[ -n "$PUB" ] && wait "$PUB" 2>/dev/null
	for n in $C $L $B1 $B2; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
x() { local n=$1; shift; ip netns exec "$n" "$@"; }
# TAP: t checks passed so far; a failure is check t + 1, and the last.
t=0
fail() {
	echo "not ok $((t + 1)) - $*"
	echo "1..$((t + 1))"
	exit 1
}

for n in $C $L $B1 $B2; do ip netns add "$n"; x "$n" ip link set lo up; done
ip -n $C link add c0 type veth peer name lc netns $L
ip -n $L link add l1 type veth peer name e0 netns $B1
ip -n $L link add l2 type veth peer name e0 netns $B2

x $C ip addr add 10.0.0.1/24 dev c0
x $C ip addr add fd00::1/64 dev c0 nodad
x $C ip link set c0 up
x $C ip route add 10.99.0.100/32 via 10.0.0.2
x $C ip route add fd99::100/128 via fd00::2
# XDP_TX/REDIRECT carry no checksum fix-up: send complete checksums
x $C ethtool -K c0 tx off >/dev/null
# ICMP too-big replies come back with XDP_TX: veth delivers those only to a
# peer running NAPI, as one with an XDP program does
x $C ip link set dev c0 xdpdrv obj "$B/xdp_pass.bpf.o" sec xdp

x $L ip addr add 10.0.0.2/24 dev lc
x $L ip addr add fd00::2/64 dev lc nodad
x $L ip addr add 10.0.1.1/24 dev l1
x $L ip addr add fd01::1/64 dev l1 nodad
x $L ip addr add 10.0.2.1/24 dev l2
x $L ip addr add fd02::1/64 dev l2 nodad
for d in lc l1 l2; do x $L ip link set $d up; done
x $L sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.lc.rp_filter=0 \
	net.ipv4.conf.lc.accept_local=1

i=0
for n in $B1 $B2; do
	i=$((i + 1))
	a=10.0.$i.1$i
	x $n ip addr add $a/24 dev e0
	x $n ip addr add fd0$i::1$i/64 dev e0 nodad
	x $n ip addr add 10.99.0.100/32 dev lo
	x $n ip addr add fd99::100/128 dev lo
	x $n ip link set e0 up
	x $n ip route add default via 10.0.$i.1
	x $n ip -6 route add default via fd0$i::1
	x $n sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.e0.rp_filter=0
	x $n ip link set dev e0 xdpdrv obj "$B/decap.bpf.o" sec xdp
	# in a subshell: not a job of this shell (no "Terminated" at cleanup)
	(x $n python3 -c '
import socket, sys, threading
name = sys.argv[1]
def serve(c):
    f = c.makefile("rwb")
    for line in f:
        f.write(name.encode() + b" " + line)
        f.flush()
    c.close()
def listen(fam, addr):
    s = socket.socket(fam, socket.SOCK_STREAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 80))
    s.listen(64)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
threading.Thread(target=listen, args=(socket.AF_INET6, "fd99::100"), daemon=True).start()
listen(socket.AF_INET, "10.99.0.100")
' "b$i" &)
done
# wait until both servers listen on both VIPs
for n in $B1 $B2; do
	for _ in $(seq 100); do
		[ "$(x $n ss -Hltn 'sport = :80' | wc -l)" = 2 ] && break
		sleep 0.1
	done
	[ "$(x $n ss -Hltn 'sport = :80' | wc -l)" = 2 ] || fail "server in $n"
done
# IPv6 neighbours resolved up front; IPv4 ones are left to the kernel
# (the first packet takes the PASS_NO_NEIGH path).
x $L ping -6 -c1 -W2 fd01::11 >/dev/null
x $L ping -6 -c1 -W2 fd02::12 >/dev/null

mkfifo "$T/ctl"
x $L "$B/xlb_pub" -i lc -e l1 -e l2 -4 10.0.0.2 -6 fd00::2 \
	-s 10.99.0.100,80,tcp -b 10.0.1.11 -b 10.0.2.12 \
	-s fd99::100,80,tcp -b fd01::11 -b fd02::12 <"$T/ctl" >"$T/pub" &
PUB=$!
exec 3>"$T/ctl"
for _ in $(seq 50); do grep -q ready "$T/pub" && break; sleep 0.1; done
grep -q ready "$T/pub" || fail "publisher did not attach: $(cat "$T/pub")"

# N connections per family, 3 round trips each; print the backend names.
client() {
	x $C python3 -c '
import socket, sys
vip, n = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in vip else socket.AF_INET
for i in range(n):
    s = socket.create_connection((vip, 80), timeout=5)
    f = s.makefile("rwb")
    names = set()
    for k in range(3):
        msg = ("hello %d %d\n" % (i, k)).encode()
        f.write(msg); f.flush()
        r = f.readline()
        name, _, echo = r.partition(b" ")
        assert echo == msg, (r, msg)
        names.add(name)
    assert len(names) == 1, names
    print(names.pop().decode())
    s.close()
' "$1" "$2"
}
for vip in 10.99.0.100 fd99::100; do
	out=$(client $vip 16) || fail "tcp to $vip through xlb"
	[ "$(echo "$out" | wc -l)" = 16 ] || fail "$vip: $(echo "$out" | wc -l) of 16 connections"
	echo "$out" | grep -qx b1 || fail "$vip: backend b1 never answered"
	echo "$out" | grep -qx b2 || fail "$vip: backend b2 never answered"
	t=$((t + 1))
	echo "ok $t - 16 tcp connections to $vip spread over b1 and b2, answered directly"
done

# 1 MB up through a 1500-byte path: the encapsulated segments would be
# 1520 / 1540 bytes, so the client must learn MTU 1480 (IPIP) / 1460
# (ip6ip6) from the XDP program's ICMP / ICMPv6 reply.
upload() {
	x $C python3 -c '
import socket, sys
data = b"x" * (1 << 20) + b"\n"
s = socket.create_connection((sys.argv[1], 80), timeout=10)
f = s.makefile("rwb")
f.write(data)
f.flush()
name, _, echo = f.readline().partition(b" ")
assert echo == data, len(echo)
print(name.decode())
' "$1"
}
for vip in 10.99.0.100,1480 fd99::100,1460; do
	want=${vip#*,} vip=${vip%,*}
	out=$(upload $vip) || fail "1 MB to $vip through a 1500-byte path"
	mtu=$(x $C ip route get $vip | grep -o 'mtu [0-9]*') || true
	[ "$mtu" = "mtu $want" ] || fail "$vip: client route: '$mtu', want mtu $want"
	t=$((t + 1))
	echo "ok $t - 1 MB to $vip ($out) over a 1500-byte path, client learnt $mtu"
done

exec 3>&-
wait "$PUB"
PUB=
stat() { awk -v k="$1" '$1 == "stat" && $2 == k { print $3 }' "$T/pub"; }
[ "$(stat redirect)" -gt 0 ] || fail "no redirect counted"
[ "$(stat conntrack_hit)" -gt 0 ] || fail "no conntrack hit counted"
[ "$(stat pass_no_neigh)" -gt 0 ] || fail "first IPv4 packets did not take pass_no_neigh"
[ "$(stat tx_icmp_too_big)" -ge 2 ] || fail "tx_icmp_too_big $(stat tx_icmp_too_big), want >= 2"
t=$((t + 1))
echo "ok $t - counters: redirect $(stat redirect), conntrack_hit $(stat conntrack_hit), pass_no_neigh $(stat pass_no_neigh), tx_icmp_too_big $(stat tx_icmp_too_big)"
echo "1..$t"
