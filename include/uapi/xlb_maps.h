/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * xlb_maps.h - BPF map layouts shared by the XDP program (bpf/), the kernel
 * module (kmod/) and userspace (user/, tests/).  This header is the single
 * definition of every map the data path reads; nothing else may redefine
 * these structures.
 *
 * Who writes what
 * ---------------
 *   xlb_ctl        ARRAY[1]                 module   global control block
 *   xlb_vips       ARRAY[2 * vip_slots]     module   VIP -> service, two copies
 *   xlb_services   ARRAY[max_services]      module   one entry per service id
 *   xlb_tables     ARRAY[2 * max_services]  module   Maglev tables, two copies
 *   xlb_backends   ARRAY[max_backends]      module   one entry per backend id
 *   xlb_conntrack  LRU_HASH                 XDP      IPv6 flow -> backend
 *   xlb_conntrack4 ARRAY[ct4_buckets]       XDP      IPv4 flow -> backend
 *   xlb_nh_cache   PERCPU_ARRAY             XDP      next hop per backend
 *   xlb_flow_cache PERCPU_ARRAY             XDP      recent decisions per flow
 *   xlb_ct_budget  PERCPU_ARRAY[1]          XDP      new-entry budget per CPU
 *   xlb_syn        ARRAY[syn_slots]         XDP      choices of recent SYNs
 *   xlb_svc_stats  PERCPU_ARRAY             XDP      per service counters
 *   xlb_be_stats   PERCPU_ARRAY             XDP      per backend counters
 *   xlb_stats      PERCPU_ARRAY[1]          XDP      global reason counters
 *   xlb_icmp_rl    PERCPU_ARRAY[1]          XDP      ICMP reply token bucket
 *   xlb_vlan_in    HASH                     lbctl    (device, VLAN id) -> VLAN device
 *   xlb_egress     HASH                     lbctl    egress device -> how to send
 *
 * The module writes only ARRAY maps (value pointers from map_lookup_elem,
 * published with WRITE_ONCE / memcpy into an inactive copy followed by a
 * single flip store), see Documentation/design.md.
 *
 * Sizing: max_services, max_backends, table_max, vip_slots and conntrack
 * entries are chosen by the loader (lbctl) at load time.  The module derives
 * every capacity from the maps it is handed:
 *   max_services = xlb_services.max_entries
 *   xlb_tables.max_entries == 2 * max_services
 *   table_max    = xlb_tables.value_size / 4   (u32 backend id per slot)
 *   max_backends = xlb_backends.max_entries
 *   vip_slots    = xlb_vips.max_entries / 2    (power of two)
 *
 * Byte order: addresses and ports are kept in network byte order exactly as
 * they appear on the wire.  An IPv4 address occupies word 0 of a 4-word
 * address array; words 1..3 are zero.
 */
#ifndef _UAPI_XLB_MAPS_H
#define _UAPI_XLB_MAPS_H

#include <linux/types.h>

/* Address families, numerically equal to AF_INET / AF_INET6. */
#define XLB_AF_INET		2
#define XLB_AF_INET6		10

/* Map names as they appear in xlb.bpf.o and under the pin directory. */
#define XLB_MAP_CTL		"xlb_ctl"
#define XLB_MAP_VIPS		"xlb_vips"
#define XLB_MAP_SERVICES	"xlb_services"
#define XLB_MAP_TABLES		"xlb_tables"
#define XLB_MAP_BACKENDS	"xlb_backends"
#define XLB_MAP_CONNTRACK	"xlb_conntrack"	/* IPv6 flows */
#define XLB_MAP_CONNTRACK4	"xlb_conntrack4"	/* IPv4 flows */
#define XLB_MAP_SVC_STATS	"xlb_svc_stats"
#define XLB_MAP_BE_STATS	"xlb_be_stats"
#define XLB_MAP_STATS		"xlb_stats"
#define XLB_MAP_NH_CACHE	"xlb_nh_cache"	/* XDP private, see struct xlb_nh */
#define XLB_MAP_FLOW_CACHE	"xlb_flow_cache" /* XDP private, struct xlb_fc */
#define XLB_MAP_ICMP_RL		"xlb_icmp_rl"	/* XDP private, xlb_icmp_rl */
#define XLB_MAP_VLAN_IN		"xlb_vlan_in"	/* lbctl attach, see below */
#define XLB_MAP_EGRESS		"xlb_egress"	/* lbctl attach, see below */
#define XLB_MAP_CT_BUDGET	"xlb_ct_budget"	/* XDP private, xlb_ct_budget */
#define XLB_MAP_SYN		"xlb_syn"	/* XDP private, struct xlb_syn */

