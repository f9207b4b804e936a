// SPDX-License-Identifier: GPL-2.0
/*
 * healthd.c - xlb-healthd's main loop (see healthd.h): the configuration
 * from the module, the multicast monitor, timers, the rise/fall decisions
 * and what they change in the module.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>

#include "healthd.h"
#include "nl.h"

struct lb_opts opts;

static struct hd_world world;
static struct nl_sock *mon; /* multicast: xlb "changes", nlctrl "notify" */
static bool need_sync = true;
static bool reopen; /* the family went away or came back */
static bool verbose;

/* ---- logging (lbctl's nl.c and state.c report through lb_err) ---- */

static void vlog(int prio, const char *fmt, va_list ap)
{
	fprintf(stderr, "<%d>xlb-healthd: ", prio);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void hd_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

void lb_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(3, fmt, ap);
	va_end(ap);
}

void lb_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(2, fmt, ap);
	va_end(ap);
	exit(code);
}

uint64_t hd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void hook(enum hd_event ev)
{
	if (hd_announce)
		hd_announce(&world, ev);
}

/* ---- the configuration ---- */

static struct hd_svc *find_svc(const struct lb_svc_key *k)
{
	int i;

	for (i = 0; i < world.nsvc; i++)
		if (!lb_svc_cmp(&world.svc[i].s.key, k))
			return &world.svc[i];
	return NULL;
}

static struct hd_be *find_be(struct hd_svc *s, const struct lb_addr *a)
{
	int i;

	for (i = 0; s && i < s->nbe; i++)
		if (lb_addr_eq(&s->be[i].b.addr, a))
			return &s->be[i];
	return NULL;
}

static void free_world(struct hd_world *w)
{
	int i, j;

	for (i = 0; i < w->nsvc; i++) {
		for (j = 0; j < w->svc[i].nbe; j++)
			hd_check_cancel(&w->svc[i].be[j]);
		free(w->svc[i].be);
	}
	free(w->svc);
	w->svc = NULL;
	w->nsvc = 0;
}

/* The check backend b gets: its own, or its service's. */
static const struct lb_hc *check_of(const struct lb_backend *b,
				    const struct lb_service *s)
{
	return b->hc ? b->hc : &s->hc;
}

/*
 * A backend carried over from the last sync keeps its counters and its
 * check in flight while its check is unchanged; otherwise it starts from
 * the health the module recorded.  b's own check is copied (be->b.hc is
 * NULL: b is freed with the state it was read in).
 */
static void adopt(struct hd_be *be, const struct lb_backend *b,
		  struct hd_be *old, const struct lb_service *s, uint64_t first)
{
	const struct lb_hc *hc = check_of(b, s);

	memset(be, 0, sizeof(*be));
	be->fd = -1;
	if (old && lb_hc_eq(&old->hc, hc)) {
		*be = *old;
		old->fd = -1;
		old->pid = 0;
	} else {
		be->fsm.health = b->health == XLB_BE_HEALTH_DRAINED ?
					 XLB_BE_HEALTH_DOWN :
					 b->health;
		be->result = b->hc_result;
		be->detail = b->hc_detail;
		be->next = first;
	}
	be->b = *b;
	be->b.hc = NULL;
	be->hc = *hc;
	be->own_hc = b->hc;
}

static int sync_config(void)
{
	struct hd_world nw = { 0 };
	struct lb_state st;
	struct lb_config cfg;
	uint64_t now = hd_now();
	int i, j, err;

	err = lb_get_config(&cfg);
	if (!err)
		err = lb_load_state(&st, true);
	if (err)
		return err;
	nw.svc = calloc(st.nsvc ? st.nsvc : 1, sizeof(*nw.svc));
	if (!nw.svc)
		lb_die(EXIT_ENV, "out of memory");
	for (i = 0; i < st.nsvc; i++) {
		struct lb_service *s = &st.svc[i];
		struct hd_svc *ns = &nw.svc[nw.nsvc++];
		struct hd_svc *olds = find_svc(&s->key);

		ns->s = *s;
		ns->s.be = NULL;
		ns->nbe = s->nbe;
		ns->be = calloc(s->nbe ? s->nbe : 1, sizeof(*ns->be));
		if (!ns->be)
			lb_die(EXIT_ENV, "out of memory");
		/* new backends: the first checks spread over one interval */
		for (j = 0; j < s->nbe; j++)
			adopt(&ns->be[j], &s->be[j],
			      find_be(olds, &s->be[j].addr), s,
			      now + (uint64_t)j *
					      check_of(&s->be[j], s)->interval /
					      s->nbe);
	}
	lb_free_state(&st);
	free_world(&world);
	nw.module = true;
	nw.bound = cfg.bound;
	world = nw;
	return 0;
}

