/*
 * world: building blocks of scenarios — the fixed infrastructure (a server with two
 * addresses, a relay, IPv6-only hosts), NAT kinds as data, and clients placed behind a
 * chain of NATs of a given kind. Only builds; running and judging is scen's job.
 */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "sim.h"

struct scen_natkind {
	const char *name;
	uint8_t layers; /* 0: public address, 1: home NAT, 2: home NAT behind a CGN */
	struct sim_nat_cfg home, cgn;
	uint8_t expect_nat; /* enum sw_client_nat, 0 = not checked */
	bool deliverable;   /* RFC 4380 (with RFC 5991) gets traffic through */
};

extern const struct scen_natkind scen_kinds[];
extern const unsigned scen_n_kinds;

#define MIN_MS(m) ((sw_time)(m) * 60000u)
#define WORLD_MAX_HOSTS 8

struct world {
	struct sim s;
	uint32_t server, probe;
	uint32_t relay[WORLD_MAX_HOSTS], host[WORLD_MAX_HOSTS];
	unsigned n_relays, n_hosts;
	uint32_t server_ip;
	uint32_t next_pub, next_cgn_home;
	struct sim_link client_link, nat_link, infra_link;
	uint32_t refresh_ms, max_peers, pool_bufs; /* client engine bounds (0: defaults) */
	uint32_t relay_peers, relay_bufs;
	bool cone_phase; /* clients run RFC 4380's cone test */
	bool have_relay, have_client;
};

/* sim_init + links with loss_ppm on client access links + server, relays, hosts. */
#define WORLD_SECURE 0x1u       /* the server requires secure qualification */
#define WORLD_SERVER_RELAY 0x2u /* no relay: the server relays (RFC 4380 §5.4.3) */
#define WORLD_RATELIMIT 0x4u    /* the server keeps its default per-source rate limit */
#define WORLD_SMALL_RELAY 0x8u  /* the relay's peer table holds 8 peers */
int world_init(struct world *w, uint64_t seed, uint32_t loss_ppm, unsigned relays,
	       unsigned hosts, unsigned flags);
#define WORLD_ID "sim-client"
#define WORLD_KEY "sim-shared-secret"
uint32_t world_server2(const struct world *w);
/* The next public IPv4 for a NAT or host: 203.0.113.0/24 first, then a virtual 11/8. */
uint32_t world_pub_ip(struct world *w);
/* A NAT chain of kind k (hairpin overrides the kind's own); returns the realm clients
 * go in (SIM_INTERNET for kind "none"). cgn: reuse this CGN node instead of a new one. */
uint32_t world_nat_chain(struct world *w, const struct scen_natkind *k, int hairpin,
			 uint32_t cgn);
/* A client in realm (a private address made from the count so far, or a public one). */
uint32_t world_client(struct world *w, const char *name, uint32_t realm,
		      const struct scen_natkind *k, sw_time start);
/* An echo flow src → dst from `start`, every `every` ms, `count` pings. */
uint32_t world_flow(struct world *w, uint32_t src, uint32_t dst, sw_time start, sw_time every,
		    uint32_t count, sw_time warm, uint8_t expect);
const struct scen_natkind *world_kind(const char *name);
/* SIM_EXPECT_DELIVER when deliverable, else SIM_EXPECT_ANY. */
uint8_t world_expect(bool deliverable);
/* "clientA" behind a fresh chain of kind (its home NAT's filtering and mapping replaced by
 * tweak if given); *nat gets the home NAT node (SIM_NONE: public). */
uint32_t world_one_client(struct world *w, const char *kind, struct sim_nat_cfg *tweak,
			  uint32_t *nat);
/* Pings from client c to the first IPv6 host every 3 s from 15 s until end. */
void world_flow_to_host(struct world *w, uint32_t c, sw_time warm, sw_time end, uint8_t ex);
/* A scenario action at time t. */
void world_at(struct world *w, sw_time t, uint8_t kind, uint32_t node, uint32_t arg);

#endif