/* Default pin directory used by lbctl attach. */
#define XLB_PIN_DIR		"/sys/fs/bpf/xlb"

/*
 * Load-time defaults.  Memory each costs at the default sizes:
 *   tables    2 * 32 * 65537 * 4 B  = 16.0 MiB
 *   conntrack 131072 entries/family ~ 15 MiB IPv6 (key 40 B + value 16 B +
 *                                      htab element, ~120 B) + 8 MiB IPv4
 *                                      (131072 buckets of 64 B, two
 *                                      entries each)
 *   flow cache per CPU: 4096 * 72 B = 288 KiB
 *   backends  16384 * 32 B          = 512 KiB
 *   vips      2 * 128 * 24 B        = 6 KiB
 *   stats     per CPU: (32 + 16384) * 32 B + XLB_STAT__MAX * 8 B
 */
#define XLB_DEFAULT_MAX_SERVICES	32
#define XLB_DEFAULT_MAX_BACKENDS	16384
#define XLB_DEFAULT_TABLE_MAX		65537
#define XLB_DEFAULT_CT_ENTRIES		131072
#define XLB_DEFAULT_VIP_SLOTS		128	/* >= 4 * max_services, pow2 */

/* Default five-tuple hash seed; identical on every node of a cluster. */
#define XLB_DEFAULT_SEED		0x9e3779b9u

/*
 * The VIP table is an open-addressed hash table of vip_slots entries per
 * copy, linear probing, at most XLB_VIP_MAX_PROBE probes.  The module refuses
 * (ENOSPC) a configuration that cannot be placed within that bound.
 */
#define XLB_VIP_MAX_PROBE	8

/* Maglev table entry meaning "no backend": the packet is dropped. */
#define XLB_TABLE_EMPTY		0xffffffffu

/* Conntrack key; also the input of the five-tuple hash (lib/xlb_hash.h). */
struct xlb_flow {
	__be32	src[4];
	__be32	dst[4];
	__be16	sport;
	__be16	dport;
	__u8	proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	__u8	family;		/* XLB_AF_INET or XLB_AF_INET6 */
	__u8	pad[2];		/* always zero */
};


/* Service key: what a packet's destination is matched against. */
struct xlb_vip_key {
	__be32	addr[4];
	__be16	port;
	__u8	proto;
	__u8	family;
};

struct xlb_vip_slot {
	struct xlb_vip_key key;
	__u32	sid_plus1;	/* 0: empty slot, otherwise service id + 1 */
};

/*
 * xlb_ctl[0].  A packet reads vip_active once and then only the half it
 * names: the VIP slots of that half and seed[vip_active], the seed the half
 * was placed with.  The module writes a half and its seed before the flip
 * (Documentation/design.md, "One packet, one configuration").
 */
struct xlb_ctl {
	__u32	seed[2];	/* VIP hash seed of each xlb_vips half */
	__u32	vip_active;	/* 0 or 1: which half of xlb_vips is live */
	__u32	vip_slots;	/* slots per half, power of two */
	__u32	table_max;	/* u32 entries in one xlb_tables value */
	__u32	flags;		/* XLB_CTL_F_* */
	__u32	gen;		/* bumped when what every service shares
				 * changes: the outer source addresses, a
				 * bind (not by a change to one service, see
				 * xlb_service.ver)
				 */
	__u32	stamp;		/* highest allocation stamp ever published */
	__be32	src4;		/* outer source for IPIP, 0 = unset */
	__be32	src6[4];	/* outer source for ip6ip6, :: = unset */
	__u32	pad;
	__u64	owner;		/* netns cookie of the first namespace that
				 * bound these maps (0: none); no other may
				 */
};

#define XLB_CTL_F_BOUND		(1U << 0)	/* module has published state */

