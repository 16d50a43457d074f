/*
 * resolve: non-blocking IPv4 resolution of one host name (glibc getaddrinfo_a; the
 * completion is polled with gai_error, so no signal and no callback reaches the loop).
 * Never blocks the caller, except sw_resolve_cancel waiting (bounded) for a running
 * lookup at shutdown.
 */
#ifndef SW_SYS_RESOLVE_H
#define SW_SYS_RESOLVE_H

#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>

struct sw_resolve {
	struct gaicb cb;
	struct gaicb *list[1];
	struct addrinfo hints;
	char name[256];
	bool busy;
};

/* Start resolving name to an IPv4 address. 0, -EINVAL (name too long or empty), or
 * -EAGAIN/-ENOMEM when the lookup cannot be queued. */
int sw_resolve_start(struct sw_resolve *r, const char *name);
/* -EINPROGRESS while running; 0 and *ip (host order) when resolved; -ENOENT when the name
 * does not exist, -EAGAIN for a temporary failure (network or resolver not ready), -EIO
 * otherwise. After a result the request is finished. */
int sw_resolve_poll(struct sw_resolve *r, uint32_t *ip);
/* Abandon a running lookup. */
void sw_resolve_cancel(struct sw_resolve *r);

#endif
