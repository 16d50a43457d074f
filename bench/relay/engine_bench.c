/* swbench-engine: the relay engine's own cost per packet, without the kernel: N trusted
 * peers (default 100,000), IPv6 packets from the IPv6 side to random peers and datagrams
 * from random peers, with and without zero-copy. Prints "key value" lines (ns/packet). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/relay.h"
#include "wire/addr.h"
#include "wire/ip6.h"

#define BATCH 64

static void fill(void *ctx, void *buf, size_t len)
{
	uint64_t *s = ctx;
	uint8_t *b = buf;

	for (size_t i = 0; i < len; i++) {
		*s = *s * 6364136223846793005ull + 1442695040888963407ull;
		b[i] = (uint8_t)(*s >> 56);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sw_endpoint peer_ep(uint32_t i)
{
	struct sw_endpoint e = {0xcb000000u | (i >> 14), (uint16_t)(1024 + (i & 0x3fff))};

	return e;
}

static void peer_addr(uint8_t a[16], uint32_t i)
{
	struct sw_teredo t = {0xc6336401u, 0, peer_ep(i)};

	sw_addr_encode(a, &t);
}

static size_t packet(uint8_t *b, const uint8_t src[16], const uint8_t dst[16])
{
	uint8_t *p = sw_ip6_put(b, b + 80, 40, SW_NH_UDP, 64, src, dst);

	memset(p, 0xab, 40);
	return 80;
}

static double run(struct sw_relay *r, uint32_t n, bool from_ipv6, unsigned long count)
{
	static struct sw_out_pkt pk[BATCH];
	static uint8_t arena[BATCH * 1536];
	struct sw_event ev[2];
	struct sw_out out;
	uint8_t a[16], host[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2}, buf[BATCH][80];
	uint64_t x = 88172645463325252ull;
	double t0;

	sw_out_init(&out, pk, BATCH, arena, sizeof(arena), ev, 2);
	t0 = now_s();
	for (unsigned long k = 0; k < count; k += BATCH) {
		for (int j = 0; j < BATCH; j++) {
			uint32_t i;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			i = (uint32_t)(x % n);
			peer_addr(a, i);
			if (from_ipv6) {
				size_t len = packet(buf[j], host, a);

				sw_relay_tun_input(r, buf[j], len, 5000000, &out);
			} else {
				size_t len = packet(buf[j], a, host);

				sw_relay_udp_input(r, peer_ep(i), buf[j], len, 5000000, &out);
			}
		}
		if (out.n != BATCH)
			exit(1);
		sw_out_reset(&out);
	}
	return (now_s() - t0) * 1e9 / (double)count;
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 100000;
	uint64_t seed = 1;
	struct sw_rand rnd = {fill, &seed};
	struct sw_relay_config cfg = {.rand = &rnd, .max_peers = n, .accept_symmetric = true};
	struct sw_relay r;
	uint8_t a[16];

	for (int zc = 0; zc < 2; zc++) {
		cfg.zero_copy = zc;
		if (sw_relay_init(&r, &cfg) != 0)
			return 1;
		for (uint32_t i = 0; i < n; i++) { /* trusted peers, as after their bubbles */
			struct sw_peer *p;

			peer_addr(a, i);
			p = sw_peers_add(&r.peers, a, 4999000, &r.pool);
			p->mapping = peer_ep(i);
			p->last_rx = p->last_tx = sw_stamp_of(4999000);
			sw_peers_set_trusted(&r.peers, p, true);
		}
		printf("peers %u zero_copy %d\n", n, zc);
		printf("ns_per_packet_ipv6_to_teredo %.0f\n", run(&r, n, true, 2000000));
		printf("ns_per_packet_teredo_to_ipv6 %.0f\n", run(&r, n, false, 2000000));
		if (r.st.fwd_teredo != 2000000 || r.st.fwd_ipv6 != 2000000)
			return 1;
		sw_relay_free(&r);
	}
	return 0;
}
