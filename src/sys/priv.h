/*
 * priv: leaving root after the privileged phase: switch to an unprivileged user and keep
 * only the capabilities the running daemon still needs (CAP_NET_ADMIN, to change the
 * tunnel's addresses and routes over netlink), with libcap-ng. Plus the hook where a
 * seccomp allowlist will go. Never logs: the caller reports the -errno.
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
/* Install the seccomp system-call allowlist. For now a documented no-op returning 0:
 * systemd's SystemCallFilter= in dist/shipwormd@.service covers it meanwhile. */
int sw_priv_seccomp(void);

#endif
