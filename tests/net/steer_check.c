/* steer_check: sys/steer's two kernel programs on the running kernel, inside a network
 * namespace made by steer.sh (never run it in the host's: it adds a TUN device and routes).
 *   steer_check udp [seed]: for n = 2, 3, 4, n SO_REUSEPORT UDP sockets on 127.0.0.1:P (lo
 *     must be up), sw_steer_udp() on the first (n = 3: before the others bind); Teredo
 *     payloads (IPv6 headers from random Teredo sources, some behind an origin indication,
 *     plus authentication headers and short ones for socket 0) from another socket; every
 *     datagram must arrive at socket sw_steer_shard(source, n), every socket get some.
 *   steer_check tun [seed]: for n = 2, 3, 4, a multi-queue TUN device swstN with n queues,
 *     sw_steer_tun(), up with 2001:db8::1/64 and 2001::/32 through it; UDP/IPv6 datagrams
 *     to random 2001:0:... destinations; every packet read from queue q must have
 *     sw_steer_shard(destination, n) == q, each datagram must come out once, every queue
 *     must get some; then n = 3 again with IFF_VNET_HDR (the daemon's offload mode).
 * Prints one line per n; exits 0, 1 on a failure (printing the packet), 77 without root
 * or /dev/net/tun. Every loop is bounded in count and time. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sys/steer.h"

#define COUNT 200  /* datagrams steered by address, per n */
#define SPECIAL 12 /* and ones that must go to socket 0 (udp) */
#define TOTAL (COUNT + SPECIAL)
#define WAIT_MS 3000
#define MAXN 4

static uint64_t seed = 0x57ee4;

