/* role_server: the real server engine on a host with two IPv4 addresses (sockets 0, 1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/server.h"
#include "role.h"
#include "sim.h"

struct server_st {
	struct sw_server eng; /* first: ops cast n->st to the engine */
	struct sim_rng rng;
	struct sw_rand rand;
};

static void server_udp(struct sim *s, struct sim_node *n, uint8_t sock, const struct sim_pkt *p)
{
	struct sw_out *o = sim_out(s);

	sw_server_input(n->st, sock, p->src, p->data, p->len, sim_now(s), o);
	sim_flush(s, n);
}

static void server_v6(struct sim *s, struct sim_node *n, uint8_t side,
		      const struct sim_pkt *p)
{
	struct sw_out *o = sim_out(s);

	(void)side;
	sw_server_tun_input(n->st, p->data, p->len, sim_now(s), o);
	sim_flush(s, n);
}

static void server_tun_out(struct sim *s, struct sim_node *n, const uint8_t *pkt, size_t len)
{
	sim_send6(s, n, pkt, len);
}

static void server_free(struct sim_node *n)
{
	sw_server_free(n->st);
	free(n->st);
}

static size_t server_stats(struct sim_node *n, struct sw_stat *out, size_t cap)
{
	return sw_server_stats(n->st, out, cap);
}

static const struct sim_role_ops server_ops = {
	.stats = server_stats,
	.name = "server",
	.udp_in = server_udp,
	.v6_in = server_v6,
	.tun_out = server_tun_out,
	.free = server_free,
};

uint32_t sim_add_server(struct sim *s, const char *name, uint32_t ip1, uint32_t ip2,
			const struct sim_link *l, const char *id, const char *key, bool relay,
			bool ratelimit)
{
	uint32_t i = sim_node_new(s, SIM_ROLE_SERVER, name, SIM_INTERNET, ip1, l);
	struct sim_node *n = sim_node(s, i);
	struct server_st *st = calloc(1, sizeof(*st));
	struct sw_server_secret sec = {0};
	struct sw_server_config cfg = {
		.primary = ip1, .secondary = ip2, .rand = &st->rand,
		.rl_rate = ratelimit ? 0 : UINT32_MAX,
		.relay = relay,
	};

	sim_node_add_ip(s, i, ip2);
	sim_node_add_sock(s, i, 0, SW_TEREDO_PORT);
	sim_node_add_sock(s, i, 1, SW_TEREDO_PORT);
	if (id && key) {
		sec.id_len = (uint8_t)strlen(id);
		sec.key_len = (uint8_t)strlen(key);
		memcpy(sec.id, id, sec.id_len);
		memcpy(sec.key, key, sec.key_len);
		cfg.secure = true;
		cfg.secrets = &sec;
		cfg.n_secrets = 1;
	}
	if (!st)
		abort();
	sim_seed_node(s, i, &st->rng);
	sim_rng_bind(&st->rng, &st->rand);
	n->st = st;
	if (sw_server_init(&st->eng, &cfg) < 0) {
		fprintf(stderr, "swsim: server init failed\n");
		abort();
	}
	n->ops = &server_ops;
	return i;
}
