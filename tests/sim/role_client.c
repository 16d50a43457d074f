/* role_client: the real client engine on a host behind any chain of NATs. Its tunnel
 * output goes to the host's stack (which answers echo requests); its qualified address
 * is watched against the NATs' real mappings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/client.h"
#include "role.h"
#include "sim.h"
#include "traffic.h"

struct client_st {
	struct sw_client eng;
	struct sw_client_conf conf;
	struct sim_rng rng;
	struct sw_rand rand;
	struct sim_addr_watch watch;
	uint8_t id[64], key[64];
	uint8_t expect_nat;
	bool started, nat_reported;
	sw_time start;
};

static void rearm(struct sim *s, struct sim_node *n)
{
	struct client_st *c = n->st;

	sim_arm(s, n, c->started ? sw_client_next_deadline(&c->eng) : c->start);
}

static void client_udp(struct sim *s, struct sim_node *n, uint8_t sock, const struct sim_pkt *p)
{
	struct client_st *c = n->st;
	struct sw_out *o = sim_out(s);

	(void)sock;
	sw_client_udp(&c->eng, p->src, p->dst.ip, p->data, p->len, sim_now(s), o);
	sim_flush(s, n);
	rearm(s, n);
}

/* From the host's own stack into the tunnel (deferred through sim_loop6). */
static void client_v6(struct sim *s, struct sim_node *n, uint8_t side,
		      const struct sim_pkt *p)
{
	struct client_st *c = n->st;
	struct sw_out *o = sim_out(s);

	(void)side;
	sw_client_tun(&c->eng, p->data, p->len, sim_now(s), o);
	sim_flush(s, n);
	rearm(s, n);
}

static void client_timer(struct sim *s, struct sim_node *n)
{
	struct client_st *c = n->st;
	struct sw_out *o = sim_out(s);

	if (!c->started) {
		c->started = true;
		sw_client_start(&c->eng, sim_now(s), o);
	} else {
		sw_client_timer(&c->eng, sim_now(s), o);
	}
	sim_flush(s, n);
	rearm(s, n);
}

static void client_tun_out(struct sim *s, struct sim_node *n, const uint8_t *pkt, size_t len)
{
	s->st.tun_delivered++;
	sim_stack_rx(s, n, pkt, len);
}

static void client_event(struct sim *s, struct sim_node *n, const struct sw_event *ev)
{
	struct client_st *c = n->st;

	if (!sw_addr_is_teredo(ev->addr))
		return; /* the link-local form */
	if (ev->kind == SW_EV_ADDR_ADD)
		sim_watch_add(s, n, &c->watch, 0, c->conf.server, ev->addr);
	else if (ev->kind == SW_EV_ADDR_DEL)
		sim_watch_del(&c->watch, ev->addr);
}

static void client_stack_send(struct sim *s, struct sim_node *n, const uint8_t *pkt, size_t len)
{
	sim_loop6(s, n, pkt, len, 0);
}

static bool client_addr6(struct sim *s, struct sim_node *n, uint8_t out[16])
{
	struct client_st *c = n->st;

	(void)s;
	return sw_client_addr(&c->eng, out);
}

static void check_nat(struct sim *s, struct sim_node *n, struct client_st *c)
{
	if (c->eng.state != SW_CLIENT_QUALIFIED || !c->expect_nat || c->nat_reported)
		return;
	s->st.checks++;
	/* qualified through the secondary address after the primary went dark, the engine
	 * cannot run the two-address test and says "unknown" */
	if (c->eng.target == 1 && c->eng.nat == SW_NAT_UNKNOWN)
		return;
	if (c->eng.nat != c->expect_nat) {
		c->nat_reported = true;
		sim_fail(s, "%s qualified behind a %s NAT chain but found \"%s\"", n->name,
			 sw_client_nat_name(c->expect_nat), sw_client_nat_name(c->eng.nat));
	}
}

static void client_check(struct sim *s, struct sim_node *n)
{
	struct client_st *c = n->st;
	uint8_t a[16];

	if (s->sweeps % 3 == 0 || s->final_sweep)
		sim_check_peers(s, n, &c->eng.peers, &c->eng.pool);
	sim_watch_sweep(s, n, &c->watch, 0, c->conf.server);
	check_nat(s, n, c);
	s->st.checks++;
	if (sw_client_addr(&c->eng, a) != c->watch.valid ||
	    (c->watch.valid && memcmp(a, c->watch.addr, 16) != 0))
		sim_fail(s, "%s: engine address and its ADDR_ADD/DEL events disagree", n->name);
}

