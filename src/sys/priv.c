/* priv: user switch and capabilities with libcap-ng, the seccomp allowlist with
 * libseccomp (see priv.h). */
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sys/priv.h"

int sw_priv_lookup(const char *name, struct sw_priv_user *u)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int err;

	err = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (err)
		return -err;
	if (!res)
		return -ENOENT;
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	snprintf(u->name, sizeof(u->name), "%s", name);
	return 0;
}

int sw_priv_drop(const struct sw_priv_user *u)
{
	int flags = CAPNG_DROP_SUPP_GRP;

	if (capng_get_caps_process() < 0)
		return -EPERM;
	if (geteuid() != 0 && !capng_have_capability(CAPNG_EFFECTIVE, CAP_SETUID))
		return 0; /* not root and cannot switch: keep what we were given */
	if (capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP))
		flags |= CAPNG_CLEAR_BOUNDING;
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN) < 0)
		return -EPERM;
	if (u->uid == 0)
		return capng_apply(CAPNG_SELECT_BOTH) < 0 ? -EPERM : 0;
	if (capng_change_id((int)u->uid, (int)u->gid, flags) < 0)
		return -EPERM;
	return 0;
}

/* Sanitizer runtimes (LeakSanitizer's ptrace at exit, the symbolizer) need what the list
 * refuses. SW_SANITIZED comes from meson (b_sanitize) for what no macro announces (UBSan). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SW_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) ||                  \
	__has_feature(memory_sanitizer)
#define SW_SANITIZED 1
#endif
#endif

#ifndef SW_SANITIZED
/* The system calls allowed without condition, by purpose. */
static const int allowed[] = {
	/* memory: malloc, thread stacks, NSS modules loaded by the resolver */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(mprotect),
	/* threads: relay workers, getaddrinfo_a's helpers, their locks and exit */
	SCMP_SYS(clone), SCMP_SYS(clone3), SCMP_SYS(futex), SCMP_SYS(set_robust_list),
	SCMP_SYS(rseq), SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity), SCMP_SYS(gettid),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* signals: the loop's signalfd (made after the drop), masks, abort() */
	SCMP_SYS(signalfd4), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigaction),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(restart_syscall), SCMP_SYS(tgkill), SCMP_SYS(getpid),
	/* time and randomness */
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep), SCMP_SYS(getrandom),
	/* the event loop: epoll, timerfd, the workers' eventfd */
	SCMP_SYS(epoll_create1), SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait), SCMP_SYS(timerfd_create), SCMP_SYS(timerfd_settime),
	SCMP_SYS(timerfd_gettime), SCMP_SYS(eventfd2), SCMP_SYS(poll), SCMP_SYS(ppoll),
	/* the data path: the tunnel, stderr, files being read */
	SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(write), SCMP_SYS(writev), SCMP_SYS(close),
	SCMP_SYS(fcntl), SCMP_SYS(lseek), SCMP_SYS(pread64), /* pread64: ld.so, an NSS module */
	/* sockets already open, the control socket's clients, netlink, syslog, sd_notify, DNS */
	SCMP_SYS(recvmmsg), SCMP_SYS(sendmmsg), SCMP_SYS(recvfrom), SCMP_SYS(sendto),
	SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(accept4), SCMP_SYS(connect),
	SCMP_SYS(setsockopt), SCMP_SYS(getsockopt), SCMP_SYS(getsockname),
	SCMP_SYS(getpeername), SCMP_SYS(shutdown),
	/* reload and the resolver: the configuration, secrets, /etc/hosts, resolv.conf, NSS */
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx), SCMP_SYS(uname),
	SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
	/* shutdown: the control socket and the pid file */
	SCMP_SYS(unlink), SCMP_SYS(unlinkat),
};

/* socket(): only the families the daemon and glibc's resolver and syslog use. */
static const int families[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};
/* ioctl(): the resolver's FIONREAD, stdio's isatty. */
static const unsigned long ioctls[] = {FIONREAD, TCGETS};

static int seccomp_rules(scmp_filter_ctx ctx)
{
	int err = 0;

	for (size_t i = 0; !err && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	for (size_t i = 0; !err && i < sizeof(families) / sizeof(families[0]); i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i], 0));
	for (size_t i = 0; !err && i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				       SCMP_A1(SCMP_CMP_EQ, ioctls[i], 0));
	/* files are read only: nothing written or created after the privileged phase */
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				       SCMP_A2(SCMP_CMP_MASKED_EQ,
					       O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY));
	return err;
}
#endif

int sw_priv_seccomp(void)
{
#ifdef SW_SANITIZED
	return -EOPNOTSUPP;
#else
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int err;

	if (!ctx)
		return -ENOMEM;
	/* threads started before (none today) get the filter too, where supported */
	if (seccomp_api_get() >= 2)
		(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	err = seccomp_rules(ctx);
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err < 0 ? err : 0;
#endif
}
