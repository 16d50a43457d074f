/* named: the named fault and set-up scenarios (see named.h). */
#include <stdio.h>
#include <string.h>

#include "engine/client.h"
#include "named.h"
#include "role.h"
#include "sim.h"
#include "traffic.h"
#include "world.h"

static void build_reboot(struct world *w)
{
	uint32_t nat, c = world_one_client(w, "port-restricted", NULL, &nat);

	world_flow_to_host(w, c, SW_SEC(60), MIN_MS(10), SIM_EXPECT_DELIVER);
	world_at(w, SW_SEC(200), SIM_ACT_NAT_REBOOT, nat, 0);
	world_at(w, SW_SEC(400), SIM_ACT_NAT_REBOOT, nat, 0);
}

static void post_changes(struct world *w, uint64_t min, uint64_t max)
{
	if (w->s.st.addr_changes < min || w->s.st.addr_changes > max)
		sim_fail(&w->s, "%llu address replacements, expected %llu to %llu",
			 (unsigned long long)w->s.st.addr_changes, (unsigned long long)min,
			 (unsigned long long)max);
}

static void post_reboot(struct world *w)
{
	post_changes(w, 2, 2);
}

/* a NAT forgetting idle mappings after 20 s, shorter than the 30 s refresh interval */
static void build_timeout(struct world *w)
{
	struct sim_nat_cfg k = world_kind("port-restricted")->home;

	k.timeout_ms = 20000;
	world_one_client(w, "port-restricted", &k, NULL);
}

static void post_timeout(struct world *w)
{
	post_changes(w, 3, 1000);
}

static void build_timeout_short(struct world *w)
{
	w->refresh_ms = 15000; /* a configured refresh interval below the NAT's timeout */
	build_timeout(w);
}

static void post_stable(struct world *w)
{
	post_changes(w, 0, 0);
}

static void build_outage(struct world *w)
{
	uint32_t c = world_one_client(w, "restricted", NULL, NULL);

	world_flow_to_host(w, c, SW_SEC(420), MIN_MS(10), SIM_EXPECT_DELIVER);
	world_at(w, SW_SEC(60), SIM_ACT_LINK_DOWN, w->server, 0);
	world_at(w, SW_SEC(200), SIM_ACT_LINK_UP, w->server, 0);
}

/* every client that can qualify (not behind a symmetric NAT) ends qualified */
static void post_qualified(struct world *w)
{
	for (uint32_t i = 0; i < w->s.n_nodes; i++) {
		uint8_t st, nat, ex;

		if (w->s.nodes[i].role != SIM_ROLE_CLIENT)
			continue;
		sim_client_status(&w->s, i, &st, &nat, &ex);
		if (ex == 0 || ex == SW_NAT_SYMMETRIC)
			continue;
		if (st != SW_CLIENT_QUALIFIED)
			sim_fail(&w->s, "%s ends %s, not qualified", w->s.nodes[i].name,
				 sw_client_state_name(st));
	}
}

static void build_spoof(struct world *w)
{
	uint32_t c = world_one_client(w, "full-cone", NULL, NULL);

	world_flow_to_host(w, c, SW_SEC(60), MIN_MS(5), SIM_EXPECT_DELIVER);
	for (sw_time t = SW_SEC(20); t < MIN_MS(5); t += SW_SEC(5)) {
		world_at(w, t, SIM_ACT_SPOOF_NATIVE, w->probe, c);
		world_at(w, t + 2500, SIM_ACT_SPOOF_TEREDO, w->probe, c);
	}
}

static void bogus_flow(struct world *w, uint32_t src, uint32_t server, uint32_t ip)
{
	struct sim_flow f = {
		.src = src, .dst = SIM_NONE, .start = SW_SEC(20), .every = SW_SEC(7), .count = 20,
		.expect = SIM_EXPECT_NEVER,
	};
	struct sw_teredo t = {server, 0, {ip, 4000}};

	sw_addr_encode(f.dst_addr, &t);
	sim_flow_add(&w->s, &f);
}

