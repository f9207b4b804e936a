#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""xlbnl.py - raw generic netlink client for the xlb family, for tests.

Sends any xlb command with any attributes (also malformed ones) and prints
the outcome as one JSON object:

  {"errno": 0, "error": null, "msg": null, "messages": [...], "intr": false}

errno is the positive error of the kernel's ack (0 = success), msg the
extended ack message, offset / miss_type the extack's pointers, messages the
decoded replies (for dumps: every message), intr whether any message carried
NLM_F_DUMP_INTR.  Exit status 0 on success, 1 when the kernel returned an
error, 2 on a usage or local error.

Usage:
  xlbnl.py [--dump] [--family NAME] [--version V] [--raw HEX] CMD [JSON]
  xlbnl.py monitor [--count N] [--timeout S]
  xlbnl.py map PATH KIND [KEY]      read a pinned ARRAY map: every entry
                                    (or KEY) decoded as KIND, one of ctl,
                                    vip, service, backend, table

CMD is a command name from include/uapi/xlb_netlink.h without the XLB_CMD_
prefix, in lower case (service_new, backend_get, lookup, ...), or a number.
JSON is the attribute tree, e.g.
  '{"service": {"addr4": "10.0.0.1", "port": 80, "proto": 6},
    "backend": {"addr4": "10.1.0.1", "weight": 3}}'
