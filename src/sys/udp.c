/* udp: batched IPv4 UDP with IP_PKTINFO (see udp.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sys/udp.h"

union cmsg_buf {
	char buf[CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

struct sw_udp_rx {
	struct mmsghdr hdr[SW_UDP_BATCH];
	struct iovec iov[SW_UDP_BATCH];
	struct sockaddr_in name[SW_UDP_BATCH];
	union cmsg_buf ctl[SW_UDP_BATCH];
	struct sw_udp_msg msg[SW_UDP_BATCH];
	size_t bufsize;
	uint8_t *data;
};

struct sw_udp_rx *sw_udp_rx_alloc(size_t bufsize)
{
	struct sw_udp_rx *rx = calloc(1, sizeof(*rx));

	if (!rx)
		return NULL;
	rx->bufsize = bufsize;
	rx->data = malloc(bufsize * SW_UDP_BATCH);
	if (!rx->data) {
		free(rx);
		return NULL;
	}
	return rx;
}

void sw_udp_rx_free(struct sw_udp_rx *rx)
{
	if (!rx)
		return;
	free(rx->data);
	free(rx);
}

static int setopt(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val)) < 0 ? -errno : 0;
}

static int configure(int fd, unsigned flags)
{
	int err = setopt(fd, IPPROTO_IP, IP_PKTINFO, 1);

	if (!err)
		err = setopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT);
	if (!err)
		err = setopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, 1);
	if (!err)
		err = setopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0);
	if (!err && (flags & SW_UDP_REUSEPORT))
		err = setopt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	/* best effort: larger buffers absorb bursts (capped by net.core.*mem_max) */
	setopt(fd, SOL_SOCKET, SO_RCVBUF, 1 << 20);
	setopt(fd, SOL_SOCKET, SO_SNDBUF, 1 << 20);
	return err;
}

int sw_udp_open(struct sw_udp *u, uint32_t ip, uint16_t port, unsigned flags)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t slen = sizeof(sin);
	int err;

	memset(u, 0, sizeof(*u));
	u->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->fd < 0)
		return -errno;
	err = configure(u->fd, flags);
	if (err)
		goto fail;
	sin.sin_addr.s_addr = htonl(ip);
	sin.sin_port = htons(port);
	if (bind(u->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(u->fd, (struct sockaddr *)&sin, &slen) < 0) {
		err = -errno;
		goto fail;
	}
	u->ip = ntohl(sin.sin_addr.s_addr);
	u->port = ntohs(sin.sin_port);
	return 0;
fail:
	close(u->fd);
	u->fd = -1;
	return err;
}

void sw_udp_close(struct sw_udp *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
}

static uint32_t pktinfo_dst(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			return ntohl(pi.ipi_addr.s_addr);
		}
	}
	return 0;
}

static void rx_prepare(struct sw_udp_rx *rx)
{
	for (size_t i = 0; i < SW_UDP_BATCH; i++) {
		struct msghdr *mh = &rx->hdr[i].msg_hdr;

		rx->iov[i].iov_base = rx->data + i * rx->bufsize;
		rx->iov[i].iov_len = rx->bufsize;
		memset(mh, 0, sizeof(*mh));
		mh->msg_name = &rx->name[i];
		mh->msg_namelen = sizeof(rx->name[i]);
		mh->msg_iov = &rx->iov[i];
		mh->msg_iovlen = 1;
		mh->msg_control = rx->ctl[i].buf;
		mh->msg_controllen = sizeof(rx->ctl[i].buf);
	}
}

int sw_udp_recv(struct sw_udp *u, struct sw_udp_rx *rx, struct sw_udp_msg **msgs)
{
	int n, k = 0;

	rx_prepare(rx);
	n = recvmmsg(u->fd, rx->hdr, SW_UDP_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		u->stats.rx_errors++;
		return -errno;
	}
	for (int i = 0; i < n; i++) {
		struct msghdr *mh = &rx->hdr[i].msg_hdr;
		struct sw_udp_msg *m = &rx->msg[k];

		if ((mh->msg_flags & MSG_TRUNC) || rx->name[i].sin_family != AF_INET) {
			u->stats.rx_truncated++;
			continue;
		}
		m->peer.ip = ntohl(rx->name[i].sin_addr.s_addr);
		m->peer.port = ntohs(rx->name[i].sin_port);
		m->local_ip = pktinfo_dst(mh);
		m->ttl = 0;
		m->data = rx->iov[i].iov_base;
		m->len = rx->hdr[i].msg_len;
		k++;
	}
	u->stats.rx_packets += (uint64_t)k;
	*msgs = rx->msg;
	return k;
}