/*
 * What a packet needs of one table copy, stored beside it: the copy's
 * size, hash flags, the seed it was built with and the backends holding
 * slots in it.  Switched together with the table by one store of
 * xlb_service.active.
 */
struct xlb_svc_cfg {
	__u32	table_size;	/* M, prime, <= table_max */
	__u32	flags;		/* XLB_SVC_F_* (xlb_netlink.h) */
	__u32	seed;		/* five-tuple hash seed of this copy */
	__u32	nbackends;	/* backends holding table slots */
	__u32	udp_timeout;	/* UDP: seconds an idle connection table
				 * entry lives; 0: never expires (TCP)
				 */
	__u8	encap;		/* enum xlb_encap (xlb_netlink.h) */
	__u8	pad;
	__be16	encap_port;	/* GUE: outer UDP destination port */
};

/* xlb_services[sid]. */
struct xlb_service {
	struct xlb_vip_key key;
	__u32	active;		/* 0 or 1: live table copy, see xlb_tables */
	__u32	gen;		/* 0: unused entry */
	__u32	ver;		/* bumped by every publish of this service
				 * (after its flip) and at its removal (after
				 * the VIP flip): the caches' per-service
				 * invalidation
				 */
	struct xlb_svc_cfg cfg[2];	/* of table copy 0 and 1 */
};

/* xlb_tables key of service sid, copy c (0 or 1). Value: __u32[table_max]. */
#define XLB_TABLE_KEY(sid, c)	((__u32)(sid) * 2 + (__u32)(c))

enum xlb_be_state {
	XLB_BE_UNUSED	= 0,	/* free slot (gen tells old users apart) */
	XLB_BE_ACTIVE	= 1,	/* takes new flows in proportion to weight */
	XLB_BE_DRAIN	= 2,	/* no new flows, established flows continue */
};

/* xlb_backends[bid]. */
struct xlb_backend {
	__be32	addr[4];
	__u8	family;
	__u8	state;		/* enum xlb_be_state */
	__u16	svc_ver;	/* low 16 bits of xlb_services[sid].ver,
				 * stored after it by every publish of the
				 * service (and its removal): the flow cache
				 * hit checks its service here, without
				 * reading xlb_services
				 */
	__u32	sid;		/* owning service */
	__u32	gen;		/* unique per allocation, never 0 when in use */
	__u32	weight;
};

/*
 * Conntrack value.  An entry is valid only while
 * xlb_backends[bid].gen == gen and its state is not XLB_BE_UNUSED: a backend
 * slot reused for another backend has a new gen, so stale entries can never
 * steer a packet to it.  A UDP entry is also valid only while it has been
 * idle for less than its service's udp_timeout (struct xlb_svc_cfg): seen
 * is refreshed when a packet finds it more than udp_timeout / 8 old, so an
 * entry expires after between udp_timeout and 9/8 udp_timeout of silence
 * (Documentation/datapath.md, "Connection table").
 */
struct xlb_ct_entry {
	__u32	bid;
	__u32	gen;
	__u64	seen;		/* bpf_ktime_get_coarse_ns() of the insert or
				 * of the last refresh
				 */
};

/*
 * xlb_conntrack4[bucket] (ARRAY of ct4_buckets = 2^k buckets, BPF_F_MMAPABLE
 * so that every 64-byte bucket fills one cache line; XDP private): the
 * IPv4 connection table.  A flow lives in one of two buckets,
 * xlb_ct4_bucket_idx() (lib/xlb_hash.h) of its words with the loader's
 * secret ct4_seed, in one of a bucket's XLB_CT4_WAYS entries.  A lookup
 * reads one cache line, or two when the flow is in its second bucket or
 * absent; an LRU hash reads at least two (bucket head, element) and
 * writes the element's reference bit.
 *   - a new entry takes an empty entry of its first bucket, else of its
 *     second (so most flows are found with one cache line), else the
 *     entry of one of the four that moves to its own other bucket, where
 *     there is room (one level of cuckoo displacement), else replaces the
 *     entry of the four with the oldest seen (conntrack_evicted): the
 *     table never refuses a flow, and evicts the least recently refreshed
 *     of its candidates, as an LRU evicts the least recently used of all;
 *   - seen is refreshed for every protocol when a packet finds it more
 *     than a slack old (XLB_CT4_REFRESH_NS for TCP, udp_timeout / 8 for
 *     UDP), so a busy flow dirties its entry a few times per slack;
 *   - tag = proto | xlb_ct4_check() << 8, 0 for an empty entry, is
 *     written last (after 0 while the entry is rewritten) and read first:
 *     an entry read while another CPU rewrites it does not match its
 *     check and reads as no entry (the packet takes the Maglev table's
 *     choice); two CPUs that place two new flows in one free entry at
 *     once leave one of them.
 * lbctl attach sizes it to the power of two at least conntrack-size
 * buckets, twice that many entries: a table holding conntrack-size flows
 * is half full, and about 0.02 % of new entries then evict an older flow
 * (none seen at a quarter full; simulated with random hashes).
 */
