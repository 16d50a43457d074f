/* node: building the world — nodes, realms, addresses, NATs — and its faults. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
static void *grow(void *p, uint32_t *cap, uint32_t need, size_t size)
{
	uint32_t c = *cap ? *cap : 8;
	void *q;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	q = realloc(p, (size_t)c * size);
	if (!q) {
		fprintf(stderr, "swsim: out of memory\n");
		abort();
	}
	*cap = c;
	return q;
}

int sim_init(struct sim *s, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->seed = seed;
	s->base_seed = seed;
	sim_rng_seed(&s->rng, seed);
	sim_pool_init(&s->pool);
	if (sim_evq_init(&s->q, 1024) < 0 || sim_hmap_init(&s->addr4, 64) < 0 ||
	    sim_hmap_init(&s->addr6, 64) < 0 || sim_hmap_init(&s->blackhole, 16) < 0)
		return -ENOMEM;
	sw_out_init(&s->out, s->out_pkt, SIM_OUT_CAP, s->arena, sizeof(s->arena), s->out_ev,
		    sizeof(s->out_ev) / sizeof(s->out_ev[0]));
	s->default_relay = SIM_NONE;
	s->trace_node = SIM_NONE;
	s->check_every = SW_SEC(10);
	s->min_permille = 500;
	s->max_report = 10;
	sim_realm_new(s, SIM_NONE);
	return 0;
}

void sim_free(struct sim *s)
{
	for (uint32_t i = 0; i < s->n_nodes; i++) {
		struct sim_node *n = &s->nodes[i];

		if (n->ops && n->ops->free)
			n->ops->free(n);
		if (n->nat) {
			sim_nat_free(n->nat);
			free(n->nat);
		}
	}
	free(s->nodes);
	for (uint32_t i = 0; i < s->n_realms; i++)
		free(s->realms[i].hosts);
	free(s->realms);
	free(s->flows);
	free(s->acts);
	sim_hmap_free(&s->addr4);
	sim_hmap_free(&s->addr6);
	sim_hmap_free(&s->blackhole);
	sim_evq_free(&s->q);
	sim_pool_free(&s->pool);
}

uint32_t sim_realm_new(struct sim *s, uint32_t nat_node)
{
	s->realms = grow(s->realms, &s->cap_realms, s->n_realms + 1, sizeof(*s->realms));
	memset(&s->realms[s->n_realms], 0, sizeof(s->realms[0]));
	s->realms[s->n_realms].nat = nat_node;
	return s->n_realms++;
}

uint32_t sim_node_new(struct sim *s, uint8_t role, const char *name, uint32_t realm,
		      uint32_t ip, const struct sim_link *link)
{
	struct sim_node *n;
	uint32_t i = s->n_nodes;

	s->nodes = grow(s->nodes, &s->cap_nodes, i + 1, sizeof(*s->nodes));
	n = &s->nodes[s->n_nodes++];
	memset(n, 0, sizeof(*n));
	n->role = role;
	n->realm = realm;
	n->inside = SIM_NONE;
	n->relay = SIM_NONE;
	n->timer_at = SW_TIME_NEVER;
	if (link)
		n->link = *link;
	snprintf(n->name, sizeof(n->name), "%s", name);
	if (role != SIM_ROLE_NAT && realm != SIM_INTERNET) {
		struct sim_realm *r = &s->realms[realm];

		r->hosts = grow(r->hosts, &r->cap_hosts, r->n_hosts + 1, sizeof(*r->hosts));
		r->hosts[r->n_hosts++] = i;
	}
	sim_node_add_ip(s, i, ip);
	return i;
}

void sim_seed_node(const struct sim *s, uint32_t node, struct sim_rng *r)
{
	sim_rng_seed(r, s->seed ^ (0x9e3779b97f4a7c15u * (node + 1)));
}

int sim_node_add_ip(struct sim *s, uint32_t node, uint32_t ip)
{
	struct sim_node *n = &s->nodes[node];

	if (n->n_ip >= 2)
		return -ENOSPC;
	n->ip[n->n_ip++] = ip;
	if (ip == 0)
		return 0; /* no IPv4 (an IPv6-only host) */
	return sim_hmap_put(&s->addr4, sim_key4(n->realm, ip), node + 1);
}

int sim_node_add_sock(struct sim *s, uint32_t node, uint8_t ip_idx, uint16_t port)
{
	struct sim_node *n = &s->nodes[node];

	if (n->n_sock >= SIM_MAX_SOCK || ip_idx >= n->n_ip)
		return -ENOSPC;
	n->sock[n->n_sock].ip = ip_idx;
	n->sock[n->n_sock].port = port;
	return n->n_sock++;
}

int sim_node_set_v6(struct sim *s, uint32_t node, const uint8_t v6[16])
{
	struct sim_node *n = &s->nodes[node];

	memcpy(n->v6, v6, 16);
	n->has_v6 = 1;
	return sim_hmap_put(&s->addr6, sim_key6(v6), node + 1);
}

uint32_t sim_nat_new(struct sim *s, const char *name, uint32_t realm, uint32_t ip,
		     uint32_t inside_ip, const struct sim_nat_cfg *cfg, const struct sim_link *link)
{
	uint32_t node = sim_node_new(s, SIM_ROLE_NAT, name, realm, ip, link);
	uint32_t in = sim_realm_new(s, node);
	struct sim_node *n = &s->nodes[node];

	n->inside = in;
	n->nat = calloc(1, sizeof(*n->nat));
	if (!n->nat || sim_nat_init(n->nat, cfg, ip, &s->rng) < 0) {
		fprintf(stderr, "swsim: out of memory\n");
		abort();
	}
	sim_hmap_put(&s->addr4, sim_key4(in, inside_ip), node + 1);
	sim_schedule(s, sim_now(s) + cfg->timeout_ms, SIM_EV_SWEEP, node, 0);
	return node;
}

void sim_blackhole(struct sim *s, uint32_t realm, uint32_t ip, bool on)
{
	if (on)
		sim_hmap_put(&s->blackhole, sim_key4(realm, ip), 1);
	else
		sim_hmap_del(&s->blackhole, sim_key4(realm, ip));
}

void sim_nat_renumber(struct sim *s, uint32_t node, uint32_t ip)
{
	struct sim_node *n = &s->nodes[node];

	sim_hmap_del(&s->addr4, sim_key4(n->realm, n->ip[0]));
	n->ip[0] = ip;
	sim_hmap_put(&s->addr4, sim_key4(n->realm, ip), node + 1);
	sim_nat_reboot(n->nat, &s->rng);
	n->nat->ext_ip = ip;
}
