/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - a tiny header-only test framework for xlb's host unit tests.
 *
 * Output is TAP (Test Anything Protocol): "ok N - what" / "not ok N - what",
 * diagnostics as "# ..." lines, the plan "1..N" at the end.  The exit status
 * of tap_done() is 0 only when every check passed (and at least one ran).
 *
 *	#include "tap.h"
 *
 *	int main(void)
 *	{
 *		ok(1 + 1 == 2, "addition");
 *		is_u64(f(3), 9, "f(3)");
 *		diag("measured %.3f", x);
 *		return tap_done();
 *	}
 *
 * Checks return their verdict, so a test can stop early:
 *	if (!ok(p != NULL, "alloc")) return tap_done();
 * TAP_VERBOSE=0 in the environment hides passing lines (failures and
 * diagnostics are always printed).
 */
#ifndef XLB_TAP_H
#define XLB_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAP_UNUSED __attribute__((unused))

static unsigned int tap_count TAP_UNUSED;
static unsigned int tap_failed TAP_UNUSED;

static TAP_UNUSED bool tap_quiet(void)
{
	const char *v = getenv("TAP_VERBOSE");

	return v && !strcmp(v, "0");
}

static TAP_UNUSED __attribute__((format(printf, 5, 0))) bool
tap_vresult(bool pass, const char *file, int line, const char *expr,
	    const char *fmt, va_list ap)
{
	tap_count++;
	if (!pass)
		tap_failed++;
	if (pass && tap_quiet())
		return pass;
	printf("%sok %u - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	putchar('\n');
	if (!pass)
		printf("#   failed at %s:%d: %s\n", file, line, expr);
	fflush(stdout);
	return pass;
}

static TAP_UNUSED __attribute__((format(printf, 5, 6))) bool
tap_result(bool pass, const char *file, int line, const char *expr,
	   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pass = tap_vresult(pass, file, line, expr, fmt, ap);
	va_end(ap);
	return pass;
}

static TAP_UNUSED __attribute__((format(printf, 1, 2))) void
diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Compare integers (signed ones sign-extended); on failure print both. */
static TAP_UNUSED __attribute__((format(printf, 7, 8))) bool
tap_is_num(bool is_signed, uint64_t got, uint64_t want, const char *file,
	   int line, const char *expr, const char *fmt, ...)
{
	va_list ap;
	bool pass = got == want;

	va_start(ap, fmt);
	tap_vresult(pass, file, line, expr, fmt, ap);
	va_end(ap);
	if (!pass && is_signed)
		printf("#   got %lld, want %lld\n", (long long)got,
		       (long long)want);
	else if (!pass)
		printf("#   got %llu (0x%llx), want %llu (0x%llx)\n",
		       (unsigned long long)got, (unsigned long long)got,
		       (unsigned long long)want, (unsigned long long)want);
	return pass;
}

static TAP_UNUSED __attribute__((format(printf, 6, 7))) bool
tap_is_str(const char *got, const char *want, const char *file, int line,
	   const char *expr, const char *fmt, ...)
{
	va_list ap;
	bool pass = got && want && !strcmp(got, want);

	va_start(ap, fmt);
	tap_vresult(pass, file, line, expr, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#   got \"%s\", want \"%s\"\n", got ? got : "(null)",
		       want ? want : "(null)");
	return pass;
}

#define ok(cond, ...) \
	tap_result(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)
#define is_u64(got, want, ...)                                         \
	tap_is_num(false, (uint64_t)(got), (uint64_t)(want), __FILE__, \
		   __LINE__, #got " == " #want, __VA_ARGS__)
#define is_int(got, want, ...)                                                \
	tap_is_num(true, (uint64_t)(int64_t)(got), (uint64_t)(int64_t)(want), \
		   __FILE__, __LINE__, #got " == " #want, __VA_ARGS__)
#define is_str(got, want, ...)                                           \
	tap_is_str((got), (want), __FILE__, __LINE__, #got " == " #want, \
		   __VA_ARGS__)

/* Print the plan and a summary; return the process exit status. */
static TAP_UNUSED int tap_done(void)
{
	printf("1..%u\n", tap_count);
	if (tap_failed)
		printf("# FAILED %u of %u checks\n", tap_failed, tap_count);
	else if (!tap_count)
		printf("# no checks ran\n");
	fflush(stdout);
	return tap_failed || !tap_count ? 1 : 0;
}

#endif /* XLB_TAP_H */