#define XLB_CT4_WAYS			2
#define XLB_DEFAULT_CT4_BUCKETS		XLB_DEFAULT_CT_ENTRIES
#define XLB_CT4_REFRESH_NS		(1ULL << 34)	/* ~17 s */

struct xlb_ct4 {
	__be32	src;
	__be32	dst;
	__be16	sport;
	__be16	dport;
	__u32	tag;		/* proto | check << 8; 0: empty */
	struct xlb_ct_entry ce;
};

struct xlb_ct4_bucket {
	struct xlb_ct4 e[XLB_CT4_WAYS];
};

/* Per-service UDP idle timeout, seconds (lbctl service add ... udp-timeout). */
#define XLB_UDP_TIMEOUT_DEFAULT	30
#define XLB_UDP_TIMEOUT_MIN	1
#define XLB_UDP_TIMEOUT_MAX	86400

/*
 * xlb_ct_budget[0] (PERCPU_ARRAY, XDP private): how many connection table
 * entries this CPU created in the current window of 2^30 ns (~1.07 s).  A
 * CPU creates at most the loader's ct_rate (default XLB_DEFAULT_CT_RATE)
 * per window; further new flows are forwarded by the Maglev table without
 * an entry (counter conntrack_rate_limited).
 */
#define XLB_DEFAULT_CT_RATE		16384
#define XLB_CT_WINDOW_SHIFT		30

struct xlb_ct_budget {
	__u64	window;		/* bpf_ktime_get_coarse_ns() >> 30 */
	__u32	used;		/* entries created in that window */
	__u32	pad;
};

/*
 * Per service / per backend counters (per CPU).  gen is the owner's gen when
 * the counters were last reset by the data path; readers ignore a CPU whose
 * gen differs from the current owner's.  Zeroing (XLB_CMD_STATS_ZERO)
 * stores gen 0: readers then ignore the CPU, and its next packet starts the
 * counters again from 0.
 *   packets, bytes  packets forwarded to the backend (a service: packets
 *                   matched), their L3 length before encapsulation
 *   flows           new flows: TCP SYNs and UDP packets the Maglev table
 *                   balanced because no live connection table entry
 *                   had them (Documentation/datapath.md)
 */
struct xlb_counter {
	__u64	packets;
	__u64	bytes;
	__u32	gen;
	__u32	pad;
	__u64	flows;
};

/*
 * Global counters: one reason per packet outcome, so every frame is counted
 * in exactly one XLB_STAT_* of the "verdict" class, plus informational
 * counters (marked info) that may count a frame in addition.
 * X(name, "text", is_info)
 */