/* Teredo destinations embedding (or served by) non-global IPv4s, from a client and from
 * the IPv6 side: nothing may ever be sent to them. */
static void build_bogus(struct world *w)
{
	static const uint32_t bad[] = {
		0x0a000001, 0x7f000001, 0xc0a80101, 0xac100001, 0xa9fe0001, 0xc0586301,
		0xe0000001, 0xffffffff, 0x00000000, 0x00000001,
	};
	uint32_t c = world_one_client(w, "full-cone", NULL, NULL);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bogus_flow(w, c, w->server_ip, bad[i]);
		bogus_flow(w, c, bad[i], 0xcb007101);
		if (w->have_relay) {
			bogus_flow(w, w->host[0], w->server_ip, bad[i]);
			bogus_flow(w, w->host[0], bad[i], 0xcb007101);
		}
	}
	world_flow_to_host(w, c, SW_SEC(60), MIN_MS(5), SIM_EXPECT_DELIVER);
}

static void build_secure(struct world *w)
{
	const struct scen_natkind *k = world_kind("restricted");
	struct sim_client_opts good = {
		.server = w->server_ip, .start = 100, .expect_nat = k->expect_nat,
		.id = (const uint8_t *)WORLD_ID, .key = (const uint8_t *)WORLD_KEY,
	};
	struct sim_client_opts bad = good;
	uint32_t c;

	bad.key = (const uint8_t *)"not-the-secret";
	c = sim_add_client(&w->s, "clientA", world_nat_chain(w, k, -1, SIM_NONE), 0xc0a80102,
			   &w->client_link, &good);
	sim_add_client(&w->s, "intruder", world_nat_chain(w, k, -1, SIM_NONE), 0xc0a80102,
		       &w->client_link, &bad);
	world_flow_to_host(w, c, SW_SEC(60), MIN_MS(5), SIM_EXPECT_DELIVER);
}

static void post_secure(struct world *w)
{
	uint8_t st, nat, ex;

	for (uint32_t i = 0; i < w->s.n_nodes; i++) {
		if (w->s.nodes[i].role != SIM_ROLE_CLIENT)
			continue;
		sim_client_status(&w->s, i, &st, &nat, &ex);
		if ((st == SW_CLIENT_QUALIFIED) != (strcmp(w->s.nodes[i].name, "clientA") == 0))
			sim_fail(&w->s, "secure server: %s ends %s", w->s.nodes[i].name,
				 sw_client_state_name(st));
	}
}

/* a crowd: 120 clients of every kind, 1 % loss, pinging hosts and each other */
static void build_crowd(struct world *w)
{
	uint32_t cl[120];
	const struct scen_natkind *k[120];
	char name[24];

	w->max_peers = 32;
	for (unsigned i = 0; i < 120; i++) {
		k[i] = &scen_kinds[i % scen_n_kinds];
		snprintf(name, sizeof(name), "c%u-%s", i, k[i]->name);
		cl[i] = world_client(w, name, world_nat_chain(w, k[i], -1, SIM_NONE), k[i],
				     100 + 97 * i);
	}
	for (unsigned i = 0; i < 120; i++) {
		unsigned j = (i * 7 + 3) % 120;

		if (w->have_relay)
			world_flow(w, cl[i], w->host[i % w->n_hosts], SW_SEC(20 + i % 10),
				   SW_SEC(11), 100, SW_SEC(90), world_expect(k[i]->deliverable));
		if (j != i)
			world_flow(w, cl[i], cl[j], SW_SEC(25 + i % 10), SW_SEC(13), 80, SW_SEC(90),
				   world_expect(k[i]->deliverable && k[j]->deliverable));
	}
}

/* the NAT's public address changes (an ISP renumbering): the address follows */
static void build_renumber(struct world *w)
{
	uint32_t nat, c = world_one_client(w, "restricted", NULL, &nat);

	world_flow_to_host(w, c, SW_SEC(60), MIN_MS(5), SIM_EXPECT_DELIVER);
	world_at(w, SW_SEC(150), SIM_ACT_NAT_RENUMBER, nat, world_pub_ip(w));
	w->s.min_permille = 700; /* up to one refresh interval of pings is lost */
}

