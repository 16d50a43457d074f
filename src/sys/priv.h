/*
 * priv: leaving root after the privileged phase: switch to an unprivileged user and keep
 * only the capabilities the running daemon still needs (CAP_NET_ADMIN, to change the
 * tunnel's addresses and routes over netlink), with libcap-ng; then a seccomp-BPF allowlist
 * of the system calls the running daemon makes (libseccomp). Never logs: the caller
 * reports the -errno.
 */
#ifndef SW_SYS_PRIV_H
#define SW_SYS_PRIV_H

#include <stdbool.h>
#include <sys/types.h>

struct sw_priv_user {
	uid_t uid;
	gid_t gid;
	char name[64];
};

/* Look a user up by name. 0, -ENOENT when there is no such user, or -errno. */
int sw_priv_lookup(const char *name, struct sw_priv_user *u);
/* Become u with only CAP_NET_ADMIN (permitted + effective), supplementary groups dropped,
 * the bounding set cleared when we may. When not running as root, or when u is root,
 * the identity stays and only the capabilities are reduced. 0 or -errno. */
int sw_priv_drop(const struct sw_priv_user *u);
/* Install the seccomp system-call allowlist on the calling thread, and on every other
 * thread of the process where the kernel can (TSYNC); threads started later inherit it.
 * Anything not on the list kills the process (SIGSYS). Call after the privileged phase:
 * no socket may be bound, no file written, no tunnel opened after it. 0, -EOPNOTSUPP in a
 * sanitizer build (their runtimes need what the list refuses: nothing installed), or
 * -errno. */
int sw_priv_seccomp(void);

#endif
