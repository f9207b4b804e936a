// SPDX-License-Identifier: GPL-2.0
/*
 * lbctl.c - entry point: global options and the command dispatch table.
 * Each command group lives in its own file (service.c, backend.c, ...).
 */
#include <stdarg.h>
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
	{ "show", cmd_show, "show [service VIP:PORT/PROTO]" },
	{ "stats", cmd_stats,
	  "stats [service VIP:PORT/PROTO] [rate [interval S]]\n"
	  "        stats [service VIP:PORT/PROTO] prometheus [output FILE]\n"
	  "        stats zero" },
	{ "lookup", cmd_lookup, "lookup SRC:SPORT DST:DPORT tcp|udp" },
	{ "attach", cmd_attach,
	  "attach DEV [mode native|generic] [src4 ADDR] [src6 ADDR]\n"
	  "        [max-services N] [max-backends N] [table-max M] [conntrack-size N]" },
	{ "detach", cmd_detach, "detach DEV" },
	{ "config", cmd_config,
	  "config [show]\n"
	  "        config set [seed N] [src4 ADDR] [src6 ADDR]" },
	{ "save", cmd_save, "save" },
	{ "restore", cmd_restore, "restore [FILE|-]" },
	{ "flush", cmd_flush, "flush" },
	{ "monitor", cmd_monitor, "monitor" },
	{ "help", cmd_help, "help" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: lbctl [-j] [-n] COMMAND [ARGS]\n"
		"       lbctl --version | --help\n\n"
		"Options:\n"
		"  -j, --json      JSON output for show, list, stats, lookup, config\n"
		"  -n, --numeric   show ports as numbers, not /etc/services names\n\n"
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

int main(int argc, char **argv)
{
	int i = 1;
	size_t c;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "-j") || !strcmp(o, "--json")) {
			opts.json = true;
		} else if (!strcmp(o, "-n") || !strcmp(o, "--numeric")) {
			opts.numeric = true;
		} else if (!strcmp(o, "-jn") || !strcmp(o, "-nj")) {
			opts.json = opts.numeric = true;
		} else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(o, "-V") || !strcmp(o, "--version")) {
			printf("lbctl %s\n", LBCTL_VERSION);
			return EXIT_OK;
		} else if (!strcmp(o, "--")) {
			i++;
			break;
		} else {
			lb_err("unknown option \"%s\": expected -j, -n, "
			       "--version or --help",
			       o);
			return EXIT_ERR;
		}
	}
	if (i == argc)
		return cmd_show(1, (char *[]){ "show", NULL });
	for (c = 0; c < NCOMMANDS; c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].fn(argc - i, argv + i);
	if (!strcmp(argv[i], "version"))
		return printf("lbctl %s\n", LBCTL_VERSION) < 0;
	lb_err("unknown command \"%s\": expected one of add, set, drain, del, "
	       "service, show, stats, lookup, attach, detach, config, save, "
	       "restore, flush, monitor, help",
	       argv[i]);
	return EXIT_ERR;
}
