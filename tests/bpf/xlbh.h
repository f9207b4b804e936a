/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbh.h - host harness for the XDP data path: loads build/xlb.bpf.o through
 * the libbpf skeleton and publishes a configuration into its maps the way
 * the kernel module does (backends, Maglev tables built with lib/maglev.c
 * into the inactive copy, service flip, VIP table rebuilt into the inactive
 * copy and flipped, xlb_ctl last).  Used by the fixture tests, the host DSR
 * test publisher and the benchmark.  Also builds test packets from fields.
 */
#ifndef XLBH_H
#define XLBH_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "xlb_maps.h"

#define XLBH_MAX_SVC 16
#define XLBH_MAX_BE 8

struct xlb;
struct bpf_object;
struct bpf_map;

/* The data path's maps in a loaded object (xlb.bpf.o or the bench). */
struct xlbh_maps {
	struct bpf_map *ctl, *vips, *services, *tables, *backends, *conntrack,
		*conntrack4, *svc_stats, *be_stats, *stats, *vlan_in, *egress,
		*syn;
};

struct xlbh_be {
	__be32 addr[4];
	__u8 family;
	__u8 state; /* enum xlb_be_state; UNUSED = deleted */
	__u32 weight;
	__u32 bid;
	__u32 gen;
};

struct xlbh_svc {
	bool used;
	__u32 sid;
	struct xlb_vip_key key;
	__u32 table_size;
	__u32 flags;
	__u32 udp_timeout; /* seconds; default for UDP services, 0 for TCP */
	__u8 encap; /* enum xlb_encap */
	__u16 encap_port; /* GUE destination port, host order */
	__u32 gen;
	__u32 ver; /* xlb_service.ver published last */
	__u32 active; /* live table copy */
	__u32 nbe;
	struct xlbh_be be[XLBH_MAX_BE];
	__u32 *table; /* bids of the live table (test model) */
};

struct xlbh {
	struct xlb *skel; /* NULL when bound to another object */
	struct xlbh_maps m;
	__u32 seed;
	__u32 ct4_mask; /* xlb_conntrack4 buckets - 1 */
	__u32 table_max;
	__u32 vip_slots;
	__u32 vip_active;
	__u32 gen;
	__u32 flags; /* xlb_ctl.flags published */
	__be32 src4;
	__be32 src6[4];
	__u32 next_gen;
	struct xlbh_svc svc[XLBH_MAX_SVC];
};

/* Parse "10.0.0.1" or "fd00::1" into a 4-word address; exits on error. */
__u8 xlbh_addr(const char *s, __be32 a[4]);

/* Open + size + load the skeleton (table_max, vip_slots as rodata). */
int xlbh_open(struct xlbh *h, __u32 table_max, __u32 vip_slots);
/* Same with the next-hop cache lifetime (jiffies, 0 = off) and size (0 =
 * default). */
int xlbh_open_nh(struct xlbh *h, __u32 table_max, __u32 vip_slots, __u64 nh_ttl,
		 __u32 nh_entries);
/* Flow cache lifetime (jiffies, 0 = off) the next xlbh_open*() uses. */
extern __u64 xlbh_fc_ttl;
/* ICMP too-big token bucket (ns per reply, replies) the next open uses. */
extern __u64 xlbh_icmp_cost_ns;
extern __u32 xlbh_icmp_burst;
/* Connection table budget per CPU and window (0 = no limit) and size (0 =
 * default) the next xlbh_open*() uses. */
extern __u32 xlbh_ct_rate;
extern __u32 xlbh_ct_entries;
/*
 * Secret seed of the IPv4 connection table's buckets (xlb_cfg_ct4_seed) of
 * every object the harness opens; an object bound with xlbh_bind() must
 * have been loaded with it.
 */
#define XLBH_CT4_SEED 0x5eedc0deu
void xlbh_close(struct xlbh *h);
/* Use an object loaded elsewhere (same map names); sizes as it was loaded. */
int xlbh_bind(struct xlbh *h, struct bpf_object *obj, __u32 table_max,
	      __u32 vip_slots);
int xlbh_prog_fd(const struct xlbh *h);
/*
 * What lbctl attach writes for a device: dev is real's VLAN device of id
 * vid (xlb_vlan_in, xlb_egress), or real itself with vid 0 (xlb_egress).
 * xlbh_bind() adds xa0 and xb0 when they exist (tests/bpf/run.sh).
 */
int xlbh_vlan_add(struct xlbh *h, int real, __u16 vid, int dev);

/* Configuration model; xlbh_publish() writes it into the maps. */
struct xlbh_svc *xlbh_svc_add(struct xlbh *h, __u32 sid, const char *vip,
			      __u16 port, __u8 proto, __u32 table_size);
struct xlbh_be *xlbh_be_add(struct xlbh *h, struct xlbh_svc *s, __u32 bid,
			    const char *addr, __u32 weight);
int xlbh_publish(struct xlbh *h);
/*
 * What the module publishes for a change to one service: its backends, its
 * table copy and flip, its ver; not the VIP table, not xlb_ctl.
 */
