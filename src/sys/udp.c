/* udp: batched IPv4 UDP with IP_PKTINFO (see udp.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sys/udp.h"

union cmsg_buf {
	char buf[CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(int)) +
		 CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

struct sw_udp_rx {
	struct mmsghdr hdr[SW_UDP_BATCH];
	struct iovec iov[SW_UDP_BATCH];
	struct sockaddr_in name[SW_UDP_BATCH];
	union cmsg_buf ctl[SW_UDP_BATCH];
	struct sw_udp_msg msg[SW_UDP_RX_MSGS];
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
	/* best effort: larger buffers absorb bursts (GSO and GRO bring them 64 KB at a time);
	 * past net.core.*mem_max while we may (CAP_NET_ADMIN), else up to it */
	if (setopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, 4 << 20))
		setopt(fd, SOL_SOCKET, SO_RCVBUF, 4 << 20);
	if (setopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, 4 << 20))
		setopt(fd, SOL_SOCKET, SO_SNDBUF, 4 << 20);
	return err;
}

/* GSO needs nothing up front (a control message per send); GRO is asked for here. */
static void offload(struct sw_udp *u)
{
	u->gso = true;
	u->gro = setopt(u->fd, IPPROTO_UDP, UDP_GRO, 1) == 0;
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
	if (flags & SW_UDP_OFFLOAD)
		offload(u);
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

/* The destination address (IP_PKTINFO) and the size of coalesced datagrams (UDP_GRO, 0
 * when not coalesced) of a received buffer. */
static uint32_t rx_cmsgs(struct msghdr *mh, size_t *gso_size)
{
	uint32_t dst = 0;

	*gso_size = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			dst = ntohl(pi.ipi_addr.s_addr);
		} else if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int g;

			memcpy(&g, CMSG_DATA(c), sizeof(g));
			*gso_size = g > 0 ? (size_t)g : 0;
		}
	}
	return dst;
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

/* One received buffer into rx->msg[k...]: one datagram, or each of a coalesced run (all
 * gso bytes long but the last). Returns the new k. */
static size_t rx_split(struct sw_udp *u, struct sw_udp_rx *rx, size_t k, int i)
{
	uint8_t *base = rx->iov[i].iov_base;
	struct sw_udp_msg m = {0};
	size_t gso, len = rx->hdr[i].msg_len;

	m.peer.ip = ntohl(rx->name[i].sin_addr.s_addr);
	m.peer.port = ntohs(rx->name[i].sin_port);
	m.local_ip = rx_cmsgs(&rx->hdr[i].msg_hdr, &gso);
	if (gso == 0 || gso >= len) { /* one datagram (an empty one too) */
		if (k >= SW_UDP_RX_MSGS) {
			u->stats.rx_overflow++;
			return k;
		}
		m.data = base;
		m.len = len;
		rx->msg[k++] = m;
		return k;
	}
	u->stats.rx_gro++;
	for (size_t off = 0; off < len; off += gso) {
		if (k >= SW_UDP_RX_MSGS) {
			u->stats.rx_overflow += (len - off + gso - 1) / gso;
			break;
		}
		m.data = base + off;
		m.len = len - off < gso ? len - off : gso;
		rx->msg[k++] = m;
		u->stats.rx_gro_datagrams++;
	}
	return k;
}

int sw_udp_recv(struct sw_udp *u, struct sw_udp_rx *rx, struct sw_udp_msg **msgs)
{
	size_t k = 0;
	int n;

	rx_prepare(rx);
	u->rx_more = false;
	n = recvmmsg(u->fd, rx->hdr, SW_UDP_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		u->stats.rx_errors++;
		return -errno;
	}
	u->rx_more = n == SW_UDP_BATCH;
	for (int i = 0; i < n; i++) {
		struct msghdr *mh = &rx->hdr[i].msg_hdr;

		if ((mh->msg_flags & MSG_TRUNC) || rx->name[i].sin_family != AF_INET) {
			u->stats.rx_truncated++;
			continue;
		}
		k = rx_split(u, rx, k, i);
	}
	u->stats.rx_packets += (uint64_t)k;
	*msgs = rx->msg;
	return (int)k;
}

#define TX_IOV 1024        /* datagrams per sendmmsg call, in all its GSO sends */
#define GSO_MAX_LEN 1472   /* larger datagrams go alone: a GSO segment must fit the MTU */

struct tx_batch {
	struct mmsghdr hdr[SW_UDP_BATCH];
	struct iovec iov[TX_IOV];
	struct sockaddr_in name[SW_UDP_BATCH];
	union cmsg_buf ctl[SW_UDP_BATCH];
	size_t count[SW_UDP_BATCH]; /* datagrams in each message */
	unsigned n;
};

static bool same_path(const struct sw_udp_msg *a, const struct sw_udp_msg *b)
{
	return a->peer.ip == b->peer.ip && a->peer.port == b->peer.port &&
	       a->local_ip == b->local_ip && a->ttl == b->ttl;
}