/* ---- netlink: module presence and the monitor ---- */

static void close_sockets(void)
{
	if (mon)
		nl_socket_free(mon);
	mon = NULL;
	xnl_close();
}

/* The family is gone: forget the configuration, withdraw (the hook). */
static void close_module(void)
{
	close_sockets();
	if (world.module) {
		hd_log(4, "the xlb module went away: waiting for it");
		free_world(&world);
		world.module = false;
		world.bound = false;
		hook(HD_EV_MODULE);
	}
}

static int join(const char *family, const char *group)
{
	int grp = genl_ctrl_resolve_grp(mon, family, group);

	return grp < 0 ? grp : nl_socket_add_membership(mon, grp);
}

static int on_event(struct nl_msg *m, void *arg);

static int open_module(void)
{
	int err;

	err = xnl_refresh();
	if (err < 0)
		return err;
	mon = nl_socket_alloc();
	if (!mon)
		lb_die(EXIT_ENV, "out of memory");
	err = genl_connect(mon);
	if (!err)
		err = join(XLB_GENL_NAME, XLB_GENL_MCGRP);
	if (!err)
		err = join("nlctrl", "notify");
	if (err < 0) {
		hd_log(3, "cannot join the multicast groups: %s",
		       nl_geterror(err));
		close_sockets();
		return err;
	}
	nl_socket_disable_seq_check(mon);
	nl_socket_set_nonblocking(mon);
	nl_socket_set_buffer_size(mon, 4 << 20, 0);
	nl_socket_modify_cb(mon, NL_CB_VALID, NL_CB_CUSTOM, on_event, NULL);
	return 0;
}

/* A backend's new state or health announced by the module: take it in. */
static void on_backend_set(struct nlattr **tb)
{
	struct lb_service s;
	struct lb_backend b;
	struct hd_be *be;
	bool changed;

	if (lb_nl_service(tb, &s) || lb_nl_backend(tb, &b)) {
		need_sync = true;
		return;
	}
	be = find_be(find_svc(&s.key), &b.addr);
	/* unknown, or its own check set, changed or removed: read it all */
	if (!be || be->own_hc != !!b.hc || (b.hc && !lb_hc_eq(b.hc, &be->hc))) {
		free(b.hc);
		need_sync = true;
		return;
	}
	changed = be->b.state != b.state || be->b.weight != b.weight;
	be->b = b; /* before the hook: it reads the new state */
	free(b.hc);
	be->b.hc = NULL;
	if (changed)
		hook(HD_EV_HEALTH);
}

static int on_ctrl(struct nl_msg *m)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, CTRL_ATTR_MAX, NULL) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_NAME] ||
	    strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), XLB_GENL_NAME))
		return NL_OK;
	/* the family went away or (re)appeared: resolve it again */
	reopen = true;
	need_sync = true;
	return NL_STOP;
}

static int on_event(struct nl_msg *m, void *arg)
{
	struct genlmsghdr *gh = genlmsg_hdr(nlmsg_hdr(m));
	struct nlattr *tb[XLB_A_MAX + 1];

	(void)arg;
	if (nlmsg_hdr(m)->nlmsg_type == GENL_ID_CTRL)
		return on_ctrl(m);
	if (genlmsg_parse(nlmsg_hdr(m), 0, tb, XLB_A_MAX, NULL) < 0)
		return NL_OK;
	if (gh->cmd == XLB_CMD_BACKEND_SET)
		on_backend_set(tb);
	else
		need_sync = true; /* structure changed: read it again */
	return NL_OK;
}