Names are the enum names without their prefix, in lower case.  Typed values
take the attribute's type from the table below; to send anything else use a
one-key object: {"u8": 1}, {"u16": 1}, {"u32": 1}, {"u64": 1}, {"hex":
"0a0b"}, {"str": "x"}, {"nest": {...}}.  Unknown attributes are given by
number: {"99": {"u32": 1}}.  Nested arrays (services, backends) are JSON
lists; a list element {"raw": HEX} is put in the array as raw bytes.  A map fd may be given as "@/sys/fs/bpf/PATH" ("@ro:/sys/fs/bpf/PATH": read-only): the file is opened with
BPF_OBJ_GET and its fd sent.  --bind-dir DIR fills XLB_A_BIND from the maps
pinned in DIR (xlb_ctl, xlb_vips, xlb_services, xlb_tables, xlb_backends).
--raw HEX appends raw bytes after the attributes.  --interleave CMD JSON
sends that second request on another socket after the first part of a dump
has been read (to test NLM_F_DUMP_INTR).  --expect ERRNAME REGEX expects
the kernel to refuse the request with ERRNAME and an extack message that
REGEX matches (re.search; a missing message reads "null"): exit status 0
if so, 1 with the reason on stderr otherwise; the JSON goes to stdout
either way.
"""
import errno as errno_mod
import json
import os
import re
import socket
import struct
import sys

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_EXT_ACK = 11
NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP_INTR = 0x10
NLM_F_DUMP = 0x300
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR = 2
NLMSG_DONE = 3
GENL_ID_CTRL = 16
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
NLA_F_NESTED = 0x8000
NLA_TYPE_MASK = 0x3fff
EXTACK = {1: "msg", 2: "offset", 5: "miss_type", 6: "miss_nest"}

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.path.join(HERE, "..", "..", "include", "uapi", "xlb_netlink.h")

# Attribute types by nest and name; enum numbers come from the header.
TYPES = {
    "A": {"service": ("nest", "SVC"), "backend": ("nest", "BE"),
          "services": ("array", "SVC"), "config": ("nest", "CFG"),
          "bind": ("nest", "BIND"), "flow": ("nest", "FLOW"),
          "generation": "u32"},
    "SVC": {"id": "u32", "addr4": "ip4", "addr6": "ip6", "port": "u16",
            "proto": "u8", "table_size": "u32", "flags": "u32",
            "backends": ("array", "BE"), "nbackends": "u32",
            "digest": "u64", "pad": "hex", "udp_timeout": "u32",
            "encap": "u8", "encap_port": "u16", "health": ("nest", "HC"),
            "stats": ("nest", "CNT")},
    "BE": {"id": "u32", "addr4": "ip4", "addr6": "ip6", "weight": "u32",
           "state": "u8", "slots": "u32", "gen": "u32", "health": "u8",
           "hc_result": "u8", "hc_detail": "u16", "hc_age": "u32",
           "stats": ("nest", "CNT"), "health_check": ("nest", "HC")},
    "HC": {"type": "u8", "port": "u16", "interval": "u32", "timeout": "u32",
           "rise": "u8", "fall": "u8", "path": "str", "host": "str",
           "expect": "u16", "send": "str", "recv": "str", "cmd": "str"},
    "CNT": {"pad": "hex", "packets": "u64", "bytes": "u64", "flows": "u64"},
    "CFG": {"seed": "u32", "src4": "ip4", "src6": "ip6", "bound": "u8",
            "max_services": "u32", "max_backends": "u32",
            "table_max": "u32"},
    "BIND": {"ctl_fd": "u32", "vips_fd": "u32", "services_fd": "u32",
             "tables_fd": "u32", "backends_fd": "u32", "svc_stats_fd": "u32",
             "be_stats_fd": "u32", "stats_fd": "u32"},
    "FLOW": {"src4": "ip4", "src6": "ip6", "dst4": "ip4", "dst6": "ip6",
             "sport": "u16", "dport": "u16", "proto": "u8", "hash": "u32",
             "slot": "u32"},
}
# Element type of nested arrays ("nest of XLB_A_SERVICE nests", ...).
ARRAY_ELEM = {"SVC": 1, "BE": 2}
BIND_MAPS = {"ctl_fd": "xlb_ctl", "vips_fd": "xlb_vips",
             "services_fd": "xlb_services", "tables_fd": "xlb_tables",
             "backends_fd": "xlb_backends"}


class UsageError(Exception):
    pass


def parse_header():
    """Enum numbers of the header: cmds and {nest: {name: number}}."""
    text = open(HEADER).read()
    enums = {}
    for body in re.findall(r"enum\s+\w+\s*\{(.*?)\};", text, re.S):
        val = -1
        for line in body.splitlines():
            m = re.match(r"\s*([A-Z0-9_]+)\s*(=\s*([^,/]+))?,?", line)
            if not m:
                continue
            if m.group(3) is not None:
                try:
                    val = int(m.group(3).strip(), 0)
                except ValueError:
                    continue
            else:
                val += 1
            enums[m.group(1)] = val
    cmds = {k[len("XLB_CMD_"):].lower(): v for k, v in enums.items()
            if k.startswith("XLB_CMD_") and not k.startswith("XLB_CMD__")}
    nums = {}
    for nest in TYPES:
        prefix = "XLB_%s_A_" % nest if nest != "A" else "XLB_A_"
        nums[nest] = {k[len(prefix):].lower(): v for k, v in enums.items()
                      if k.startswith(prefix)}
    return cmds, nums


CMDS, NUMS = parse_header()


def nla(atype, payload):
    hdr = struct.pack("=HH", 4 + len(payload), atype)
    pad = b"\0" * ((4 - len(payload) % 4) % 4)
    return hdr + payload + pad


BPF_F_RDONLY = 1 << 3


def obj_get(path):
    """BPF_OBJ_GET(path) -> fd, through the raw bpf(2) syscall; a path
    prefixed with "ro:" is opened read-only (file_flags BPF_F_RDONLY)."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    flags = 0
    if path.startswith("ro:"):
        path, flags = path[3:], BPF_F_RDONLY
    cpath = ctypes.create_string_buffer(path.encode())
    attr = struct.pack("=QII", ctypes.addressof(cpath), 0, flags)
    buf = ctypes.create_string_buffer(attr, 128)
    fd = libc.syscall(321, 7, buf, 128)
    if fd < 0:
        e = ctypes.get_errno()
        raise UsageError("BPF_OBJ_GET %s: %s" % (path, os.strerror(e)))
    return fd


