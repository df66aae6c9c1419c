/* SPDX-License-Identifier: MIT */
/*
 * sandbox.c - keep the daemon from ever holding on to an image or sending
 * one anywhere (store.h says what is enforced; zp_sandbox_describe() says
 * it in words for the audit).
 *
 *  - no core dumps: a core file would hold the frame buffers. PR_SET_DUMPABLE 0
 *    also stops other processes of the same user from ptrace-attaching or
 *    reading /proc/PID/mem.
 *  - descriptors: every descriptor the caller does not name is closed, so
 *    nothing opened before the sandbox (a file outside the data directory,
 *    a socket) can be written to after it.
 *  - Landlock: writes only beneath the data directory and to the named
 *    device nodes (the camera, the GPIO chip) - not to /dev as a whole,
 *    where a block device would let root write anywhere on a disk.
 *  - seccomp: an allow-list (the list below); everything else fails with
 *    EPERM. Sockets: none can be created or connected, and sendto() only
 *    without an address: the only sockets are those connected before (the
 *    systemd notify socket, journald's stream on stderr).
 */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
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
#define ZP_LL_FS_IOCTL_DEV (1ULL << 15)      /* ABI 5 */
#define ZP_LL_NET_BIND_TCP (1ULL << 0)       /* ABI 4 */
#define ZP_LL_NET_CONNECT_TCP (1ULL << 1)
#define ZP_LL_SCOPE_ABSTRACT_UNIX (1ULL << 0) /* ABI 6 */
#define ZP_LL_SCOPE_SIGNAL (1ULL << 1)

/* struct landlock_ruleset_attr as of ABI 6; older kernels are given the first 8 or 16 bytes */
struct zp_ll_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define FS_WRITE_V1 (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | \
		     LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | \
		     LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | \
		     LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM)

void zp_sandbox_opts_default(zp_sandbox_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->landlock = true;
	o->seccomp = true;
	o->close_fds = false;
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

static int add_path_rule(int ruleset, const char *path, uint64_t access, bool dir, char *err, size_t errlen)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = access };
	int rc = 0;

	pb.parent_fd = open(path, O_PATH | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
	if (pb.parent_fd < 0)
		return zp_seterr(err, errlen, errno == ENOENT ? ZP_ENODEV : ZP_EIO, "sandbox: %s: %s", path,
				 strerror(errno));
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) != 0)
		rc = zp_seterr(err, errlen, ZP_EIO, "sandbox: Landlock rule for %s: %s", path, strerror(errno));
	close(pb.parent_fd);
	return rc;
}

static void add_words(char *buf, size_t len, const char *sep, const char *text)
{
	size_t n = strlen(buf);

	if (n && n + 1 < len)
		n += zp_strlcpy(buf + n, sep, len - n);
	if (n + 1 < len)
		zp_strlcpy(buf + n, text, len - n);
}

