#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""test_maglev_ref.py - lib/maglev.c (through build/maglev-tool) against the
independent reference tests/tools/maglev_ref.py, and both against the
weighted variant's rounding rule as Documentation/maglev.md states it.

  1. The rounding rule, with expected slot counts derived from the rule
     itself, not from either implementation: the first M turns, turn k of
     weight w at time (2k - 1) / (2w), are the Sainte-Lague (Webster)
     apportionment of M slots; ties go to the heavier weight, then to the
     lower (family, address).
  2. Many random configurations (sizes, seeds, IPv4/IPv6, weights 0..65535):
     the reference and maglev-tool print the same table and digest.

TAP output, exit status 1 on any failure.  Random cases use
MAGLEV_REF_SEED (default 1; 0 = a new one, printed) so a failure replays.
Usage: test_maglev_ref.py [path/to/maglev-tool]
"""

import os
import random
import subprocess
import sys
import time
from fractions import Fraction

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import maglev_ref as ref  # noqa: E402

TOOL = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
    "MAGLEV_TOOL", "build/maglev-tool")

n_tests = 0
n_failed = 0


def ok(cond, name, *diag):
    global n_tests, n_failed
    n_tests += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n_tests, name))
    if not cond:
        n_failed += 1
        for d in diag:
            print("# %s" % d)
    return cond


def tool(args):
    """maglev-tool's stdout and exit status."""
    p = subprocess.run([TOOL] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, check=False)
    return p.stdout, p.returncode


def ref_counts(args, m, seed=ref.DEFAULT_SEED):
    bes = [ref.parse_backend(a) for a in args]
    return ref.counts(bes, ref.build(bes, m, seed))


def tool_counts(args, m, seed=ref.DEFAULT_SEED):
    out, rc = tool(["--m", str(m), "--seed", str(seed), "--counts"] + args)
    if rc:
        return None
    return [int(line.split()[1]) for line in out.splitlines()]


def both(name, args, m, want, seed=ref.DEFAULT_SEED):
    """Slot counts of the reference and of maglev-tool both equal want."""
    for who, f in (("reference", ref_counts), ("maglev-tool", tool_counts)):
        got = f(args, m, seed)
        ok(got == want, "%s: %s" % (who, name),
           "M=%d %s" % (m, " ".join(args)), "got %s want %s" % (got, want))


def webster_ok(weights, c, m):
    """[doc] "Weights": counts c are a Sainte-Lague (Webster) apportionment
    of m slots: they sum to m, weight 0 gets nothing, and one common time t
    separates every backend's last turn taken, (2c - 1) / (2w), from its
    first turn not taken, (2c + 1) / (2w)."""
    if sum(c) != m:
        return False
    live = [(w, n) for w, n in zip(weights, c) if w > 0]
    if any(n for w, n in zip(weights, c) if w == 0):
        return False
    last = max(Fraction(2 * n - 1, 2 * w) for w, n in live if n > 0)
    first_not = min(Fraction(2 * n + 1, 2 * w) for w, n in live)
    return last <= first_not


def addr4(i):
    return "10.%d.%d.%d" % (i >> 16 & 255, i >> 8 & 255, (i & 255) or 1)


def test_rounding_fixed():
    # weights 3:1 of 251: quotas 188.25 / 62.75, Webster 188 / 63.
    both("weights 3/1 of 251 -> 188/63", ["10.1.0.1:3", "fd00::2"], 251,
         [188, 63])
    # 1/2/3/1 of 251: quotas 35.857 / 71.714 / 107.571 / 35.857.
    both("weights 1/2/3/1 of 251 -> 36/72/107/36",
         ["10.0.0.1", "10.0.0.2:2", "[2001:db8::1]:3", "2001:db8::2"], 251,
         [36, 72, 107, 36])
    # [doc] "weights 1/65535, M = 65537: 1 slot for weight 1".
    both("weights 1/65535 of 65537 -> 1/65536", ["10.0.0.1:1", "10.0.0.2:65535"],
         65537, [1, 65536])
    # Weight 0: no turns, no slots, and the table is that of the others.
    both("weight 0 takes no slots", ["10.0.0.1:0", "10.0.0.2", "10.0.0.3"], 251,
         [0, 126, 125])
    # Equal weights: one group, round robin in (family, address) order, so
    # the 251st turn (251 = 2 * 125 + 1) goes to the lower address.
    # IPv4 (family 2) sorts before IPv6 (family 10) ...
    both("equal weights: IPv4 before IPv6 (::1 < 10.0.0.1 numerically)",
         ["::1", "10.0.0.1"], 251, [125, 126])
    # ... and addresses compare as numbers, not as text.
    both("equal weights: 9.0.0.1 before 10.0.0.1 (bytewise, not text)",
         ["10.0.0.1", "9.0.0.1"], 251, [125, 126])
    # A time tie at the M-th turn between different weights: weights 1 and
    # 501 of 251 (quotas exactly 0.5 and 250.5).  Weight 1's first turn and
    # weight 501's 251st are both at time 1/2; the heavier goes first, even
    # though the lighter has the lower address, so weight 1 gets no slot.
    both("time tie: the heavier weight wins (1/501 of 251 -> 0/251)",
         ["1.0.0.1:1", "2.0.0.1:501"], 251, [0, 251])


