/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json.h - a small streaming JSON writer for lbctl -j.  Keys are given for
 * members of objects and NULL for elements of arrays; commas and string
 * escaping are handled here.  Output is one compact line per document.
 */
#ifndef LBCTL_JSON_H
#define LBCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

void json_init(FILE *f);
void json_obj_open(const char *key);
void json_obj_close(void);
void json_arr_open(const char *key);
void json_arr_close(void);
void json_str(const char *key, const char *val);
void json_u64(const char *key, uint64_t val);
void json_bool(const char *key, bool val);
void json_double(const char *key, double val);
/* After the outermost close: newline and flush. */
void json_done(void);

#endif /* LBCTL_JSON_H */
