/*
 * srv_test: helpers for the server engine tests — a server on 198.51.100.118/.119 (the
 * server of requirements Appendix A), packet builders over the wire/ writers, an output
 * batch, and hex dumps on failure. Test code only.
 */
#ifndef SW_TEST_SRV_TEST_H
#define SW_TEST_SRV_TEST_H

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/server.h"
#include "wire/csum.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/teredo.h"

#include "../wire/vec_hex.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))
#define SRV1 IP4(198, 51, 100, 118)
#define SRV2 IP4(198, 51, 100, 119)
#define OTHER_SRV IP4(203, 0, 113, 120)
#define NOW 100000

struct harness {
	struct sw_server s;
	struct sw_out out;
	struct sw_out_pkt pkt[16];
	uint8_t arena[1 << 17];
	struct sw_event ev[4];
	uint64_t seed;
	struct sw_rand rand;
};

static inline void h_fill(void *ctx, void *buf, size_t len)
{
	uint64_t *x = ctx;

	for (size_t i = 0; i < len; i++) {
		*x = *x * 6364136223846793005ull + 1442695040888963407ull;
		((uint8_t *)buf)[i] = (uint8_t)(*x >> 56);
	}
}

static inline void h_init_cfg(struct harness *h, struct sw_server_config *cfg)
{
	int r;

	memset(h, 0, sizeof(*h));
	h->seed = 42;
	h->rand.fill = h_fill;
	h->rand.ctx = &h->seed;
	if (cfg->primary == 0)
		cfg->primary = SRV1;
	if (cfg->secondary == 0)
		cfg->secondary = SRV2;
	cfg->rand = &h->rand;
	r = sw_server_init(&h->s, cfg);
	if (r != 0) {
		fprintf(stderr, "sw_server_init: %d\n", r);
		abort();
	}
	sw_out_init(&h->out, h->pkt, 16, h->arena, sizeof(h->arena), h->ev, 4);
}

static inline void h_init(struct harness *h)
{
	struct sw_server_config cfg = {0};

	h_init_cfg(h, &cfg);
}

static inline struct sw_endpoint ep(uint32_t ip, uint16_t port)
{
	struct sw_endpoint e = {ip, port};

	return e;
}

static inline void h_in(struct harness *h, unsigned sock, struct sw_endpoint from,
			const uint8_t *b, size_t n)
{
	sw_out_reset(&h->out);
	sw_server_input(&h->s, sock, from, b, n, NOW, &h->out);
}

static inline void dump(const char *what, const uint8_t *b, size_t n)
{
	fprintf(stderr, "%s (%zu bytes):", what, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 32 ? " " : "\n  ", b[i]);
	fprintf(stderr, "\n");
}

static inline size_t hex(const char *s, uint8_t *out, size_t max)
{
	return vec_hex(s, out, max);
}

static inline void a6(const char *txt, uint8_t a[16])
{
	if (inet_pton(AF_INET6, txt, a) != 1)
		abort();
}

static inline void teredo(uint8_t a[16], uint32_t server, uint16_t flags, uint32_t ip, uint16_t port)
{
	struct sw_teredo t = {.server = server, .flags = flags, .mapped = {ip, port}};

	sw_addr_encode(a, &t);
}

/* RS with an optional auth header (id/key: secure; id NULL: 13-byte nonce only). */
static inline size_t mk_rs(uint8_t *b, size_t cap, bool cone, bool auth, const char *id,
			   const char *key, bool bad_mac)
{
	uint8_t src[16], ip6[64], mac[SW_HMAC_LEN], *p = b, *e;
	struct sw_auth a = {.nonce = {1, 2, 3, 4, 5, 6, 7, 8}};
	size_t n;

	sw_addr_rs_source(src, cone);
	e = sw_rs_put(ip6, ip6 + sizeof(ip6), src);
	n = (size_t)(e - ip6);
	if (auth) {
		if (id) {
			a.id = (const uint8_t *)id;
			a.id_len = (uint8_t)strlen(id);
		}
		if (key) {
			sw_auth_hmac((const uint8_t *)key, strlen(key), a.nonce, 0, NULL, ip6, n, mac);
			mac[0] ^= bad_mac;
			a.au = mac;
			a.au_len = SW_HMAC_LEN;
		}
		p = sw_auth_put(p, b + cap, &a);
	}
	memcpy(p, ip6, n);
	return (size_t)(p - b) + n;
}

static inline size_t mk_bubble(uint8_t *b, const uint8_t src[16], const uint8_t dst[16],
			       const uint8_t *tr, size_t trlen)
{
	uint8_t *p = sw_bubble_put(b, b + 64, src, dst, 255);

	if (trlen)
		memcpy(p, tr, trlen);
	return 40 + trlen;
}

static inline size_t mk_echo(uint8_t *b, size_t cap, const uint8_t src[16], const uint8_t dst[16],
			     uint8_t type, size_t data_len)
{
	static uint8_t data[2048];
	struct sw_echo e = {.type = type, .id = 7, .seq = 1, .data = data, .data_len = data_len};
	uint8_t *p;

	memset(data, 0xa5, sizeof(data));
	p = sw_echo_put(b, b + cap, src, dst, 64, &e);
	return (size_t)(p - b);
}

/* IPv6 + an 8-byte header of protocol nh (UDP/TCP-like), no checksum check by the server. */
static inline size_t mk_l4(uint8_t *b, const uint8_t src[16], const uint8_t dst[16], uint8_t nh)
{
	uint8_t *p = sw_ip6_put(b, b + 64, 8, nh, 64, src, dst);

	memset(p, 0, 8);
	return 48;
}

#endif
