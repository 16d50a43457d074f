/*
 * run: what every simulation run shares — its seed derived from the --seed value and the
 * scenario's name (so one name replays alone), the node to trace, totals over runs and the
 * wall clock for reports. The simulated world never reads the wall clock.
 */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include <stdint.h>

#include "sim.h"

struct scen_totals {
	unsigned runs, failed;
	struct sim_stats st;
	uint64_t events;
	sw_time lag_max;
};

uint64_t scen_seed(uint64_t base, const char *name);
/* Trace the node called name (NULL: none). */
void scen_trace(struct sim *s, const char *name);
void scen_totals_add(struct scen_totals *t, const struct sim *s);
void scen_totals_print(const struct scen_totals *t, double wall);
/* NAT mappings made in the whole world. */
uint64_t scen_nat_created(const struct sim *s);
/* Seconds on the monotonic clock (reports only). */
double scen_wall(void);

#endif
