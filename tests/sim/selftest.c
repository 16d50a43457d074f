/* selftest: unit checks of the simulator's own modules and of its invariant checks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/peers.h"
#include "evq.h"
#include "hmap.h"
#include "nat.h"
#include "rng.h"
#include "selftest.h"
#include "sim.h"
#include "traffic.h"
#include "world.h"

#define EXPECT(cond, ...)                                                   \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "selftest FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                       \
			fputc('\n', stderr);                                \
			fails++;                                            \
		}                                                           \
	} while (0)

static const struct sw_endpoint IN_A = {0xc0a80102, 5000};
static const struct sw_endpoint S1 = {0xc0000201, 3544}, S1B = {0xc0000201, 3545};
static const struct sw_endpoint S2 = {0xc0000202, 3544};

/* One NAT behaviour: which inbound sources pass after A sent to S1 only. */
static int nat_case(uint8_t map, uint8_t filt, uint8_t pp, struct sim_rng *r)
{
	struct sim_nat_cfg cfg = {map, filt, pp, SIM_ALLOC_RANDOM, 0, 0, 1000};
	struct sim_nat n;
	struct sw_endpoint e1, e2, in;
	int fails = 0;

	if (sim_nat_init(&n, &cfg, 0xcb007101, r) < 0)
		return 1;
	filt = n.cfg.filtering; /* never looser than the mapping */
	EXPECT(sim_nat_out(&n, r, 0, IN_A, S1, &e1) == 0, "out");
	EXPECT(sim_nat_in(&n, 10, e1.port, S1, &in) == 0 && sw_endpoint_eq(in, IN_A),
	       "map %u filt %u: the contacted endpoint must pass", map, filt);
	EXPECT((sim_nat_in(&n, 10, e1.port, S2, &in) == 0) == (filt == SIM_DEP_EI),
	       "map %u filt %u: another address", map, filt);
	EXPECT((sim_nat_in(&n, 10, e1.port, S1B, &in) == 0) == (filt != SIM_DEP_APD),
	       "map %u filt %u: another port of the same address", map, filt);
	EXPECT(!pp || e1.port == IN_A.port, "port preservation");
	EXPECT(sim_nat_out(&n, r, 20, IN_A, S2, &e2) == 0, "out 2");
	EXPECT(sw_endpoint_eq(e1, e2) == (map == SIM_DEP_EI || pp),
	       "map %u pp %u: mapping towards a second address %u vs %u", map, pp, e1.port,
	       e2.port);
	EXPECT(sim_nat_in(&n, 20 + 1000, e1.port, S1, &in) == -ENOENT, "idle timeout");
	sim_nat_out(&n, r, 3000, IN_A, S1, &e1);
	sim_nat_reboot(&n, r);
	EXPECT(sim_nat_in(&n, 3001, e1.port, S1, &in) == -ENOENT, "reboot drops mappings");
	sim_nat_free(&n);
	return fails;
}

static int test_nat(struct sim_rng *r)
{
	int fails = 0;

	for (uint8_t m = 0; m < 3; m++)
		for (uint8_t f = 0; f < 3; f++)
			for (uint8_t pp = 0; pp < 2; pp++)
				fails += nat_case(m, f, pp, r);
	return fails;
}

/* Address-dependent filtering admits an address while any of its ports is live, even
 * when an older entry for another port of it has expired. */
static int test_nat_adf(struct sim_rng *r)
{
	struct sim_nat_cfg cfg = {SIM_DEP_EI, SIM_DEP_AD, 0, SIM_ALLOC_RANDOM, 0, 0, 1000};
	struct sim_nat n;
	struct sw_endpoint e, in;
	int fails = 0;

	sim_nat_init(&n, &cfg, 0xcb007101, r);
	sim_nat_out(&n, r, 0, IN_A, S1, &e);
	sim_nat_out(&n, r, 900, IN_A, S2, &e); /* keeps the mapping alive */
	sim_nat_out(&n, r, 1500, IN_A, S1B, &e); /* S1's first entry is expired by now */
	EXPECT(sim_nat_in(&n, 1600, e.port, S1, &in) == 0, "a live entry of the address admits");
	sim_nat_free(&n);
	return fails;
}

