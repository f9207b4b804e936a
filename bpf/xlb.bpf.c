// SPDX-License-Identifier: GPL-2.0
/*
 * xlb.bpf.c - the XDP data path of xlb.
 *
 * Per frame: parse Ethernet (+ one 802.1Q tag), IPv4 (options allowed) or
 * IPv6, TCP/UDP (or an ICMP/ICMPv6 error quoting a TCP/UDP header); match the
 * service in the VIP table; pick the backend from the connection table or
 * the service's Maglev table; encapsulate (IPIP / ip6ip6 / 4in6 / 6in4, outer
 * family = backend family) and forward to the next hop found with
 * bpf_fib_lookup(), or answer a frame too big for the backend path with an
 * ICMP / ICMPv6 too-big error (rate limited).
 * Documentation/datapath.md has the full policy; every
 * frame is counted in exactly one non-info XLB_STAT_* counter.
 *
 * The parts, in the order a frame meets them (bpf/lib/):
 *   maps.h       load-time configuration and maps
 *   common.h     packet-format constants, word packing, counters
 *   parse.h      frame -> struct xlb_pkt
 *   vlan.h       ingress device of a tagged frame
 *   select.h     VIP match, flow cache, Maglev lookup
 *   conntrack.h  connection table
 *   nexthop.h    bpf_fib_lookup() and the next-hop cache (path MTU)
 *   encap.h      outer headers
 *   icmp.h       too-big replies
 *
 * The program is named xlb_xdp (skeleton: skel->progs.xlb_xdp).
 */
#include "lib/maps.h"
#include "lib/common.h"
#include "lib/parse.h"
#include "lib/vlan.h"
#include "lib/select.h"
#include "lib/conntrack.h"
#include "lib/nexthop.h"
#include "lib/encap.h"
#include "lib/icmp.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * Find the next hop, encapsulate as the service's live copy says (encap and
 * encap_port of its struct xlb_svc_cfg: IPIP, or GUE to UDP port
 * encap_port), and return the verdict (counted).  hash is the flow's
 * (xlb_flow_hash()): the entropy of the GUE source port and the IPv6 flow
 * label.  One copy of this code serves the flow cache hit and the full
 * path, and both modes: the UDP header's length is a variable, not a
 * second inlined copy per mode (a smaller program ran faster, measured in
 * Documentation/performance.md).
 */
