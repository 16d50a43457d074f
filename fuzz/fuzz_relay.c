/* libFuzzer target: a sequence of events through one relay engine (stateful).
 * Input: records of [op, dt_hi, dt_lo, ip(4), port(2), len_hi, len_lo, payload(len)]:
 * op bit 0-1: 0 datagram from ip:port, 1 IPv6-side packet, 2 timer; bit 2: host relay
 * (first record only), bit 3: restricted. Aborts when an invariant breaks: nothing sent
 * to a non-global IPv4, the IPv6 side only sees Teredo sources, bounded table and pool. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/relay.h"
#include "wire/addr.h"
#include "wire/ip6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fill(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0x5a, len);
}

static void check(const struct sw_relay *r, const struct sw_out *o)
{
	if (r->peers.n > r->peers.max || r->pool.nfree > r->pool.nbufs)
		abort();
	for (size_t i = 0; i < o->n; i++) {
		const struct sw_out_pkt *p = &o->pkt[i];
		struct sw_ip6 ip;

		if (p->len > 65507 || sw_ip6_parse(p->data, p->len, &ip) != 0)
			abort();
		if (p->kind == SW_OUT_UDP) {
			if (!sw_ipv4_is_global(p->dst.ip, 0) || p->sock != 0)
				abort();
		} else if (p->kind != SW_OUT_TUN || !sw_addr_is_teredo(ip.src)) {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_out_pkt pkts[64];
	static uint8_t arena[64 * 1536];
	static struct sw_event ev[2];
	struct sw_rand rnd = {fill, NULL};
	struct sw_relay_config cfg = {.rand = &rnd, .max_peers = 8, .queue_bufs = 8,
				      .accept_symmetric = true, .icmp_rate = 1000,
				      .icmp_burst = 1000};
	struct sw_relay r;
	struct sw_out out;
	sw_time now = 100000;

	if (size < 1)
		return 0;
	cfg.host = data[0] & 4;
	cfg.direct_bubbles = data[0] & 8;
	cfg.zero_copy = data[0] & 16;
	if (sw_relay_init(&r, &cfg) != 0)
		abort();
	sw_out_init(&out, pkts, 64, arena, sizeof(arena), ev, 2);
	while (size >= 11) {
		struct sw_endpoint from = {
			(uint32_t)data[3] << 24 | (uint32_t)data[4] << 16 | (uint32_t)data[5] << 8 | data[6],
			(uint16_t)(data[7] << 8 | data[8])};
		size_t len = (size_t)(data[9] << 8 | data[10]);
		unsigned op = data[0] & 3;

		now += (sw_time)(data[1] << 8 | data[2]) * 16;
		data += 11;
		size -= 11;
		if (len > size)
			len = size;
		if (op == 0)
			sw_relay_udp_input(&r, from, data, len, now, &out);
		else if (op == 1)
			sw_relay_tun_input(&r, data, len, now, &out);
		else if (sw_relay_next_deadline(&r) <= now)
			sw_relay_timer(&r, now, &out);
		check(&r, &out);
		sw_out_reset(&out);
		data += len;
		size -= len;
	}
	sw_relay_free(&r);
	return 0;
}
