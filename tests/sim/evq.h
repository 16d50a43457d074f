/*
 * evq: the simulator's virtual clock and event queue, a binary min-heap ordered by
 * (time, insertion sequence) so that equal times run in a reproducible order. Grows by
 * doubling; never allocates per event once warm.
 */
#ifndef SIM_EVQ_H
#define SIM_EVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/io.h"

enum sim_ev_kind {
	SIM_EV_PKT = 1,   /* a packet (arg) arrives at node (side: SIM_SIDE_*) */
	SIM_EV_TIMER,     /* an engine timer of node; stale unless at == node's timer_at */
	SIM_EV_ACTION,    /* scenario action arg */
	SIM_EV_FLOW,      /* traffic flow arg sends its next packet */
	SIM_EV_CHECK,     /* periodic invariant sweep */
	SIM_EV_SWEEP,     /* NAT node expires idle mappings */
};

struct sim_ev {
	sw_time at;
	uint64_t seq;
	uint32_t node;
	uint32_t arg;
	uint8_t kind;
	uint8_t side;
};

struct sim_evq {
	struct sim_ev *h;
	size_t n, cap;
	uint64_t seq;
	sw_time now;
	uint64_t pushed, popped, max_depth;
};

int sim_evq_init(struct sim_evq *q, size_t cap);
void sim_evq_free(struct sim_evq *q);
/* Schedules ev at ev->at (never before now). 0 or -ENOMEM. */
int sim_evq_push(struct sim_evq *q, struct sim_ev ev);
/* Pops the earliest event into *ev and advances now; false when empty. */
bool sim_evq_pop(struct sim_evq *q, struct sim_ev *ev);
/* Time of the earliest event, or SW_TIME_NEVER. */
sw_time sim_evq_peek(const struct sim_evq *q);

#endif