/* The host reboots: the engine starts from nothing a second later. */
static void client_restart(struct sim *s, struct sim_node *n)
{
	struct client_st *c = n->st;

	sw_client_free(&c->eng);
	if (sw_client_init(&c->eng, &c->conf, &c->rand) < 0) {
		fprintf(stderr, "swsim: client init failed\n");
		abort();
	}
	c->watch.valid = false; /* the interface went away with the old engine */
	c->watch.mismatch_since = SW_TIME_NEVER;
	c->started = false;
	c->nat_reported = false;
	c->start = sim_now(s) + 1000;
	n->timer_at = SW_TIME_NEVER;
	rearm(s, n);
}

static bool client_bubbles_held(struct sim_node *n)
{
	struct client_st *c = n->st;

	return c->eng.stats.bubbles_limited > 0;
}

static void client_free(struct sim_node *n)
{
	struct client_st *c = n->st;

	sw_client_free(&c->eng);
	free(c);
}

static size_t client_stats(struct sim_node *n, struct sw_stat *out, size_t cap)
{
	return sw_client_stats(n->st, out, cap);
}

static const struct sim_role_ops client_ops = {
	.stats = client_stats,
	.name = "client",
	.udp_in = client_udp,
	.v6_in = client_v6,
	.timer = client_timer,
	.tun_out = client_tun_out,
	.event = client_event,
	.stack_send = client_stack_send,
	.addr6 = client_addr6,
	.check = client_check,
	.restart = client_restart,
	.bubbles_held = client_bubbles_held,
	.free = client_free,
};

static void conf_fill(struct client_st *c, const struct sim_client_opts *o, uint32_t ip,
		      uint16_t port)
{
	c->conf.server = o->server;
	c->conf.local_port = port;
	c->conf.local_ip = ip;
	c->conf.refresh_ms = o->refresh_ms;
	c->conf.max_peers = o->max_peers;
	c->conf.pool_bufs = o->pool_bufs;
	c->conf.cone_phase = o->cone_phase;
	c->conf.local_discovery = o->local_discovery;
	c->conf.local_plen = 24;
	if (o->id && o->key) {
		size_t il = strlen((const char *)o->id), kl = strlen((const char *)o->key);

		memcpy(c->id, o->id, il < sizeof(c->id) ? il : sizeof(c->id));
		memcpy(c->key, o->key, kl < sizeof(c->key) ? kl : sizeof(c->key));
		c->conf.id = c->id;
		c->conf.id_len = (uint8_t)(il < sizeof(c->id) ? il : sizeof(c->id));
		c->conf.key = c->key;
		c->conf.key_len = kl < sizeof(c->key) ? kl : sizeof(c->key);
	}
}

uint32_t sim_add_client(struct sim *s, const char *name, uint32_t realm, uint32_t ip,
			const struct sim_link *l, const struct sim_client_opts *o)
{
	uint32_t i = sim_node_new(s, SIM_ROLE_CLIENT, name, realm, ip, l);
	struct sim_node *n = sim_node(s, i);
	struct client_st *c = calloc(1, sizeof(*c));
	uint16_t port = o->port;

	if (!c)
		abort();
	sim_seed_node(s, i, &c->rng);
	sim_rng_bind(&c->rng, &c->rand);
	if (!port)
		port = (uint16_t)(1024 + sim_rng_below(&c->rng, 64512));
	sim_node_add_sock(s, i, 0, port);
	conf_fill(c, o, ip, port);
	if (sw_client_init(&c->eng, &c->conf, &c->rand) < 0) {
		fprintf(stderr, "swsim: client init failed\n");
		abort();
	}
	sim_watch_init(&c->watch);
	c->expect_nat = o->expect_nat;
	n->link_peers = o->local_discovery;
	c->start = o->start;
	n->st = c;
	n->ops = &client_ops;
	rearm(s, n);
	return i;
}

bool sim_client_ever_qualified(struct sim *s, uint32_t node)
{
	const struct client_st *c = sim_node(s, node)->st;

	return c->watch.had;
}

void sim_client_status(struct sim *s, uint32_t node, uint8_t *state, uint8_t *nat,
		       uint8_t *expect_nat)
{
	struct client_st *c = sim_node(s, node)->st;

	*state = c->eng.state;
	*nat = c->eng.nat;
	*expect_nat = c->expect_nat;
}