static void read_monitor(void)
{
	int err = nl_recvmsgs_default(mon);

	if (err == -NLE_NOMEM) { /* ENOBUFS: events lost, read it all */
		hd_log(4, "monitor events were lost: reading the "
			  "configuration again");
		need_sync = true;
	}
}

/* ---- decisions ---- */

/* Tell the module: the backend's health and last result, maybe its state. */
static int report(struct hd_svc *s, struct hd_be *be, int state, uint8_t health)
{
	struct nl_msg *m;
	struct nlattr *n;
	int err;

	if (!xnl_sock()) /* closed after a failed read: resync first */
		return -ENOTCONN;
	m = xnl_msg(XLB_CMD_BACKEND_SET, 0);
	if (xnl_put_service(m, &s->s.key))
		goto full;
	n = nla_nest_start(m, XLB_A_BACKEND);
	if (!n ||
	    xnl_put_addr(m, XLB_BE_A_ADDR4, XLB_BE_A_ADDR6, &be->b.addr) ||
	    (state >= 0 && nla_put_u8(m, XLB_BE_A_STATE, (uint8_t)state)) ||
	    nla_put_u8(m, XLB_BE_A_HEALTH, health) ||
	    nla_put_u8(m, XLB_BE_A_HC_RESULT, be->result) ||
	    nla_put_u16(m, XLB_BE_A_HC_DETAIL, be->detail))
		goto full;
	nla_nest_end(m, n);
	err = xnl_request(m, NULL, NULL);
	if (!err) {
		be->b.health = health;
		be->b.hc_result = be->result;
		be->b.hc_detail = be->detail;
		if (state >= 0)
			be->b.state = (uint8_t)state;
	}
	return err;
full:
	nlmsg_free(m);
	return -EMSGSIZE;
}

static void log_transition(const struct hd_svc *s, const struct hd_be *be,
			   int health, int state)
{
	char key[LB_SVCSTRLEN], addr[LB_ADDRSTRLEN], res[96];

	lb_fmt_svc(&s->s.key, false, key, sizeof(key));
	lb_fmt_addr(&be->b.addr, addr, sizeof(addr));
	lb_hc_result_fmt(be->result, be->detail, res, sizeof(res));
	hd_log(health == XLB_BE_HEALTH_DOWN ? 4 : 5,
	       "service %s backend %s: %s after %u %s (%s)%s", key, addr,
	       lb_hc_health_name((uint8_t)health),
	       health == XLB_BE_HEALTH_DOWN ? be->fsm.bad : be->fsm.ok,
	       health == XLB_BE_HEALTH_DOWN ? "failures" : "successes", res,
	       state == XLB_BE_STATE_DRAIN  ? ": drained" :
	       state == XLB_BE_STATE_ACTIVE ? ": active again" :
					      "");
}

/*
 * A check finished.  Down drains an active backend; up activates a
 * backend only if it is drained because the checker set it down (the
 * module's record), never one the operator drained.
 */
static void finished(struct hd_svc *s, struct hd_be *be)
{
	int health = lb_hc_step(&be->fsm, &be->hc, be->result);
	int state = -1, err;
	uint8_t report_as;

	if (verbose) {
		char addr[LB_ADDRSTRLEN], res[96];

		hd_log(7, "backend %s: %s",
		       lb_fmt_addr(&be->b.addr, addr, sizeof(addr)),
		       lb_hc_result_fmt(be->result, be->detail, res,
					sizeof(res)));
	}
	/* once per cause, not on every interval */
	if (be->result == XLB_HC_R_ERROR &&
	    (be->b.hc_result != be->result || be->b.hc_detail != be->detail)) {
		char addr[LB_ADDRSTRLEN];

		hd_log(3, "backend %s: check not run (%s): state kept",
		       lb_fmt_addr(&be->b.addr, addr, sizeof(addr)),
		       strerror(be->detail));
	}
	/* while down, kept drained (also after a restore made it active) */
	if (be->fsm.health == XLB_BE_HEALTH_DOWN &&
	    be->b.state == XLB_BE_STATE_ACTIVE)
		state = XLB_BE_STATE_DRAIN;
	/* only a backend the checker drained goes back, not the operator's */
	if (health == XLB_BE_HEALTH_UP && be->b.state == XLB_BE_STATE_DRAIN &&
	    be->b.health == XLB_BE_HEALTH_DRAINED)
		state = XLB_BE_STATE_ACTIVE;
	report_as = be->fsm.health;
	if (report_as == XLB_BE_HEALTH_DOWN &&
	    (state == XLB_BE_STATE_DRAIN ||
	     be->b.health == XLB_BE_HEALTH_DRAINED))
		report_as = XLB_BE_HEALTH_DRAINED;
	if (health >= 0)
		log_transition(s, be, health, state);
	if (health < 0 && state >= 0)
		log_transition(s, be, be->fsm.health, state);
	if (health < 0 && state < 0 && be->b.health == report_as &&
	    be->b.hc_result == be->result && be->b.hc_detail == be->detail)
		return;
	err = report(s, be, state, report_as);
	if (err) {
		hd_log(3, "cannot report to the module: %s",
		       xnl_extack()[0] ? xnl_extack() : strerror(-err));
		need_sync = true;
	}
	if (health >= 0)
		hook(HD_EV_HEALTH);
}

