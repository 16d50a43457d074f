/* world: infrastructure, NAT kinds and client placement for scenarios. */
#include <stdio.h>
#include <string.h>

#include "engine/client.h"
#include "role.h"
#include "traffic.h"
#include "world.h"

#define MIN2 120000u /* RFC 4787 REQ-5: at least 2 minutes */
#define EIM SIM_DEP_EI
#define ADM SIM_DEP_AD
#define APDM SIM_DEP_APD

/* {mapping, filtering, port_preserve, alloc, hairpin, inbound_refresh, timeout} */
const struct scen_natkind scen_kinds[] = {
	{"none", 0, {0}, {0}, SW_NAT_NONE, true},
	{"full-cone", 1, {EIM, EIM, 1, SIM_ALLOC_SEQ, 1, 1, MIN2}, {0}, SW_NAT_RESTRICTED, true},
	{"restricted", 1, {EIM, ADM, 1, SIM_ALLOC_RANDOM, 1, 0, MIN2}, {0}, SW_NAT_RESTRICTED,
	 true},
	{"port-restricted", 1, {EIM, APDM, 0, SIM_ALLOC_RANDOM, 0, 0, MIN2}, {0},
	 SW_NAT_RESTRICTED, true},
	{"addr-dependent", 1, {ADM, ADM, 0, SIM_ALLOC_RANDOM, 0, 0, MIN2}, {0},
	 SW_NAT_SYMMETRIC, false},
	{"symmetric-seq", 1, {APDM, APDM, 0, SIM_ALLOC_SEQ, 0, 0, MIN2}, {0},
	 SW_NAT_SYMMETRIC, false},
	{"symmetric-random", 1, {APDM, APDM, 0, SIM_ALLOC_RANDOM, 0, 0, MIN2}, {0},
	 SW_NAT_SYMMETRIC, false},
	/* same port towards every destination: looks restricted to the two-address test */
	{"symmetric-pp", 1, {APDM, APDM, 1, SIM_ALLOC_RANDOM, 0, 0, MIN2}, {0}, 0, false},
	{"cgn-cone", 2, {EIM, APDM, 1, SIM_ALLOC_RANDOM, 1, 0, MIN2},
	 {EIM, ADM, 0, SIM_ALLOC_RANDOM, 1, 0, MIN2}, SW_NAT_RESTRICTED, true},
	/* forgets idle mappings after 20 s, before the 30 s refresh: addresses keep changing */
	{"short-timeout", 1, {EIM, APDM, 0, SIM_ALLOC_RANDOM, 0, 0, 20000}, {0},
	 SW_NAT_RESTRICTED, false},
	{"cgn-symmetric", 2, {EIM, APDM, 1, SIM_ALLOC_RANDOM, 1, 0, MIN2},
	 {APDM, APDM, 0, SIM_ALLOC_RANDOM, 0, 0, MIN2}, SW_NAT_SYMMETRIC, false},
};
const unsigned scen_n_kinds = sizeof(scen_kinds) / sizeof(scen_kinds[0]);

const struct scen_natkind *world_kind(const char *name)
{
	for (unsigned i = 0; i < scen_n_kinds; i++)
		if (strcmp(scen_kinds[i].name, name) == 0)
			return &scen_kinds[i];
	return NULL;
}

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

uint32_t world_pub_ip(struct world *w)
{
	uint32_t k = w->next_pub++;

	if (k < 200)
		return IP4(203, 0, 113, 10 + k);
	return IP4(11, 0, 0, 1) + (k - 200); /* virtual: never leaves the process */
}

static void v6_of(uint8_t out[16], uint16_t net, uint16_t host)
{
	static const uint8_t base[16] = {0x20, 0x01, 0x0d, 0xb8};

	memcpy(out, base, 16);
	out[4] = (uint8_t)(net >> 8);
	out[5] = (uint8_t)net;
	out[14] = (uint8_t)(host >> 8);
	out[15] = (uint8_t)host;
}

uint32_t world_server2(const struct world *w)
{
	(void)w;
	return IP4(192, 0, 2, 2);
}

static void infra(struct world *w, unsigned relays, unsigned hosts, unsigned flags)
{
	bool secure = flags & WORLD_SECURE, srelay = flags & WORLD_SERVER_RELAY;
	uint8_t v6[16];

	w->server_ip = IP4(192, 0, 2, 1);
	w->server = sim_add_server(&w->s, "server", w->server_ip, IP4(192, 0, 2, 2),
				   &w->infra_link, secure ? WORLD_ID : NULL,
				   secure ? WORLD_KEY : NULL, srelay, flags & WORLD_RATELIMIT);
	w->probe = sim_add_probe(&w->s, "probe", IP4(198, 51, 100, 66), &w->infra_link);
#ifdef SIM_HAVE_RELAY
	for (unsigned i = 0; i < relays && !srelay && i < WORLD_MAX_HOSTS; i++) {
		struct sim_relay_opts o = {3545, v6, w->relay_peers, w->relay_bufs, false, false,
					   SIM_INTERNET};
		char name[16];

		snprintf(name, sizeof(name), "relay%u", i);
		v6_of(v6, 0xffff, (uint16_t)(i + 1)); /* o.v6 points at it */
		w->relay[w->n_relays++] = sim_add_relay(&w->s, name, IP4(198, 51, 100, 1 + i),
							  &w->infra_link, &o);
	}
#endif
	if (srelay) {
		w->relay[w->n_relays++] = w->server;
		w->s.default_relay = w->server;
	}
	w->have_relay = w->n_relays > 0;
#ifndef SIM_HAVE_RELAY
	(void)relays;
#endif
	for (unsigned i = 0; i < hosts && w->have_relay && i < WORLD_MAX_HOSTS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "host%u", i);
		v6_of(v6, (uint16_t)(i + 1), 1);
		w->host[w->n_hosts++] = sim_add_v6host(&w->s, name, v6,
						       w->relay[i % w->n_relays], &w->infra_link);
	}
}