static void post_one_change(struct world *w)
{
	post_changes(w, 1, 1);
}

/* hostile links: 10 % loss, 5 % duplicates, 20 % reordered by 300 ms, 50 ms jitter */
static void build_chaos(struct world *w)
{
	const char *kinds[] = {"restricted", "port-restricted", "cgn-cone", "none"};
	uint32_t c[4];

	w->client_link = (struct sim_link){.delay_ms = 20, .jitter_ms = 50, .loss_ppm = 100000,
					   .dup_ppm = 50000, .reorder_ppm = 200000,
					   .reorder_ms = 300};
	for (int i = 0; i < 4; i++) {
		const struct scen_natkind *k = world_kind(kinds[i]);

		c[i] = world_client(w, kinds[i], world_nat_chain(w, k, -1, SIM_NONE), k, 100);
		world_flow_to_host(w, c[i], SW_SEC(60), MIN_MS(10), SIM_EXPECT_ANY);
	}
	for (int i = 0; i < 4; i++)
		world_flow(w, c[i], c[(i + 1) % 4], SW_SEC(20), SW_SEC(2), 280, SW_SEC(60),
			   SIM_EXPECT_ANY);
}

/* on hostile links a client may be requalifying at the very end: each must have
 * qualified, and enough traffic must have got through */
static void post_chaos(struct world *w)
{
	if (w->s.st.pings_answered * 4 < w->s.st.pings_sent)
		sim_fail(&w->s, "only %llu of %llu pings answered on hostile links",
			 (unsigned long long)w->s.st.pings_answered,
			 (unsigned long long)w->s.st.pings_sent);
	for (uint32_t i = 0; i < w->s.n_nodes; i++)
		if (w->s.nodes[i].role == SIM_ROLE_CLIENT && !sim_client_ever_qualified(&w->s, i))
			sim_fail(&w->s, "%s never qualified", w->s.nodes[i].name);
}

/* the relay and a client restart from scratch mid-flow */
static void build_restart(struct world *w)
{
	const struct scen_natkind *k = world_kind("port-restricted");
	uint32_t a = world_client(w, "clientA", world_nat_chain(w, k, -1, SIM_NONE), k, 100);
	uint32_t b = world_client(w, "clientB", world_nat_chain(w, k, -1, SIM_NONE), k, 200);

	world_flow_to_host(w, a, SW_SEC(60), MIN_MS(10), SIM_EXPECT_DELIVER);
	world_flow(w, w->host[0], b, SW_SEC(15), SW_SEC(3), 190, SW_SEC(60), SIM_EXPECT_DELIVER);
	world_flow(w, a, b, SW_SEC(16), SW_SEC(3), 190, SW_SEC(60), SIM_EXPECT_DELIVER);
	if (w->have_relay && w->relay[0] != w->server)
		world_at(w, SW_SEC(200), SIM_ACT_RESTART, w->relay[0], 0);
	world_at(w, SW_SEC(350), SIM_ACT_RESTART, b, 0);
}

/* the primary server address goes dark: clients fall over to the secondary */
static void build_primary_down(struct world *w)
{
	const struct scen_natkind *k = world_kind("restricted");

	for (int i = 0; i < 3; i++)
		world_client(w, "client", world_nat_chain(w, k, -1, SIM_NONE), k, 100 + 50 * i);
	world_at(w, SW_SEC(60), SIM_ACT_BLACKHOLE_ON, SIM_NONE, w->server_ip);
}

