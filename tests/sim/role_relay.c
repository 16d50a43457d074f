/* role_relay: the real relay engine on a public host, between the IPv4 Internet and the
 * IPv6 internet (it carries 2001::/32 for the IPv6 hosts that route through it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/relay.h"
#include "role.h"
#include "sim.h"

struct relay_st {
	struct sw_relay eng;
	struct sim_rng rng;
	struct sw_rand rand;
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

static void relay_v6(struct sim *s, struct sim_node *n, const struct sim_pkt *p)
{
	struct relay_st *r = n->st;
	struct sw_out *o = sim_out(s);

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
	sim_send6(s, n, pkt, len);
}

static void relay_check(struct sim *s, struct sim_node *n)
{
	struct relay_st *r = n->st;

	sim_check_peers(s, n, &r->eng.peers, &r->eng.pool);
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
	.stats = relay_stats,
	.name = "relay",
	.udp_in = relay_udp,
	.v6_in = relay_v6,
	.timer = relay_timer,
	.tun_out = relay_tun_out,
	.check = relay_check,
	.free = relay_free,
};

uint32_t sim_add_relay(struct sim *s, const char *name, uint32_t ip, uint16_t port,
		       const uint8_t v6[16], const struct sim_link *l, uint32_t max_peers,
		       uint32_t bufs)
{
	uint32_t i = sim_node_new(s, SIM_ROLE_RELAY, name, SIM_INTERNET, ip, l);
	struct sim_node *n = sim_node(s, i);
	struct relay_st *r = calloc(1, sizeof(*r));
	struct sw_relay_config cfg = {0};

	if (!r)
		abort();
	sim_seed_node(s, i, &r->rng);
	sim_rng_bind(&r->rng, &r->rand);
	cfg.rand = &r->rand;
	cfg.max_peers = max_peers;
	cfg.queue_bufs = bufs;
	sim_node_add_sock(s, i, 0, port);
	if (v6)
		sim_node_set_v6(s, i, v6);
	if (sw_relay_init(&r->eng, &cfg) < 0) {
		fprintf(stderr, "swsim: relay init failed\n");
		abort();
	}
	n->st = r;
	n->ops = &relay_ops;
	if (s->default_relay == SIM_NONE)
		s->default_relay = i;
	rearm(s, n);
	return i;
}
