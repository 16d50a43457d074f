/* longrun: a population of clients behind mixed NATs for hours (swsim --long). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "run.h"
#include "scen.h"
#include "traffic.h"
#include "world.h"

static const struct {
	const char *kind;
	unsigned weight;
} mix[] = {
	{"none", 5}, {"full-cone", 15}, {"restricted", 20}, {"port-restricted", 20},
	{"addr-dependent", 4}, {"symmetric-seq", 4}, {"symmetric-random", 4},
	{"symmetric-pp", 4}, {"cgn-cone", 16}, {"cgn-symmetric", 4}, {"short-timeout", 4},
};
#define MIX_TOTAL 100u
#define HOMES_PER_CGN 64u

static const struct scen_natkind *pick_kind(struct sim_rng *r)
{
	uint64_t x = sim_rng_below(r, MIX_TOTAL);

	for (size_t i = 0; i < sizeof(mix) / sizeof(mix[0]); i++) {
		if (x < mix[i].weight)
			return world_kind(mix[i].kind);
		x -= mix[i].weight;
	}
	return world_kind("restricted");
}

static void build_long(struct world *w, const struct scen_opts *o, uint32_t *cl,
		       const struct scen_natkind **kind)
{
	uint32_t cgn[2] = {SIM_NONE, SIM_NONE}, homes[2] = {0, 0};
	sw_time every = MIN_MS(10);
	uint32_t count = o->hours * 6;
	char name[24];

	w->max_peers = 16;
	w->pool_bufs = 8;
	w->s.check_every = SW_SEC(10);
	for (uint32_t i = 0; i < o->clients; i++) {
		const struct scen_natkind *k = pick_kind(&w->s.rng);
		unsigned g = strcmp(k->name, "cgn-cone") == 0 ? 0 : 1;
		uint32_t realm;

		if (k->layers == 2 && homes[g]++ % HOMES_PER_CGN == 0)
			cgn[g] = SIM_NONE;
		realm = world_nat_chain(w, k, -1, k->layers == 2 ? cgn[g] : SIM_NONE);
		if (k->layers == 2)
			cgn[g] = w->s.realms[sim_node(&w->s, w->s.realms[realm].nat)->realm].nat;
		snprintf(name, sizeof(name), "c%u-%s", i, k->name);
		kind[i] = k;
		if (realm != SIM_INTERNET && sim_rng_below(&w->s.rng, 2) == 0)
			world_at(w, SW_SEC(60) + sim_rng_below(&w->s.rng, MIN_MS(60) * o->hours),
			   SIM_ACT_NAT_REBOOT, w->s.realms[realm].nat, 0); /* half the homes */
		cl[i] = world_client(w, name, realm, k, sim_rng_below(&w->s.rng, SW_SEC(60)));
	}
	for (uint32_t i = 0; i < o->clients; i++) {
		sw_time start = SW_SEC(120) + sim_rng_below(&w->s.rng, every);
		uint32_t j = (uint32_t)sim_rng_below(&w->s.rng, o->clients);

		if (w->have_relay)
			world_flow(w, cl[i], w->host[i % w->n_hosts], start, every, count,
				   MIN_MS(15), world_expect(kind[i]->deliverable));
		if (i % 10 == 0 && j != i)
			world_flow(w, cl[i], cl[j], start + SW_SEC(30), every, count, MIN_MS(15),
				   world_expect(kind[i]->deliverable && kind[j]->deliverable));
	}
}



int scen_long(const struct scen_opts *o)
{
	struct world w;
	struct scen_totals t = {0};
	uint32_t *cl = calloc(o->clients, sizeof(*cl));
	const struct scen_natkind **kind = calloc(o->clients, sizeof(*kind));
	double t0 = scen_wall();
	char name[64];

	snprintf(name, sizeof(name), "long/%u/%u", o->clients, o->hours);
	if (!cl || !kind || world_init(&w, scen_seed(o->seed, name), 10000, 2, 4, 0) < 0) {
		fprintf(stderr, "swsim: out of memory\n");
		return 1;
	}
	w.s.base_seed = o->seed;
	w.s.scenario = name;
	w.s.verbose = o->verbose;
	build_long(&w, o, cl, kind);
	w.s.min_permille = 500; /* a handful of pings per flow and hour */
	printf("swsim long: %u clients behind %u NATs, %u relays, %u IPv6 hosts, %u flows, "
	       "1%% loss on every client link, %u virtual hours (seed %llu)\n",
	       o->clients, w.s.n_nodes - o->clients - 2 - w.n_relays - w.n_hosts, w.n_relays,
	       w.n_hosts, w.s.n_flows, o->hours, (unsigned long long)o->seed);
	fflush(stdout);
	scen_trace(&w.s, o->trace);
	sim_schedule(&w.s, w.s.check_every, SIM_EV_CHECK, SIM_NONE, 0);
	for (uint32_t h = 1; h <= o->hours; h++) {
		sim_run(&w.s, MIN_MS(60) * h);
		if (o->verbose)
			printf("  hour %u: %llu events, %llu addresses configured, "
			       "%llu/%llu pings, %.1f s\n",
			       h, (unsigned long long)w.s.q.popped,
			       (unsigned long long)w.s.st.qualified,
			       (unsigned long long)w.s.st.pings_answered,
			       (unsigned long long)w.s.st.pings_sent, scen_wall() - t0);
		fflush(stdout);
	}
	w.s.final_sweep = true;
	sim_check_all(&w.s);
	sim_flows_verdict(&w.s);
	scen_totals_add(&t, &w.s);
	scen_totals_print(&t, scen_wall() - t0);
	printf("swsim long: peak %llu events queued, %llu packets in flight, %llu NAT mappings "
	       "made, %llu engine calls, %llu timers, %llu deliveries to client hosts\n",
	       (unsigned long long)w.s.q.max_depth, (unsigned long long)w.s.pool.max_in_use,
	       (unsigned long long)scen_nat_created(&w.s), (unsigned long long)w.s.st.engine_calls,
	       (unsigned long long)w.s.st.timers, (unsigned long long)w.s.st.tun_delivered);
	sim_free(&w.s);
	free(cl);
	free(kind);
	return t.failed ? 1 : 0;
}
