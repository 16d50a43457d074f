/* role_relay: the real relay engine on a public host, between the IPv4 Internet and the
 * IPv6 internet (it carries 2001::/32 for the IPv6 hosts that route through it); or, as a
 * host-specific relay, on a dual-stack host whose own stack talks to Teredo peers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/relay.h"
#include "role.h"
#include "sim.h"
#include "traffic.h"

struct relay_st {
	struct sw_relay eng;
	struct sw_relay_config cfg;
	struct sim_rng rng;
	struct sw_rand rand;
	bool host;
};

static void rearm(struct sim *s, struct sim_node *n)
{
	struct relay_st *r = n->st;

	sim_arm(s, n, sw_relay_next_deadline(&r->eng));
}

static void relay_udp(struct sim *s, struct sim_node *n, uint8_t sock, const struct sim_pkt *p)
{
	struct relay_st *r = n->st;
	struct sw_out *o = sim_out(s);

	(void)sock;
	sw_relay_udp_input(&r->eng, p->src, p->data, p->len, sim_now(s), o);
	sim_flush(s, n);
	rearm(s, n);
}

/* From the IPv6 internet, or (host relay) from the host's own stack. */
static void relay_v6(struct sim *s, struct sim_node *n, uint8_t side,
		     const struct sim_pkt *p)
{
	struct relay_st *r = n->st;
	struct sw_out *o;

	if (r->host && side != SIM_SIDE_SELF) {
		sim_stack_rx(s, n, p->data, p->len); /* for the dual-stack host itself */
		return;
	}
	o = sim_out(s);
	sw_relay_tun_input(&r->eng, p->data, p->len, sim_now(s), o);
	sim_flush(s, n);
	rearm(s, n);
}

static void relay_timer(struct sim *s, struct sim_node *n)
{
	struct relay_st *r = n->st;
	struct sw_out *o = sim_out(s);

	sw_relay_timer(&r->eng, sim_now(s), o);
	sim_flush(s, n);
	rearm(s, n);
}

static void relay_tun_out(struct sim *s, struct sim_node *n, const uint8_t *pkt, size_t len)
{
	struct relay_st *r = n->st;

	if (r->host)
		sim_stack_rx(s, n, pkt, len);
	else
		sim_send6(s, n, pkt, len);
}

/* The dual-stack host's stack: Teredo destinations go through its own relay engine
 * (deferred: this may run inside a flush), everything else onto the IPv6 internet. */
static void relay_stack_send(struct sim *s, struct sim_node *n, const uint8_t *pkt, size_t len)
{
	if (len >= 40 && pkt[24] == 0x20 && pkt[25] == 0x01 && pkt[26] == 0 && pkt[27] == 0)
		sim_loop6(s, n, pkt, len, 0);
	else
		sim_send6(s, n, pkt, len);
}

static void relay_check(struct sim *s, struct sim_node *n)
{
	struct relay_st *r = n->st;

	if (s->sweeps % 6 == 0 || s->final_sweep) /* a walk over every slot */
		sim_check_peers(s, n, &r->eng.peers, &r->eng.pool);
}

static void relay_restart(struct sim *s, struct sim_node *n)
{
	struct relay_st *r = n->st;

	if (r->eng.peers.slots)
		sw_relay_free(&r->eng);
	if (sw_relay_init(&r->eng, &r->cfg) < 0) {
		fprintf(stderr, "swsim: relay init failed\n");
		abort();
	}
	if (r->host)
		sw_relay_host_addr_add(&r->eng, n->v6);
	rearm(s, n);
}

static void relay_free(struct sim_node *n)
{
	struct relay_st *r = n->st;

	sw_relay_free(&r->eng);
	free(r);
}

static size_t relay_stats(struct sim_node *n, struct sw_stat *out, size_t cap)
{
	return sw_relay_stats(n->st, out, cap);
}

static const struct sim_role_ops relay_ops = {
	.name = "relay",
	.stats = relay_stats,
	.udp_in = relay_udp,
	.v6_in = relay_v6,
	.timer = relay_timer,
	.tun_out = relay_tun_out,
	.stack_send = relay_stack_send,
	.check = relay_check,
	.restart = relay_restart,
	.free = relay_free,
};

uint32_t sim_add_relay(struct sim *s, const char *name, uint32_t ip, const struct sim_link *l,
		       const struct sim_relay_opts *o)
{
	uint32_t i = sim_node_new(s, SIM_ROLE_RELAY, name, o->realm, ip, l);
	struct sim_node *n = sim_node(s, i);
	struct relay_st *r = calloc(1, sizeof(*r));

	if (!r)
		abort();
	sim_seed_node(s, i, &r->rng);
	sim_rng_bind(&r->rng, &r->rand);
	r->cfg.rand = &r->rand;
	r->cfg.max_peers = o->max_peers;
	r->cfg.queue_bufs = o->bufs;
	r->cfg.direct_bubbles = o->direct_bubbles;
	r->host = o->host;
	sim_node_add_sock(s, i, 0, o->port);
	if (o->v6)
		sim_node_set_v6(s, i, o->v6);
	if (o->host && o->v6) {
		r->cfg.host = true;
		memcpy(r->cfg.served[0].addr, o->v6, 16);
		r->cfg.served[0].len = 128;
		r->cfg.n_served = 1;
	}
	n->st = r;
	n->ops = &relay_ops;
	relay_restart(s, n); /* the first start */
	if (s->default_relay == SIM_NONE && !o->host)
		s->default_relay = i;
	return i;
}