/* How many of m[0..n) leave in one GSO send with m[0]: one path, all as long as the first
 * but the last, which may be shorter. */
static size_t gso_run(const struct sw_udp_msg *m, size_t n, size_t room)
{
	size_t k = 1, bytes = m[0].len;

	if (m[0].len == 0 || m[0].len > GSO_MAX_LEN)
		return 1;
	while (k < n && k < SW_UDP_GSO_SEGS && k < room && same_path(&m[0], &m[k]) &&
	       m[k].len > 0 && m[k].len <= m[0].len && bytes + m[k].len <= SW_UDP_GSO_BYTES) {
		bytes += m[k].len;
		if (m[k++].len < m[0].len)
			break;
	}
	return k;
}

static struct cmsghdr *put_cmsg(struct cmsghdr *c, int level, int type, const void *v,
				size_t len, size_t *clen)
{
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), v, len);
	*clen += CMSG_SPACE(len);
	return (struct cmsghdr *)((char *)c + CMSG_SPACE(len));
}

/* Message i of the batch: m[0..k) as one datagram (k == 1) or one GSO send. */
static void tx_fill(struct tx_batch *b, size_t i, const struct sw_udp_msg *m, size_t k,
		    struct iovec *iov)
{
	struct msghdr *mh = &b->hdr[i].msg_hdr;
	struct cmsghdr *c;
	size_t clen = 0;

	memset(mh, 0, sizeof(*mh));
	b->name[i] = (struct sockaddr_in){.sin_family = AF_INET,
					  .sin_port = htons(m->peer.port),
					  .sin_addr.s_addr = htonl(m->peer.ip)};
	for (size_t j = 0; j < k; j++)
		iov[j] = (struct iovec){m[j].data, m[j].len};
	mh->msg_name = &b->name[i];
	mh->msg_namelen = sizeof(b->name[i]);
	mh->msg_iov = iov;
	mh->msg_iovlen = k;
	if (!m->local_ip && !m->ttl && k == 1)
		return;
	memset(b->ctl[i].buf, 0, sizeof(b->ctl[i].buf));
	mh->msg_control = b->ctl[i].buf;
	c = (struct cmsghdr *)(void *)b->ctl[i].buf;
	if (m->local_ip) {
		struct in_pktinfo pi = {.ipi_spec_dst.s_addr = htonl(m->local_ip)};

		c = put_cmsg(c, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi), &clen);
	}
	if (m->ttl) {
		int ttl = m->ttl;

		c = put_cmsg(c, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl), &clen);
	}
	if (k > 1) {
		uint16_t seg = (uint16_t)m->len;

		put_cmsg(c, IPPROTO_UDP, UDP_SEGMENT, &seg, sizeof(seg), &clen);
	}
	mh->msg_controllen = clen;
}

/* Messages for msgs[0..n): returns how many datagrams they carry. */
static size_t tx_build(struct sw_udp *u, struct tx_batch *b, const struct sw_udp_msg *msgs,
		       size_t n)
{
	size_t used = 0, niov = 0;

	b->n = 0;
	while (used < n && b->n < SW_UDP_BATCH && niov < TX_IOV) {
		size_t k = u->gso ? gso_run(msgs + used, n - used, TX_IOV - niov) : 1;

		tx_fill(b, b->n, msgs + used, k, b->iov + niov);
		b->count[b->n++] = k;
		used += k;
		niov += k;
	}
	return used;
}

/* Send msgs[0..n); returns how many were consumed (sent or dropped). */
static size_t send_some(struct sw_udp *u, struct tx_batch *b, const struct sw_udp_msg *msgs,
			size_t n, size_t *sent)
{
	size_t total = tx_build(u, b, msgs, n), done = 0;
	int r = sendmmsg(u->fd, b->hdr, b->n, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (r > 0) {
		for (int i = 0; i < r; i++) {
			done += b->count[i];
			if (b->count[i] > 1) {
				u->stats.tx_gso++;
				u->stats.tx_gso_datagrams += b->count[i];
			}
		}
		*sent += done;
		u->stats.tx_packets += done;
		return done;
	}
	if (r < 0 && errno == EINTR)
		return 0;
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
		u->stats.tx_again += total; /* the socket is full: drop the rest of this batch */
		return total;
	}
	if (b->count[0] > 1) { /* no GSO here (no checksum offload, too large): without it */
		u->gso = false;
		u->stats.tx_gso_refused++;
		return 0;
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
		done += send_some(u, &b, msgs + done, n - done, &sent);
	}
	return sent;
}

int sw_udp_join(struct sw_udp *u, uint32_t group)
{
	struct ip_mreqn mr = {.imr_multiaddr.s_addr = htonl(group)};

	return setsockopt(u->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0 ? -errno : 0;
}