/* ---- the loop ---- */

static int sigfd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		lb_die(EXIT_ENV, "signalfd: %s", strerror(errno));
	return fd;
}

/*
 * Reap children; SIGHUP reads the configuration again (it lives in the
 * module: nothing else to read); false on SIGTERM/SIGINT.
 */
static bool read_signals(int fd)
{
	struct signalfd_siginfo si;
	bool run = true;
	int status, i, j;
	pid_t pid;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			hd_log(5, "SIGHUP: reading the configuration again");
			need_sync = true;
		} else if (si.ssi_signo != SIGCHLD) {
			run = false;
		}
	}
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (i = 0; i < world.nsvc; i++)
			for (j = 0; j < world.svc[i].nbe; j++)
				if (world.svc[i].be[j].pid == pid) {
					hd_check_exited(&world.svc[i].be[j],
							status);
					finished(&world.svc[i],
						 &world.svc[i].be[j]);
				}
	return run;
}

/* Start due checks, expire late ones; the next time anything is due. */
static uint64_t run_timers(uint64_t now)
{
	uint64_t next = now + HD_TICK_MS;
	int i, j;

	for (i = 0; i < world.nsvc; i++) {
		struct hd_svc *s = &world.svc[i];

		for (j = 0; j < s->nbe; j++) {
			struct hd_be *be = &s->be[j];
			bool busy = be->fd >= 0 || be->pid > 0;

			if (!be->hc.type)
				continue;
			if (busy && now >= be->deadline) {
				hd_check_timeout(be);
				finished(s, be);
				busy = false;
			}
			if (!busy && now >= be->next) {
				be->next = now + be->hc.interval;
				hd_check_start(s, be, now);
				if (be->fd < 0 && be->pid <= 0)
					finished(s, be);
			}
			busy = be->fd >= 0 || be->pid > 0;
			if (busy && be->deadline < next)
				next = be->deadline;
			if (be->next < next)
				next = be->next;
		}
	}
	return next;
}

/* What each pollfd is for: a check, or (be NULL) signals or the monitor. */
struct pollref {
	struct hd_svc *svc;
	struct hd_be *be;
};

struct pollset {
	struct pollfd *pfd;
	struct pollref *ref;
	int n, cap;
};

static void pollset_add(struct pollset *p, int fd, short ev, struct hd_svc *s,
			struct hd_be *be)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->pfd = realloc(p->pfd, p->cap * sizeof(struct pollfd));
		p->ref = realloc(p->ref, p->cap * sizeof(struct pollref));
		if (!p->pfd || !p->ref)
			lb_die(EXIT_ENV, "out of memory");
	}
	p->pfd[p->n] = (struct pollfd){ .fd = fd, .events = ev };
	p->ref[p->n++] = (struct pollref){ .svc = s, .be = be };
}

