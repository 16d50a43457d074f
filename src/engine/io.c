/* io: output batches and randomness helpers for the sans-I/O engines. */
#include <string.h>

#include "engine/io.h"

uint32_t sw_rand_u32(const struct sw_rand *r)
{
	uint32_t v;

	r->fill(r->ctx, &v, sizeof(v));
	return v;
}

uint64_t sw_rand_range(const struct sw_rand *r, uint64_t lo, uint64_t hi)
{
	uint64_t span, v, limit;

	if (hi <= lo)
		return lo;
	span = hi - lo + 1;
	if (span == 0) { /* the whole 64-bit range */
		r->fill(r->ctx, &v, sizeof(v));
		return v;
	}
	limit = UINT64_MAX - (UINT64_MAX % span);
	do {
		r->fill(r->ctx, &v, sizeof(v));
	} while (v >= limit);
	return lo + v % span;
}

void sw_out_init(struct sw_out *o, struct sw_out_pkt *pkt, size_t cap, uint8_t *arena,
		 size_t arena_cap, struct sw_event *ev, size_t ev_cap)
{
	memset(o, 0, sizeof(*o));
	o->pkt = pkt;
	o->cap = cap;
	o->arena = arena;
	o->arena_cap = arena_cap;
	o->ev = ev;
	o->ev_cap = ev_cap;
}

void sw_out_reset(struct sw_out *o)
{
	o->n = 0;
	o->used = 0;
	o->n_ev = 0;
}

uint8_t *sw_out_begin(struct sw_out *o, size_t max)
{
	if (o->n >= o->cap || o->arena_cap - o->used < max) {
		o->full++;
		return NULL;
	}
	return o->arena + o->used;
}

static void out_commit(struct sw_out *o, uint8_t kind, uint8_t sock, struct sw_endpoint dst,
		       size_t len)
{
	struct sw_out_pkt *p = &o->pkt[o->n++];

	p->kind = kind;
	p->sock = sock;
	p->ttl = 0;
	p->dst = dst;
	p->len = (uint32_t)len;
	p->data = o->arena + o->used;
	/* keep the next output 8-byte aligned */
	o->used += (len + 7u) & ~(size_t)7u;
	if (o->used > o->arena_cap)
		o->used = o->arena_cap;
}

void sw_out_udp(struct sw_out *o, uint8_t sock, struct sw_endpoint dst, size_t len)
{
	out_commit(o, SW_OUT_UDP, sock, dst, len);
}

void sw_out_tun(struct sw_out *o, size_t len)
{
	struct sw_endpoint none = {0, 0};

	out_commit(o, SW_OUT_TUN, 0, none, len);
}

bool sw_out_ref(struct sw_out *o, uint8_t kind, uint8_t sock, struct sw_endpoint dst,
		const uint8_t *data, size_t len)
{
	struct sw_out_pkt *p;

	if (o->n >= o->cap) {
		o->full++;
		return false;
	}
	p = &o->pkt[o->n++];
	p->kind = kind;
	p->sock = sock;
	p->ttl = 0;
	p->dst = dst;
	p->len = (uint32_t)len;
	p->data = data;
	return true;
}

void sw_out_set_ttl(struct sw_out *o, uint8_t ttl)
{
	if (o->n > 0)
		o->pkt[o->n - 1].ttl = ttl;
}

bool sw_out_event(struct sw_out *o, const struct sw_event *ev)
{
	if (o->n_ev >= o->ev_cap) {
		o->full++;
		return false;
	}
	o->ev[o->n_ev++] = *ev;
	return true;
}
