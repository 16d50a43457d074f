/*
 * check: the invariants every simulation run enforces — no datagram to a non-global
 * IPv4, no trusted peer without its proof, tables and queues within bounds, qualified
 * addresses equal to the NAT's real mapping and replaced in time after it changes.
 * Reports through sim_fail; never changes engine state.
 */
#ifndef SIM_CHECK_H
#define SIM_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/io.h"

struct sim;
struct sim_node;
struct sw_peers;
struct sw_pktq_pool;

/* Every UDP output of every engine. */
void sim_check_udp_out(struct sim *s, struct sim_node *n, const struct sw_out_pkt *p);
/* The periodic sweep: every node's check hook. */
void sim_check_all(struct sim *s);
/* A peer table (client or relay): bounds, queue bounds, trust proofs. */
void sim_check_peers(struct sim *s, struct sim_node *n, struct sw_peers *t,
		     const struct sw_pktq_pool *pool);

/* A client's qualified address as the simulator watches it. */
struct sim_addr_watch {
	uint8_t addr[16];
	uint8_t last[16]; /* the previous address, kept after it is removed */
	bool had;
	bool valid;
	bool reported;
	sw_time mismatch_since; /* SW_TIME_NEVER while it matches */
};

void sim_watch_init(struct sim_addr_watch *w);
/* A new address from the engine (SW_EV_ADDR_ADD): it must embed server and the NAT's
 * current mapping of the node's socket sock towards the server. */
void sim_watch_add(struct sim *s, struct sim_node *n, struct sim_addr_watch *w, uint8_t sock,
		   uint32_t server, const uint8_t addr[16]);
void sim_watch_del(struct sim_addr_watch *w, const uint8_t addr[16]);
/* Periodic: a mismatch with the real mapping must not outlast s->addr_lag_limit. */
void sim_watch_sweep(struct sim *s, struct sim_node *n, struct sim_addr_watch *w, uint8_t sock,
		     uint32_t server);

#endif