/* four clients on the same local port behind one port-preserving, hairpinning NAT */
static void build_same_port(struct world *w)
{
	struct scen_natkind k = *world_kind("full-cone");
	struct sim_client_opts o = {.server = w->server_ip, .port = 3544, .start = 100,
				    .expect_nat = k.expect_nat};
	uint32_t realm = world_nat_chain(w, &k, 1, SIM_NONE), c[4];

	for (uint32_t i = 0; i < 4; i++) {
		o.start += 100;
		c[i] = sim_add_client(&w->s, "client", realm, 0xc0a80102 + i, &w->client_link, &o);
	}
	for (uint32_t i = 0; i < 4; i++) {
		world_flow(w, c[i], c[(i + 1) % 4], SW_SEC(15), SW_SEC(3), 95, SW_SEC(60),
			   SIM_EXPECT_DELIVER);
		world_flow_to_host(w, c[i], SW_SEC(60), MIN_MS(5), SIM_EXPECT_DELIVER);
	}
}

#ifdef SIM_HAVE_RELAY
/* a dual-stack host with a host-specific relay reaches clients with no relay between */
static void build_host_relay(struct world *w)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x77, [15] = 1};
	struct sim_relay_opts ro = {3545, v6, 64, 16, true, false, SIM_INTERNET};
	const struct scen_natkind *k = world_kind("port-restricted");
	uint32_t h = sim_add_relay(&w->s, "dualstack", 0xc6336477, &w->infra_link, &ro);
	uint32_t a = world_client(w, "clientA", world_nat_chain(w, k, -1, SIM_NONE), k, 100);
	uint32_t b = world_client(w, "clientB", world_nat_chain(w, k, -1, SIM_NONE), k, 200);

	world_flow(w, a, h, SW_SEC(15), SW_SEC(3), 95, SW_SEC(60), SIM_EXPECT_DELIVER);
	world_flow(w, h, b, SW_SEC(16), SW_SEC(3), 95, SW_SEC(60), SIM_EXPECT_DELIVER);
}

static uint64_t stat_of(struct sim_node *n, const char *name)
{
	struct sw_stat st[128];
	size_t k = n->ops->stats(n, st, 128);

	for (size_t i = 0; i < k; i++)
		if (strcmp(st[i].name, name) == 0)
			return st[i].value;
	return 0;
}

static void post_host_relay(struct world *w)
{
	uint64_t via = stat_of(sim_node(&w->s, w->relay[0]), "relay_forwarded_to_teredo");

	if (via)
		sim_fail(&w->s, "%llu packets went through relay0 instead of the host relay",
			 (unsigned long long)via);
}
#endif

/* noise: damaged and random datagrams at the server, the relay and a client */
static void build_garbage(struct world *w)
{
	const struct scen_natkind *k = world_kind("full-cone");
	uint32_t c = world_client(w, "clientA", world_nat_chain(w, k, -1, SIM_NONE), k, 100);
	uint32_t b = world_client(w, "clientB", world_nat_chain(w, k, -1, SIM_NONE), k, 200);

	world_flow_to_host(w, c, SW_SEC(60), MIN_MS(5), SIM_EXPECT_DELIVER);
	world_flow(w, c, b, SW_SEC(16), SW_SEC(3), 95, SW_SEC(60), SIM_EXPECT_DELIVER);
	for (sw_time t = SW_SEC(10); t < MIN_MS(5); t += 50) {
		world_at(w, t, SIM_ACT_GARBAGE, w->probe, w->server);
		world_at(w, t + 10, SIM_ACT_GARBAGE, w->probe, c);
		if (w->have_relay)
			world_at(w, t + 20, SIM_ACT_GARBAGE, w->probe, w->relay[0]);
	}
}

/* one source floods the server with RSs (its rate limit on): clients still qualify */
static void build_flood(struct world *w)
{
	const struct scen_natkind *k = world_kind("restricted");

	for (int i = 0; i < 3; i++) {
		uint32_t c = world_client(w, "client", world_nat_chain(w, k, -1, SIM_NONE), k,
					  SW_SEC(30) + 5000 * i);

		world_flow_to_host(w, c, SW_SEC(90), MIN_MS(5), SIM_EXPECT_DELIVER);
	}
	for (sw_time t = SW_SEC(10); t < MIN_MS(5); t += 100) {
		struct sim_action a = {t, SIM_ACT_RS_FLOOD, w->probe, w->server, 100};

		sim_action_add(&w->s, &a); /* 1000 RS/s */
	}
}