struct tx_batch {
	struct mmsghdr hdr[SW_UDP_BATCH];
	struct iovec iov[SW_UDP_BATCH];
	struct sockaddr_in name[SW_UDP_BATCH];
	union cmsg_buf ctl[SW_UDP_BATCH];
};

static void tx_fill(struct tx_batch *b, size_t i, const struct sw_udp_msg *m)
{
	struct msghdr *mh = &b->hdr[i].msg_hdr;
	struct cmsghdr *c;
	size_t clen = 0;

	memset(mh, 0, sizeof(*mh));
	b->name[i] = (struct sockaddr_in){.sin_family = AF_INET,
					  .sin_port = htons(m->peer.port),
					  .sin_addr.s_addr = htonl(m->peer.ip)};
	b->iov[i].iov_base = m->data;
	b->iov[i].iov_len = m->len;
	mh->msg_name = &b->name[i];
	mh->msg_namelen = sizeof(b->name[i]);
	mh->msg_iov = &b->iov[i];
	mh->msg_iovlen = 1;
	if (!m->local_ip && !m->ttl)
		return;
	memset(b->ctl[i].buf, 0, sizeof(b->ctl[i].buf));
	mh->msg_control = b->ctl[i].buf;
	mh->msg_controllen = sizeof(b->ctl[i].buf);
	c = CMSG_FIRSTHDR(mh);
	if (m->local_ip) {
		struct in_pktinfo pi = {.ipi_spec_dst.s_addr = htonl(m->local_ip)};

		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		clen += CMSG_SPACE(sizeof(pi));
		c = CMSG_NXTHDR(mh, c);
	}
	if (m->ttl) {
		int ttl = m->ttl;

		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_TTL;
		c->cmsg_len = CMSG_LEN(sizeof(ttl));
		memcpy(CMSG_DATA(c), &ttl, sizeof(ttl));
		clen += CMSG_SPACE(sizeof(ttl));
	}
	mh->msg_controllen = clen;
}

/* Send msgs[0..n) (n <= SW_UDP_BATCH); returns how many were consumed (sent or dropped). */
static size_t send_some(struct sw_udp *u, struct tx_batch *b, const struct sw_udp_msg *msgs,
			size_t n, size_t *sent)
{
	int r;

	for (size_t i = 0; i < n; i++)
		tx_fill(b, i, &msgs[i]);
	r = sendmmsg(u->fd, b->hdr, (unsigned)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r > 0) {
		*sent += (size_t)r;
		u->stats.tx_packets += (uint64_t)r;
		return (size_t)r;
	}
	if (r < 0 && errno == EINTR)
		return 0;
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
		u->stats.tx_again += n; /* the socket is full: drop the rest of this batch */
		return n;
	}
	u->last_tx_err = r < 0 ? errno : EIO;
	u->stats.tx_errors++; /* the first datagram was refused: skip it */
	return 1;
}

size_t sw_udp_send(struct sw_udp *u, const struct sw_udp_msg *msgs, size_t n)
{
	struct tx_batch b;
	size_t done = 0, sent = 0;
	size_t spins = 0;

	while (done < n && spins++ < n + 16) { /* each round consumes one or more */
		size_t k = n - done < SW_UDP_BATCH ? n - done : SW_UDP_BATCH;

		done += send_some(u, &b, msgs + done, k, &sent);
	}
	return sent;
}

int sw_udp_join(struct sw_udp *u, uint32_t group)
{
	struct ip_mreqn mr = {.imr_multiaddr.s_addr = htonl(group)};

	return setsockopt(u->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0 ? -errno : 0;
}
