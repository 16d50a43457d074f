/*
 * link: a node's access link — one-way delay, jitter, loss, duplication and reordering,
 * drawn from the simulator's seeded generator. Decides only when copies of a packet
 * arrive; never touches the packet.
 */
#ifndef SIM_LINK_H
#define SIM_LINK_H

#include <stdint.h>

#include "engine/io.h"

struct sim_rng;

struct sim_link {
	uint32_t delay_ms;
	uint32_t jitter_ms;   /* uniform extra delay in [0, jitter] */
	uint32_t loss_ppm;    /* per traversal, parts per million */
	uint32_t dup_ppm;     /* a second copy */
	uint32_t reorder_ppm; /* held back by reorder_ms so later packets overtake it */
	uint32_t reorder_ms;
	uint8_t down;         /* 1: everything is lost (a fault) */
};

struct sim_link_stats {
	uint64_t sent, lost, duplicated, reordered;
};

/* Up to 2 arrival delays into out[]; returns how many copies arrive (0 = lost). */
int sim_link_pass(const struct sim_link *l, struct sim_rng *r, struct sim_link_stats *st,
		  sw_time out[2]);

#endif