static void post_flood(struct world *w)
{
	post_qualified(w);
	if (w->s.nodes[w->probe].lst.sent < 250000)
		sim_fail(&w->s, "the flood did not happen (%llu datagrams)",
			 (unsigned long long)w->s.nodes[w->probe].lst.sent);
}

/* pings ten minutes apart: every peer entry has expired when the next one starts */
static void build_sparse(struct world *w)
{
	const char *kinds[] = {"port-restricted", "restricted", "cgn-cone", "full-cone"};
	uint32_t c[4];

	for (int i = 0; i < 4; i++) {
		const struct scen_natkind *k = world_kind(kinds[i]);
		uint32_t realm = world_nat_chain(w, k, -1, SIM_NONE);

		c[i] = world_client(w, kinds[i], realm, k, 100);
		if (i < 2) /* and two of the NATs reboot in between */
			world_at(w, MIN_MS(15 + 10 * i), SIM_ACT_NAT_REBOOT,
				 w->s.realms[realm].nat, 0);
	}
	for (int i = 0; i < 4; i++) {
		world_flow(w, c[i], c[(i + 1) % 4], SW_SEC(30 + 7 * i), MIN_MS(10), 6, 0,
			   SIM_EXPECT_DELIVER);
		if (w->have_relay)
			world_flow(w, c[i], w->host[0], SW_SEC(60 + 7 * i), MIN_MS(10), 6, 0,
				   SIM_EXPECT_DELIVER);
	}
}

/* RFC 4380's cone test: full cone is told apart from restricted */
static void build_cone_phase(struct world *w)
{
	static const struct {
		const char *kind;
		uint8_t nat;
	} k[] = {
		{"full-cone", SW_NAT_CONE}, {"restricted", SW_NAT_RESTRICTED},
		{"port-restricted", SW_NAT_RESTRICTED}, {"symmetric-random", SW_NAT_SYMMETRIC},
		{"none", SW_NAT_NONE},
	};
	uint32_t c[5];

	w->cone_phase = true;
	for (int i = 0; i < 5; i++) {
		struct scen_natkind nk = *world_kind(k[i].kind);

		nk.expect_nat = k[i].nat;
		c[i] = world_client(w, k[i].kind, world_nat_chain(w, &nk, -1, SIM_NONE), &nk,
				    100 + 100 * i);
	}
	for (int i = 0; i < 3; i++) {
		world_flow_to_host(w, c[i], SW_SEC(60), MIN_MS(5), SIM_EXPECT_DELIVER);
		world_flow(w, c[i], c[(i + 1) % 3], SW_SEC(16), SW_SEC(3), 95, SW_SEC(60),
			   SIM_EXPECT_DELIVER);
	}
}

/* two homes behind one CGN reach each other only through the CGN's hairpinning */
static void cgn_pair(struct world *w, int hairpin)
{
	struct scen_natkind k = *world_kind("cgn-cone");
	uint32_t ra, rb, a, b, cgn;

	k.cgn.hairpin = (uint8_t)hairpin;
	ra = world_nat_chain(w, &k, -1, SIM_NONE);
	cgn = w->s.realms[sim_node(&w->s, w->s.realms[ra].nat)->realm].nat; /* ra's CGN */
	rb = world_nat_chain(w, &k, -1, cgn);
	a = world_client(w, "clientA", ra, &k, 100);
	b = world_client(w, "clientB", rb, &k, 200);
	world_flow(w, a, b, SW_SEC(15), SW_SEC(3), 95, SW_SEC(60),
		   hairpin ? SIM_EXPECT_DELIVER : SIM_EXPECT_NEVER);
	world_flow_to_host(w, b, SW_SEC(60), MIN_MS(5), SIM_EXPECT_DELIVER);
}