static void pollset_checks(struct pollset *p)
{
	int i, j;

	for (i = 0; i < world.nsvc; i++)
		for (j = 0; j < world.svc[i].nbe; j++)
			if (world.svc[i].be[j].fd >= 0)
				pollset_add(
					p, world.svc[i].be[j].fd,
					hd_check_events(&world.svc[i],
							&world.svc[i].be[j]),
					&world.svc[i], &world.svc[i].be[j]);
}

/*
 * The family is asked for again even without nlctrl's notification (lost
 * with other events): gone, or reloaded (a new id, new multicast groups),
 * the module went away.  Another error only closes the sockets: unknown,
 * tried again, the configuration kept.
 */
static void check_family(void)
{
	int old = xnl_family(), err;

	if (!mon)
		return;
	err = xnl_refresh();
	if (err == -NLE_OBJ_NOTFOUND || (!err && xnl_family() != old))
		reopen = true;
	else if (err < 0)
		close_sockets();
}

/*
 * A configuration that cannot be read (other than the module gone) changes
 * nothing: the last one stays, checks go on, announcements stay (the hook
 * sees the socket closed); the next loop tries again.
 */
static void resync(void)
{
	static int last_err;
	bool had;
	int err;

	check_family();
	if (reopen) /* the family went away, maybe came back */
		close_module();
	reopen = false;
	had = world.module;
	if (!mon) {
		err = open_module();
		if (err == -NLE_OBJ_NOTFOUND)
			close_module();
		if (err < 0)
			return;
	}
	need_sync = false;
	err = sync_config();
	if (err) {
		if (err != last_err)
			hd_log(3,
			       "cannot read the configuration: %s: "
			       "keeping the last one",
			       strerror(-err));
		last_err = err;
		close_sockets();
		need_sync = true;
		return;
	}
	last_err = 0;
	if (!had)
		hd_log(5, "the xlb module is present: %d services", world.nsvc);
	hook(had ? HD_EV_CONFIG : HD_EV_MODULE);
}

static void loop(int sfd)
{
	struct pollset p = { 0 };
	uint64_t now, next = 0, tick = 0;
	int i, timeout;

	for (;;) {
		if (need_sync)
			resync();
		p.n = 0;
		pollset_add(&p, sfd, POLLIN, NULL, NULL);
		if (mon)
			pollset_add(&p, nl_socket_get_fd(mon), POLLIN, NULL,
				    NULL);
		pollset_checks(&p);
		now = hd_now();
		timeout = next > now ? (int)(next - now) : 0;
		if (poll(p.pfd, p.n, timeout) < 0 && errno != EINTR)
			lb_die(EXIT_ENV, "poll: %s", strerror(errno));
		if (p.pfd[0].revents && !read_signals(sfd))
			break;
		/*
		 * Answers first, deadlines after: an answer that came in time
		 * is not a timeout because the loop was busy (a slow netlink
		 * request, a loaded machine).
		 */
		for (i = mon ? 2 : 1; i < p.n; i++) {
			struct pollref *r = &p.ref[i];

			if (p.pfd[i].revents && r->be &&
			    r->be->fd == p.pfd[i].fd &&
			    hd_check_io(r->be, p.pfd[i].revents))
				finished(r->svc, r->be);
		}
		if (mon && p.pfd[1].revents)
			read_monitor();
		now = hd_now();
		next = run_timers(now);
		if (now >= tick) {
			hook(HD_EV_TICK);
			tick = now + HD_TICK_MS;
		}
		if (tick < next)
			next = tick;
	}
	free(p.pfd);
	free(p.ref);
}

static void usage(FILE *f)
{
	fputs("usage: xlb-healthd [-v] [-h]\n"
	      "Runs the health checks configured with \"lbctl health\" and "
	      "drains or\nactivates backends by their result "
	      "(Documentation/health.md).\n",
	      f);
}

int main(int argc, char **argv)
{
	int i, sfd;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = true;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else {
			usage(stderr);
			return EXIT_ERR;
		}
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	sfd = sigfd();
	hd_log(6, "started");
	loop(sfd);
	hook(HD_EV_STOP);
	free_world(&world); /* kills the exec checks' process groups */
	while (waitpid(-1, NULL, 0) > 0)
		;
	hd_log(6, "stopped");
	return EXIT_OK;
}
