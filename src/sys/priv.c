/* priv: user switch and capabilities with libcap-ng (see priv.h). */
#include <cap-ng.h>
#include <errno.h>
#include <pwd.h>
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

int sw_priv_seccomp(void)
{
	return 0;
}