static void build_cgn_hairpin(struct world *w)
{
	cgn_pair(w, 1);
}

static void build_cgn_no_hairpin(struct world *w)
{
	cgn_pair(w, 0);
}

/* clients of two different servers: indirect bubbles go to the peer's own server */
static void build_two_servers(struct world *w)
{
	const struct scen_natkind *k = world_kind("port-restricted");
	uint32_t s2 = 0xc000020b; /* 192.0.2.11, secondary .12 */
	struct sim_client_opts o = {.server = s2, .start = 300, .expect_nat = k->expect_nat};
	uint32_t a, b;

	sim_add_server(&w->s, "server2", s2, s2 + 1, &w->infra_link, NULL, NULL, false, false);
	a = world_client(w, "clientA", world_nat_chain(w, k, -1, SIM_NONE), k, 100);
	b = sim_add_client(&w->s, "clientB", world_nat_chain(w, k, -1, SIM_NONE), 0xc0a80102,
			   &w->client_link, &o);
	world_flow(w, a, b, SW_SEC(15), SW_SEC(3), 95, SW_SEC(60), SIM_EXPECT_DELIVER);
	world_flow(w, b, a, SW_SEC(16), SW_SEC(3), 95, SW_SEC(60), SIM_EXPECT_DELIVER);
	world_flow_to_host(w, b, SW_SEC(60), MIN_MS(5), SIM_EXPECT_DELIVER);
	if (w->have_relay)
		world_flow(w, w->host[0], b, SW_SEC(17), SW_SEC(3), 95, SW_SEC(60),
			   SIM_EXPECT_DELIVER);
}

/* local discovery: two clients behind one NAT that does not hairpin find each other on
 * their link; a third, elsewhere, is reached the usual way */
static void build_local(struct world *w)
{
	const struct scen_natkind *k = world_kind("port-restricted");
	struct sim_client_opts o = {.server = w->server_ip, .start = 100,
				    .expect_nat = k->expect_nat, .local_discovery = true};
	uint32_t shared = world_nat_chain(w, k, 0, SIM_NONE), c[3];

	c[0] = sim_add_client(&w->s, "clientA", shared, 0xc0a80102, &w->client_link, &o);
	o.start = 200;
	c[1] = sim_add_client(&w->s, "clientA2", shared, 0xc0a80103, &w->client_link, &o);
	o.start = 300;
	c[2] = sim_add_client(&w->s, "clientB", world_nat_chain(w, k, -1, SIM_NONE), 0xc0a80102,
			      &w->client_link, &o);
	/* before discovery the two behind the shared NAT use up their 4 bubbles per 300 s
	 * (RFC 4380 §5.2.6) on the hairpin path: local bubbles may wait up to two windows */
	for (int i = 0; i < 3; i++) {
		world_flow(w, c[i], c[(i + 1) % 3], SW_SEC(15 + i), SW_SEC(3), 290, SW_SEC(660),
			   SIM_EXPECT_DELIVER);
		world_flow_to_host(w, c[i], SW_SEC(60), MIN_MS(15), SIM_EXPECT_DELIVER);
	}
}

/* the primary address is dark only while the clients start: they fall over to the
 * secondary; once the primary is back, peers' indirect bubbles (which go to the primary
 * embedded in the address) must still reach them through their NATs */
static void build_failover_back(struct world *w)
{
	const char *kinds[] = {"port-restricted", "restricted", "full-cone"};

	for (int i = 0; i < 3; i++) {
		const struct scen_natkind *k = world_kind(kinds[i]);
		uint32_t c = world_client(w, kinds[i], world_nat_chain(w, k, -1, SIM_NONE), k,
					  100 + 100 * i);

		if (w->have_relay) /* from the IPv6 side: indirect bubbles through the primary */
			world_flow(w, w->host[0], c, MIN_MS(5), SW_SEC(20), 30, MIN_MS(5),
				   SIM_EXPECT_DELIVER);
	}
	world_at(w, 0, SIM_ACT_BLACKHOLE_ON, SIM_NONE, w->server_ip);
	world_at(w, SW_SEC(20), SIM_ACT_BLACKHOLE_OFF, SIM_NONE, w->server_ip);
}

