/*
 * nat: a NAT box as RFC 4787 describes its behaviours — mapping and filtering each
 * endpoint-independent, address-dependent or address-and-port-dependent; port
 * preservation; sequential or random port allocation; idle mapping timeouts; reboot.
 * Translates endpoints only; routing and hairpin forwarding are the network's job.
 */
#ifndef SIM_NAT_H
#define SIM_NAT_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/io.h"
#include "hmap.h"

struct sim_rng;

enum sim_nat_dep {
	SIM_DEP_EI = 0,  /* endpoint-independent */
	SIM_DEP_AD = 1,  /* address-dependent */
	SIM_DEP_APD = 2, /* address-and-port-dependent */
};

enum sim_nat_alloc {
	SIM_ALLOC_SEQ = 0,
	SIM_ALLOC_RANDOM = 1,
};

struct sim_nat_cfg {
	uint8_t mapping, filtering; /* enum sim_nat_dep; filtering at least as strict */
	uint8_t port_preserve;      /* keep the internal port when it is free */
	uint8_t alloc;              /* enum sim_nat_alloc, when not preserved */
	uint8_t hairpin;
	uint8_t inbound_refresh;    /* inbound packets also keep a mapping alive */
	uint32_t timeout_ms;        /* idle mapping (and permission) lifetime */
};

#define SIM_NAT_PERMS 16

struct sim_nat_perm {
	uint32_t ip;
	uint16_t port;
	sw_time last;
};

struct sim_nat_map {
	struct sw_endpoint in, dkey;
	uint16_t ext_port;
	uint8_t n_perm;
	sw_time last;
	uint32_t next_free;
	struct sim_nat_perm perm[SIM_NAT_PERMS];
};

#define SIM_NAT_COUNTERS(X)                                                 \
	X(created, "mappings created")                                      \
	X(expired, "mappings expired idle")                                 \
	X(translated_out, "datagrams translated outbound")                  \
	X(translated_in, "datagrams translated inbound")                    \
	X(no_mapping, "inbound datagrams without a mapping")                \
	X(filtered, "inbound datagrams refused by the filtering behaviour") \
	X(port_exhausted, "outbound datagrams without a free port")         \
	X(perm_evicted, "filter permissions evicted (table bound)")         \
	X(reboots, "reboots (every mapping dropped)")

struct sim_nat_stats {
#define SIM_X(n, h) uint64_t n;
	SIM_NAT_COUNTERS(SIM_X)
#undef SIM_X
};

struct sim_nat {
	struct sim_nat_cfg cfg;
	uint32_t ext_ip;
	struct sim_nat_map *maps;
	uint32_t n_maps, cap_maps, free_head, live;
	struct sim_hmap out, in;
	uint16_t next_port;
	struct sim_nat_stats st;
};

int sim_nat_init(struct sim_nat *n, const struct sim_nat_cfg *cfg, uint32_t ext_ip,
		 struct sim_rng *r);
void sim_nat_free(struct sim_nat *n);
/* Outbound src → dst: finds or creates the mapping, records the filter permission and
 * writes the external endpoint. 0, or -EAGAIN when no port is free. */
int sim_nat_out(struct sim_nat *n, struct sim_rng *r, sw_time now, struct sw_endpoint src,
		struct sw_endpoint dst, struct sw_endpoint *ext);
/* Inbound from → ext_port: 0 with the internal endpoint, -ENOENT (no mapping) or -EPERM
 * (refused by filtering). */
int sim_nat_in(struct sim_nat *n, sw_time now, uint16_t ext_port, struct sw_endpoint from,
	       struct sw_endpoint *in);
/* The live mapping src would use towards dst, without creating or refreshing it. */
bool sim_nat_peek(struct sim_nat *n, sw_time now, struct sw_endpoint src,
		  struct sw_endpoint dst, struct sw_endpoint *ext);
void sim_nat_reboot(struct sim_nat *n, struct sim_rng *r);
/* Drops every mapping idle for the timeout. */
void sim_nat_sweep(struct sim_nat *n, sw_time now);
/* "full cone", "symmetric/random", ...: a short name for reports. */
const char *sim_nat_kind(const struct sim_nat_cfg *cfg);

#endif
