#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""maglev_ref.py - a reference Maglev table builder for the tests.

Written from the description of the algorithm, not from lib/maglev.c:

  [paper] D. E. Eisenbud et al., "Maglev: A Fast and Reliable Software
          Network Load Balancer", NSDI 2016, section 3.4 and Pseudocode 1:
          permutation[i][j] = (offset + j * skip) mod M, and the backends
          take turns, each claiming the next slot of its permutation that
          is still empty, until all M slots are taken.
  [doc]   Documentation/maglev.md, "The algorithm as implemented": the
          hashes giving offset and skip, the seed, the weighted turn order
          and its tie rule, the table sizes and the digest;
          Documentation/datapath.md step 6: the five-tuple hash and the
          slot a flow hashes to.

It is slow on purpose (a Python list as the table, plain loops, exact
fractions for the turn times, no tail-phase shortcut) so that it is easy to
check by reading.  The C implementation under test is lib/maglev.c; the
tests compare the two.

Command line (the same as build/maglev-tool, plus --flow):

  maglev_ref.py [--m M] [--seed S] [--digest | --counts | --flow F ...]
                [--src-hash] BACKEND...
  BACKEND: IPv4[:WEIGHT], IPv6 or [IPv6][:WEIGHT], WEIGHT 0..65535 (default 1)

  default    M lines, line i = the address owning slot i, or "-" (empty)
  --digest   the table digest, 0x%016x
  --counts   "ADDR SLOTS" per backend, in command-line order
  --flow F   F = PROTO,SRC,SPORT,DST,DPORT (PROTO a number, e.g. 6 for TCP);
             prints "HASH SLOT ADDR" per flow, in the order given: the flow
             hash (decimal), its slot, the backend (or "-")
  --src-hash the service hashes the source address only (XLB_SVC_F_SRC_HASH)

Exit status 0, or 1 with a one-line message for bad input, a backend given
twice, or more backends with weight > 0 than slots.
"""

import argparse
import heapq
import itertools
import socket
import sys
from fractions import Fraction

# [doc] "Table sizes": M is one of these primes; 65537 is the default.
TABLE_SIZES = (251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65537,
               131071, 262139, 524287, 655373)
DEFAULT_SIZE = 65537
DEFAULT_SEED = 0x9e3779b9  # XLB_DEFAULT_SEED, the module's default
WEIGHT_MAX = 65535         # XLB_WEIGHT_MAX, the netlink ABI's limit
DEFAULT_WEIGHT = 1

AF_INET = 2    # XLB_AF_INET
AF_INET6 = 10  # XLB_AF_INET6

U32 = 0xffffffff
U64 = 0xffffffffffffffff


class RefError(Exception):
    """Bad input or a backend set that cannot be built."""


# ---- hash primitives ([doc] "Permutations", murmur3-style 32-bit) ----

def rotl32(x, r):
    return ((x << r) | (x >> (32 - r))) & U32


def mix(h, k):
    k = (k * 0xcc9e2d51) & U32
    k = rotl32(k, 15)
    k = (k * 0x1b873593) & U32
    h ^= k
    h = rotl32(h, 13)
    return (h * 5 + 0xe6546b64) & U32


def final(h):
    h ^= h >> 16
    h = (h * 0x85ebca6b) & U32
    h ^= h >> 13
    h = (h * 0xc2b2ae35) & U32
    h ^= h >> 16
    return h


def words(addr):
    """The address's 32-bit words: 4 network-order bytes each, loaded as a
    little-endian (host order on x86) word.  IPv4: one word."""
    return [int.from_bytes(addr[i:i + 4], "little")
            for i in range(0, len(addr), 4)]


def hash_addr(family, addr, seed):
    w = words(addr)
    h = mix(seed, w[0])
    if family == AF_INET6:
        h = mix(h, w[1])
        h = mix(h, w[2])
        h = mix(h, w[3])
    return final(h ^ family)


def port_word(port):
    """A port's two network-order bytes loaded as a little-endian u16."""
    return int.from_bytes(port.to_bytes(2, "big"), "little")


