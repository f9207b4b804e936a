// SPDX-License-Identifier: GPL-2.0
/*
 * xlb-announce - the VIP announcer (announce.c) on its own: one round
 * every INTERVAL milliseconds, and a withdrawal of every VIP on SIGTERM or
 * SIGINT.  xlb-healthd runs the same rounds from its event loop; this
 * driver serves nodes without health checks and the tests.
 *
 *	xlb-announce [table N] [interval MS] [once]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "announce.h"

/* lbctl's global options (lbctl.c), for the lbctl code linked in. */
struct lb_opts opts;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static unsigned long number(const char *s, unsigned long max, const char *what)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || !v || v > max)
		lb_die(EXIT_ERR, "bad %s \"%s\": expected 1..%lu", what, s,
		       max);
	return v;
}

/* "HH:MM:SS.mmm announce|withdraw VIP (table N)[: error]" on stdout. */
static void log_line(int err, const char *msg)
{
	struct timespec ts;
	struct tm tm;

	(void)err;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	printf("%02d:%02d:%02d.%03u %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
	       (unsigned int)(ts.tv_nsec / 1000000), msg);
}

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	unsigned long table = XLB_ANN_TABLE, interval = 1000;
	struct sigaction sa = { .sa_handler = on_signal };
	struct xlb_ann *a;
	bool once = false;
	int i;

	lb_prog = "xlb-announce";
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "table"))
			table = number(lb_need_arg(argc, argv, i++, "table"),
				       0xffffffffUL, "table");
		else if (!strcmp(argv[i], "interval"))
			interval =
				number(lb_need_arg(argc, argv, i++, "interval"),
				       3600000, "interval (ms)");
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
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	do {
		xlb_ann_round(a);
		if (!once)
			sleep_ms(interval);
	} while (!once && !stop);
	if (stop) {
		struct xlb_ann_set none = { 0 };

		xlb_ann_sync(a, &none);
	}
	xlb_ann_close(a);
	return EXIT_OK;
}
