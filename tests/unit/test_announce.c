// SPDX-License-Identifier: GPL-2.0
/*
 * test_announce.c - the VIP announcer (user/announce.c): which VIPs a
 * node announces for a given state, and the routing table it keeps, in a
 * network namespace of its own (root only: the table part is left out,
 * with a note, for other users).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <linux/if_link.h>

#include "announce.h"
#include "tap.h"
#include "uapi/xlb_netlink.h"

#define TABLE 100

static struct lb_addr addr(const char *s)
{
	struct lb_addr a;

	if (lb_parse_addr(s, &a)) {
		fprintf(stderr, "bad address %s\n", s);
		exit(2);
	}
	return a;
}

/* A service on VIP with backends given as "state:weight" pairs. */
static struct lb_service svc(const char *vip, int nbe, const char *const *be)
{
	struct lb_service s = {
		.key = { .addr = addr(vip), .port = 80, .proto = 6 }
	};
	int i;

	s.be = calloc(nbe ? nbe : 1, sizeof(*s.be));
	s.nbe = nbe;
	for (i = 0; i < nbe; i++) {
		s.be[i].state = be[i][0] == 'a' ? XLB_BE_STATE_ACTIVE :
						  XLB_BE_STATE_DRAIN;
		s.be[i].weight = (uint32_t)strtoul(be[i] + 2, NULL, 10);
	}
	return s;
}

/* The wanted VIPs as one string "A B ...". */
static const char *wanted(const struct lb_state *st, bool attached)
{
	static char out[512];
	struct xlb_ann_set v = { 0 };
	char s[LB_ADDRSTRLEN];
	int i;

	out[0] = 0;
	if (xlb_ann_wanted(st, attached, &v))
		return "error";
	for (i = 0; i < v.n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, lb_fmt_addr(&v.a[i], s, sizeof(s)));
	}
	free(v.a);
	return out;
}

static void test_wanted(void)
{
	static const char *const act[] = { "a:10" };
	static const char *const drained[] = { "d:10", "d:20" };
	static const char *const zero[] = { "a:0", "d:5" };
	static const char *const mixed[] = { "d:10", "a:1" };
	struct lb_service s[] = {
		svc("198.51.100.20", 1, act),
		svc("198.51.100.10", 2, mixed),
		svc("198.51.100.10", 1, act), /* same VIP, other port */
		svc("198.51.100.30", 2, drained),
		svc("198.51.100.40", 2, zero),
		svc("198.51.100.50", 0, NULL),
		svc("2001:db8::10", 1, act),
	};
	struct lb_state st = { .svc = s, .nsvc = 7 };
	int i;

	is_str(wanted(&st, true), "198.51.100.10 198.51.100.20 2001:db8::10",
	       "attached: every VIP with an active backend of weight > 0, "
	       "once, sorted");
	is_str(wanted(&st, false), "", "detached: nothing");
	st.nsvc = 0;
	is_str(wanted(&st, true), "", "no services: nothing");
	for (i = 0; i < 7; i++)
		free(s[i].be);
}

/*
 * "ip route show table TABLE" [proto P]: the first two words of each
 * route (type and destination), joined with ", ".
 */
static int routes(const char *proto, char *out, size_t len)
{
	char cmd[128], line[256];
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd),
		 "ip -o route show table %d%s%s; "
		 "ip -o -6 route show table %d%s%s",
		 TABLE, proto ? " proto " : "", proto ? proto : "", TABLE,
		 proto ? " proto " : "", proto ? proto : "");
	/* the test reads the table as an operator would, with ip(8) */
	p = popen(cmd, "r"); /* NOLINT(cert-env33-c) */
	if (!p)
		return -1;
	out[0] = 0;
	while (fgets(line, sizeof(line), p)) {
		char *sp = strchr(line, ' ');

		line[sp ? (size_t)(sp - line) + 1 + strcspn(sp + 1, " \n") :
			  strcspn(line, "\n")] = 0;
		if (n++)
			strncat(out, ", ", len - strlen(out) - 1);
		strncat(out, line, len - strlen(out) - 1);
	}
	pclose(p);
	return n;
}

/* What the announcer logged (its log hook), lines joined with "|". */
static char logged[2048];

static void log_hook(int err, const char *msg)
{
	(void)err;
	if (logged[0])
		strncat(logged, "|", sizeof(logged) - strlen(logged) - 1);
	strncat(logged, msg, sizeof(logged) - strlen(logged) - 1);
}

/*
 * Another owner's route to a VIP is never replaced nor deleted: the
 * announcement fails (-EEXIST), is logged once with the owner, and the
 * other VIPs are still announced.
 */