def hash_flow(flow, seed, src_hash):
    """[doc] datapath.md step 6: xlb_hash_flow()."""
    proto, family, src, sport, dst, dport = flow
    if src_hash:
        return hash_addr(family, src, seed)
    s, d = words(src), words(dst)
    h = mix(seed, s[0])
    h = mix(h, d[0])
    if family == AF_INET6:
        for w in s[1:] + d[1:]:
            h = mix(h, w)
    h = mix(h, (port_word(sport) << 16) | port_word(dport))
    h = mix(h, (proto << 8) | family)
    return final(h)


def hash_slot(h, m):
    """[doc] xlb_hash_slot(): multiply-shift, (hash * M) >> 32."""
    return (h * m) >> 32


# ---- backends ----

class Backend:
    def __init__(self, family, addr, weight, text):
        self.family = family
        self.addr = addr        # 4 bytes (IPv4) or 16 bytes (IPv6)
        self.weight = weight
        self.text = text        # as printed: inet_ntop form

    def order_key(self):
        """[doc] "Weights": family first (IPv4 before IPv6), then the
        address as a big-endian number (bytewise)."""
        return (self.family, self.addr)


def parse_addr(s):
    for af, fam in ((socket.AF_INET, AF_INET), (socket.AF_INET6, AF_INET6)):
        try:
            raw = socket.inet_pton(af, s)
        except OSError:
            continue
        return fam, raw, socket.inet_ntop(af, raw)
    raise RefError("bad address '%s': want IPv4 or IPv6" % s)


def parse_backend(arg):
    """IPv4[:WEIGHT], IPv6, [IPv6][:WEIGHT]."""
    addr, weight = arg, None
    if arg.startswith("["):
        close = arg.find("]")
        if close < 0 or (close + 1 < len(arg) and arg[close + 1] != ":"):
            raise RefError("bad backend '%s': want [IPv6][:WEIGHT]" % arg)
        addr = arg[1:close]
        if close + 1 < len(arg):
            weight = arg[close + 2:]
    elif arg.count(":") == 1:
        addr, weight = arg.split(":")
    try:
        family, raw, text = parse_addr(addr)
    except RefError:
        raise RefError("bad backend '%s': bad address" % arg) from None
    if arg.startswith("[") and family != AF_INET6:
        raise RefError("bad backend '%s': brackets are for IPv6" % arg)
    w = DEFAULT_WEIGHT
    if weight is not None:
        if not weight.isdigit() or int(weight) > WEIGHT_MAX:
            raise RefError("bad backend '%s': weight must be 0..%d"
                           % (arg, WEIGHT_MAX))
        w = int(weight)
    return Backend(family, raw, w, text)


def parse_flow(arg):
    parts = arg.split(",")
    if len(parts) != 5:
        raise RefError("bad flow '%s': want PROTO,SRC,SPORT,DST,DPORT" % arg)
    try:
        proto, sport, dport = int(parts[0]), int(parts[2]), int(parts[4])
    except ValueError:
        raise RefError("bad flow '%s': numbers expected" % arg) from None
    fs, src, _ = parse_addr(parts[1])
    fd, dst, _ = parse_addr(parts[3])
    if fs != fd:
        raise RefError("bad flow '%s': address families differ" % arg)
    if not (0 <= proto <= 255 and 0 <= sport <= 65535 and 0 <= dport <= 65535):
        raise RefError("bad flow '%s': out of range" % arg)
    return (proto, fs, src, sport, dst, dport)


# ---- the table ----

def permutation(b, m, seed):
    """[doc] "Permutations": (offset, skip) of backend b."""
    seed_off = final(mix(seed, 0x4f464653))   # "OFFS"
    seed_skip = final(mix(seed, 0x534b4950))  # "SKIP"
    offset = hash_addr(b.family, b.addr, seed_off) % m
    skip = hash_addr(b.family, b.addr, seed_skip) % (m - 1) + 1
    return offset, skip


def turns(i, b):
    """[doc] "Weights": backend b's turns, k = 1, 2, ... at virtual time
    (2k - 1) / (2w), as sort keys (time, weight descending, address), in
    increasing order."""
    for k in itertools.count(1):
        yield (Fraction(2 * k - 1, 2 * b.weight), -b.weight, b.order_key(), i)


