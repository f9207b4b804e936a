// SPDX-License-Identifier: GPL-2.0
/*
 * err.c - the error messages of lbctl and of the daemons that share its
 * code (xlb-announce, xlb-healthd): "<program>: <message>" on stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lbctl.h"

const char *lb_prog = "lbctl";
const char *lb_err_where;

static void verr(const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", lb_prog);
	if (lb_err_where)
		fprintf(stderr, "%s: ", lb_err_where);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void lb_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
}

void lb_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	exit(code);
}

void lb_die_parse(void)
{
	lb_die(EXIT_ERR, "%s", lb_parse_error());
}

const char *lb_need_arg(int argc, char **argv, int i, const char *what)
{
	if (i + 1 >= argc)
		lb_die(EXIT_ERR, "missing %s after \"%s\"", what, argv[i]);
	return argv[i + 1];
}

void lb_die_unknown(const char *word, const char *context)
{
	lb_die(EXIT_ERR, "unknown argument \"%s\" to %s (see: lbctl help)",
	       word, context);
}