static int test_nat_seq(struct sim_rng *r)
{
	struct sim_nat_cfg cfg = {SIM_DEP_APD, SIM_DEP_APD, 0, SIM_ALLOC_SEQ, 0, 0, 60000};
	struct sim_nat n;
	struct sw_endpoint e[4];
	int fails = 0;

	sim_nat_init(&n, &cfg, 0xcb007101, r);
	for (uint16_t i = 0; i < 4; i++) {
		struct sw_endpoint d = {0xc0000201 + i, 3544};

		sim_nat_out(&n, r, 0, IN_A, d, &e[i]);
	}
	for (int i = 1; i < 4; i++)
		EXPECT(e[i].port == (uint16_t)(e[i - 1].port + 1) || e[i].port == 1024,
		       "sequential allocation %u after %u", e[i].port, e[i - 1].port);
	sim_nat_free(&n);
	return fails;
}

static int test_hmap(struct sim_rng *r)
{
	enum { N = 512 };
	static uint32_t ref[N];
	struct sim_hmap m;
	int fails = 0;

	memset(ref, 0, sizeof(ref));
	sim_hmap_init(&m, 4);
	for (int i = 0; i < 200000 && fails < 5; i++) {
		uint32_t k = (uint32_t)sim_rng_below(r, N), v = (uint32_t)sim_rng_next(r) | 1;
		struct sim_key key = {k * 0x10001u, k};

		if (sim_rng_below(r, 3) == 0) {
			EXPECT(sim_hmap_del(&m, key) == (ref[k] != 0), "del %u", k);
			ref[k] = 0;
		} else if (sim_rng_below(r, 2)) {
			sim_hmap_put(&m, key, v);
			ref[k] = v;
		}
		EXPECT(sim_hmap_get(&m, key) == ref[k], "get %u after op %d", k, i);
	}
	sim_hmap_free(&m);
	return fails;
}

static int test_evq(struct sim_rng *r)
{
	struct sim_evq q;
	struct sim_ev ev, prev = {0};
	int fails = 0;

	sim_evq_init(&q, 2);
	for (uint32_t i = 0; i < 5000; i++) {
		struct sim_ev e = {.at = sim_rng_below(r, 100), .arg = i};

		sim_evq_push(&q, e);
	}
	for (int i = 0; sim_evq_pop(&q, &ev); i++) {
		EXPECT(i == 0 || ev.at > prev.at || (ev.at == prev.at && ev.seq > prev.seq),
		       "heap order at pop %d", i);
		prev = ev;
	}
	sim_evq_free(&q);
	return fails;
}