def enc_value(kind, value):
    if isinstance(value, dict) and len(value) == 1:
        (k, v), = value.items()
        if k in ("u8", "u16", "u32", "u64", "hex", "str", "ip4", "ip6"):
            return enc_value(k, v)
    if isinstance(value, str) and value.startswith("@"):
        value = obj_get(value[1:])
    if kind == "u8":
        return struct.pack("=B", value)
    if kind == "u16":
        return struct.pack("=H", value)
    if kind == "u32":
        return struct.pack("=I", value & 0xffffffff)
    if kind == "u64":
        return struct.pack("=Q", value)
    if kind == "ip4":
        return socket.inet_pton(socket.AF_INET, value)
    if kind == "ip6":
        return socket.inet_pton(socket.AF_INET6, value)
    if kind == "hex":
        return bytes.fromhex(value)
    if kind == "str":
        return value.encode() + b"\0"
    raise UsageError("cannot encode %r as %s" % (value, kind))


def enc_attrs(nest, tree):
    out = b""
    for name, value in tree.items():
        if name.isdigit():
            num, kind = int(name), None
        elif name in NUMS[nest]:
            num, kind = NUMS[nest][name], TYPES[nest].get(name)
        else:
            raise UsageError("unknown attribute %r in %s" % (name, nest))
        if isinstance(value, dict) and len(value) == 1 and \
                next(iter(value)) == "nest":
            out += nla(num | NLA_F_NESTED, enc_attrs(nest, value["nest"]))
        elif isinstance(kind, tuple) and kind[0] == "nest" and \
                isinstance(value, dict) and not is_typed(value):
            out += nla(num | NLA_F_NESTED, enc_attrs(kind[1], value))
        elif isinstance(kind, tuple) and kind[0] == "array" and \
                isinstance(value, list):
            elems = b"".join(
                bytes.fromhex(e["raw"]) if list(e) == ["raw"] else
                nla(ARRAY_ELEM[kind[1]] | NLA_F_NESTED, enc_attrs(kind[1], e))
                for e in value)
            out += nla(num | NLA_F_NESTED, elems)
        elif kind is None or isinstance(kind, tuple):
            if not is_typed(value):
                raise UsageError("attribute %r needs a typed value" % name)
            out += nla(num, enc_value(None, value))
        else:
            out += nla(num, enc_value(kind, value))
    return out


def is_typed(value):
    return isinstance(value, dict) and len(value) == 1 and next(iter(
        value)) in ("u8", "u16", "u32", "u64", "hex", "str", "ip4", "ip6")


def dec_attrs(nest, data):
    names = {v: k for k, v in NUMS[nest].items()}
    out = {}
    while len(data) >= 4:
        alen, atype = struct.unpack_from("=HH", data)
        payload = data[4:alen]
        data = data[(alen + 3) & ~3:]
        num = atype & NLA_TYPE_MASK
        name = names.get(num, str(num))
        kind = TYPES[nest].get(name, "hex")
        out[name] = dec_value(kind, payload)
    return out


