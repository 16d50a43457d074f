/* libFuzzer target: the combined server+relay of RFC 4380 §5.4.3 (ServerRelay yes),
 * composed as role_server.c does: sw_server_input_combined first, the relay for what it
 * leaves, the relay alone for the IPv6 side, the relay's timers. Input: records of
 * 1 control byte (bit 0 socket, bit 1 IPv6 side, bit 2 advance 2.5 s and run the timers),
 * 6 bytes of source IPv4 and port, 2 bytes of length (big-endian), the payload; the engines
 * keep their state across the records of one input. Aborts when an invariant breaks:
 * nothing to a non-global IPv4 or to either server address (no sending to ourselves),
 * sockets 0/1 only, IPv6-side output always sourced in 2001:0::/32, and nothing output by
 * the server for a datagram it leaves to the relay. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/relay.h"
#include "engine/server.h"
#include "wire/ip6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SRV1 0xc6336476u /* 198.51.100.118 */
#define SRV2 0xc6336477u
#define REC_HDR 9

static void fill(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0x5a, len);
}

static void check(const struct sw_out *o, size_t first)
{
	static const uint8_t pfx[4] = {0x20, 0x01, 0x00, 0x00};

	for (size_t i = first; i < o->n; i++) {
		const struct sw_out_pkt *p = &o->pkt[i];
		struct sw_ip6 ip;

		if (p->len > 65507)
			abort();
		if (p->kind == SW_OUT_UDP) {
			if (p->sock > 1 || !sw_ipv4_is_global(p->dst.ip, 0) || p->dst.ip == SRV1 ||
			    p->dst.ip == SRV2)
				abort();
		} else if (p->kind == SW_OUT_TUN) {
			if (sw_ip6_parse(p->data, p->len, &ip) != 0 || memcmp(ip.src, pfx, 4) != 0)
				abort();
		} else {
			abort();
		}
	}
}

static void record(struct sw_server *s, struct sw_relay *r, const uint8_t *h,
		   const uint8_t *payload, size_t len, sw_time now, struct sw_out *out)
{
	struct sw_endpoint from;
	size_t mark;

	from.ip = (uint32_t)h[1] << 24 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 8 | h[4];
	from.port = (uint16_t)(h[5] << 8 | h[6]);
	if (h[0] & 4)
		sw_relay_timer(r, now, out);
	mark = out->n;
	if (h[0] & 2) {
		sw_relay_tun_input(r, payload, len, now, out);
	} else if (sw_server_input_combined(s, h[0] & 1, from, payload, len, now, out) ==
		   SW_SERVER_TO_RELAY) {
		if (out->n != mark)
			abort();
		sw_relay_udp_input(r, from, payload, len, now, out);
	}
	check(out, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_out_pkt pkts[64];
	static uint8_t arena[1 << 18];
	static struct sw_event ev[2];
	struct sw_rand rnd = {fill, NULL};
	struct sw_server_config sc = {.primary = SRV1, .secondary = SRV2, .relay = true,
				       .rl_entries = 64, .rand = &rnd};
	struct sw_relay_config rc = {.local_server = SRV1, .local_server2 = SRV2, .sock = 0,
				     .max_peers = 16, .queue_bufs = 16, .rand = &rnd};
	struct sw_server s;
	struct sw_relay r;
	struct sw_out out;
	sw_time now = 1000;

	if (sw_server_init(&s, &sc) != 0 || sw_relay_init(&r, &rc) != 0)
		abort();
	sw_out_init(&out, pkts, 64, arena, sizeof(arena), ev, 2);
	while (size >= REC_HDR) {
		size_t len = (size_t)(data[7] << 8 | data[8]);

		if (len > size - REC_HDR)
			len = size - REC_HDR;
		if (data[0] & 4)
			now += 2500;
		sw_out_reset(&out);
		record(&s, &r, data, data + REC_HDR, len, now, &out);
		data += REC_HDR + len;
		size -= REC_HDR + len;
	}
	sw_relay_free(&r);
	sw_server_free(&s);
	return 0;
}