def test_rounding_random(rng):
    """Random weight sets: both implementations give a Webster
    apportionment, each count within one slot of its quota M w / sum(w)
    (the doc: a neighbouring integer in every case measured)."""
    for case in range(12):
        m = rng.choice((251, 509, 1021, 2039, 4093))
        n = rng.randint(2, 12)
        hi = rng.choice((3, 100, 65535))
        weights = [rng.randint(0, hi) if rng.random() < 0.15 else
                   rng.randint(1, hi) for _ in range(n)]
        if not any(weights):
            weights[0] = 1
        args = ["%s:%d" % (addr4(i + 1), w) for i, w in enumerate(weights)]
        total = sum(weights)
        for who, f in (("reference", ref_counts), ("maglev-tool", tool_counts)):
            c = f(args, m)
            good = c is not None and webster_ok(weights, c, m) and all(
                abs(Fraction(m * w, total) - k) < 1 for w, k in zip(weights, c))
            ok(good, "%s: random weights %d: Sainte-Lague counts" % (who, case),
               "M=%d weights %s" % (m, weights), "counts %s" % c)


def random_backends(rng, n):
    """n distinct IPv4/IPv6 backends; the weights are all equal (the common
    case: one group), a few classes, or anything in 0..65535."""
    mode = rng.choice(("equal", "classes", "wide"))
    seen, out = set(), []
    while len(out) < n:
        if rng.random() < 0.6:
            a = "%d.%d.%d.%d" % tuple(rng.randint(0, 255) for _ in range(4))
        else:
            a = "2001:db8:%x::%x" % (rng.randint(0, 0xffff),
                                     rng.randint(1, 0xffff))
        if a in seen:
            continue
        seen.add(a)
        if mode == "equal":
            w = 1
        elif mode == "classes":
            w = rng.randint(0, 3)
        else:
            w = rng.randint(1, 65535) if rng.random() < 0.9 else 0
        out.append("[%s]:%d" % (a, w) if ":" in a else "%s:%d" % (a, w))
    return out


def test_cross_check(rng):
    """The reference and maglev-tool agree on tables and digests."""
    for case in range(50):
        m = rng.choice((251, 251, 509, 1021, 2039, 4093, 8191))
        n = rng.randint(1, 40 if m > 251 else 20)
        seed = rng.choice((ref.DEFAULT_SEED, 0, rng.getrandbits(32)))
        args = random_backends(rng, n)
        common = ["--m", str(m), "--seed", str(seed)]
        bes = [ref.parse_backend(a) for a in args]
        table = ref.build(bes, m, seed)
        want = "".join(("-" if i is None else bes[i].text) + "\n"
                       for i in table)
        got, rc = tool(common + args)
        same = rc == 0 and got == want
        diff = ""
        if not same and rc == 0:
            g, w = got.splitlines(), want.splitlines()
            s = next((i for i in range(min(len(g), len(w))) if g[i] != w[i]),
                     min(len(g), len(w)))
            diff = "first difference at slot %d: maglev-tool %s reference %s" % (
                s, g[s] if s < len(g) else "(end)", w[s] if s < len(w) else "(end)")
        ok(same, "random config %d: same table (M=%d, %d backends)" % (case, m, n),
           "args: %s" % " ".join(common + args), "exit %d %s" % (rc, diff))
        got, rc = tool(common + ["--digest"] + args)
        ok(rc == 0 and got.strip() == "0x%016x" % ref.digest(bes, table),
           "random config %d: same digest" % case,
           "maglev-tool %s reference 0x%016x" % (got.strip(), ref.digest(bes, table)))


def test_rejections():
    """Both refuse the same bad backend sets."""
    many = [addr4(i + 1) for i in range(252)]
    for name, args in (("duplicate", ["10.0.0.1", "10.0.0.1:3"]),
                       ("duplicate IPv6 spelling", ["2001:db8::1", "[2001:db8:0::1]:2"]),
                       ("more backends than slots", many),
                       ("table size not a listed prime", ["--m", "1000", "10.0.0.1"])):
        if args[0] != "--m":
            args = ["--m", "251"] + args
        _, rc = tool(args)
        p = subprocess.run([sys.executable, os.path.join(HERE, "..", "tools",
                                                         "maglev_ref.py")] + args,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, check=False)
        ok(rc == 1 and p.returncode == 1 and p.stderr.count("\n") == 1,
           "both reject: %s" % name,
           "maglev-tool exit %d, reference exit %d: %s" % (rc, p.returncode,
                                                          p.stderr.strip()))


def main():
    if not os.access(TOOL, os.X_OK):
        print("not ok 1 - %s is executable (make maglev-tool)" % TOOL)
        print("1..1")
        return 1
    seed = int(os.environ.get("MAGLEV_REF_SEED", "1"))
    if seed == 0:
        seed = int(time.time() * 1000) & 0xffffffff
    print("# MAGLEV_REF_SEED=%d" % seed)
    rng = random.Random(seed)
    test_rounding_fixed()
    test_rounding_random(rng)
    test_cross_check(rng)
    test_rejections()
    print("1..%d" % n_tests)
    if n_failed:
        print("# FAILED %d of %d checks (MAGLEV_REF_SEED=%d)" % (n_failed, n_tests, seed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
