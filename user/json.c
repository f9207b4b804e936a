// SPDX-License-Identifier: GPL-2.0
/*
 * json.c - streaming JSON writer (see json.h).
 */
#include <stdio.h>

#include "json.h"

#define JSON_MAX_DEPTH 16

static FILE *out;
static int depth;
static bool first[JSON_MAX_DEPTH];

void json_init(FILE *f)
{
	out = f;
	depth = 0;
	first[0] = true;
}

static void put_string(const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void member(const char *key)
{
	if (!out)
		out = stdout;
	if (!first[depth])
		fputc(',', out);
	first[depth] = false;
	if (key) {
		put_string(key);
		fputc(':', out);
	}
}

static void open_(const char *key, char c)
{
	member(key);
	fputc(c, out);
	if (depth + 1 < JSON_MAX_DEPTH)
		depth++;
	first[depth] = true;
}

static void close_(char c)
{
	fputc(c, out);
	if (depth > 0)
		depth--;
}

void json_obj_open(const char *key)
{
	open_(key, '{');
}

void json_obj_close(void)
{
	close_('}');
}

void json_arr_open(const char *key)
{
	open_(key, '[');
}

void json_arr_close(void)
{
	close_(']');
}

void json_str(const char *key, const char *val)
{
	member(key);
	put_string(val);
}

void json_u64(const char *key, uint64_t val)
{
	member(key);
	fprintf(out, "%llu", (unsigned long long)val);
}

void json_bool(const char *key, bool val)
{
	member(key);
	fputs(val ? "true" : "false", out);
}

void json_double(const char *key, double val)
{
	member(key);
	fprintf(out, "%.2f", val);
}

void json_done(void)
{
	fputc('\n', out);
	fflush(out);
	first[0] = true;
	depth = 0;
}
