/*
 * pool: the simulator's packets in flight, fixed-size slots in slabs that are allocated
 * as the number of packets in flight grows and reused through a free list; never freed
 * before the end of a run, never allocated per packet once warm.
 */
#ifndef SIM_POOL_H
#define SIM_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "wire/addr.h"

#define SIM_PKT_MAX 2048
#define SIM_SLAB 1024

struct sim_pkt {
	uint32_t next_free;
	uint16_t len;
	uint8_t v6;  /* 1: a bare IPv6 packet on the IPv6 internet; 0: a UDP/IPv4 datagram */
	uint8_t ttl;
	struct sw_endpoint src, dst;
	uint8_t data[SIM_PKT_MAX];
};

struct sim_pool {
	struct sim_pkt **slabs;
	size_t nslabs;
	uint32_t free_head; /* index + 1 */
	uint64_t in_use, max_in_use;
};

void sim_pool_init(struct sim_pool *p);
void sim_pool_free(struct sim_pool *p);
/* A free slot's index, or UINT32_MAX when out of memory. */
uint32_t sim_pool_get(struct sim_pool *p);
struct sim_pkt *sim_pool_at(const struct sim_pool *p, uint32_t idx);
void sim_pool_put(struct sim_pool *p, uint32_t idx);

#endif
