/* Test fixture for the relay engine. */
#include <stdio.h>
#include <string.h>

#include "relay_fix.h"
#include "wire/addr.h"
#include "wire/ip6.h"

static void fill(void *ctx, void *buf, size_t len)
{
	uint64_t *s = ctx;
	uint8_t *b = buf;

	for (size_t i = 0; i < len; i++) {
		*s = *s * 6364136223846793005ull + 1442695040888963407ull;
		b[i] = (uint8_t)(*s >> 56);
	}
}

void fix_teredo(uint8_t a[16], uint32_t server, uint32_t ip, uint16_t port, uint16_t flags)
{
	struct sw_teredo t = {server, flags, {ip, port}};

	sw_addr_encode(a, &t);
}

void fix_native(uint8_t a[16], unsigned n)
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[14] = (uint8_t)(n >> 8);
	a[15] = (uint8_t)n;
}

size_t fix_ip6(uint8_t *buf, const uint8_t src[16], const uint8_t dst[16], size_t plen,
	       uint8_t tag)
{
	uint8_t *p = sw_ip6_put(buf, buf + 40 + plen, (uint16_t)plen, SW_NH_UDP, 64, src, dst);

	memset(p, tag, plen);
	return 40 + plen;
}

size_t fix_bubble(uint8_t *buf, const uint8_t src[16], const uint8_t dst[16])
{
	sw_bubble_put(buf, buf + 40, src, dst, 0);
	return 40;
}

void fix_defaults(struct fix *f)
{
	memset(f, 0, sizeof(*f));
	f->seed = 42;
	f->rand.fill = fill;
	f->rand.ctx = &f->seed;
	f->cfg.rand = &f->rand;
	f->cfg.max_peers = 64;
	f->cfg.queue_bufs = 64;
	f->cfg.accept_symmetric = true;
}

void fix_init(struct fix *f)
{
	int err = sw_relay_init(&f->r, &f->cfg);

	if (err)
		fprintf(stderr, "sw_relay_init: %d\n", err);
	sw_out_init(&f->out, f->pkt, FIX_CAP, f->arena, FIX_ARENA, f->ev, 8);
}

void fix_free(struct fix *f)
{
	sw_relay_free(&f->r);
}

void fix_reset(struct fix *f)
{
	sw_out_reset(&f->out);
}

size_t fix_count(const struct fix *f, uint8_t kind)
{
	size_t n = 0;

	for (size_t i = 0; i < f->out.n; i++)
		n += f->pkt[i].kind == kind;
	return n;
}

struct sw_endpoint fix_ep(uint32_t ip, uint16_t port)
{
	struct sw_endpoint e = {ip, port};

	return e;
}

void fix_dump(const struct fix *f)
{
	for (size_t i = 0; i < f->out.n; i++) {
		char ep[32];

		fprintf(stderr, "out[%zu]: kind %u to %s len %u\n", i, f->pkt[i].kind,
			sw_endpoint_str(f->pkt[i].dst, ep, sizeof(ep)), f->pkt[i].len);
	}
}