static int apply_landlock(const zp_sandbox_opts *o, zp_sandbox_status *st, char *err, size_t errlen)
{
	struct zp_ll_attr attr = { .handled_access_fs = FS_WRITE_V1 };
	size_t attr_size = sizeof(uint64_t);
	uint64_t dev_access;
	char real[PATH_MAX], devs[200] = "";
	int fd, rc, abi = st->landlock_abi;

	if (abi >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		attr.handled_access_fs |= ZP_LL_FS_IOCTL_DEV;
	if (abi >= 4 && (!o->allow_network || o->connect_port > 0)) {
		attr.handled_access_net = ZP_LL_NET_BIND_TCP | ZP_LL_NET_CONNECT_TCP;
		attr_size = 2 * sizeof(uint64_t);
	}
	if (abi >= 6 && !o->allow_network) {
		attr.scoped = ZP_LL_SCOPE_ABSTRACT_UNIX | ZP_LL_SCOPE_SIGNAL;
		attr_size = 3 * sizeof(uint64_t);
	}
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, attr_size, 0);
	if (fd < 0)
		return zp_seterr(err, errlen, ZP_EIO, "sandbox: Landlock ruleset: %s", strerror(errno));
	rc = 0;
	st->write_paths[0] = '\0';
	if (o->data_dir) {
		rc = add_path_rule(fd, o->data_dir, attr.handled_access_fs & ~(uint64_t)(LANDLOCK_ACCESS_FS_EXECUTE |
				   ZP_LL_FS_IOCTL_DEV), true, err, errlen);
		if (!rc)
			snprintf(st->write_paths, sizeof(st->write_paths), "files beneath %s", o->data_dir);
	}
	if (!rc && o->extra_dir) {
		rc = add_path_rule(fd, o->extra_dir, attr.handled_access_fs & ~(uint64_t)(LANDLOCK_ACCESS_FS_EXECUTE |
				   ZP_LL_FS_IOCTL_DEV), true, err, errlen);
		if (!rc)
			add_words(st->write_paths, sizeof(st->write_paths), " and ", o->extra_dir);
	}
	/* an exporter: TCP connect to the broker's port only */
	if (!rc && o->allow_network && o->connect_port > 0 && attr.handled_access_net) {
		struct { uint64_t allowed_access, port; } __attribute__((packed)) np = { ZP_LL_NET_CONNECT_TCP,
			(uint64_t)o->connect_port };

		if (syscall(SYS_landlock_add_rule, fd, 2 /* LANDLOCK_RULE_NET_PORT */, &np, 0) != 0)
			rc = zp_seterr(err, errlen, ZP_EIO, "sandbox: Landlock rule for TCP port %d: %s", o->connect_port,
				       strerror(errno));
	}
	/* device nodes: opened read-write (and their ioctls) by inode, so a name that points elsewhere later does not */
	dev_access = LANDLOCK_ACCESS_FS_WRITE_FILE | (attr.handled_access_fs & ZP_LL_FS_IOCTL_DEV);
	for (int i = 0; !rc && i < ZP_SANDBOX_MAX_DEVICES; i++) {
		const char *d = o->devices[i];
		struct stat sb;

		if (!d || !d[0])
			continue;
		if (!realpath(d, real) || stat(real, &sb) != 0) {
			char msg[PATH_MAX + 80];

			snprintf(msg, sizeof(msg), "device %s not present: it cannot be opened for writing", d);
			note(st, msg);
			continue;
		}
		if (!S_ISCHR(sb.st_mode)) {
			rc = zp_seterr(err, errlen, ZP_EINVAL, "sandbox: %s is not a character device", d);
			break;
		}
		rc = add_path_rule(fd, real, dev_access, false, err, errlen);
		if (!rc)
			add_words(devs, sizeof(devs), ", ", real);
	}
	if (!rc && devs[0]) {
		add_words(st->write_paths, sizeof(st->write_paths), "; ", "the devices ");
		snprintf(st->write_paths + strlen(st->write_paths), sizeof(st->write_paths) - strlen(st->write_paths),
			 "%s", devs);
	}
	if (!rc && !st->write_paths[0])
		zp_strlcpy(st->write_paths, "nothing", sizeof(st->write_paths));
	if (!rc && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		rc = zp_seterr(err, errlen, ZP_EIO, "sandbox: no_new_privs: %s", strerror(errno));
	if (!rc && syscall(SYS_landlock_restrict_self, fd, 0) != 0)
		rc = zp_seterr(err, errlen, ZP_EIO, "sandbox: Landlock restrict_self: %s", strerror(errno));
	close(fd);
	if (!rc) {
		st->landlock_net = attr.handled_access_net != 0;
		st->connect_port = attr.handled_access_net ? o->connect_port : 0;
		st->landlock_scoped = attr.scoped != 0;
	}
	return rc;
}

/*
 * The allow-list: what the loop, the writer and log threads, SQLite,
 * libv4l2, libgpiod and the recording decoder (FFmpeg through OpenCV) call.
 * Names this architecture does not have are skipped (libseccomp resolves
 * them per architecture).
 */
static const char *const allowed[] = {
	/* files and descriptors (Landlock decides which paths may be written) */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
	"lseek", "_llseek", "close", "fstat", "fstat64", "newfstatat", "fstatat64", "stat", "stat64", "lstat",
	"lstat64", "statx", "statfs", "statfs64", "fstatfs", "fstatfs64", "access", "faccessat", "faccessat2",
	"open", "openat", "openat2", "getdents", "getdents64", "readlink", "readlinkat", "getcwd", "fcntl",
	"fcntl64", "ioctl", "flock", "fsync", "fdatasync", "ftruncate", "ftruncate64", "fallocate", "unlink",
	"unlinkat", "rename", "renameat", "renameat2", "dup", "dup2", "dup3", "pipe", "pipe2", "eventfd",
	"eventfd2", "fchmod", "timerfd_create", "timerfd_settime", "timerfd_settime64", "timerfd_gettime",
	"timerfd_gettime64", "recvfrom", "recvmsg", "umask",
	/* memory */
	"mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise", "brk", "membarrier", "mincore",
	/* waiting and threads (clone below) */
	"poll", "ppoll", "ppoll_time64", "select", "_newselect", "pselect6", "pselect6_time64", "epoll_create",
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "futex", "futex_time64",
	"futex_waitv", "set_robust_list", "get_robust_list", "rseq", "set_tid_address", "sched_yield",
	"sched_getaffinity", "sched_getparam", "sched_getscheduler", "getpriority",
	/* time */
	"clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64", "clock_nanosleep",
	"clock_nanosleep_time64", "nanosleep", "gettimeofday", "time",
	/* is the clock synchronised? adjtimex with no mode set only reads (setting needs CAP_SYS_TIME, which
	 * the daemon's user does not have); glibc asks through clock_adjtime */
	"adjtimex", "clock_adjtime", "clock_adjtime64",
	/* signals (tgkill: raise/abort of this process; Landlock scopes signals to it) */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigreturn", "sigaltstack", "rt_sigpending",
	"rt_sigtimedwait", "rt_sigtimedwait_time64", "restart_syscall", "tgkill", "tkill", "signalfd4",
	/* who and what am I */
	"getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getuid32", "geteuid32",
	"getgid32", "getegid32", "getresuid", "getresgid", "getgroups", "uname", "sysinfo", "getrlimit",
	"ugetrlimit", "getrusage", "times", "getrandom",
	"exit", "exit_group",
};

static int rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n, const struct scmp_arg_cmp *a)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0;   /* not on this architecture */
	return seccomp_rule_add_array(ctx, action, nr, n, a);
}

