// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - the data path's counters, read from (and zeroed in) the per-CPU
 * maps BIND handed over: xlb_stats (global, one u64 per enum xlb_stat),
 * xlb_svc_stats and xlb_be_stats (struct xlb_counter per service / backend
 * id).  Reading through the module lets any user of the namespace see the
 * counters, as `ip -s link` does, while the pinned maps stay root's.
 *
 * The XDP program writes each CPU's copy without atomics; here each u64 is
 * read (or zeroed) once with READ_ONCE / WRITE_ONCE, which 64-bit loads and
 * stores make tear-free.  A packet counted on another CPU while we read may
 * or may not be in the sum, as with any per-CPU counter.  The map values
 * live as long as our reference (held under xn->lock); the lookups run under
 * rcu_read_lock() like every other map access of the module.
 */
#include <linux/bpf.h>
#include <linux/cpumask.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>

#include "nl.h"

struct xlb_cnt {
	u64	packets;
	u64	bytes;
	u64	flows;
};

static void *xlb_cpu_value(struct bpf_map *map, u32 id, int cpu)
{
	return map->ops->map_lookup_percpu_elem(map, &id, cpu);
}

/* Sum of the CPUs whose counters belong to this gen of the object. */
static void xlb_cnt_sum(struct bpf_map *map, u32 id, u32 gen,
			struct xlb_cnt *sum)
{
	const struct xlb_counter *c;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	rcu_read_lock();
	for_each_possible_cpu(cpu) {
		c = xlb_cpu_value(map, id, cpu);
		if (!c || READ_ONCE(c->gen) != gen)
			continue;
		sum->packets += READ_ONCE(c->packets);
		sum->bytes += READ_ONCE(c->bytes);
		sum->flows += READ_ONCE(c->flows);
	}
	rcu_read_unlock();
}

/* A nest of enum xlb_cnt_attr; nothing when map is not bound. */
int xlb_put_cnt(struct sk_buff *skb, int type, struct bpf_map *map, u32 id,
		u32 gen)
{
	struct nlattr *nest;
	struct xlb_cnt sum;

	if (!map)
		return 0;
	xlb_cnt_sum(map, id, gen, &sum);
	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, XLB_CNT_A_PACKETS, sum.packets,
			      XLB_CNT_A_PAD) ||
	    nla_put_u64_64bit(skb, XLB_CNT_A_BYTES, sum.bytes,
			      XLB_CNT_A_PAD) ||
	    nla_put_u64_64bit(skb, XLB_CNT_A_FLOWS, sum.flows,
			      XLB_CNT_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Add each CPU's global counters to sum; sum NULL: zero them. */
static void xlb_stats_each(struct bpf_map *map, u64 *sum)
{
	struct xlb_stats *v;
	int cpu, i;

	rcu_read_lock();
	for_each_possible_cpu(cpu) {
		v = xlb_cpu_value(map, 0, cpu);
		for (i = 0; v && i < XLB_STAT__MAX; i++) {
			if (sum)
				sum[i] += READ_ONCE(v->c[i]);
			else
				WRITE_ONCE(v->c[i], 0);
		}
	}
	rcu_read_unlock();
}

static int xlb_put_stats(struct sk_buff *skb, const void *arg)
{
	const u64 *c = arg;
	struct nlattr *nest = nla_nest_start(skb, XLB_A_STATS);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < XLB_STAT__MAX; i++) {
		if (nla_put_u64_64bit(skb, XLB_STATS_A_FIRST + i, c[i],
				      XLB_STATS_A_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int xlb_no_counters(struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG(extack,
		       "no counter maps bound in this namespace: attach a device first");
	return -ENODATA;
}

int xlb_stats_get(struct xlb_net *xn, struct genl_info *info)
{
	u64 c[XLB_STAT__MAX] = {};

	lockdep_assert_held(&xn->lock);
	if (!xn->maps || !xn->maps->stats)
		return xlb_no_counters(info->extack);
	xlb_stats_each(xn->maps->stats, c);
	return xlb_reply_fill(xn, info, XLB_CMD_STATS_GET, xlb_put_stats, c);
}

/*
 * gen 0 is no object's: readers skip the CPU, and the data path's next
 * packet for the object restarts its counters from 0 (xlb_maps.h).
 */
static void xlb_cnt_zero(struct bpf_map *map, u32 id)
{
	struct xlb_counter *c;
	int cpu;

	if (!map)
		return;
	rcu_read_lock();
	for_each_possible_cpu(cpu) {
		c = xlb_cpu_value(map, id, cpu);
		if (c)
			WRITE_ONCE(c->gen, 0);
	}
	rcu_read_unlock();
}

int xlb_stats_zero(struct xlb_net *xn, struct genl_info *info)
{
	const struct xlb_maps *m = xn->maps;
	const struct xlb_svc *svc;
	u32 sid, i;

	lockdep_assert_held(&xn->lock);
	if (!m || (!m->stats && !m->svc_stats && !m->be_stats))
		return xlb_no_counters(info->extack);
	if (m->stats)
		xlb_stats_each(m->stats, NULL);
	for (sid = 0; xn->svcs && sid < xlb_max_services; sid++) {
		svc = xn->svcs[sid];
		if (!svc)
			continue;
		xlb_cnt_zero(m->svc_stats, svc->id);
		for (i = 0; i < svc->nbe; i++)
			xlb_cnt_zero(m->be_stats, svc->be[i].id);
		cond_resched();
	}
	return 0;
}