static void test_foreign(struct xlb_ann *a)
{
	struct lb_addr v[] = { addr("198.51.100.30"), addr("198.51.100.40"),
			       addr("2001:db8::30") };
	struct xlb_ann_set three = { .a = v, .n = 3 }, none = { 0 };
	char got[512];

	/* NOLINTNEXTLINE(cert-env33-c): other daemons' routes, by ip(8) */
	if (system("ip route add blackhole 198.51.100.30/32 table 100 proto static && "
		   "ip -6 route add unreachable 2001:db8::30/128 table 100 proto bird"))
		diag("cannot add the foreign routes");
	xlb_ann_set_log(a, log_hook);
	logged[0] = 0;
	is_int(xlb_ann_sync(a, &three), -EEXIST,
	       "VIPs with another owner's route: -EEXIST");
	is_str(logged,
	       "announce 198.51.100.30 (table 100): not done: another route of "
	       "protocol 4 (not xlb's 77) is in the way|"
	       "announce 198.51.100.40 (table 100)|"
	       "announce 2001:db8::30 (table 100): not done: another route of "
	       "protocol 12 (not xlb's 77) is in the way",
	       "the free VIP announced, the owners of the others named");
	routes(NULL, got, sizeof(got));
	is_str(got,
	       "blackhole 198.51.100.30, blackhole 198.51.100.40, "
	       "unreachable 2001:db8::30",
	       "the other owners' routes are kept (not replaced)");
	routes("static", got, sizeof(got));
	is_str(got, "blackhole 198.51.100.30", "still protocol static");
	logged[0] = 0;
	is_int(xlb_ann_sync(a, &three), -EEXIST, "again: still in the way");
	is_str(logged, "", "said once, not on every round");
	is_int(xlb_ann_sync(a, &none), 1, "withdraw all: only ours goes");
	routes(NULL, got, sizeof(got));
	is_str(got, "blackhole 198.51.100.30, unreachable 2001:db8::30",
	       "the other owners' routes stay");
	xlb_ann_set_log(a, NULL);
	/* NOLINTNEXTLINE(cert-env33-c) */
	if (system("ip route flush table 100 && ip -6 route flush table 100"))
		diag("cannot flush table 100");
}

/* An XDP program called name ("r0 = XDP_PASS") attached to lo. */
static int attach_prog(const char *name)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K,
		  .dst_reg = BPF_REG_0,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", insns, 2, NULL);

	if (fd < 0)
		return fd;
	return bpf_xdp_attach((int)if_nametoindex("lo"), fd, XDP_FLAGS_SKB_MODE,
			      NULL);
}

/* xlb_ann_attached() in a child without CAP_SYS_ADMIN. */
static int attached_without_sys_admin(struct xlb_ann *a)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int p[2], r = -1000, status;
	pid_t pid;

	if (pipe(p))
		return r;
	pid = fork();
	if (pid == 0) {
		if (!syscall(SYS_capget, &h, d)) {
			d[0].effective &= ~(1U << CAP_SYS_ADMIN);
			d[1].effective &= ~(1U << (CAP_BPF - 32));
			if (!syscall(SYS_capset, &h, d))
				r = xlb_ann_attached(a);
		}
		if (write(p[1], &r, sizeof(r)) != sizeof(r))
			_exit(1);
		_exit(0);
	}
	if (pid < 0 || read(p[0], &r, sizeof(r)) != sizeof(r))
		r = -1000;
	waitpid(pid, &status, 0);
	close(p[0]);
	close(p[1]);
	return r;
}

/*
 * The attach state: xlb's program found by name; a program that cannot
 * be inspected is an error, never "not attached".
 */
static void test_attached(struct xlb_ann *a)
{
	is_int(xlb_ann_attached(a), 0, "no XDP program: xlb not attached");
	if (!ok(attach_prog("other_xdp") == 0, "another XDP program on lo"))
		return;
	is_int(xlb_ann_attached(a), 0, "another program: xlb not attached");
	is_int(attached_without_sys_admin(a), -EPERM,
	       "a program that cannot be inspected (no CAP_SYS_ADMIN): "
	       "-EPERM, not \"not attached\"");
	if (!ok(attach_prog(XLB_ANN_PROG) == 0, "xlb_xdp on lo"))
		return;
	is_int(xlb_ann_attached(a), 1, "xlb_xdp on lo: attached");
	bpf_xdp_detach((int)if_nametoindex("lo"), XDP_FLAGS_SKB_MODE, NULL);
}

static void test_sync(void)
{
	struct lb_addr v[] = { addr("198.51.100.10"), addr("2001:db8::10"),
			       addr("198.51.100.20") };
	struct xlb_ann_set two = { .a = v, .n = 2 },
			   next = { .a = v + 1, .n = 2 }, none = { 0 };
	struct xlb_ann *a;
	char got[512];

	if (unshare(CLONE_NEWNET)) {
		diag("routing table tests left out: unshare(CLONE_NEWNET): %s",
		     strerror(errno));
		return;
	}
	a = xlb_ann_open(TABLE);
	if (!ok(a != NULL, "rtnetlink socket"))
		return;
	is_int(xlb_ann_sync(a, &two), 2, "two VIPs announced");
	routes("77", got, sizeof(got));
	is_str(got, "blackhole 198.51.100.10, blackhole 2001:db8::10",
	       "a blackhole host route per VIP, proto 77");
	is_int(xlb_ann_sync(a, &two), 0, "the same set again: no change");
	/* NOLINTNEXTLINE(cert-env33-c): a route of another daemon, by ip(8) */
	if (system("ip route add blackhole 192.0.2.1/32 table 100 proto static"))
		diag("cannot add a foreign route");
	is_int(xlb_ann_sync(a, &next), 2, "one VIP out, one in: two changes");
	routes("77", got, sizeof(got));
	is_str(got, "blackhole 198.51.100.20, blackhole 2001:db8::10",
	       "the routes follow");
	is_int(xlb_ann_sync(a, &none), 2, "withdraw all: two changes");
	routes(NULL, got, sizeof(got));
	is_str(got, "blackhole 192.0.2.1",
	       "the foreign route (other protocol) stays");
	is_int(xlb_ann_sync(a, &none), 0, "nothing left to withdraw");
	/* NOLINTNEXTLINE(cert-env33-c) */
	if (system("ip route flush table 100"))
		diag("cannot flush table 100");
	test_foreign(a);
	test_attached(a);
	xlb_ann_close(a);
}

int main(void)
{
	test_wanted();
	test_sync();
	return tap_done();
}