def dec_value(kind, p):
    if isinstance(kind, tuple) and kind[0] == "nest":
        return dec_attrs(kind[1], p)
    if isinstance(kind, tuple):
        res = []
        while len(p) >= 4:
            alen, _ = struct.unpack_from("=HH", p)
            res.append(dec_attrs(kind[1], p[4:alen]))
            p = p[(alen + 3) & ~3:]
        return res
    if kind == "u64" and len(p) == 8:
        # As a string: JSON readers such as jq lose bits above 2^53.
        return "0x%016x" % struct.unpack("=Q", p)[0]
    fmt = {"u8": "=B", "u16": "=H", "u32": "=I"}.get(kind)
    if fmt and len(p) == struct.calcsize(fmt):
        return struct.unpack(fmt, p)[0]
    if kind == "str" and p.endswith(b"\0"):
        return p[:-1].decode(errors="backslashreplace")
    if kind == "ip4" and len(p) == 4:
        return socket.inet_ntop(socket.AF_INET, p)
    if kind == "ip6" and len(p) == 16:
        return socket.inet_ntop(socket.AF_INET6, p)
    return p.hex()


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 1

    def send(self, ftype, cmd, version, flags, payload):
        self.seq += 1
        body = struct.pack("=BBH", cmd, version, 0) + payload
        hdr = struct.pack("=IHHII", 16 + len(body), ftype, flags, self.seq,
                          0)
        self.sock.send(hdr + body)
        return self.seq

    def recv_all(self, seq, after_first=None):
        """Messages until the ack or NLMSG_DONE of seq."""
        res = {"errno": 0, "error": None, "msg": None, "messages": [],
               "intr": False}
        while True:
            data = self.sock.recv(1 << 20)
            while len(data) >= 16:
                mlen, mtype, flags, mseq, _ = struct.unpack_from("=IHHII",
                                                                 data)
                msg, data = data[:mlen], data[(mlen + 3) & ~3:]
                if mseq != seq:
                    continue
                if flags & NLM_F_DUMP_INTR:
                    res["intr"] = True
                if mtype == NLMSG_ERROR:
                    self.ack(res, msg, flags, 16 + 4 + 16)
                    return res
                if mtype == NLMSG_DONE:
                    self.ack(res, msg, flags, 16 + 4)
                    return res
                res["messages"].append(msg)
            if after_first:
                after_first()
                after_first = None

    @staticmethod
    def ack(res, msg, flags, tlv_off):
        err = struct.unpack_from("=i", msg, 16)[0] if len(msg) >= 20 else 0
        if err:
            res["errno"] = -err
            res["error"] = "EOPNOTSUPP" if -err == errno_mod.EOPNOTSUPP \
                else errno_mod.errorcode.get(-err, str(-err))
        if not flags & NLM_F_ACK_TLVS:
            return
        if msg[4:6] != b"" and struct.unpack_from("=H", msg, 4)[0] == \
                NLMSG_ERROR and not flags & NLM_F_CAPPED:
            olen = struct.unpack_from("=I", msg, 20)[0]
            tlv_off = 20 + ((olen + 3) & ~3)
        tlvs = msg[tlv_off:]
        while len(tlvs) >= 4:
            alen, atype = struct.unpack_from("=HH", tlvs)
            p = tlvs[4:alen]
            tlvs = tlvs[(alen + 3) & ~3:]
            key = EXTACK.get(atype)
            if key == "msg":
                res["msg"] = p.rstrip(b"\0").decode()
            elif key and len(p) == 4:
                res[key] = struct.unpack("=I", p)[0]

    def family(self, name):
        seq = self.send(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1,
                        NLM_F_REQUEST | NLM_F_ACK,
                        nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        res = self.recv_all(seq)
        if res["errno"]:
            raise UsageError("genl family %s: %s" % (name, res["error"]))
        fid, groups = None, {}
        a = res["messages"][0][20:]
        while len(a) >= 4:
            alen, atype = struct.unpack_from("=HH", a)
            p, a = a[4:alen], a[(alen + 3) & ~3:]
            atype &= NLA_TYPE_MASK
            if atype == CTRL_ATTR_FAMILY_ID:
                fid = struct.unpack("=H", p[:2])[0]
            elif atype == CTRL_ATTR_MCAST_GROUPS:
                groups.update(self.groups(p))
        return fid, groups

    @staticmethod
    def groups(p):
        out = {}
        while len(p) >= 4:
            alen, _ = struct.unpack_from("=HH", p)
            g, p = p[4:alen], p[(alen + 3) & ~3:]
            name, gid = None, None
            while len(g) >= 4:
                glen, gtype = struct.unpack_from("=HH", g)
                v, g = g[4:glen], g[(glen + 3) & ~3:]
                if gtype == 1:
                    name = v.rstrip(b"\0").decode()
                elif gtype == 2:
                    gid = struct.unpack("=I", v)[0]
            out[name] = gid
        return out


def decode_msgs(res, cmd_names):
    out = []
    for m in res["messages"]:
        d = dec_attrs("A", m[20:])
        d["cmd"] = cmd_names.get(m[16], m[16])
        out.append(d)
    res["messages"] = out


BPF_MAP_LOOKUP_ELEM = 1
BPF_OBJ_GET_INFO_BY_FD = 15
MAP_KINDS = {"ctl": "=8I4s16sIQ", "vip": "=16s2sBBI", "service": "=16s2sBB15I",
             "backend": "=16sBBHIII"}


def bpf(cmd, attr):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(attr, 128)
    ret = libc.syscall(321, cmd, buf, 128)
    if ret < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return ret, buf.raw


def map_info(fd):
    import ctypes
    info = ctypes.create_string_buffer(80)
    bpf(BPF_OBJ_GET_INFO_BY_FD, struct.pack("=IIQ", fd, 80,
                                            ctypes.addressof(info)))
    mtype, _, ksize, vsize, nent = struct.unpack_from("=5I", info.raw)
    return mtype, ksize, vsize, nent


def map_lookup(fd, key, vsize):
    import ctypes
    k = ctypes.create_string_buffer(struct.pack("=I", key))
    v = ctypes.create_string_buffer(vsize)
    bpf(BPF_MAP_LOOKUP_ELEM, struct.pack("=IIQQQ", fd, 0, ctypes.addressof(k),
                                         ctypes.addressof(v), 0))
    return v.raw


def ip_of(raw, family):
    if family == 10:
        return socket.inet_ntop(socket.AF_INET6, raw)
    return socket.inet_ntop(socket.AF_INET, raw[:4])


def dec_entry(kind, raw):
    if kind == "table":
        return list(struct.unpack("=%dI" % (len(raw) // 4), raw))
    f = struct.unpack(MAP_KINDS[kind], raw)
    if kind == "ctl":
        # "seed": the live half's (seed[vip_active]); "seeds": both halves.
        return {"seed": f[f[2] & 1], "seeds": [f[0], f[1]],
                "vip_active": f[2], "vip_slots": f[3], "table_max": f[4],
                "flags": f[5], "gen": f[6], "stamp": f[7],
                "src4": ip_of(f[8], 2), "src6": ip_of(f[9], 10),
                "owner": f[11]}
    if kind == "backend":
        return {"addr": ip_of(f[0], f[1]), "family": f[1], "state": f[2],
                "svc_ver": f[3], "sid": f[4], "gen": f[5], "weight": f[6]}
    key = {"addr": ip_of(f[0], f[3]), "port": struct.unpack("!H", f[1])[0],
           "proto": f[2], "family": f[3]}
    if kind == "vip":
        return dict(key, sid_plus1=f[4])
    # table_size, flags, seed, nbackends, udp_timeout: of the live copy
    # (cfg[active]).
    cfg = [dict(zip(("table_size", "flags", "seed", "nbackends",
                     "udp_timeout"),
                    f[7 + 6 * c:12 + 6 * c])) for c in (0, 1)]
    return dict(key, active=f[4], gen=f[5], ver=f[6], cfg=cfg,
                **cfg[f[4] & 1])


def map_cmd(args):
    if len(args) < 2 or args[1] not in list(MAP_KINDS) + ["table"]:
        raise UsageError("map PATH ctl|vip|service|backend|table [KEY]")
    fd = obj_get(args[0])
    _, _, vsize, nent = map_info(fd)
    keys = [int(args[2])] if len(args) > 2 else range(nent)
    out = []
    for k in keys:
        e = dec_entry(args[1], map_lookup(fd, k, vsize))
        out.append(e if args[1] == "table" else dict(e, key=k))
    print(json.dumps(out[0] if len(args) > 2 else out))
    return 0


def monitor(args):
    import select
    count, timeout = 1, 10.0
    while args:
        opt = args.pop(0)
        if opt == "--count":
            count = int(args.pop(0))
        elif opt == "--timeout":
            timeout = float(args.pop(0))
        else:
            raise UsageError("unknown monitor option " + opt)
    g = Genl()
    _, groups = g.family("xlb")
    g.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, groups["changes"])
    print(json.dumps({"ready": True}), flush=True)
    names = {v: k for k, v in CMDS.items()}
    got = 0
    while got < count:
        r, _, _ = select.select([g.sock], [], [], timeout)
        if not r:
            raise UsageError("monitor: timeout after %d of %d" % (got, count))
        data = g.sock.recv(1 << 20)
        while len(data) >= 16 and got < count:
            mlen = struct.unpack_from("=I", data)[0]
            msg, data = data[:mlen], data[(mlen + 3) & ~3:]
            d = dec_attrs("A", msg[20:])
            d["cmd"] = names.get(msg[16], msg[16])
            print(json.dumps(d), flush=True)
            got += 1
    return 0


def interleave(fid, cmd, tree):
    g = Genl()
    seq = g.send(fid, CMDS[cmd], 1, NLM_F_REQUEST | NLM_F_ACK,
                 enc_attrs("A", tree))
    res = g.recv_all(seq)
    if res["errno"]:
        raise UsageError("interleaved %s: %s %s" % (cmd, res["error"],
                                                     res["msg"]))


def main(argv):
    args = list(argv)
    if args and args[0] == "monitor":
        return monitor(args[1:])
    if args and args[0] == "map":
        return map_cmd(args[1:])
    flags, family, version, raw, bind_dir = NLM_F_REQUEST | NLM_F_ACK, \
        "xlb", 1, b"", None
    inter = expect = None
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--dump":
            flags |= NLM_F_DUMP
        elif opt == "--family":
            family = args.pop(0)
        elif opt == "--version":
            version = int(args.pop(0))
        elif opt == "--raw":
            raw = bytes.fromhex(args.pop(0))
        elif opt == "--interleave":
            inter = (args.pop(0), json.loads(args.pop(0)))
        elif opt == "--bind-dir":
            bind_dir = args.pop(0)
        elif opt == "--expect":
            expect = (args.pop(0), args.pop(0))
        else:
            raise UsageError("unknown option " + opt)
    if not args:
        raise UsageError(__doc__)
    cmd = int(args[0]) if args[0].isdigit() else CMDS.get(args[0])
    if cmd is None:
        raise UsageError("unknown command %r" % args[0])
    tree = json.loads(args[1]) if len(args) > 1 else {}
    if bind_dir:
        b = tree.setdefault("bind", {})
        for attr, name in BIND_MAPS.items():
            b.setdefault(attr, "@" + os.path.join(bind_dir, name))
    g = Genl()
    fid, _ = g.family(family)
    seq = g.send(fid, cmd, version, flags, enc_attrs("A", tree) + raw)
    res = g.recv_all(seq, (lambda: interleave(fid, *inter)) if inter
                     else None)
    decode_msgs(res, {v: k for k, v in CMDS.items()})
    print(json.dumps(res))
    if expect:
        return check_expect(res, *expect)
    return 1 if res["errno"] else 0


def check_expect(res, want, regex):
    """0 if res is the error want with a message regex matches, else 1."""
    msg = "null" if res["msg"] is None else res["msg"]
    if not res["errno"]:
        why = "expected %s, got success" % want
    elif res["error"] != want:
        why = "expected %s, got %s" % (want, res["error"])
    elif not re.search(regex, msg):
        why = "extack message does not match /%s/" % regex
    else:
        return 0
    print("%s: %s" % (why, json.dumps(res)), file=sys.stderr)
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except UsageError as e:
        print("xlbnl: %s" % e, file=sys.stderr)
        sys.exit(2)
