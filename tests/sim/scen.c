/* scen: the matrix (NAT kind × NAT kind × loss, hairpinning) and the runner that judges
 * each run, the named scenarios included. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "named.h"
#include "run.h"
#include "scen.h"
#include "traffic.h"
#include "world.h"

struct cell {
	char name[96];
	uint32_t loss_ppm;
	const struct scen_natkind *a, *b;
	int hairpin; /* hairpin cells: 0 off, 1 on */
	const struct scen_named *sc;
};




/* --- the matrix: client A behind kind a, client B behind kind b --- */

static void build_pair(struct world *w, const struct cell *c)
{
	uint32_t ra = world_nat_chain(w, c->a, -1, SIM_NONE);
	uint32_t rb = world_nat_chain(w, c->b, -1, SIM_NONE);
	uint32_t a = world_client(w, "clientA", ra, c->a, 100);
	uint32_t b = world_client(w, "clientB", rb, c->b, 300);
	sw_time st = SW_SEC(15), every = SW_SEC(3), warm = SW_SEC(60);

	if (w->have_relay) {
		uint8_t ex = world_expect(c->a->deliverable);

		world_flow(w, a, w->host[0], st, every, 95, warm, ex);
		world_flow(w, w->host[0], a, st + 1000, every, 95, warm, ex);
	}
	world_flow(w, a, b, st + 2000, every, 95, warm,
		   world_expect(c->a->deliverable && c->b->deliverable));
}

/* two clients behind one NAT: they reach each other only by hairpinning */
static void build_hairpin(struct world *w, const struct cell *c)
{
	uint32_t r = world_nat_chain(w, c->a, c->hairpin, SIM_NONE);
	uint32_t a = world_client(w, "clientA", r, c->a, 100);
	uint32_t b = world_client(w, "clientA2", r, c->a, 300);

	uint8_t ex = world_expect(c->a->deliverable && c->hairpin && c->a->layers == 1);

	/* without hairpinning (and without local discovery) nothing can get through */
	if (!c->hairpin && c->a->layers == 1)
		ex = SIM_EXPECT_NEVER;
	world_flow(w, a, b, SW_SEC(15), SW_SEC(3), 95, SW_SEC(60), ex);
}

/* --- the runner --- */




static void run_cell(const struct scen_opts *o, const struct cell *c, struct scen_totals *t)
{
	struct world w;
	const struct scen_named *sc = c->sc;
	sw_time dur = sc ? sc->duration : MIN_MS(5);

	if (world_init(&w, scen_seed(o->seed, c->name), sc ? sc->loss_ppm : c->loss_ppm, 1, 1,
		       sc ? sc->flags : 0) < 0) {
		fprintf(stderr, "swsim: out of memory\n");
		t->failed++;
		return;
	}
	w.s.base_seed = o->seed;
	w.s.scenario = c->name;
	w.s.verbose = o->verbose;
	if (sc)
		sc->build(&w);
	else if (c->b)
		build_pair(&w, c);
	else
		build_hairpin(&w, c);
	scen_trace(&w.s, o->trace);
	sim_schedule(&w.s, w.s.check_every, SIM_EV_CHECK, SIM_NONE, 0);
	sim_run(&w.s, dur);
	w.s.final_sweep = true;
	sim_check_all(&w.s);
	sim_flows_verdict(&w.s);
	if (sc && sc->post)
		sc->post(&w);
	if (o->verbose || w.s.failures)
		printf("%-4s %-48s worst %3u.%u%%, addresses %llu, pings %llu/%llu, datagrams %llu, "
		       "checks %llu\n",
		       w.s.failures ? "FAIL" : "ok", c->name, w.s.worst_permille / 10,
		       w.s.worst_permille % 10, (unsigned long long)w.s.st.qualified,
		       (unsigned long long)w.s.st.pings_answered,
		       (unsigned long long)w.s.st.pings_sent, (unsigned long long)w.s.st.udp_sent,
		       (unsigned long long)w.s.st.checks);
	if (o->verbose > 1)
		sim_report(&w.s);
	scen_totals_add(t, &w.s);
	sim_free(&w.s);
}

static bool selected(const struct scen_opts *o, const char *name)
{
	if (o->only && strncmp(name, o->only, strlen(o->only)) != 0)
		return false;
	if (o->skip && strncmp(name, o->skip, strlen(o->skip)) == 0)
		return false;
	if (o->list)
		printf("%s\n", name);
	return !o->list;
}

static const uint32_t losses[] = {0, 10000, 50000};

static void run_matrix(const struct scen_opts *o, struct scen_totals *t)
{
	struct cell c = {0};

	for (unsigned a = 0; a < scen_n_kinds; a++)
		for (unsigned b = 0; b < scen_n_kinds; b++)
			for (unsigned l = 0; l < 3; l++) {
				c.a = &scen_kinds[a];
				c.b = &scen_kinds[b];
				c.loss_ppm = losses[l];
				snprintf(c.name, sizeof(c.name), "matrix/%s/%s/loss%u",
					 c.a->name, c.b->name, losses[l] / 10000);
				if (selected(o, c.name))
					run_cell(o, &c, t);
			}
}

static void run_hairpin(const struct scen_opts *o, struct scen_totals *t)
{
	struct cell c = {0};

	for (unsigned a = 1; a < scen_n_kinds; a++)
		for (int h = 0; h < 2; h++)
			for (unsigned l = 0; l < 2; l++) {
				c.a = &scen_kinds[a];
				c.hairpin = h;
				c.loss_ppm = losses[l];
				snprintf(c.name, sizeof(c.name), "hairpin/%s/%s/loss%u", c.a->name,
					 h ? "on" : "off", losses[l] / 10000);
				if (selected(o, c.name))
					run_cell(o, &c, t);
			}
}

static void run_named(const struct scen_opts *o, struct scen_totals *t)
{
	struct cell c = {0};

	for (size_t i = 0; i < scen_n_named; i++) {
		c.sc = &scen_named[i];
		snprintf(c.name, sizeof(c.name), "%s", scen_named[i].name);
		if (selected(o, c.name))
			run_cell(o, &c, t);
	}
}

int scen_main(const struct scen_opts *o)
{
	struct scen_totals t = {0};
	double t0 = scen_wall();

	if (o->long_run)
		return scen_long(o);
	run_matrix(o, &t);
	run_hairpin(o, &t);
	run_named(o, &t);
	if (o->list)
		return 0;
	if (t.runs == 0) {
		fprintf(stderr, "swsim: no scenario named %s (see --list)\n", o->only);
		return -1;
	}
	scen_totals_print(&t, scen_wall() - t0);
	return (int)t.failed;
}