#define XLB_STATS(X)							\
	X(PASS_NOT_SERVICE,	"pass_not_service",	0)		\
	X(PASS_NOT_IP,		"pass_not_ip",		0)		\
	X(PASS_FRAGMENT,	"pass_fragment",	0)		\
	X(PASS_NO_NEIGH,	"pass_no_neigh",	0)		\
	X(PASS_NOT_BOUND,	"pass_not_bound",	0)		\
	X(DROP_PARSE,		"drop_parse_error",	0)		\
	X(DROP_NO_BACKEND,	"drop_no_backend",	0)		\
	X(DROP_ENCAP,		"drop_encap_failure",	0)		\
	X(DROP_FIB,		"drop_fib_failure",	0)		\
	X(DROP_TOO_BIG,		"drop_too_big",		0)		\
	X(TX,			"tx",			0)		\
	X(REDIRECT,		"redirect",		0)		\
	X(CT_HIT,		"conntrack_hit",	1)		\
	X(CT_MISS,		"conntrack_miss",	1)		\
	X(CT_STALE,		"conntrack_stale",	1)		\
	X(ICMP_ERROR,		"icmp_error",		1)		\
	X(IPV4_OPTIONS,		"ipv4_options",		1)		\
	X(VLAN,			"vlan",			1)		\
	X(FLOW_CACHE_HIT,	"flow_cache_hit",	1)		\
	X(TX_TOO_BIG,		"tx_icmp_too_big",	0)		\
	X(DROP_TOO_BIG_RL,	"drop_too_big_ratelimited", 0)	\
	X(PASS_ICMP_NOT_VIP,	"pass_icmp_not_vip",	0)		\
	X(PASS_VLAN_UNKNOWN,	"pass_vlan_unknown",	0)		\
	X(DROP_NO_EGRESS,	"drop_no_egress",	0)		\
	X(CT_UNTRACKED,		"conntrack_untracked",	1)		\
	X(CT_RATE_LIMITED,	"conntrack_rate_limited", 1)		\
	X(CT_EXPIRED,		"conntrack_expired",	1)		\
	X(ENCAP_GUE,		"encap_gue",		1)		\
	X(FC_BYPASS,		"flow_cache_bypass",	1)		\
	X(CT_EVICTED,		"conntrack_evicted",	1)

enum xlb_stat {
#define XLB_STAT_ENUM(name, text, info) XLB_STAT_##name,
	XLB_STATS(XLB_STAT_ENUM)
#undef XLB_STAT_ENUM
	XLB_STAT__MAX
};

/*
 * xlb_nh_cache[bid] (PERCPU_ARRAY, max_entries = max_backends; written and
 * read by the XDP program only): the next hop bpf_fib_lookup() found for a
 * backend, reused for at most the loader's nh_ttl (default
 * XLB_DEFAULT_NH_TTL_JIFFIES: 25 ms at HZ=1000, 100 ms at HZ=250) while gen,
 * ctl_gen, the ver of the backend's service and the ingress device match
 * (a publish of that service refreshes it; the VLAN device for a tagged
 * frame; ifindex_out is then the device xlb sends through, never a VLAN
 * device, and vid_out the tag it pushes).
 * Backends with an id beyond its size are simply looked up every time.
 */
#define XLB_DEFAULT_NH_TTL_JIFFIES	25

struct xlb_nh {
	__u64	expires;	/* bpf_jiffies64() deadline */
	__u8	mac[12];	/* destination then source MAC, as on the wire */
	__u32	be_gen;		/* xlb_backends[bid].gen it was made for */
	__u32	ctl_gen;	/* xlb_ctl.gen it was made for */
	__u32	ifindex_in;	/* ingress device of the lookup */
	__u32	ifindex_out;	/* egress device */
	__u32	mtu;		/* largest outer IP length that fits */
	__u32	vid_out;	/* 802.1Q tag to push, 0: none */
	__u32	svc_ver;	/* xlb_backends[bid].svc_ver then */
};

/*
 * xlb_syn[slot] (ARRAY of XLB_DEFAULT_SYN_SLOTS, shared by every CPU, XDP
 * private): the backend chosen for a TCP SYN, until the flow's first
 * packet without SYN (the handshake's ACK) moves it into the connection
 * table.  A SYN therefore never inserts into the LRU table: a SYN flood
 * overwrites slots of this direct-mapped table and nothing else, so it can
 * neither evict established flows nor pay the LRU's eviction per packet.
 *   - slot = xlb_syn_index(flow) (lib/xlb_hash.h), seeded with nothing:
 *     a flood overwrites slots whatever their index;
 *   - the per-CPU budget of new entries (xlb_ct_budget) applies to the
 *     SYN: one beyond it (counted conntrack_rate_limited) is forwarded
 *     and leaves nothing, no lookup, no slot (its flow is untracked);
 *   - a SYN within the budget looks its flow up: one that already has a
 *     connection table entry (a client port reused for a new connection)
 *     has that entry's backend rewritten in place instead of a slot;
 *   - the first packet without SYN whose slot holds its flow, written less
 *     than XLB_SYN_TTL_NS ago, for a backend still live (gen), takes the
 *     entry: the slot is emptied and the choice recorded in the connection
 *     table (counted conntrack_hit);
 *   - check is a hash of flow, bid, gen and stamp written after them: a
 *     slot read while another CPU rewrites it does not match and counts as
 *     no entry (the packet takes the Maglev table's choice, untracked).
 * A flow whose slot was overwritten before its ACK (more than about
 * syn_slots SYNs within the budget per round trip) is forwarded by the
 * Maglev table without an entry, like a packet without SYN of an unknown
 * flow.
 */
