/* SPDX-License-Identifier: MIT */
/*
 * sandbox.c - keep the daemon from ever holding on to an image.
 *
 *  - no core dumps: a core file would hold the frame buffers. PR_SET_DUMPABLE 0
 *    also stops other processes of the same user from ptrace-attaching or
 *    reading /proc/PID/mem.
 *  - Landlock (Linux >= 5.13 where enabled): creating, writing, truncating,
 *    renaming, removing or executing files is denied except beneath the data
 *    directory (everything) and /dev (writing device nodes: the camera and
 *    the GPIO chip are opened read-write). Reading stays free.
 *  - seccomp (libseccomp): execve, execveat, ptrace, process_vm_readv/writev
 *    and io_uring_setup (its requests bypass seccomp) fail with EPERM; so
 *    does socket() for any family but AF_UNIX (sd_notify, journald) unless an
 *    export is configured. Everything else is allowed: this is a fence against
 *    writing images or sending them, not a full syscall allow-list.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Same numbers on every architecture (the unified syscall table). */
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#ifndef SYS_landlock_add_rule
#define SYS_landlock_add_rule 445
#endif
#ifndef SYS_landlock_restrict_self
#define SYS_landlock_restrict_self 446
#endif
/* Newer than some kernel headers we build against. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

#define FS_WRITE_V1 (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | \
		     LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | \
		     LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | \
		     LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM)

void zp_sandbox_opts_default(zp_sandbox_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->landlock = true;
	o->seccomp = true;
}

/* The kernel's Landlock ABI version, or 0 with *why = errno (ENOSYS: not built in; EOPNOTSUPP: disabled). */
static int landlock_abi(int *why)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	*why = v > 0 ? 0 : errno;
	return v > 0 ? (int)v : 0;
}

static bool nodump_in_force(void)
{
	struct rlimit rl;

	return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 && getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0 &&
	       rl.rlim_max == 0;
}

void zp_sandbox_probe(zp_sandbox_status *st)
{
	int why;

	memset(st, 0, sizeof(*st));
	st->nodump = nodump_in_force();
	st->landlock_abi = landlock_abi(&why);
	st->seccomp_available = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 && seccomp_api_get() >= 1;
	if (!st->landlock_abi)
		snprintf(st->note, sizeof(st->note), "Landlock: %s",
			 why == EOPNOTSUPP ? "built into this kernel but not enabled (boot with lsm=...,landlock)" :
			 "not in this kernel (needs Linux 5.13 or newer with CONFIG_SECURITY_LANDLOCK)");
}

static void note(zp_sandbox_status *st, const char *text)
{
	size_t n = strlen(st->note);

	snprintf(st->note + n, sizeof(st->note) - n, "%s%s", n ? "; " : "", text);
}

static int add_path_rule(int ruleset, const char *path, uint64_t access, char *err, size_t errlen)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = access };
	int rc = 0;

	pb.parent_fd = open(path, O_PATH | O_CLOEXEC | O_DIRECTORY);
	if (pb.parent_fd < 0)
		return zp_seterr(err, errlen, errno == ENOENT ? ZP_EINVAL : ZP_EIO, "sandbox: %s: %s", path,
				 strerror(errno));
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) != 0)
		rc = zp_seterr(err, errlen, ZP_EIO, "sandbox: Landlock rule for %s: %s", path, strerror(errno));
	close(pb.parent_fd);
	return rc;
}

static int apply_landlock(const zp_sandbox_opts *o, int abi, char *err, size_t errlen)
{
	struct landlock_ruleset_attr attr = { .handled_access_fs = FS_WRITE_V1 };
	int fd, rc;

	if (abi >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return zp_seterr(err, errlen, ZP_EIO, "sandbox: Landlock ruleset: %s", strerror(errno));
	rc = 0;
	if (o->data_dir)
		rc = add_path_rule(fd, o->data_dir, attr.handled_access_fs & ~(uint64_t)LANDLOCK_ACCESS_FS_EXECUTE,
				   err, errlen);
	/* device nodes: the camera and the GPIO chip are opened O_RDWR; nothing can be created there */
	if (!rc)
		rc = add_path_rule(fd, "/dev", LANDLOCK_ACCESS_FS_WRITE_FILE, err, errlen);
	if (!rc && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		rc = zp_seterr(err, errlen, ZP_EIO, "sandbox: no_new_privs: %s", strerror(errno));
	if (!rc && syscall(SYS_landlock_restrict_self, fd, 0) != 0)
		rc = zp_seterr(err, errlen, ZP_EIO, "sandbox: Landlock restrict_self: %s", strerror(errno));
	close(fd);
	return rc;
}

static int apply_seccomp(const zp_sandbox_opts *o, char *err, size_t errlen)
{
	/* must all be denied, or the filter is not loaded */
	static const int required[] = {
		SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(ptrace),
		SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
	};
	/* denied where this architecture has them */
	static const int optional[] = { SCMP_SYS(io_uring_setup) };
	scmp_filter_ctx ctx;
	int rc = 0;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return zp_seterr(err, errlen, ZP_ENOMEM, "sandbox: seccomp_init failed");
	for (size_t i = 0; !rc && i < sizeof(required) / sizeof(required[0]); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), required[i], 0);
	for (size_t i = 0; !rc && i < sizeof(optional) / sizeof(optional[0]); i++)
		seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), optional[i], 0);
	if (!rc && !o->allow_network)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1,
				      SCMP_A0_32(SCMP_CMP_NE, AF_UNIX));
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc)
		return zp_seterr(err, errlen, ZP_EIO, "sandbox: seccomp: %s", strerror(-rc));
	return 0;
}

int zp_sandbox_apply(const zp_sandbox_opts *o, zp_sandbox_status *st, char *err, size_t errlen)
{
	struct rlimit none = { 0, 0 };
	struct stat sb;
	int rc;

	zp_sandbox_probe(st);
	st->note[0] = '\0';
	errno = 0;
	if (o->data_dir && (stat(o->data_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
		return zp_seterr(err, errlen, ZP_EINVAL, "sandbox: data directory %s: %s", o->data_dir,
				 errno ? strerror(errno) : "not a directory");

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || setrlimit(RLIMIT_CORE, &none) != 0)
		return zp_seterr(err, errlen, ZP_EIO, "sandbox: cannot disable core dumps: %s", strerror(errno));
	st->nodump = nodump_in_force();

	if (!o->landlock) {
		note(st, "Landlock: off by request");
	} else if (!st->landlock_abi) {
		note(st, "Landlock: not available in this kernel, writes are not limited to the data directory");
	} else {
		rc = apply_landlock(o, st->landlock_abi, err, errlen);
		if (rc)
			return rc;
		st->landlock = true;
	}

	if (!o->seccomp) {
		note(st, "seccomp: off by request");
	} else if (!st->seccomp_available) {
		note(st, "seccomp: not available in this kernel");
	} else {
		rc = apply_seccomp(o, err, errlen);
		if (rc)
			return rc;
		st->seccomp = true;
		st->network_denied = !o->allow_network;
	}
	return 0;
}
