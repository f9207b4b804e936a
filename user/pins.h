/* SPDX-License-Identifier: GPL-2.0 */
/* pins.h - this network namespace's pin directory (see pins.c). */
#ifndef LBCTL_PINS_H
#define LBCTL_PINS_H

#include <stddef.h>
#include <stdint.h>

/* The namespace's pin directory (the BPF filesystem is not mounted). */
const char *lb_pin_dir(void);
/* The same, mounting a BPF filesystem on /sys/fs/bpf if there is none. */
const char *lb_pin_dir_mount(void);
/* "<pin dir>/<name>". */
void lb_pin_path(char *buf, size_t len, const char *name);
/* An fd of the pinned object NAME; exits with a message if it cannot. */
int lb_pin_get(const char *name);
/* SO_NETNS_COOKIE of lbctl's network namespace. */
uint64_t lb_netns_cookie(void);

#endif /* LBCTL_PINS_H */
