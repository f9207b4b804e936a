#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""outer_watch.py DEV UDP_PORT - what the encapsulated frames arriving on DEV
carry in their outer headers (tests/e2e_gue.bats).

Counts the frames DEV receives (packet socket, before any decapsulation):
GUE frames (outer IPv4 or IPv6 + UDP to UDP_PORT) with their UDP source
ports, and the flow labels of every IPv6 frame carrying UDP to UDP_PORT or
an IP packet (IPIP / ip6ip6).  Writes "ready" on stderr once the socket is
open; on SIGTERM prints one JSON object and exits:
  {"gue4": N, "gue6": N, "sports": DISTINCT, "sport_min": P, "sport_max": P,
   "labels6": DISTINCT, "frames6": N, "zero_csum": N}
"""
import json
import signal
import socket
import struct
import sys

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def main():
    dev, port = sys.argv[1], int(sys.argv[2])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE
    s.bind((dev, 0))
    s.settimeout(0.2)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    sports, labels = set(), set()
    n = {"gue4": 0, "gue6": 0, "frames6": 0, "zero_csum": 0}
    print("ready", file=sys.stderr, flush=True)
    while not stop:
        try:
            f, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        if addr[2] == PACKET_OUTGOING or len(f) < 14:
            continue
        etype, off = struct.unpack("!H", f[12:14])[0], 14
        if etype == 0x0800 and len(f) >= off + 28:
            ihl = (f[off] & 0xf) * 4
            proto, udp = f[off + 9], off + ihl
            fam = "gue4"
        elif etype == 0x86dd and len(f) >= off + 48:
            proto, udp = f[off + 6], off + 40
            if proto in (4, 17, 41):
                w = struct.unpack("!I", f[off:off + 4])[0]
                if proto != 17 or struct.unpack(
                        "!H", f[udp + 2:udp + 4])[0] == port:
                    labels.add(w & 0xfffff)
                    n["frames6"] += 1
            fam = "gue6"
        else:
            continue
        if proto != 17 or len(f) < udp + 8:
            continue
        sport, dport, _, csum = struct.unpack("!HHHH", f[udp:udp + 8])
        if dport != port:
            continue
        n[fam] += 1
        n["zero_csum"] += csum == 0
        sports.add(sport)
    n.update(sports=len(sports), sport_min=min(sports, default=0),
             sport_max=max(sports, default=0), labels6=len(labels))
    print(json.dumps(n), flush=True)


if __name__ == "__main__":
    main()