def build(backends, m, seed):
    """The table: a list of m backend indices (into backends), or None for
    every slot when no backend has weight > 0."""
    if m not in TABLE_SIZES:
        raise RefError("table size %d is not one of the accepted primes" % m)
    seen = set()
    for b in backends:
        if b.order_key() in seen:
            raise RefError("backend %s given twice" % b.text)
        seen.add(b.order_key())
    live = [i for i, b in enumerate(backends) if b.weight > 0]
    if len(live) > m:
        raise RefError("%d backends do not fit in %d slots" % (len(live), m))
    entry = [None] * m
    if not live:
        return entry
    # [paper] permutation[i][j] = (offset + j * skip) mod M; next[i] = 0.
    perm = {i: permutation(backends[i], m, seed) for i in live}
    nxt = {i: 0 for i in live}
    # [doc] all backends' turns merged in (time, weight desc, address)
    # order; the first M turns fill the table, one slot each.
    order = heapq.merge(*(turns(i, backends[i]) for i in live))
    for _, _, _, i in itertools.islice(order, m):
        offset, skip = perm[i]
        # [paper] Pseudocode 1: skip the slots already taken ...
        c = (offset + nxt[i] * skip) % m
        while entry[c] is not None:
            nxt[i] += 1
            c = (offset + nxt[i] * skip) % m
        # ... claim the first free one and move past it.
        entry[c] = i
        nxt[i] += 1
    assert None not in entry, "M turns must fill M slots"
    return entry


def digest_fmix64(k):
    k ^= k >> 33
    k = (k * 0xff51afd7ed558ccd) & U64
    k ^= k >> 33
    k = (k * 0xc4ceb53a85ec9fe3) & U64  # [doc]: not murmur3's constant
    k ^= k >> 33
    return k


def digest(backends, table):
    """[doc] "Digest"."""
    d = 0x6a09e667f3bcc908
    for i in table:
        if i is None:
            h = 0x454d5054
        else:
            b = backends[i]
            h = hash_addr(b.family, b.addr, 0x44494753)
        d ^= h
        d = (d * 0x9e3779b97f4a7c15) & U64
        d ^= d >> 32
    d ^= len(table)
    return digest_fmix64(d)


def counts(backends, table):
    """Slots per backend, in the order given."""
    return [sum(1 for i in table if i == n) for n in range(len(backends))]


# ---- command line ----

def parse_u32(s, what):
    try:
        v = int(s, 0)
    except ValueError:
        raise RefError("bad %s '%s'" % (what, s)) from None
    if not 0 <= v <= U32:
        raise RefError("bad %s '%s': 0..%d" % (what, s, U32))
    return v


def main(argv):
    ap = argparse.ArgumentParser(
        prog="maglev_ref.py",
        description="Reference Maglev table (see the module docstring).")
    ap.add_argument("--m", default=str(DEFAULT_SIZE))
    ap.add_argument("--seed", default=str(DEFAULT_SEED))
    out = ap.add_mutually_exclusive_group()
    out.add_argument("--digest", action="store_true")
    out.add_argument("--counts", action="store_true")
    out.add_argument("--flow", action="append")
    ap.add_argument("--src-hash", action="store_true")
    ap.add_argument("backends", nargs="*", metavar="BACKEND")
    a = ap.parse_args(argv)
    try:
        m = parse_u32(a.m, "table size")
        seed = parse_u32(a.seed, "seed")
        if not a.backends:
            raise RefError("no backends given")
        bes = [parse_backend(x) for x in a.backends]
        flows = [parse_flow(f) for f in a.flow or []]
        table = build(bes, m, seed)
    except RefError as e:
        print("maglev_ref.py: %s" % e, file=sys.stderr)
        return 1
    if a.digest:
        print("0x%016x" % digest(bes, table))
    elif a.counts:
        for b, n in zip(bes, counts(bes, table)):
            print(b.text, n)
    elif flows:
        for f in flows:
            h = hash_flow(f, seed, a.src_hash)
            s = hash_slot(h, m)
            i = table[s]
            print(h, s, "-" if i is None else bes[i].text)
    else:
        sys.stdout.write("".join(
            ("-" if i is None else bes[i].text) + "\n" for i in table))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
