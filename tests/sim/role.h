/*
 * role: hosts that run the real engines unchanged through engine/io.h — a Teredo server
 * (two IPv4 addresses), clients, relays — plus IPv6-only hosts that answer echo requests
 * and probes that send forged datagrams. Each adds a node and returns its index.
 */
#ifndef SIM_ROLE_H
#define SIM_ROLE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/io.h"

struct sim;
struct sim_link;

struct sim_client_opts {
	uint32_t server;     /* primary server address */
	uint16_t port;       /* service port; 0 = random */
	sw_time start;       /* when qualification begins */
	uint32_t refresh_ms; /* 0 = engine default (30 s) */
	uint32_t max_peers;  /* 0 = engine default */
	uint32_t pool_bufs;  /* 0 = engine default */
	uint8_t expect_nat;  /* enum sw_client_nat the NAT chain should be found to be; 0: any */
	bool cone_phase;     /* RFC 4380's cone test first (RFC 5991 skips it) */
	bool local_discovery; /* RFC 4380 §5.2.8 on the client's link (/24) */
	const uint8_t *id, *key; /* secure qualification (NUL-terminated id and key) */
};

#ifdef SIM_HAVE_SERVER
/* id/key: secure qualification (NULL: none); relay: combined server+relay (§5.4.3). */
/* ratelimit: keep the engine's default per-source limit (else off: one simulated server
 * serves a whole population, and the limit is per source address). */
uint32_t sim_add_server(struct sim *s, const char *name, uint32_t ip1, uint32_t ip2,
			const struct sim_link *l, const char *id, const char *key, bool relay,
			bool ratelimit);
#endif
#ifdef SIM_HAVE_CLIENT
uint32_t sim_add_client(struct sim *s, const char *name, uint32_t realm, uint32_t ip,
			const struct sim_link *l, const struct sim_client_opts *o);
/* The client engine's idea of its NAT and state (reports). */
void sim_client_status(struct sim *s, uint32_t node, uint8_t *state, uint8_t *nat,
		       uint8_t *expect_nat);
/* Did the client ever configure an address? */
bool sim_client_ever_qualified(struct sim *s, uint32_t node);
#endif
#ifdef SIM_HAVE_RELAY
struct sim_relay_opts {
	uint16_t port;
	const uint8_t *v6;   /* its address on the IPv6 internet (16 bytes) */
	uint32_t max_peers;  /* 0 = engine default */
	uint32_t bufs;       /* queue pool; 0 = engine default */
	bool host;           /* a host-specific relay on a dual-stack host with address v6 */
	bool direct_bubbles; /* also bubble the client's mapping (a relay behind a NAT) */
	uint32_t realm;      /* where its IPv4 address lives (SIM_INTERNET = 0 by default) */
};
uint32_t sim_add_relay(struct sim *s, const char *name, uint32_t ip, const struct sim_link *l,
		       const struct sim_relay_opts *o);
#endif
uint32_t sim_add_v6host(struct sim *s, const char *name, const uint8_t v6[16], uint32_t relay,
			const struct sim_link *l);
uint32_t sim_add_probe(struct sim *s, const char *name, uint32_t ip, const struct sim_link *l);

#endif
