// SPDX-License-Identifier: GPL-2.0
/*
 * xlb-announce - the VIP announcer (announce.c) on its own: one round
 * every INTERVAL milliseconds, and a withdrawal of every VIP on SIGTERM or
 * SIGINT.  SIGHUP runs a round at once (there is no configuration file).
 * xlb-healthd runs the same rounds from its event loop; this driver serves
 * nodes without health checks and the tests.
 *
 *	xlb-announce [table N] [interval MS] [once]
 *
 * The module may come and go: each round resolves its netlink family
 * again; while it is away every VIP is withdrawn and the driver keeps
 * running.  "once" exits non-zero when the round failed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

#include "announce.h"

/* lbctl's global options (lbctl.c), for the lbctl code linked in. */
struct lb_opts opts;

static volatile sig_atomic_t stop, hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		hup = 1;
	else
		stop = 1;
}

/* Routing tables 253..255 are the kernel's default, main and local. */
static uint32_t parse_table(const char *s)
{
	uint32_t v;

	if (lb_parse_u32(s, "table", 1, UINT32_MAX, &v))
		lb_die(EXIT_ERR, "%s", lb_parse_error());
	if (v >= RT_TABLE_DEFAULT && v <= RT_TABLE_LOCAL)
		lb_die(EXIT_ERR,
		       "invalid table \"%s\": 253, 254 and 255 are the "
		       "kernel's default, main and local tables; expected "
		       "1..252 or 256..%u",
		       s, UINT32_MAX);
	return v;
}

static uint32_t parse_interval(const char *s)
{
	uint32_t v;

	if (lb_parse_u32(s, "interval (ms)", 1, 3600000, &v))
		lb_die(EXIT_ERR, "%s", lb_parse_error());
	return v;
}

/* "HH:MM:SS.mmm MESSAGE" on stdout, or stderr for a failure. */
static void log_line(int err, const char *msg)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(err ? stderr : stdout, "%02d:%02d:%02d.%03u %s\n", tm.tm_hour,
		tm.tm_min, tm.tm_sec, (unsigned int)(ts.tv_nsec / 1000000),
		msg);
}

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (!stop && !hup && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * One round; a failure is logged when its cause changes (not on every
 * round while it lasts).  Returns the round's result.
 */
static int round_logged(struct xlb_ann *a)
{
	static char last[256];
	char why[256] = "", msg[320];
	int err = xlb_ann_round(a, why, sizeof(why));

	if (err >= 0) {
		last[0] = 0;
		return err;
	}
	if (strcmp(why, last)) {
		snprintf(msg, sizeof(msg), "%s", why);
		log_line(err, msg);
		snprintf(last, sizeof(last), "%s", why);
	}
	return err;
}

static void signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int main(int argc, char **argv)
{
	uint32_t table = XLB_ANN_TABLE, interval = 1000;
	struct xlb_ann_set none = { 0 };
	struct xlb_ann *a;
	bool once = false;
	int i, err;

	lb_prog = "xlb-announce";
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "table"))
			table = parse_table(
				lb_need_arg(argc, argv, i++, "table"));
		else if (!strcmp(argv[i], "interval"))
			interval = parse_interval(
				lb_need_arg(argc, argv, i++, "interval"));
		else if (!strcmp(argv[i], "once"))
			once = true;
		else
			lb_die(EXIT_ERR,
			       "unknown word \"%s\": expected table N, "
			       "interval MS or once",
			       argv[i]);
	}
	a = xlb_ann_open(table);
	if (!a)
		lb_die(EXIT_ENV, "cannot open a rtnetlink socket: %s",
		       strerror(errno));
	xlb_ann_set_log(a, log_line);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signals();
	if (once) {
		err = round_logged(a);
		xlb_ann_close(a);
		return err < 0 ? EXIT_ENV : EXIT_OK;
	}
	while (!stop) {
		if (hup) {
			hup = 0;
			log_line(0, "SIGHUP: no configuration file to read "
				    "(options are the command line's): a round "
				    "now");
		}
		round_logged(a);
		sleep_ms(interval);
	}
	err = xlb_ann_sync(a, &none);
	if (err < 0)
		log_line(err, "cannot withdraw every VIP on exit");
	xlb_ann_close(a);
	return err < 0 ? EXIT_ENV : EXIT_OK;
}