static int apply_seccomp(const zp_sandbox_opts *o, char *err, size_t errlen)
{
	struct scmp_arg_cmp thread = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD);
	struct scmp_arg_cmp no_addr = SCMP_A4(SCMP_CMP_EQ, 0);
	struct scmp_arg_cmp self_prio = SCMP_A1(SCMP_CMP_EQ, 0);     /* setpriority(PRIO_PROCESS, 0: this thread) */
	struct scmp_arg_cmp no_new_limit = SCMP_A2(SCMP_CMP_EQ, 0);  /* prlimit64 reading only */
	struct scmp_arg_cmp self_pid = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid());
	static const int pr_ok[] = { PR_SET_NAME, PR_GET_NAME, PR_GET_DUMPABLE, PR_GET_SECCOMP, PR_GET_NO_NEW_PRIVS,
				     0x53564d41 /* PR_SET_VMA: glibc names its anonymous maps */ };
	static const char *const net[] = { "socket", "connect", "sendmsg", "sendmmsg", "bind", "listen", "accept",
					   "accept4", "getsockopt", "setsockopt", "getsockname", "getpeername",
					   "shutdown", "socketpair" };
	scmp_filter_ctx ctx;
	int rc = 0;

	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return zp_seterr(err, errlen, ZP_ENOMEM, "sandbox: seccomp_init failed");
	for (size_t i = 0; !rc && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		rc = rule(ctx, SCMP_ACT_ALLOW, allowed[i], 0, NULL);
	/* threads, never processes; clone3's flags are out of a filter's reach: ENOSYS makes glibc use clone */
	if (!rc)
		rc = rule(ctx, SCMP_ACT_ALLOW, "clone", 1, &thread);
	if (!rc)
		rc = rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
	if (!rc)
		rc = rule(ctx, SCMP_ACT_ALLOW, "sendto", 1, &no_addr);
	if (!rc)
		rc = rule(ctx, SCMP_ACT_ALLOW, "setpriority", 1, &self_prio);
	if (!rc)
		rc = rule(ctx, SCMP_ACT_ALLOW, "prlimit64", 1, &no_new_limit);
	if (!rc)
		rc = rule(ctx, SCMP_ACT_ALLOW, "kill", 1, &self_pid);
	for (size_t i = 0; !rc && i < sizeof(pr_ok) / sizeof(pr_ok[0]); i++) {
		struct scmp_arg_cmp opt = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)pr_ok[i]);

		rc = rule(ctx, SCMP_ACT_ALLOW, "prctl", 1, &opt);
	}
	if (!rc && o->allow_network) {
		for (size_t i = 0; !rc && i < sizeof(net) / sizeof(net[0]); i++)
			rc = rule(ctx, SCMP_ACT_ALLOW, net[i], 0, NULL);
		if (!rc)
			rc = rule(ctx, SCMP_ACT_ALLOW, "sendto", 0, NULL);
	}
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc)
		return zp_seterr(err, errlen, ZP_EIO, "sandbox: seccomp: %s", strerror(-rc));
	return 0;
}