#define XLB_DEFAULT_SYN_BITS		16
#define XLB_DEFAULT_SYN_SLOTS		(1U << XLB_DEFAULT_SYN_BITS)
#define XLB_SYN_TTL_NS			(64ULL * 1000000000ULL)

struct xlb_syn {
	struct xlb_flow	flow;
	__u32	bid;
	__u32	gen;		/* xlb_backends[bid].gen of the choice */
	__u64	stamp;		/* XLB_CT_CLOCK(st) of the SYN */
	__u32	check;		/* xlb_syn_check(); 0: empty */
	__u32	pad;
};

/*
 * xlb_flow_cache[slot] (PERCPU_ARRAY of XLB_DEFAULT_FC_SLOTS = 2^fc_bits;
 * XDP private): a direct-mapped per-CPU copy of recent forwarding
 * decisions, so an established flow's packets reach their backend without
 * a hash-map call and without the VIP match.  The LRU connection table
 * stays the authority: an entry is filled only from it (a hit) or together
 * with it (a new choice).  An entry is used only while
 *   - xlb_backends[bid] still has gen be_gen and is not UNUSED (a backend
 *     retired after the publish grace period is never reached),
 *   - its service's ver is still svc_ver, as the backend's copy
 *     xlb_backends[bid].svc_ver (low 16 bits) tells (a publish of this
 *     service, or its removal, invalidates its entries and only its
 *     entries: the service, its VIP and its encapsulation are then as they
 *     were; the backend's gen ties it to one allocation of its service),
 *     and
 *   - its lifetime, the loader's fc_ttl (default XLB_DEFAULT_FC_TTL_JIFFIES),
 *     has not run out; then the flow is looked up in the LRU again, which
 *     keeps its recency there.
 * fc_ttl 0 turns the cache off.
 */
#define XLB_DEFAULT_FC_BITS		12
#define XLB_DEFAULT_FC_SLOTS		(1U << XLB_DEFAULT_FC_BITS)
#define XLB_DEFAULT_FC_TTL_JIFFIES	25

struct xlb_fc {
	struct xlb_flow	flow;	/* family 0: empty */
	__u32	bid;
	__u32	be_gen;		/* xlb_backends[bid].gen of the choice */
	__u32	sid;		/* service of the flow */
	__u32	svc_gen;	/* xlb_services[sid].gen then */
	__u32	svc_ver;	/* xlb_services[sid].ver then */
	__u8	hit;		/* 1: served a packet since the fill; a
				 * valid entry with hit set keeps its slot
				 * against other flows' fills
				 */
	__u8	encap;		/* the service's cfg then: encap, */
	__be16	encap_port;	/* encap_port (a hit reads no xlb_services) */
	__u64	expires;	/* bpf_jiffies64() deadline */
};

/*
 * The flow cache bypass state of one CPU, kept in its xlb_stats value (XDP
 * private, after the counters: the program has that value at hand, so a
 * probe that hits reads one word of a line it writes anyway and writes
 * nothing more).  A miss costs more than no cache at all (probe of a cold
 * line, 72-byte fill, then the same LRU lookup), so with a low hit rate the
 * cache is bypassed for a while.  debt < XLB_FC_DEBT_MAX: probing; a hit
 * pays 1 back (down to 0), a miss adds XLB_FC_MISS_COST, so debt grows
 * while fewer than MISS_COST / (MISS_COST + 1) = 3/4 of the probes hit.
 * Hits pay lazily: the next miss subtracts the hits counted since the
 * previous one (flow_cache_hit, whose low 32 bits it keeps in hits).
 * Reaching XLB_FC_DEBT_MAX: the next XLB_FC_BYPASS_PKTS established
 * packets (TCP without SYN, UDP) skip probe and fill (counted
 * flow_cache_bypass; debt counts them down above DEBT_MAX), then probing
 * starts again with debt 0.  Zero (a fresh map) probes.
 */