static uint64_t rnd(void) /* xorshift64 */
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static void teredo_addr(uint8_t a[16])
{
	uint64_t x = rnd(), y = rnd();

	memset(a, 0, 16);
	a[0] = 0x20, a[1] = 0x01;
	for (int i = 0; i < 4; i++)
		a[4 + i] = (uint8_t)(x >> (8 * i));
	for (int i = 0; i < 8; i++)
		a[8 + i] = (uint8_t)(y >> (8 * i));
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void dump(const char *what, const uint8_t *b, size_t len)
{
	fprintf(stderr, "%s (%zu bytes):", what, len);
	for (size_t i = 0; i < len && i < 64; i++)
		fprintf(stderr, " %02x", b[i]);
	fprintf(stderr, "\n");
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* --- udp ---------------------------------------------------------------------------- */

/* Datagram i: [origin indication] IPv6 header from a Teredo source, then the sequence number;
 * the specials: an authentication header, and payloads too short for a source address. */
static size_t udp_payload(unsigned i, unsigned n, uint8_t *b, unsigned *want)
{
	size_t off = 0, len;
	uint8_t src[16];

	memset(b, 0, 64);
	if (i >= COUNT) { /* specials: all to socket 0 */
		unsigned k = i - COUNT;

		*want = 0;
		teredo_addr(src);
		if (k < 4) { /* authentication header, then a valid-looking IPv6 header */
			b[1] = 1, b[2] = 0, b[3] = 0;
			b[16] = 0x60;
			memcpy(b + 16 + 8, src, 16);
			put32(b + 56, i);
			return 60;
		}
		len = k < 8 ? 39 : 47; /* an IPv6 header one byte short, without / with OI */
		off = k < 8 ? 0 : 8;
		b[off] = 0x60;
		memcpy(b + off + 8, src, 16);
		put32(b + len - 4, i);
		return len;
	}
	if (i % 4 == 1) { /* origin indication: port, address (obfuscated) */
		b[2] = 0x8a, b[3] = 0x1b, b[4] = 0x3f, b[5] = 0x57, b[6] = 0xfe, b[7] = 0x9c;
		off = 8;
	}
	teredo_addr(src);
	b[off] = 0x60;
	b[off + 4] = 0, b[off + 5] = 4;	  /* payload length */
	b[off + 6] = 59, b[off + 7] = 21; /* no next header, hop limit */
	memcpy(b + off + 8, src, 16);
	b[off + 24] = 0x20, b[off + 25] = 0x01, b[off + 26] = 0x0d, b[off + 27] = 0xb8;
	b[off + 39] = 1;
	put32(b + off + 40, i);
	*want = sw_steer_shard(src, n);
	return off + 44;
}

/* n sockets in one reuseport group, the program attached to the first once `attach_at`
 * sockets have joined (1: before the others, n: after all) */
static int udp_group(unsigned n, unsigned attach_at, int *socks, struct sockaddr_in *sa)
{
	socklen_t sl = sizeof(*sa);
	int one = 1, err;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (unsigned i = 0; i < n; i++) {
		socks[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (socks[i] < 0 ||
		    setsockopt(socks[i], SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
		    bind(socks[i], (struct sockaddr *)sa, sizeof(*sa)) < 0) {
			perror("udp socket");
			return -1;
		}
		if (i == 0 && getsockname(socks[0], (struct sockaddr *)sa, &sl) < 0)
			return -1;
		if (i + 1 == attach_at && (err = sw_steer_udp(socks[0], n)) < 0) {
			fprintf(stderr, "sw_steer_udp(n=%u): %s\n", n, strerror(-err));
			return -1;
		}
	}
	return 0;
}

/* Reads every socket until all TOTAL arrived or WAIT_MS passed; checks each datagram. */
static int udp_collect(unsigned n, const int *socks, const unsigned *want, unsigned *per)
{
	uint8_t seen[TOTAL] = {0}, b[128];
	unsigned got = 0, bad = 0;
	long end = now_ms() + WAIT_MS;

	while (got < TOTAL && now_ms() < end) {
		struct pollfd p[MAXN];

		for (unsigned i = 0; i < n; i++)
			p[i] = (struct pollfd){.fd = socks[i], .events = POLLIN};
		if (poll(p, n, 100) < 0)
			return -1;
		for (unsigned s = 0; s < n; s++) {
			ssize_t r;

			for (int k = 0; k < TOTAL && (r = recv(socks[s], b, sizeof(b), 0)) >= 4;
			     k++) {
				uint32_t i = get32(b + r - 4);

				if (i >= TOTAL || seen[i]) {
					dump("unexpected or duplicate datagram", b, (size_t)r);
					return -1;
				}
				seen[i] = 1, got++;
				per[s] += i < COUNT;
				if (s != want[i]) {
					fprintf(stderr,
						"udp n=%u: datagram %u on socket %u, want %u\n", n,
						i, s, want[i]);
					dump("payload", b, (size_t)r);
					bad++;
				}
			}
		}
	}
	if (got < TOTAL)
		fprintf(stderr, "udp n=%u: only %u of %d datagrams arrived\n", n, got, TOTAL);
	return got == TOTAL && !bad ? 0 : -1;
}

static int udp_round(unsigned n)
{
	int socks[MAXN], tx, rc = -1;
	unsigned attach_at = n == 3 ? 1 : n;
	unsigned want[TOTAL], per[MAXN] = {0};
	struct sockaddr_in sa;
	uint8_t b[64];

	for (unsigned i = 0; i < n; i++)
		socks[i] = -1;
	tx = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (tx < 0 || udp_group(n, attach_at, socks, &sa) < 0)
		goto out;
	for (unsigned i = 0; i < TOTAL; i++) {
		size_t len = udp_payload(i, n, b, &want[i]);

		if (sendto(tx, b, len, 0, (struct sockaddr *)&sa, sizeof(sa)) != (ssize_t)len) {
			perror("sendto");
			goto out;
		}
	}
	rc = udp_collect(n, socks, want, per);
	printf("udp n=%u port %u, attached %s: %d datagrams (+%d for socket 0), per socket:", n,
	       ntohs(sa.sin_port), attach_at == 1 ? "first" : "last", COUNT, SPECIAL);
	for (unsigned s = 0; s < n; s++) {
		printf(" %u", per[s]);
		if (per[s] == 0) {
			fprintf(stderr, "udp n=%u: socket %u got none\n", n, s);
			rc = -1;
		}
	}
	printf(" -> %s\n", rc ? "FAIL" : "ok");
out:
	for (unsigned i = 0; i < n; i++)
		if (socks[i] >= 0)
			close(socks[i]);
	if (tx >= 0)
		close(tx);
	return rc;
}

/* --- tun ---------------------------------------------------------------------------- */

static int tun_queue(const char *name, int vnet)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		perror("/dev/net/tun");
		return errno == ENOENT ? -77 : -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE | (vnet ? IFF_VNET_HDR : 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		perror("TUNSETIFF");
		close(fd);
		return -1;
	}
	return fd;
}

static int tun_setup(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "ip link set %s up && ip -6 addr add 2001:db8::1/64 dev %s nodad && "
		 "ip -6 route add 2001::/32 dev %s",
		 name, name, name);
	if (system(cmd) != 0) {
		fprintf(stderr, "failed: %s\n", cmd);
		return -1;
	}
	return 0;
}

/* One packet read from queue q: on its shard? one of ours (UDP to port 9, our sequence)? */
static int tun_check(unsigned n, unsigned q, const uint8_t *b, ssize_t r, uint8_t *seen,
		     unsigned *ours, unsigned *other)
{
	unsigned want;

	if (r < 40 || b[0] >> 4 != 6) {
		dump("not an IPv6 packet", b, r < 0 ? 0 : (size_t)r);
		return -1;
	}
	want = sw_steer_shard(b + 24, n);
	if (want != q) {
		fprintf(stderr, "tun n=%u: packet on queue %u, want %u\n", n, q, want);
		dump("packet", b, (size_t)r);
		return -1;
	}
	if (r == 40 + 8 + 4 && b[6] == 17 && b[42] == 0 && b[43] == 9) {
		uint32_t i = get32(b + 48);

		if (i >= COUNT || seen[i]) {
			dump("unexpected or duplicate datagram", b, (size_t)r);
			return -1;
		}
		seen[i] = 1, (*ours)++;
		return 1;
	}
	(*other)++; /* the kernel's own (MLD, router solicitations): steered all the same */
	return 0;
}

static int tun_collect(unsigned n, const int *q, size_t hl, unsigned *per)
{
	uint8_t seen[COUNT] = {0}, b[2048];
	unsigned got = 0, other = 0;
	long end = now_ms() + WAIT_MS;

	while (got < COUNT && now_ms() < end) {
		struct pollfd p[MAXN];

		for (unsigned i = 0; i < n; i++)
			p[i] = (struct pollfd){.fd = q[i], .events = POLLIN};
		if (poll(p, n, 100) < 0)
			return -1;
		for (unsigned s = 0; s < n; s++) {
			ssize_t r;

			for (int k = 0; k < 4 * COUNT && (r = read(q[s], b, sizeof(b))) > 0; k++) {
				int c = r < (ssize_t)hl ? -1
							: tun_check(n, s, b + hl, r - (ssize_t)hl,
								    seen, &got, &other);

				if (c < 0)
					return -1;
				per[s] += (unsigned)c;
			}
		}
	}
	if (got < COUNT)
		fprintf(stderr, "tun n=%u: only %u of %d datagrams came out\n", n, got, COUNT);
	printf("tun n=%u: %u other packets, on their shard too\n", n, other);
	return got == COUNT ? 0 : -1;
}

static int tun_send(void)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(9)};
	int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint8_t b[4];

	if (s < 0)
		return -1;
	for (unsigned i = 0; i < COUNT; i++) {
		teredo_addr(sa.sin6_addr.s6_addr);
		put32(b, i);
		if (sendto(s, b, sizeof(b), 0, (struct sockaddr *)&sa, sizeof(sa)) != 4) {
			perror("sendto (IPv6)");
			close(s);
			return -1;
		}
	}
	close(s);
	return 0;
}

