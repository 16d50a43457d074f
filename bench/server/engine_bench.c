/*
 * engine_bench: the server engine alone, no kernel: Router Solicitations from 65536
 * rotating sources through sw_server_input into an output batch flushed every 64 packets.
 * Prints nanoseconds per answered RS. Bench code.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/server.h"

#define N 2000000

static const uint8_t rs[61] = {
	0x00, 0x01, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0x60, 0x00,
	0x00, 0x00, 0x00, 0x08, 0x3a, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x85, 0x00, 0x7d, 0x37, 0x00, 0x00, 0x00,
	0x00,
};

static void fill(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0x42, len);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
	static struct sw_out_pkt pkt[64];
	static uint8_t arena[64 * 512];
	static struct sw_event ev[4];
	struct sw_rand r = {fill, NULL};
	struct sw_server_config cfg = {.primary = 0xc6336401u, .secondary = 0xc6336402u, .rand = &r};
	struct sw_server s;
	struct sw_out out;
	double t0, t;

	if (sw_server_init(&s, &cfg) != 0)
		return 1;
	sw_out_init(&out, pkt, 64, arena, sizeof(arena), ev, 4);
	t0 = now_s();
	for (uint32_t i = 0; i < N; i++) {
		struct sw_endpoint from = {0xc6120000u + (i & 0xffff), (uint16_t)(20000 + (i & 7))};

		sw_server_input(&s, 0, from, rs, sizeof(rs), i / 100, &out);
		if (out.n == 64)
			sw_out_reset(&out);
	}
	t = now_s() - t0;
	printf("engine: %.0f ns per RS (%llu answered of %u; rate-limit table %zu entries, %llu evictions)\n",
	       t * 1e9 / N, (unsigned long long)s.st.rs_answered, N, s.rl.nsets * SW_RL_WAYS,
	       (unsigned long long)s.rl.stats.evicted);
	sw_server_free(&s);
	return 0;
}