/* SEC-6: sixteen clients for a relay table of eight, and a client table of four for eight
 * peers. Trusted, active peers are never evicted for newcomers: the first to get in keep
 * working instead of everybody thrashing. */
static void build_tables_full(struct world *w)
{
	const struct scen_natkind *k = world_kind("restricted");
	uint32_t c[16];

	w->max_peers = 4;
	for (int i = 0; i < 16; i++) {
		c[i] = world_client(w, "client", world_nat_chain(w, k, -1, SIM_NONE), k,
				    100 + 1000 * i);
		world_flow_to_host(w, c[i], MIN_MS(2), MIN_MS(5), SIM_EXPECT_ANY);
	}
	for (int i = 1; i < 9; i++) /* client 0 pings eight peers */
		world_flow(w, c[0], c[i], SW_SEC(20 + i), SW_SEC(3), 90, MIN_MS(2),
			   SIM_EXPECT_ANY);
}

/* flows of src that got at least 90 % of their pings answered after warm-up */
static unsigned good_flows(struct world *w, uint32_t src, bool to_host)
{
	unsigned good = 0;

	for (uint32_t i = 0; i < w->s.n_flows; i++) {
		const struct sim_flow *f = &w->s.flows[i];

		if ((src != SIM_NONE && f->src != src) || (f->dst == w->host[0]) != to_host)
			continue;
		if (f->sent_warm && f->answered_warm * 10 >= f->sent_warm * 9)
			good++;
	}
	return good;
}

static void post_tables_full(struct world *w)
{
	unsigned via_relay = good_flows(w, SIM_NONE, true);
	unsigned peers = good_flows(w, w->s.flows[0].src, false);

	if (w->have_relay && via_relay < 7)
		sim_fail(&w->s, "a relay table of 8 served %u clients well, not 7 or more",
			 via_relay);
	if (peers < 3)
		sim_fail(&w->s, "a client table of 4 served %u peers well, not 3 or more", peers);
	post_qualified(w);
}

#ifdef SIM_HAVE_RELAY
/* a relay behind a port-restricted NAT (RelayType restricted): its direct bubbles open its
 * own NAT to the client while the indirect one reaches the client through its server */
static void build_natted_relay(struct world *w)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x88, [15] = 1};
	static const uint8_t hv6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x89, [15] = 1};
	const struct scen_natkind *k = world_kind("port-restricted");
	struct sim_relay_opts ro = {3545, v6, 64, 16, false, true, 0};
	const char *kinds[] = {"port-restricted", "restricted", "full-cone"};
	uint32_t relay, host;

	ro.realm = world_nat_chain(w, k, -1, SIM_NONE);
	relay = sim_add_relay(&w->s, "natted-relay", 0xc0a80102, &w->infra_link, &ro);
	host = sim_add_v6host(&w->s, "host-behind", hv6, relay, &w->infra_link);
	for (int i = 0; i < 3; i++) {
		const struct scen_natkind *ck = world_kind(kinds[i]);
		uint32_t c = world_client(w, kinds[i], world_nat_chain(w, ck, -1, SIM_NONE), ck,
					  100 + 100 * i);

		world_flow(w, c, host, SW_SEC(15 + i), SW_SEC(3), 95, SW_SEC(60),
			   SIM_EXPECT_DELIVER);
		world_flow(w, host, c, SW_SEC(16 + i), SW_SEC(3), 95, SW_SEC(60),
			   SIM_EXPECT_DELIVER);
	}
}
#endif