#define XLB_FC_DEBT_MAX		8192
#define XLB_FC_MISS_COST	3
#define XLB_FC_BYPASS_PKTS	(1U << 17)

struct xlb_fc_adapt {
	__u32	debt;
	__u32	hits;	/* (__u32)c[XLB_STAT_FLOW_CACHE_HIT] at the last miss */
};

/*
 * This CPU's copy of the coarse clock: bpf_ktime_get_coarse_ns() read at
 * most once per jiffy (it moves only at ticks), so that a connection
 * table hit does not pay a helper call for its age (bpf_jiffies64() is
 * inlined by the JIT).
 */
struct xlb_clock {
	__u64	jiffies;	/* bpf_jiffies64() when ns was read */
	__u64	ns;
};

/*
 * xlb_stats[0]: the counters (userspace and the module read and zero c[]
 * only), then this CPU's flow cache bypass state and clock.
 */
struct xlb_stats {
	__u64	c[XLB_STAT__MAX];
	struct xlb_fc_adapt fc;
	struct xlb_clock clk;
};

/*
 * xlb_icmp_rl[0] (PERCPU_ARRAY[1], XDP private): the token bucket limiting
 * the ICMP "fragmentation needed" / ICMPv6 "packet too big" replies the data
 * path sends (Documentation/datapath.md).  credit is in nanoseconds of
 * bpf_ktime_get_ns(): it grows with time up to burst * cost, and a reply
 * costs the loader's icmp_cost_ns (default XLB_DEFAULT_ICMP_COST_NS, i.e.
 * 1000 replies per second per CPU, bursts of XLB_DEFAULT_ICMP_BURST).
 */
#define XLB_DEFAULT_ICMP_COST_NS	1000000ULL
#define XLB_DEFAULT_ICMP_BURST		50

struct xlb_icmp_rl {
	__u64	stamp;		/* bpf_ktime_get_ns() of the last update, 0: never */
	__u64	credit;		/* ns of credit at stamp */
};

/*
 * VLANs (Documentation/datapath.md, "VLANs").  XDP runs on the physical
 * device, but the kernel routes a tagged frame as arriving on the VLAN
 * device, and sends to a backend behind a VLAN device through it.  lbctl
 * attach DEV writes, for DEV and every 802.1Q VLAN device on top of it:
 *
 *   xlb_vlan_in[{DEV, vid}] = ifindex of DEV's VLAN device with that id
 *     (HASH, max_entries XLB_VLAN_MAX).  A frame tagged vid on DEV is
 *     routed with bpf_fib_lookup() as arriving on that device; a tag
 *     without an entry is passed to the kernel untouched
 *     (pass_vlan_unknown).  Untagged frames (and priority tags, vid 0) are
 *     routed as arriving on DEV.
 *   xlb_egress[ifindex] = { DEV, vid } for DEV itself (vid 0) and for each
 *     of its VLAN devices (HASH, max_entries XLB_VLAN_MAX).  When
 *     bpf_fib_lookup() answers an egress device, the frame leaves through
 *     DEV (XDP_TX when DEV is the ingress device, else a redirect to DEV,
 *     which xlb is attached to) with the 802.1Q tag vid, or untagged for
 *     vid 0.  An egress device without an entry (one xlb is not attached
 *     to, nor a VLAN device on one) cannot take an XDP frame: the frame is
 *     dropped and counted drop_no_egress.
 */
#define XLB_VLAN_MAX	4096

struct xlb_vlan_key {
	__u32	ifindex;	/* device xlb is attached to */
	__u32	vid;		/* 802.1Q VLAN id, 1..4094 */
};

struct xlb_egress {
	__u32	ifindex;	/* device xlb is attached to */
	__u32	vid;		/* 0: untagged, else the 802.1Q VLAN id */
};

#endif /* _UAPI_XLB_MAPS_H */
