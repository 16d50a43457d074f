/* libFuzzer target: arbitrary datagrams (and IPv6-side packets) through the server engine.
 * Input: 1 control byte (bit 0 socket, bit 1 IPv6 side, bits 2-3 mode: plain, secure,
 * relay), 6 bytes of source IPv4 and port, then the payload. Checks the invariants the
 * security statements promise and aborts when one breaks: nothing to a non-global IPv4 or
 * to the server itself, sockets 0/1 only, the IPv6 side only sees sources in the
 * server's own 2001:0:<primary>::/64. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/server.h"
#include "wire/ip6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SRV1 0xc6336476u /* 198.51.100.118 */
#define SRV2 0xc6336477u

static void fill(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0x5a, len);
}

static void check(const struct sw_server *s, const struct sw_out *o)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct sw_out_pkt *p = &o->pkt[i];

		if (p->len > 65507)
			abort();
		if (p->kind == SW_OUT_UDP) {
			if (p->sock > 1 || !sw_ipv4_is_global(p->dst.ip, 0) ||
			    p->dst.ip == s->ip[0] || p->dst.ip == s->ip[1])
				abort();
		} else if (p->kind == SW_OUT_TUN) {
			struct sw_ip6 ip;

			uint8_t pfx[16];

			/* only the server's own clients reach the IPv6 side (SEC-14) */
			sw_addr_prefix(pfx, s->ip[0]);
			if (sw_ip6_parse(p->data, p->len, &ip) != 0 || memcmp(ip.src, pfx, 8) != 0)
				abort();
		} else {
			abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_out_pkt pkts[8];
	static uint8_t arena[1 << 17];
	static struct sw_event ev[2];
	struct sw_server_secret sec[2];
	struct sw_server_config cfg = {.primary = SRV1, .secondary = SRV2, .n_secrets = 2,
					.rl_entries = 64};
	struct sw_rand r = {fill, NULL};
	struct sw_server s;
	struct sw_out out;
	struct sw_endpoint from;
	unsigned mode;

	if (size < 7)
		return 0;
	mode = (data[0] >> 2) & 3;
	sw_server_secret_parse("alice 736563726574", &sec[0]);
	sw_server_secret_parse("bob 6f6c64 expired", &sec[1]);
	cfg.secrets = sec;
	cfg.secure = mode == 1;
	cfg.relay = mode == 2;
	cfg.rand = &r;
	if (sw_server_init(&s, &cfg) != 0)
		abort();
	sw_out_init(&out, pkts, 8, arena, sizeof(arena), ev, 2);
	from.ip = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 | data[4];
	from.port = (uint16_t)(data[5] << 8 | data[6]);
	if (data[0] & 2)
		sw_server_tun_input(&s, data + 7, size - 7, 1000, &out);
	else
		sw_server_input(&s, data[0] & 1, from, data + 7, size - 7, 1000, &out);
	check(&s, &out);
	sw_server_free(&s);
	return 0;
}