/* Close every descriptor above 2 that is not in keep (and not the directory being read). */
static int close_fds(const zp_sandbox_opts *o)
{
	int fds[1024], n = 0, closed = 0;
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");

	if (!d)
		return -1;
	while ((de = readdir(d)) && n < (int)(sizeof(fds) / sizeof(fds[0]))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		bool keep = *end != '\0' || de->d_name[0] == '.' || fd <= 2 || fd == dirfd(d);

		for (int i = 0; !keep && i < o->nkeep_fds && i < ZP_SANDBOX_MAX_KEEP_FDS; i++)
			keep = o->keep_fds[i] == fd;
		if (!keep)
			fds[n++] = (int)fd;
	}
	closedir(d);
	for (int i = 0; i < n; i++)
		closed += close(fds[i]) == 0;
	return closed;
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

	if (o->close_fds) {
		st->fds_closed = close_fds(o);
		if (st->fds_closed < 0)
			return zp_seterr(err, errlen, ZP_EIO, "sandbox: cannot list open descriptors: %s",
					 strerror(errno));
	}

	if (!o->landlock) {
		note(st, "Landlock: off by request");
	} else if (!st->landlock_abi) {
		note(st, "Landlock: not available in this kernel, writes are not limited to the data directory");
	} else {
		rc = apply_landlock(o, st, err, errlen);
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

void zp_sandbox_describe(const zp_sandbox_status *st, void (*fn)(void *ctx, const char *line), void *ctx)
{
	char line[600];

	fn(ctx, st->nodump ? "core dumps: off - a crash leaves no copy of the process memory (which holds camera "
			     "frames) on disk" :
			     "core dumps: NOT disabled - a crash could leave the process memory on disk");
	if (st->landlock) {
		snprintf(line, sizeof(line), "files (Landlock, enforced by the kernel): the process may create, change or "
			 "delete only %s; writing to any other file or device is refused", st->write_paths);
		fn(ctx, line);
	} else {
		fn(ctx, "files: NOT limited by the kernel (no Landlock) - only the program's own code keeps it from "
			"writing elsewhere");
	}
	if (st->seccomp) {
		fn(ctx, "system calls (seccomp allow-list, enforced by the kernel): only those the daemon needs; any "
			"other is refused");
		fn(ctx, st->network_denied ?
			"network: no socket can be created or connected and nothing can be sent to an address; the only "
			"sockets are the systemd notification socket and the log stream, connected before the "
			"restrictions" :
			"network: sockets allowed (an export is configured)");
		fn(ctx, "other programs and processes: none can be started, traced, read or written (no exec, no "
			"ptrace, no process_vm_*), no shared memory with other processes (SysV IPC, memfd), no kernel "
			"keyring, no new namespaces, no io_uring");
	} else {
		fn(ctx, "system calls: NOT filtered (no seccomp) - exec, ptrace and network are possible");
	}
	if (st->landlock_net || st->landlock_scoped) {
		char tcp[80];

		snprintf(tcp, sizeof(tcp), " no TCP bind, TCP connect only to port %d;", st->connect_port);
		snprintf(line, sizeof(line), "also (Landlock):%s%s", !st->landlock_net ? "" : st->connect_port > 0 ? tcp :
			 " no TCP bind or connect;",
			 st->landlock_scoped ? " no abstract UNIX socket and no signal outside the process" : "");
		fn(ctx, line);
	}
	if (st->fds_closed > 0) {
		snprintf(line, sizeof(line), "open files: %d descriptors not needed were closed before the restrictions",
			 st->fds_closed);
		fn(ctx, line);
	}
	if (st->note[0]) {
		snprintf(line, sizeof(line), "not in force: %s", st->note);
		fn(ctx, line);
	}
}
