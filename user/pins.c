// SPDX-License-Identifier: GPL-2.0
/*
 * pins.c - where this network namespace's data path is pinned.
 *
 * Every network namespace has a data path of its own (program and maps):
 * the module refuses to bind one namespace's maps from another, and lbctl
 * never looks at another namespace's pins.  The directory is XLB_PIN_DIR in
 * the network namespace of PID 1 and XLB_PIN_DIR "-netns-<cookie>" in any
 * other (SO_NETNS_COOKIE: unique while the machine runs, never reused).
 *
 * The BPF filesystem is the one on /sys/fs/bpf.  `ip netns exec` remounts
 * /sys without it; lbctl then uses PID 1's (/proc/1/root/sys/fs/bpf), so it
 * finds the same pins whether it entered the namespace with nsenter or with
 * ip netns exec.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "lbctl.h"
#include "pins.h"
#include "uapi/xlb_maps.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif
#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define BPFFS_ROOT "/sys/fs/bpf"
#define BPFFS_PID1 "/proc/1/root/sys/fs/bpf"

static char pin_dir[256];

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

uint64_t lb_netns_cookie(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len))
		lb_die(EXIT_ENV, "cannot read the network namespace cookie: %s",
		       strerror(errno));
	close(fd);
	return cookie;
}

/* Is this the network namespace of PID 1? */
static bool pid1_netns(void)
{
	struct stat self, init;

	if (stat("/proc/self/ns/net", &self) || stat("/proc/1/ns/net", &init))
		return false;
	return self.st_dev == init.st_dev && self.st_ino == init.st_ino;
}

/* The BPF filesystem to pin in; mount one on /sys/fs/bpf if there is none. */
static const char *bpffs(bool mount_it)
{
	if (is_bpffs(BPFFS_ROOT))
		return BPFFS_ROOT;
	if (is_bpffs(BPFFS_PID1))
		return BPFFS_PID1;
	if (!mount_it)
		return BPFFS_ROOT;
	if (mount("bpf", BPFFS_ROOT, "bpf", 0, "mode=0700"))
		lb_die(EXIT_ENV,
		       "%s is not a BPF filesystem and mounting one "
		       "failed: %s (try: mount -t bpf bpf %s)",
		       BPFFS_ROOT, strerror(errno), BPFFS_ROOT);
	return BPFFS_ROOT;
}

static const char *pin_dir_in(const char *fs)
{
	const char *base = XLB_PIN_DIR + strlen(BPFFS_ROOT);

	if (pid1_netns())
		snprintf(pin_dir, sizeof(pin_dir), "%s%s", fs, base);
	else
		snprintf(pin_dir, sizeof(pin_dir), "%s%s-netns-%llu", fs, base,
			 (unsigned long long)lb_netns_cookie());
	return pin_dir;
}

const char *lb_pin_dir(void)
{
	return pin_dir[0] ? pin_dir : pin_dir_in(bpffs(false));
}

const char *lb_pin_dir_mount(void)
{
	return pin_dir_in(bpffs(true));
}

void lb_pin_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", lb_pin_dir(), name);
}

int lb_pin_get(const char *name)
{
	char path[sizeof(pin_dir) + 64];
	int fd;

	lb_pin_path(path, sizeof(path), name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		lb_die(EXIT_ENV, "cannot open pinned %s: %s", path,
		       strerror(errno));
	return fd;
}
