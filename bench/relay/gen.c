/* swbench-gen: load generator and sink for bench/relay (not part of shipworm).
 *   gen6  DST6 PORT RATE SECS            UDP over IPv6 to DST6 (the kernel routes it into
 *                                        the relay's tunnel); RATE 0 = as fast as possible
 *   gen4  BIND4:PORT RELAY4:PORT TEREDO6 DST6 RATE SECS
 *                                        Teredo datagrams (IPv6/UDP from TEREDO6 to DST6)
 *                                        from BIND4:PORT, the mapping TEREDO6 embeds
 *   sink6 PORT SECS                      count UDP over IPv6 on PORT
 *   sink4 BIND4:PORT RELAY4:PORT TEREDO6 SECS
 *                                        count datagrams on BIND4:PORT; sends a bubble from
 *                                        TEREDO6 to the relay every 500 ms so that it trusts
 *                                        the mapping
 * Prints one line: "sent N" or "received N". */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32
#define PAYLOAD 32

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse4(const char *s, struct sockaddr_in *a)
{
	char ip[64];
	const char *c = strrchr(s, ':');

	if (!c || (size_t)(c - s) >= sizeof(ip))
		return -1;
	memcpy(ip, s, (size_t)(c - s));
	ip[c - s] = 0;
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)atoi(c + 1));
	return inet_pton(AF_INET, ip, &a->sin_addr) == 1 ? 0 : -1;
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* IPv6 + UDP packet (or a bubble when plen == 0) from src to dst. */
static size_t build6(uint8_t *b, const uint8_t src[16], const uint8_t dst[16], size_t plen)
{
	uint32_t s = 0;
	size_t ulen = plen ? 8 + plen : 0;

	memset(b, 0, 40 + ulen);
	b[0] = 0x60;
	b[4] = (uint8_t)(ulen >> 8);
	b[5] = (uint8_t)ulen;
	b[6] = plen ? 17 : 59;
	b[7] = 64;
	memcpy(b + 8, src, 16);
	memcpy(b + 24, dst, 16);
	if (!plen)
		return 40;
	b[40] = 0x13; /* ports 5001 -> 5001 */
	b[41] = 0x89;
	b[42] = 0x13;
	b[43] = 0x89;
	b[44] = (uint8_t)(ulen >> 8);
	b[45] = (uint8_t)ulen;
	memset(b + 48, 0xab, plen);
	for (size_t i = 8; i < 40; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	s += (uint32_t)ulen + 17;
	for (size_t i = 40; i < 40 + ulen; i += 2)
		s += (uint32_t)(b[i] << 8 | (i + 1 < 40 + ulen ? b[i + 1] : 0));
	uint16_t c = csum_fold(s);
	b[46] = (uint8_t)(c >> 8);
	b[47] = (uint8_t)c;
	return 40 + ulen;
}

/* Send the same datagram at rate per second (0 = flat out) for secs. */
static unsigned long blast(int fd, const void *dst, socklen_t dlen, const uint8_t *pkt,
			   size_t len, double rate, double secs)
{
	struct mmsghdr m[BATCH];
	struct iovec iov = {(void *)(uintptr_t)pkt, len};
	unsigned long sent = 0;
	double t0 = now_s(), t;

	for (int i = 0; i < BATCH; i++) {
		memset(&m[i], 0, sizeof(m[i]));
		m[i].msg_hdr.msg_name = (void *)(uintptr_t)dst;
		m[i].msg_hdr.msg_namelen = dlen;
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	while ((t = now_s()) - t0 < secs) {
		int n;

		if (rate > 0 && (double)sent > (t - t0) * rate) {
			struct timespec ts = {0, 50000};

			nanosleep(&ts, NULL);
			continue;
		}
		n = sendmmsg(fd, m, BATCH, 0);
		if (n > 0)
			sent += (unsigned long)n;
	}
	return sent;
}

static unsigned long count(int fd, double secs, int bubble_fd, const struct sockaddr_in *relay,
			   const uint8_t *bub, size_t bublen)
{
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	static uint8_t bufs[BATCH][2048];
	unsigned long got = 0;
	double t0 = now_s(), last = 0, t;

	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		memset(&m[i], 0, sizeof(m[i]));
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	while ((t = now_s()) - t0 < secs) {
		struct pollfd p = {fd, POLLIN, 0};
		int n;

		if (bubble_fd >= 0 && t - last >= 0.5) {
			sendto(bubble_fd, bub, bublen, 0, (const struct sockaddr *)relay,
			       sizeof(*relay));
			last = t;
		}
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recvmmsg(fd, m, BATCH, MSG_DONTWAIT, NULL);
		if (n > 0)
			got += (unsigned long)n;
	}
	return got;
}

static int sock_bound(int fam, const void *a, socklen_t alen)
{
	int fd = socket(fam, SOCK_DGRAM, 0), one = 1, big = 8 << 20;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (a && bind(fd, a, alen) < 0) {
		perror("bind");
		close(fd);
		return -1;
	}
	return fd;
}

static int usage(void)
{
	fprintf(stderr, "usage: see the comment at the top of bench/relay/gen.c\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint8_t pkt[2048], src6[16], dst6[16];
	struct sockaddr_in b4, r4;
	struct sockaddr_in6 a6;
	int fd;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "gen6") && argc == 6) {
		memset(&a6, 0, sizeof(a6));
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons((uint16_t)atoi(argv[3]));
		if (inet_pton(AF_INET6, argv[2], &a6.sin6_addr) != 1 ||
		    (fd = sock_bound(AF_INET6, NULL, 0)) < 0)
			return usage();
		memset(pkt, 0xab, PAYLOAD);
		printf("sent %lu\n", blast(fd, &a6, sizeof(a6), pkt, PAYLOAD, atof(argv[4]),
					    atof(argv[5])));
	} else if (!strcmp(argv[1], "gen4") && argc == 8) {
		if (parse4(argv[2], &b4) || parse4(argv[3], &r4) ||
		    inet_pton(AF_INET6, argv[4], src6) != 1 || inet_pton(AF_INET6, argv[5], dst6) != 1 ||
		    (fd = sock_bound(AF_INET, &b4, sizeof(b4))) < 0)
			return usage();
		size_t len = build6(pkt, src6, dst6, PAYLOAD);
		printf("sent %lu\n", blast(fd, &r4, sizeof(r4), pkt, len, atof(argv[6]),
					    atof(argv[7])));
	} else if (!strcmp(argv[1], "sink6") && argc == 4) {
		memset(&a6, 0, sizeof(a6));
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons((uint16_t)atoi(argv[2]));
		if ((fd = sock_bound(AF_INET6, &a6, sizeof(a6))) < 0)
			return 1;
		printf("received %lu\n", count(fd, atof(argv[3]), -1, NULL, NULL, 0));
	} else if (!strcmp(argv[1], "sink4") && argc == 6) {
		static const uint8_t ll[16] = {0xfe, 0x80};

		if (parse4(argv[2], &b4) || parse4(argv[3], &r4) ||
		    inet_pton(AF_INET6, argv[4], src6) != 1 ||
		    (fd = sock_bound(AF_INET, &b4, sizeof(b4))) < 0)
			return usage();
		size_t len = build6(pkt, src6, ll, 0);
		printf("received %lu\n", count(fd, atof(argv[5]), fd, &r4, pkt, len));
	} else {
		return usage();
	}
	fflush(stdout);
	return 0;
}
