// SPDX-License-Identifier: GPL-2.0
/*
 * lbctl.c - entry point: global options and the command dispatch table.
 * Each command group lives in its own file (service.c, backend.c, ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbctl.h"

struct lb_opts opts;

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
};

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct command commands[] = {
	{ "add", cmd_add,
	  "add ADDR [weight W] [state active|drain] [service VIP:PORT/PROTO]" },
	{ "set", cmd_set,
	  "set ADDR [weight W] [state active|drain] [service VIP:PORT/PROTO]" },
	{ "drain", cmd_drain, "drain ADDR [service VIP:PORT/PROTO]" },
	{ "del", cmd_del, "del ADDR [service VIP:PORT/PROTO]" },
	{ "service", cmd_service,
	  "service add VIP:PORT/PROTO [table-size M] [hash 5tuple|src]\n"
	  "                [udp-timeout S] [encap ipip|gue] [port N]\n"
	  "        service set VIP:PORT/PROTO [table-size M] [hash 5tuple|src]\n"
	  "                [udp-timeout S] [encap ipip|gue] [port N]\n"
	  "        service del VIP:PORT/PROTO\n"
	  "        service list" },
	{ "health", cmd_health,
	  "health VIP:PORT/PROTO [backend ADDR] tcp|http|udp|exec|none\n"
	  "        [port P] [path P] [host H] [expect N] [send S] [receive S]\n"
	  "        [command PATH] [interval S] [timeout S] [rise N] [fall N]" },
	{ "show", cmd_show, "show [service VIP:PORT/PROTO]" },
	{ "stats", cmd_stats,
	  "stats [service VIP:PORT/PROTO] [rate [interval S]]\n"
	  "        stats [service VIP:PORT/PROTO] prometheus [output FILE]\n"
	  "        stats zero\n"
	  "        (rate, prometheus, zero: also --rate, --prometheus, --zero)" },
	{ "lookup", cmd_lookup, "lookup SRC:SPORT DST:DPORT tcp|udp" },
	{ "attach", cmd_attach,
	  "attach DEV [mode native|generic] [src4 ADDR] [src6 ADDR]\n"
	  "        [max-services N] [max-backends N] [table-max M] [conntrack-size N]\n"
	  "        [force]" },
	{ "detach", cmd_detach, "detach DEV" },
	{ "unbind", cmd_unbind, "unbind" },
	{ "config", cmd_config,
	  "config [show]\n"
	  "        config set [seed N] [src4 ADDR] [src6 ADDR]" },
	{ "save", cmd_save, "save" },
	{ "restore", cmd_restore, "restore [FILE|-]" },
	{ "flush", cmd_flush, "flush" },
	{ "monitor", cmd_monitor, "monitor" },
	{ "help", cmd_help, "help" },
	{ "version", cmd_version, "version" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: lbctl [-j] [-n] COMMAND [ARGS]\n"
		"       lbctl --version | --help\n\n"
		"Options (anywhere on the line; \"--\" ends them):\n"
		"  -j, --json      JSON output for show, list, stats, lookup, config,\n"
		"                  monitor\n"
		"  -n, --numeric   show ports as numbers, not /etc/services names\n"
		"  -jn, -nj        both\n\n"
		"Commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  lbctl %s\n", commands[i].usage);
	fprintf(f, "\nWith several services, backend commands need "
		   "`service VIP:PORT/PROTO`.\nSee lbctl(8).\n");
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("lbctl %s\n", LBCTL_VERSION);
	return EXIT_OK;
}

const char *lb_kw_value(int argc, char **argv, int first, int i)
{
	const char *v = lb_need_arg(argc, argv, i, "value");

	if (lb_check_keyword(argv, first, i))
		lb_die_parse();
	return v;
}

/*
 * A global option: 1 when o is one (and applied), 0 when it is not, or the
 * exit code of an option that ends the run (help, version) plus 2.
 */
static int global_option(const char *o)
{
	if (!strcmp(o, "-j") || !strcmp(o, "--json")) {
		opts.json = true;
	} else if (!strcmp(o, "-n") || !strcmp(o, "--numeric")) {
		opts.numeric = true;
	} else if (!strcmp(o, "-jn") || !strcmp(o, "-nj")) {
		opts.json = opts.numeric = true;
	} else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
		usage(stdout);
		return 2 + EXIT_OK;
	} else if (!strcmp(o, "-V") || !strcmp(o, "--version")) {
		return 2 + cmd_version(0, NULL);
	} else {
		return 0;
	}
	return 1;
}

/*
 * Global options go anywhere, as in bpftool: they are taken out of argv
 * (in place) up to "--", which ends them.  Before the command an unknown
 * option is an error; after it, a word starting with '-' that is no
 * global option stays for the command to judge (weight -1).  Returns the
 * new argc, or -1 - exit code when the run ends here.
 */
static int take_options(int argc, char **argv)
{
	bool cmd = false, end = false;
	int i, n = 1, r;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (end || o[0] != '-' || !o[1]) {
			cmd = true;
			argv[n++] = argv[i];
			continue;
		}
		if (!strcmp(o, "--")) {
			end = true;
			continue;
		}
		r = global_option(o);
		if (r > 1)
			return -1 - (r - 2);
		if (r)
			continue;
		if (!cmd) {
			lb_err("unknown option \"%s\": expected -j, -n, -jn, "
			       "--version or --help",
			       o);
			return -1 - EXIT_ERR;
		}
		argv[n++] = argv[i];
	}
	argv[n] = NULL;
	return n;
}

int main(int argc, char **argv)
{
	size_t c;

	argc = take_options(argc, argv);
	if (argc < 0)
		return -1 - argc;
	if (argc == 1)
		return cmd_show(1, (char *[]){ "show", NULL });
	for (c = 0; c < NCOMMANDS; c++)
		if (!strcmp(argv[1], commands[c].name))
			return commands[c].fn(argc - 1, argv + 1);
	lb_err("unknown command \"%s\": expected one of add, set, drain, del, "
	       "service, show, stats, lookup, attach, detach, unbind, config, "
	       "save, restore, flush, monitor, help, version",
	       argv[1]);
	return EXIT_ERR;
}
