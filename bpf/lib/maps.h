/* SPDX-License-Identifier: GPL-2.0 */
/*
 * maps.h - the load-time configuration and the maps of the XDP program
 * (layouts in include/uapi/xlb_maps.h).
 *
 * Load-time configuration (the loader writes these skeleton rodata
 * variables between xlb__open() and xlb__load(); the names are stable):
 *   xlb_cfg_table_max  u32  entries per xlb_tables value; the loader must
 *                           also set xlb_tables value_size = 4 * table_max
 *   xlb_cfg_vip_slots  u32  slots per VIP table copy, power of two; the
 *                           loader must also set xlb_vips max_entries =
 *                           2 * vip_slots
 *   xlb_cfg_nh_ttl_jiffies u64 lifetime of a next-hop cache entry, in
 *                           jiffies; 0 = bpf_fib_lookup() for every packet
 *   xlb_cfg_icmp_cost_ns u64 ICMP too-big replies: ns of credit per reply
 *   xlb_cfg_icmp_burst u32  ... and the bucket size in replies (per CPU)
 *   xlb_cfg_ct_rate    u32  connection table entries one CPU may create per
 *                           2^30 ns window; 0 = no limit
 * All default to the XLB_DEFAULT_* values of include/uapi/xlb_maps.h.
 * Other capacities are plain map max_entries (xlb_services, xlb_backends,
 * xlb_conntrack, xlb_svc_stats, xlb_be_stats, xlb_nh_cache) set with
 * bpf_map__set_max_entries(); xlb_tables has 2 * max_services entries;
 * xlb_svc_stats is sized like xlb_services, xlb_be_stats and xlb_nh_cache
 * like xlb_backends (backend ids beyond xlb_nh_cache are not cached).
 */
#ifndef XLB_BPF_LIB_MAPS_H
#define XLB_BPF_LIB_MAPS_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xlb_hash.h"

const volatile __u32 xlb_cfg_table_max = XLB_DEFAULT_TABLE_MAX;
const volatile __u32 xlb_cfg_vip_slots = XLB_DEFAULT_VIP_SLOTS;
const volatile __u64 xlb_cfg_nh_ttl_jiffies = XLB_DEFAULT_NH_TTL_JIFFIES;
const volatile __u32 xlb_cfg_fc_bits = XLB_DEFAULT_FC_BITS;
const volatile __u64 xlb_cfg_fc_ttl_jiffies = XLB_DEFAULT_FC_TTL_JIFFIES;
const volatile __u64 xlb_cfg_icmp_cost_ns = XLB_DEFAULT_ICMP_COST_NS;
const volatile __u32 xlb_cfg_icmp_burst = XLB_DEFAULT_ICMP_BURST;
const volatile __u32 xlb_cfg_ct_rate = XLB_DEFAULT_CT_RATE;
/* xlb_conntrack4's max_entries - 1 and its secret seed (lbctl attach). */
const volatile __u32 xlb_cfg_ct4_mask = XLB_DEFAULT_CT4_BUCKETS - 1;
const volatile __u32 xlb_cfg_ct4_seed = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_ctl);
} xlb_ctl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XLB_DEFAULT_VIP_SLOTS);
	__type(key, __u32);
	__type(value, struct xlb_vip_slot);
} xlb_vips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xlb_service);
} xlb_services SEC(".maps");

/* value: __u32[table_max]; value_size is set by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XLB_DEFAULT_MAX_SERVICES);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 4 * XLB_DEFAULT_TABLE_MAX);
} xlb_tables SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_backend);
} xlb_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XLB_DEFAULT_CT_ENTRIES);
	__type(key, struct xlb_flow);
	__type(value, struct xlb_ct_entry);
} xlb_conntrack SEC(".maps");

/* Buckets of IPv4 flows, shared by every CPU (xlb_maps.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, XLB_DEFAULT_CT4_BUCKETS);
	__type(key, __u32);
	__type(value, struct xlb_ct4_bucket);
} xlb_conntrack4 SEC(".maps");

/* Per CPU next-hop cache, indexed by backend id (XDP private). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_nh);
} xlb_nh_cache SEC(".maps");

/* Per CPU flow cache in front of the connection table (XDP private). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DEFAULT_FC_SLOTS);
	__type(key, __u32);
	__type(value, struct xlb_fc);
} xlb_flow_cache SEC(".maps");

/* Per CPU new-entry budget of the connection table (XDP private). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_ct_budget);
} xlb_ct_budget SEC(".maps");

/* Choices of recent SYNs, shared by every CPU (XDP private, xlb_maps.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XLB_DEFAULT_SYN_SLOTS);
	__type(key, __u32);
	__type(value, struct xlb_syn);
} xlb_syn SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct xlb_counter);
} xlb_svc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XLB_DEFAULT_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct xlb_counter);
} xlb_be_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_stats);
} xlb_stats SEC(".maps");

/* Per CPU token bucket of the ICMP too-big replies (XDP private). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xlb_icmp_rl);
} xlb_icmp_rl SEC(".maps");

/* VLAN devices and egress devices, written by lbctl attach (xlb_maps.h). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_VLAN_MAX);
	__type(key, struct xlb_vlan_key);
	__type(value, __u32);
} xlb_vlan_in SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XLB_VLAN_MAX);
	__type(key, __u32);
	__type(value, struct xlb_egress);
} xlb_egress SEC(".maps");

#endif /* XLB_BPF_LIB_MAPS_H */
