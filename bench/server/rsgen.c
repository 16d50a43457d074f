/*
 * rsgen: Router Solicitation load generator for bench/server. Sends Teredo RSs (13-byte
 * auth header with a nonce, as Miredo's client does) to a server at a fixed rate, or as fast
 * as it can (rate 0), with sendmmsg from several UDP ports and many source IPv4 addresses
 * (IP_PKTINFO per message; the caller makes the source range local, e.g. with
 * `ip route add local 198.18.0.0/16 dev lo`). Answers are counted elsewhere (nftables).
 * Prints "sent N seconds S" on stdout. Bench code: it allocates, and it exits on errors.
 *
 * usage: rsgen SERVER_IP RATE SECONDS SRC_NET SRC_COUNT PORTS
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAXPORTS 64
#define BASE_PORT 20000

/* RS of requirements Appendix A-1 (auth nonce 01..08, src fe80::ffff:ffff:ffff). */
static const uint8_t rs[61] = {
	0x00, 0x01, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0x60, 0x00,
	0x00, 0x00, 0x00, 0x08, 0x3a, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x85, 0x00, 0x7d, 0x37, 0x00, 0x00, 0x00,
	0x00,
};

struct batch {
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	char cmsg[BATCH][CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct sockaddr_in dst;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int open_port(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), one = 1, buf = 4 << 20;

	if (fd < 0 || setsockopt(fd, SOL_IP, IP_FREEBIND, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("rsgen: socket");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	return fd;
}

static void batch_init(struct batch *b, uint32_t server)
{
	memset(b, 0, sizeof(*b));
	b->dst.sin_family = AF_INET;
	b->dst.sin_port = htons(3544);
	b->dst.sin_addr.s_addr = htonl(server);
	for (int i = 0; i < BATCH; i++) {
		struct msghdr *h = &b->m[i].msg_hdr;
		struct cmsghdr *c;

		b->iov[i].iov_base = (void *)(uintptr_t)rs;
		b->iov[i].iov_len = sizeof(rs);
		h->msg_name = &b->dst;
		h->msg_namelen = sizeof(b->dst);
		h->msg_iov = &b->iov[i];
		h->msg_iovlen = 1;
		h->msg_control = b->cmsg[i];
		h->msg_controllen = sizeof(b->cmsg[i]);
		c = CMSG_FIRSTHDR(h);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
	}
}

/* Next n sources of the rotation into the batch. */
static void batch_sources(struct batch *b, int n, uint32_t net, uint32_t count, uint64_t *seq)
{
	for (int i = 0; i < n; i++) {
		struct in_pktinfo pi = {0};

		pi.ipi_spec_dst.s_addr = htonl(net + (uint32_t)((*seq)++ % count));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&b->m[i].msg_hdr)), &pi, sizeof(pi));
	}
}

int main(int argc, char **argv)
{
	static struct batch b;
	struct in_addr a;
	uint32_t server, net, count;
	double rate, secs, t0, t;
	int nports, fd[MAXPORTS];
	uint64_t sent = 0, seq = 0, errs = 0;

	if (argc != 7 || inet_pton(AF_INET, argv[1], &a) != 1) {
		fprintf(stderr, "usage: rsgen SERVER_IP RATE SECONDS SRC_NET SRC_COUNT PORTS\n");
		return 2;
	}
	server = ntohl(a.s_addr);
	rate = atof(argv[2]);
	secs = atof(argv[3]);
	if (inet_pton(AF_INET, argv[4], &a) != 1)
		return 2;
	net = ntohl(a.s_addr);
	count = (uint32_t)strtoul(argv[5], NULL, 0);
	nports = atoi(argv[6]);
	if (count == 0 || nports < 1 || nports > MAXPORTS || secs <= 0 || secs > 60)
		return 2;
	for (int i = 0; i < nports; i++)
		fd[i] = open_port((uint16_t)(BASE_PORT + i));
	batch_init(&b, server);
	t0 = now_s();
	for (unsigned k = 0;; k++) {
		double due;
		int n = BATCH, r;

		t = now_s() - t0;
		if (t >= secs)
			break;
		if (rate > 0) {
			due = rate * t - (double)sent;
			if (due < 1) {
				struct timespec ns = {0, 20000};

				nanosleep(&ns, NULL);
				continue;
			}
			if (due < n)
				n = (int)due;
		}
		batch_sources(&b, n, net, count, &seq);
		r = sendmmsg(fd[k % (unsigned)nports], b.m, (unsigned)n, 0);
		if (r > 0)
			sent += (uint64_t)r;
		else if (errno != EAGAIN && errno != ENOBUFS)
			errs++;
	}
	printf("sent %llu seconds %.3f errors %llu\n", (unsigned long long)sent, now_s() - t0,
	       (unsigned long long)errs);
	return 0;
}
