/* resolve: non-blocking host name resolution with getaddrinfo_a, polled. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "sys/resolve.h"

int sw_resolve_start(struct sw_resolve *r, const char *name)
{
	size_t n = strlen(name);
	int err;

	if (r->busy)
		sw_resolve_cancel(r);
	if (n == 0 || n >= sizeof r->name)
		return -EINVAL;
	memset(r, 0, sizeof *r);
	memcpy(r->name, name, n + 1);
	r->hints.ai_family = AF_INET;
	r->hints.ai_socktype = SOCK_DGRAM;
	r->cb.ar_name = r->name;
	r->cb.ar_request = &r->hints;
	r->list[0] = &r->cb;
	err = getaddrinfo_a(GAI_NOWAIT, r->list, 1, NULL);
	if (err != 0)
		return err == EAI_MEMORY ? -ENOMEM : -EAGAIN;
	r->busy = true;
	return 0;
}

static int gai_errno(int e)
{
	switch (e) {
	case EAI_NONAME:
	case EAI_NODATA:
	case EAI_ADDRFAMILY:
		return -ENOENT;
	case EAI_AGAIN:
	case EAI_SYSTEM:
	case EAI_CANCELED:
		return -EAGAIN;
	default:
		return -EIO;
	}
}

int sw_resolve_poll(struct sw_resolve *r, uint32_t *ip)
{
	struct addrinfo *ai;
	int e;

	if (!r->busy)
		return -EINVAL;
	e = gai_error(&r->cb);
	if (e == EAI_INPROGRESS)
		return -EINPROGRESS;
	r->busy = false;
	if (e != 0)
		return gai_errno(e);
	for (ai = r->cb.ar_result; ai; ai = ai->ai_next)
		if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(struct sockaddr_in)) {
			const struct sockaddr_in *sin = (const void *)ai->ai_addr;

			*ip = ntohl(sin->sin_addr.s_addr);
			break;
		}
	freeaddrinfo(r->cb.ar_result);
	r->cb.ar_result = NULL;
	return ai ? 0 : -ENOENT;
}

void sw_resolve_cancel(struct sw_resolve *r)
{
	const struct gaicb *l[1] = {&r->cb};
	struct timespec ts = {5, 0};

	if (!r->busy)
		return;
	if (gai_cancel(&r->cb) == EAI_NOTCANCELED)
		gai_suspend(l, 1, &ts); /* the request must end before r is reused or freed */
	if (gai_error(&r->cb) == 0 && r->cb.ar_result)
		freeaddrinfo(r->cb.ar_result);
	r->cb.ar_result = NULL;
	r->busy = false;
}