const struct scen_named scen_named[] = {
#ifdef SIM_HAVE_RELAY
	{"natted-relay", "a relay behind a port-restricted NAT, with direct bubbles", 10000,
	 MIN_MS(5), 0, build_natted_relay, NULL},
#endif
	{"tables-full", "more peers than table slots: the first in keep working (SEC-6)", 0,
	 MIN_MS(5), WORLD_SMALL_RELAY, build_tables_full, post_tables_full},
	{"failover-back", "the primary is dark only at start: clients stay reachable after",
	 0, MIN_MS(15), 0, build_failover_back, post_qualified},
	{"local-discovery", "local discovery: clients behind one non-hairpinning NAT meet",
	 10000, MIN_MS(15), 0, build_local, NULL},
	{"cgn-hairpin", "two homes behind one CGN that hairpins reach each other", 10000,
	 MIN_MS(5), 0, build_cgn_hairpin, NULL},
	{"cgn-no-hairpin", "... and never when the CGN does not hairpin", 10000, MIN_MS(5), 0,
	 build_cgn_no_hairpin, NULL},
	{"two-servers", "clients of two servers reach each other and the IPv6 side", 10000,
	 MIN_MS(5), 0, build_two_servers, NULL},
	{"cone-phase", "RFC 4380 cone test on: NAT types found, C=1 addresses still reached",
	 10000, MIN_MS(5), 0, build_cone_phase, NULL},
	{"sparse", "pings ten minutes apart, NATs rebooting in between", 0, MIN_MS(60), 0,
	 build_sparse, NULL},
	{"garbage", "damaged and random datagrams at every engine: traffic still flows", 10000,
	 MIN_MS(5), 0, build_garbage, NULL},
	{"flood", "1000 RS/s from one source: the server keeps answering clients", 10000,
	 MIN_MS(5), WORLD_RATELIMIT, build_flood, post_flood},
	{"nat-renumber", "the NAT's public address changes: the address follows", 10000,
	 MIN_MS(5), 0, build_renumber, post_one_change},
	{"chaos", "10 % loss, duplicates, heavy reordering: invariants hold, clients qualify",
	 0, MIN_MS(10), 0, build_chaos, post_chaos},
	{"restart", "the relay and a client restart mid-flow", 10000, MIN_MS(10), 0,
	 build_restart, NULL},
	{"server-relay", "no relay: the server relays for its clients (RFC 4380 5.4.3)", 10000,
	 MIN_MS(10), WORLD_SERVER_RELAY, build_restart, NULL},
	{"primary-down", "the primary server address goes dark: failover keeps clients up",
	 10000, MIN_MS(10), 0, build_primary_down, post_qualified},
	{"same-port", "four clients on one port behind one hairpinning NAT", 10000, MIN_MS(5),
	 0, build_same_port, NULL},
#ifdef SIM_HAVE_RELAY
	{"host-relay", "a host-specific relay talks to clients directly", 10000, MIN_MS(5), 0,
	 build_host_relay, post_host_relay},
#endif
	{"reboot", "NAT reboots twice: the address follows the new mapping", 10000, MIN_MS(10),
	 0, build_reboot, post_reboot},
	{"mapping-timeout", "NAT timeout 20 s < refresh 30 s: mappings are lost and replaced",
	 0, MIN_MS(5), 0, build_timeout, post_timeout},
	{"mapping-timeout-refresh15", "same NAT, refresh 15 s: the address stays", 0, MIN_MS(5),
	 0, build_timeout_short, post_stable},
	{"server-outage", "server unreachable 60-200 s: off-line, then requalified", 10000,
	 MIN_MS(10), 0, build_outage, post_qualified},
	{"spoof", "forged native and Teredo sources never become trusted", 10000, MIN_MS(5),
	 0, build_spoof, NULL},
	{"bogus", "destinations embedding non-global IPv4s are never sent to", 0, MIN_MS(5),
	 0, build_bogus, NULL},
	{"secure", "secure qualification: the right key qualifies, a wrong one never", 10000,
	 MIN_MS(5), WORLD_SECURE, build_secure, post_secure},
	{"crowd", "120 clients of every NAT kind at 1 % loss", 10000, MIN_MS(20), 0,
	 build_crowd, post_qualified},
};
const size_t scen_n_named = sizeof(scen_named) / sizeof(scen_named[0]);