static __always_inline int
xlb_forward(struct xdp_md *ctx, const struct xlb_ctl *ctl,
	    const struct xlb_pkt *p, const struct xlb_backend *be, __u32 bid,
	    __u8 encap, __be16 encap_port, __u32 hash, struct xlb_stats *st)
{
	struct xlb_nh scratch, *nh = NULL;
	struct xlb_outer out = { .ent = hash, .dport = encap_port };
	__u32 olen;
	int rc;

	if (be->family == XLB_AF_INET) {
		if (!ctl->src4)
			goto err_encap;
		olen = sizeof(struct iphdr);
	} else if (be->family == XLB_AF_INET6) {
		if (!(ctl->src6[0] | ctl->src6[1] | ctl->src6[2] |
		      ctl->src6[3]))
			goto err_encap;
		olen = sizeof(struct ipv6hdr);
	} else {
		goto err_encap;
	}
	if (encap == XLB_ENCAP_GUE)
		out.ulen = sizeof(struct udphdr);
	/* the path MTU and the too-big reply count the whole overhead */
	olen += out.ulen;

	rc = xlb_nexthop(ctx, ctl, p, be, bid, p->l3_len + olen, &scratch, &nh);
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		return xlb_too_big(ctx, p, nh ? nh->mtu : 0, olen, st);
	if (rc == XLB_FIB_NO_EGRESS) {
		st->c[XLB_STAT_DROP_NO_EGRESS]++;
		return XDP_DROP;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH) {
		st->c[XLB_STAT_DROP_FIB]++;
		return XDP_DROP;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		nh = NULL;
	if (be->family == XLB_AF_INET)
		rc = xlb_encap(ctx, p, ctl, be, nh, sizeof(struct iphdr), &out);
	else
		rc = xlb_encap(ctx, p, ctl, be, nh, sizeof(struct ipv6hdr),
			       &out);
	if (rc)
		goto err_encap;
	if (out.ulen)
		st->c[XLB_STAT_ENCAP_GUE]++;

	xlb_count(&xlb_be_stats, bid, be->gen, p->l3_len);
	if (!nh) {
		/* the kernel forwards it and resolves the neighbour */
		st->c[XLB_STAT_PASS_NO_NEIGH]++;
		return XDP_PASS;
	}
	if (nh->ifindex_out == ctx->ingress_ifindex) {
		st->c[XLB_STAT_TX]++;
		return XDP_TX;
	}
	st->c[XLB_STAT_REDIRECT]++;
	return bpf_redirect(nh->ifindex_out, 0);

err_encap:
	st->c[XLB_STAT_DROP_ENCAP]++;
	return XDP_DROP;
}

/* The whole per-frame path (also wrapped by tests/bench/bench_xdp.bpf.c). */
static __always_inline int xlb_process(struct xdp_md *ctx)
{
	struct xlb_pkt p = {};
	struct xlb_service *svc;
	struct xlb_backend *be = NULL;
	struct xlb_stats *st;
	struct xlb_ctl *ctl;
	struct xlb_fc_val v;
	const struct xlb_svc_cfg *cfg;
	struct xlb_fc *fc;
	__u32 zero = 0, sid, bid = 0, c, hash;
	__be16 encap_port;
	__u8 encap;
	int rc;

	st = bpf_map_lookup_elem(&xlb_stats, &zero);
	if (!st)
		return XDP_PASS;
	ctl = bpf_map_lookup_elem(&xlb_ctl, &zero);
	if (!ctl || !(ctl->flags & XLB_CTL_F_BOUND)) {
		st->c[XLB_STAT_PASS_NOT_BOUND]++;
		return XDP_PASS;
	}

	rc = xlb_parse(ctx, &p, st);
	if (rc != XLB_PARSED) {
		if (rc < 0 || rc >= XLB_STAT__MAX)
			rc = XLB_STAT_DROP_PARSE;
		st->c[rc]++;
		return rc == XLB_STAT_DROP_PARSE ? XDP_DROP : XDP_PASS;
	}
	if (xlb_ingress_dev(ctx, &p)) {
		st->c[XLB_STAT_PASS_VLAN_UNKNOWN]++;
		return XDP_PASS;
	}

	/*
	 * Flow cache: an established flow of a service unchanged since the
	 * entry was made goes straight to its backend (no VIP match, no hash
	 * map, no read of the service: the entry has the encapsulation, the
	 * backend the service's ver).  SYNs are always balanced again (one
	 * that rewrites its flow's entry empties the slot, xlb_syn_new());
	 * ICMP errors only read the LRU.
	 */
	hash = xlb_flow_hash(&p.flow);
	fc = p.icmp ? NULL : xlb_fc_slot(&p, hash, st);
	if (fc && !p.syn && fc->expires > bpf_jiffies64() &&
	    xlb_fc_match(fc, &p.flow)) {
		bid = fc->bid;
		be = xlb_fc_backend(fc, &bid);
		if (be) {
			fc->hit = 1;
			xlb_count(&xlb_svc_stats, fc->sid, fc->svc_gen,
				  p.l3_len);
			st->c[XLB_STAT_CT_HIT]++;
			st->c[XLB_STAT_FLOW_CACHE_HIT]++;
			encap = fc->encap;
			encap_port = fc->encap_port;
			goto forward;
		}
	}
	if (fc && !p.syn)
		xlb_fc_missed(st);

	sid = xlb_match(ctl, &p);
	if (!sid) {
		st->c[XLB_STAT_PASS_NOT_SERVICE]++;
		return XDP_PASS;
	}
	if (p.icmp_foreign) {
		/* for the LB itself or another host: the kernel's business */
		st->c[XLB_STAT_PASS_ICMP_NOT_VIP]++;
		return XDP_PASS;
	}
	sid--;
	svc = bpf_map_lookup_elem(&xlb_services, &sid);
	if (!svc || !svc->gen)
		goto no_backend;
	xlb_count(&xlb_svc_stats, sid, svc->gen, p.l3_len);
	if (p.icmp)
		st->c[XLB_STAT_ICMP_ERROR]++;

	/*
	 * ver before active: the module bumps ver after the flip, so a
	 * cache entry tagged with the new ver never holds a choice made
	 * under the old copy.  One load of active picks the copy: its table,
	 * size, seed, timeout.
	 */
	v = (struct xlb_fc_val){};
	v.svc_ver = *(volatile __u32 *)&svc->ver;
	c = *(volatile __u32 *)&svc->active & 1;
	cfg = &svc->cfg[c];
	v.sid = sid;
	v.svc_gen = svc->gen;
	v.encap = cfg->encap;
	v.encap_port = cfg->encap_port;
	if (!p.syn)
		be = xlb_ct_backend(&p, st, fc, &v, cfg);
	else
		st->c[XLB_STAT_CT_MISS]++;
	if (!be) {
		be = xlb_maglev(cfg, c, sid, &p, &v.bid);
		if (!be)
			goto no_backend;
		if (!p.icmp)
			xlb_ct_new(&p, st, fc, &v, be->gen);
	}
	bid = v.bid;
	encap = v.encap;
	encap_port = v.encap_port;
forward:
	return xlb_forward(ctx, ctl, &p, be, bid, encap, encap_port, hash, st);

no_backend:
	st->c[XLB_STAT_DROP_NO_BACKEND]++;
	return XDP_DROP;
}

SEC("xdp")
int xlb_xdp(struct xdp_md *ctx)
{
	return xlb_process(ctx);
}