int world_init(struct world *w, uint64_t seed, uint32_t loss_ppm, unsigned relays,
	       unsigned hosts, unsigned flags)
{
	uint32_t peers = relays > 1 ? 65536 : 1024; /* the long run has two relays */

	memset(w, 0, sizeof(*w));
	w->relay_peers = flags & WORLD_SMALL_RELAY ? 8 : peers;
	w->relay_bufs = flags & WORLD_SMALL_RELAY ? 8 : peers / 16;
	if (sim_init(&w->s, seed) < 0)
		return -1;
	w->infra_link = (struct sim_link){.delay_ms = 5, .jitter_ms = 2};
	w->nat_link = (struct sim_link){.delay_ms = 10, .jitter_ms = 5};
	w->client_link = (struct sim_link){.delay_ms = 5, .jitter_ms = 10, .loss_ppm = loss_ppm,
					   .dup_ppm = 2000, .reorder_ppm = 5000,
					   .reorder_ms = 40};
	w->s.check_every = SW_SEC(1);
	w->s.loss_ppm = loss_ppm;
	/* a ping crosses the lossy client link twice or more: 95 % without loss, 85 % at 1 %,
	 * never below half */
	w->s.min_permille = loss_ppm / 100 + 500 < 950 ? 950 - loss_ppm / 100 : 500;
	w->s.addr_lag_limit = 30000 + 3 * 4000 + 2000; /* R + 3 RS timeouts + a sweep */
	infra(w, relays, hosts, flags);
	return 0;
}

uint32_t world_nat_chain(struct world *w, const struct scen_natkind *k, int hairpin,
			 uint32_t cgn)
{
	struct sim_nat_cfg home = k->home;
	uint32_t realm = SIM_INTERNET, ip, node;

	if (k->layers == 0)
		return SIM_INTERNET;
	if (hairpin >= 0)
		home.hairpin = (uint8_t)hairpin;
	if (k->layers == 2) {
		if (cgn == SIM_NONE)
			cgn = sim_nat_new(&w->s, "cgn", SIM_INTERNET, world_pub_ip(w),
					  IP4(100, 64, 0, 1), &k->cgn, &w->nat_link);
		realm = sim_node(&w->s, cgn)->inside;
		ip = IP4(100, 64, 0, 0) + 2 + w->next_cgn_home++;
	} else {
		ip = world_pub_ip(w);
	}
	node = sim_nat_new(&w->s, "nat", realm, ip, IP4(192, 168, 1, 1), &home,
			   k->layers == 2 ? NULL : &w->nat_link);
	return sim_node(&w->s, node)->inside;
}

uint32_t world_client(struct world *w, const char *name, uint32_t realm,
		      const struct scen_natkind *k, sw_time start)
{
	struct sim_client_opts o = {
		.server = w->server_ip, .start = start, .refresh_ms = w->refresh_ms,
		.max_peers = w->max_peers, .pool_bufs = w->pool_bufs, .expect_nat = k->expect_nat,
		.cone_phase = w->cone_phase,
	};
	uint32_t ip;

	if (realm == SIM_INTERNET) {
		ip = world_pub_ip(w);
	} else {
		/* count clients per realm through the address map */
		ip = IP4(192, 168, 1, 2);
		while (sim_hmap_get(&w->s.addr4, (struct sim_key){realm, ip}))
			ip++;
	}
	return sim_add_client(&w->s, name, realm, ip, &w->client_link, &o);
}

uint32_t world_flow(struct world *w, uint32_t src, uint32_t dst, sw_time start, sw_time every,
		    uint32_t count, sw_time warm, uint8_t expect)
{
	struct sim_flow f = {
		.src = src, .dst = dst, .start = start, .every = every, .count = count,
		.warm = warm, .expect = expect,
	};

	return sim_flow_add(&w->s, &f);
}

uint8_t world_expect(bool deliverable)
{
	return deliverable ? SIM_EXPECT_DELIVER : SIM_EXPECT_ANY;
}

uint32_t world_one_client(struct world *w, const char *kind, struct sim_nat_cfg *tweak,
			   uint32_t *nat)
{
	struct scen_natkind k = *world_kind(kind);
	uint32_t realm, c;

	if (tweak)
		k.home = *tweak;
	realm = world_nat_chain(w, &k, -1, SIM_NONE);
	c = world_client(w, "clientA", realm, &k, 100);
	if (nat)
		*nat = realm == SIM_INTERNET ? SIM_NONE : w->s.realms[realm].nat;
	return c;
}

void world_flow_to_host(struct world *w, uint32_t c, sw_time warm, sw_time end, uint8_t ex)
{
	if (w->have_relay)
		world_flow(w, c, w->host[0], SW_SEC(15), SW_SEC(3),
			   (uint32_t)((end - SW_SEC(15)) / 3000), warm, ex);
}

void world_at(struct world *w, sw_time t, uint8_t kind, uint32_t node, uint32_t arg)
{
	struct sim_action a = {t, kind, node, arg, 0};

	sim_action_add(&w->s, &a);
}