/* Each invariant check must fire on a planted violation. */
static int test_checks_fire(uint64_t seed)
{
	struct sim s;
	struct sw_peers t;
	struct sw_peer *p;
	struct sim_nat_cfg cfg = {SIM_DEP_EI, SIM_DEP_APD, 0, SIM_ALLOC_RANDOM, 0, 0, 60000};
	struct sim_addr_watch w;
	struct sw_out_pkt o = {.kind = SW_OUT_UDP, .dst = {0x0a000001, 3544}};
	struct sw_endpoint pub, srv = {0xc0000201, 3544};
	struct sw_teredo td = {0xc0000201, 0, {0xcb007101, 1}};
	uint8_t key[16] = {0}, addr[16];
	uint32_t nat, host, before;
	int fails = 0;

	sim_init(&s, seed);
	s.max_report = 0; /* the planted failures are expected: count, don't print */
	nat = sim_nat_new(&s, "nat", SIM_INTERNET, 0xcb007101, 0xc0a80101, &cfg, NULL);
	host = sim_node_new(&s, SIM_ROLE_CLIENT, "host", sim_node(&s, nat)->inside, 0xc0a80102,
			    NULL);
	sim_node_add_sock(&s, host, 0, 5000);

	before = s.failures;
	sim_check_udp_out(&s, sim_node(&s, host), &o);
	EXPECT(s.failures == before + 1, "a datagram to 10.0.0.1 must be flagged");

	sw_peers_init(&t, 4, 0, key);
	sw_addr_encode(addr, &td);
	p = sw_peers_add(&t, addr, 0, NULL);
	p->flags |= SW_PEER_TRUSTED;
	p->mapping = (struct sw_endpoint){0xcb007102, 1}; /* not what the address embeds */
	before = s.failures;
	sim_check_peers(&s, sim_node(&s, host), &t, NULL);
	EXPECT(s.failures == before + 1, "a Teredo peer trusted at a foreign mapping");
	p->mapping = td.mapped;
	addr[0] = 0x2a; /* a native peer trusted at a non-relay endpoint */
	p = sw_peers_add(&t, addr, 0, NULL);
	p->flags |= SW_PEER_TRUSTED;
	p->mapping = (struct sw_endpoint){0xc6336442, 40000};
	before = s.failures;
	sim_check_peers(&s, sim_node(&s, host), &t, NULL);
	EXPECT(s.failures == before + 1, "a native peer trusted at a non-relay endpoint");
	sw_peers_free(&t, NULL);

	/* a qualified address that is not the NAT's mapping */
	sim_nat_out(sim_node(&s, nat)->nat, &s.rng, 0, (struct sw_endpoint){0xc0a80102, 5000}, srv,
		    &pub);
	td.mapped.port = (uint16_t)(pub.port + 1);
	sw_addr_encode(addr, &td);
	sim_watch_init(&w);
	before = s.failures;
	sim_watch_add(&s, sim_node(&s, host), &w, 0, srv.ip, addr);
	EXPECT(s.failures == before + 1, "a qualified address not matching the NAT mapping");

	/* a correct address that is not replaced after the mapping changes */
	td.mapped = pub;
	sw_addr_encode(addr, &td);
	sim_watch_init(&w);
	s.addr_lag_limit = 5000;
	sim_watch_add(&s, sim_node(&s, host), &w, 0, srv.ip, addr);
	sim_nat_reboot(sim_node(&s, nat)->nat, &s.rng);
	before = s.failures;
	for (sw_time t0 = 1000; t0 <= 8000; t0 += 1000) {
		sim_run(&s, t0);
		sim_watch_sweep(&s, sim_node(&s, host), &w, 0, srv.ip);
	}
	EXPECT(s.failures == before + 1, "an address left stale past the limit (%u failures)",
	       s.failures - before);
	sim_free(&s);
	return fails;
}

/* One small lossy world; its counters and event count. */
static void replay_once(uint64_t seed, struct sim_stats *st, uint64_t *events)
{
	struct world w;
	const struct scen_natkind *k = world_kind("port-restricted");
	uint32_t a, b;

	world_init(&w, seed, 50000, 1, 1, 0);
	w.s.max_report = 0;
	a = world_client(&w, "a", world_nat_chain(&w, k, -1, SIM_NONE), k, 10);
	b = world_client(&w, "b", world_nat_chain(&w, k, -1, SIM_NONE), k, 20);
	world_flow(&w, a, b, SW_SEC(10), 1000, 100, 0, SIM_EXPECT_ANY);
	if (w.have_relay)
		world_flow(&w, b, w.host[0], SW_SEC(10), 1000, 100, 0, SIM_EXPECT_ANY);
	sim_schedule(&w.s, 1000, SIM_EV_CHECK, SIM_NONE, 0);
	sim_run(&w.s, SW_SEC(120));
	*st = w.s.st;
	*events = w.s.q.popped;
	sim_free(&w.s);
}

static int test_replay(uint64_t seed)
{
	struct sim_stats s1, s2, s3;
	uint64_t e1, e2, e3;
	int fails = 0;

	replay_once(seed, &s1, &e1);
	replay_once(seed, &s2, &e2);
	replay_once(seed + 1, &s3, &e3);
	EXPECT(e1 == e2 && memcmp(&s1, &s2, sizeof(s1)) == 0,
	       "the same seed must replay the same run (%llu vs %llu events)",
	       (unsigned long long)e1, (unsigned long long)e2);
	EXPECT(e1 != e3 || memcmp(&s1, &s3, sizeof(s1)) != 0,
	       "another seed should draw another run");
	EXPECT(s1.qualified >= 2 && s1.pings_answered > 0, "the replayed world does something");
	return fails;
}

int sim_selftest(uint64_t seed)
{
	struct sim_rng r;
	int fails = 0;

	sim_rng_seed(&r, seed);
	fails += test_nat(&r);
	fails += test_nat_seq(&r);
	fails += test_nat_adf(&r);
	fails += test_hmap(&r);
	fails += test_evq(&r);
	fails += test_checks_fire(seed);
	fails += test_replay(seed);
	printf("swsim selftest: %s (%d failures)\n", fails ? "FAILED" : "ok", fails);
	return fails;
}