int xlbh_publish_svc(struct xlbh *h, struct xlbh_svc *s);
/*
 * Remove service s as the module does: the VIP table without it, then its
 * ver bumped; with retire also what follows the grace period (gen 0, its
 * backends unused).
 */
int xlbh_svc_remove(struct xlbh *h, struct xlbh_svc *s, bool retire);

/* Backend id the model's live table gives a flow (XLB_TABLE_EMPTY: none). */
__u32 xlbh_pick(const struct xlbh *h, const struct xlbh_svc *s,
		const struct xlb_flow *f);
struct xlbh_be *xlbh_be_by_bid(struct xlbh *h, __u32 bid);

/* The connection table entry of flow f (either family's map): 0 or -ENOENT. */
int xlbh_ct_get(const struct xlbh *h, const struct xlb_flow *f,
		struct xlb_ct_entry *e);
/* Delete flow f's entry (as an LRU eviction would): 0 or -errno. */
int xlbh_ct_del(const struct xlbh *h, const struct xlb_flow *f);
/* Flow f's SYN table slot, if it holds f's SYN's choice; else -ENOENT. */
int xlbh_syn_get(const struct xlbh *h, const struct xlb_flow *f,
		 struct xlb_syn *s);

/* Global counters summed over CPUs. */
int xlbh_stats(const struct xlbh *h, __u64 c[XLB_STAT__MAX]);
/* Per service / backend counters summed over CPUs whose gen matches. */
struct xlbh_cnt {
	__u64 packets, bytes, flows;
};

int xlbh_counter(const struct xlbh *h, bool backend, __u32 id, __u32 gen,
		 struct xlbh_cnt *cnt);

/* BPF_PROG_TEST_RUN once; returns 0 or -errno. */
int xlbh_run(int prog_fd, int ifindex, const void *in, size_t len, void *out,
	     size_t *out_len, __u32 *verdict);
/* The same frame repeat times (it must leave the frame as it is). */
int xlbh_run_n(int prog_fd, int ifindex, const void *in, size_t len,
	       __u32 repeat, __u32 *verdict);
/*
 * Every CPU's flow cache bypass state (struct xlb_fc_adapt in its
 * xlb_stats value) to debt, with no hits owed since; counters unchanged.
 */
int xlbh_fc_adapt_set(const struct xlbh *h, __u32 debt);

/* ---- packets built from fields ---- */
struct pkt {
	__u8 dmac[6];
	__u8 smac[6];
	bool vlan;
	__u16 tci;
	__u8 family; /* XLB_AF_INET / XLB_AF_INET6 */
	__be32 src[4];
	__be32 dst[4];
	__u8 proto; /* 6, 17, 1, 58 or anything */
	__u16 sport; /* host order */
	__u16 dport;
	__u8 tcp_flags;
	__u8 tos;
	__u8 optlen; /* IPv4 options bytes, multiple of 4 */
	__u16 frag_off; /* IPv4 frag_off field, host order */
	bool v6frag; /* IPv6 fragment header */
	__u16 payload; /* L4 payload bytes */
	const __u8 *raw_l4; /* proto other than TCP/UDP: L4 bytes */
	__u16 raw_l4_len;
};

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_ACK 0x10

/* Frame bytes into buf (>= 4096); returns its length. */
size_t pkt_build(const struct pkt *p, __u8 *buf);
/* Offset of the IP header in a frame built by pkt_build. */
size_t pkt_l2_len(const struct pkt *p);
/* The flow (conntrack key) a client packet p belongs to. */
void pkt_flow(const struct pkt *p, struct xlb_flow *f);
/* RFC 1071 checksum of len bytes. */
__u16 pkt_csum(const void *b, size_t len);

/* What the outer header carries besides addresses and tos. */
struct pkt_outer {
	__u32 ent; /* the flow's entropy: xlb_hash_entropy() */
	__u16 gue_port; /* GUE destination port (host order), 0: IPIP */
};

/*
 * Expected output of an encapsulated frame: Ethernet (dmac, smac, vlan tag
 * tci if vlan) + outer header (family, src, dst, TTL 64, tos, DF, id 0,
 * checksum; IPv6: flow label from o->ent) + with o->gue_port a UDP header
 * (source port from o->ent, no checksum) + the input's IP packet (in + l2,
 * l3_len bytes).
 */
size_t pkt_encap(const __u8 *dmac, const __u8 *smac, bool vlan, __u16 tci,
		 __u8 ofamily, const __be32 osrc[4], const __be32 odst[4],
		 __u8 tos, __u8 inner_family, const __u8 *l3, size_t l3_len,
		 const struct pkt_outer *o, __u8 *out);

/*
 * Expected ICMP too-big reply to frame (built from p, len bytes): MACs
 * swapped, tag kept, from p's destination to its source, TTL 64; IPv4:
 * type 3 code 4, no DF, ID 0, quoting up to 548 bytes; IPv6: type 2,
 * quoting up to 1232 bytes; quotes cut to a multiple of 4 bytes.
 */
size_t pkt_too_big(const struct pkt *p, const __u8 *frame, size_t len,
		   __u32 mtu, __u8 *out);

#endif /* XLBH_H */
