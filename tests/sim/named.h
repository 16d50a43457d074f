/*
 * named: the named scenarios — faults over time (reboots, renumbering, outages, restarts,
 * floods, forgeries, noise) and special set-ups (secure qualification, host-specific relay,
 * two servers, CGN hairpinning), each with its own checks after the run. Data only.
 */
#ifndef SIM_NAMED_H
#define SIM_NAMED_H

#include <stddef.h>
#include <stdint.h>

#include "engine/io.h"

struct world;

struct scen_named {
	const char *name;
	const char *what;
	uint32_t loss_ppm; /* on client access links */
	sw_time duration;
	unsigned flags; /* WORLD_* */
	void (*build)(struct world *w);
	void (*post)(struct world *w); /* checks after the run, may be NULL */
};

extern const struct scen_named scen_named[];
extern const size_t scen_n_named;

#endif