static int tun_round(unsigned n, int vnet)
{
	int q[MAXN], err, rc = -1;
	unsigned per[MAXN] = {0};
	char name[IFNAMSIZ];

	snprintf(name, sizeof(name), "swst%u", n);
	for (unsigned i = 0; i < n; i++)
		q[i] = -1;
	for (unsigned i = 0; i < n; i++)
		if ((q[i] = tun_queue(name, vnet)) < 0) {
			rc = q[i] == -77 ? 77 : -1;
			goto out;
		}
	if ((err = sw_steer_tun(q[0], n)) < 0) {
		fprintf(stderr, "sw_steer_tun(n=%u): %s\n%s\n", n, strerror(-err), sw_steer_log());
		goto out;
	}
	if (tun_setup(name) < 0 || tun_send() < 0)
		goto out;
	rc = tun_collect(n, q, vnet ? 10 : 0, per); /* struct virtio_net_hdr */
	printf("tun n=%u %s%s: %d datagrams, per queue:", n, name, vnet ? " (IFF_VNET_HDR)" : "",
	       COUNT);
	for (unsigned s = 0; s < n; s++) {
		printf(" %u", per[s]);
		if (per[s] == 0) {
			fprintf(stderr, "tun n=%u: queue %u got none\n", n, s);
			rc = -1;
		}
	}
	printf(" -> %s\n", rc ? "FAIL" : "ok");
out:
	for (unsigned i = 0; i < n; i++)
		if (q[i] >= 0)
			close(q[i]);
	return rc;
}

int main(int argc, char **argv)
{
	int udp, rc = 0;

	if (argc < 2 || (strcmp(argv[1], "udp") && strcmp(argv[1], "tun"))) {
		fprintf(stderr, "usage: steer_check udp|tun [seed]\n");
		return 2;
	}
	if (geteuid() != 0) {
		printf("SKIP: needs root\n");
		return 77;
	}
	if (argc > 2)
		seed = strtoull(argv[2], NULL, 0) | 1;
	printf("seed %#llx\n", (unsigned long long)seed);
	setvbuf(stdout, NULL, _IOLBF, 0);
	udp = !strcmp(argv[1], "udp");
	for (unsigned n = 2; n <= MAXN && rc == 0; n++)
		rc = udp ? udp_round(n) : tun_round(n, 0);
	if (!udp && rc == 0) /* as the daemon opens it with offloads */
		rc = tun_round(3, 1);
	return rc == 77 ? 77 : rc ? 1 : 0;
}
