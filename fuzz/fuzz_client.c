/* libFuzzer target: arbitrary datagrams and tunnel packets through the client engine.
 * Input: 1 control byte (bit 0: tunnel side; bit 1: qualify first; bit 2: to the local
 * discovery address; bits 4-7: seconds to advance the clock, then a timer run), 6 bytes of
 * source IPv4 and port, then the payload. Aborts when an invariant breaks: UDP only to
 * global IPv4s or the server, tunnel outputs are valid IPv6 from our address, lengths
 * bounded. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/client.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/teredo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SRV1 0xc6336476u /* 198.51.100.118 */
#define SRV2 0xc6336477u
#define MAP_IP 0xcb007119u
#define NOW0 1000000u

static void fill(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0x5a, len);
}

/* Tunnel outputs: valid IPv6, delivered to us or an error from us (from our link-local
 * RS address while we have no Teredo address). */
static bool tun_ok(const struct sw_client *c, const struct sw_out_pkt *p)
{
	struct sw_ip6 ip;
	uint8_t ll[16];

	if (sw_ip6_parse(p->data, p->len, &ip) != 0)
		return false;
	if (!c->have_addr) {
		sw_addr_rs_source(ll, false);
		return memcmp(ip.src, ll, 16) == 0;
	}
	return memcmp(ip.dst, c->addr, 16) == 0 || memcmp(ip.src, c->addr, 16) == 0;
}

static bool udp_ok(const struct sw_client *c, const struct sw_out_pkt *p)
{
	bool local = c->conf.local_discovery &&
		     (p->dst.ip == 0xe00000fdu || (p->dst.ip >> 8) == 0xc0a801u);

	return p->sock == 0 && p->dst.port != 0 && (local || sw_ipv4_is_global(p->dst.ip, 0));
}

static void check(const struct sw_client *c, const struct sw_out *o)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct sw_out_pkt *p = &o->pkt[i];

		if (p->len > 1500)
			abort();
		if (p->kind == SW_OUT_UDP ? !udp_ok(c, p) : p->kind != SW_OUT_TUN || !tun_ok(c, p))
			abort();
	}
}

/* Answer the RS the engine just sent (nonce 5a..5a) with a valid RA. */
static void answer(struct sw_client *c, struct sw_out *o, uint32_t from, sw_time now)
{
	static const uint8_t rs_src[16] = {0xfe, 0x80, [10] = 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct sw_ra_params rp = {.server = SRV1, .dst = rs_src, .mtu = 1280};
	struct sw_auth a = {0};
	uint8_t b[256], *p;

	memset(a.nonce, 0x5a, sizeof a.nonce);
	p = sw_auth_put(b, b + sizeof b, &a);
	p = sw_origin_put(p, b + sizeof b, (struct sw_endpoint){MAP_IP, 40000});
	p = sw_ra_put(p, b + sizeof b, &rp);
	sw_out_reset(o);
	sw_client_udp(c, (struct sw_endpoint){from, 3544}, 0xc0a80102, b, (size_t)(p - b), now, o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_out_pkt pkts[64];
	static uint8_t arena[1 << 17];
	static struct sw_event ev[16];
	struct sw_client_conf k = {.server = SRV1, .server2 = SRV2, .local_port = 5000,
				   .local_ip = 0xc0a80102, .local_plen = 24, .max_peers = 16,
				   .pool_bufs = 16};
	struct sw_rand r = {fill, NULL};
	struct sw_client c;
	struct sw_out out;
	struct sw_endpoint from;
	sw_time now = NOW0;
	uint8_t ctl;

	if (size < 7)
		return 0;
	ctl = data[0];
	k.local_discovery = ctl & 4;
	if (sw_client_init(&c, &k, &r) != 0)
		abort();
	sw_out_init(&out, pkts, 64, arena, sizeof arena, ev, 16);
	sw_client_start(&c, now, &out);
	if (ctl & 2) {
		answer(&c, &out, SRV1, now);
		answer(&c, &out, SRV2, now);
	}
	from.ip = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 | data[4];
	from.port = (uint16_t)(data[5] << 8 | data[6]);
	sw_out_reset(&out);
	if (ctl & 1)
		sw_client_tun(&c, data + 7, size - 7, now, &out);
	else
		sw_client_udp(&c, from, (ctl & 4) ? 0xe00000fd : 0xc0a80102, data + 7, size - 7,
			      now, &out);
	check(&c, &out);
	now += (sw_time)(ctl >> 4) * 1000u;
	sw_out_reset(&out);
	sw_client_timer(&c, now, &out);
	check(&c, &out);
	sw_client_free(&c);
	return 0;
}
