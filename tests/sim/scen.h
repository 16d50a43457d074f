/*
 * scen: the scenarios — NAT kinds as data, the matrix (client NAT × peer NAT × loss,
 * hairpinning, each run checking delivery from client to IPv6 host, IPv6 host to client
 * and client to client), named fault scenarios, and the long population run. Each run
 * has its own seed, printed with any failure and replayable with --seed/--scenario.
 */
#ifndef SIM_SCEN_H
#define SIM_SCEN_H

#include <stdbool.h>
#include <stdint.h>

struct scen_opts {
	uint64_t seed;
	const char *only; /* run only scenarios whose name starts so (NULL: all) */
	const char *skip; /* ... and not those whose name starts so */
	bool list;        /* print the names only */
	bool long_run;
	uint32_t clients; /* long run population */
	uint32_t hours;   /* long run virtual hours */
	int verbose;
	const char *trace; /* print the datagrams of this node */
};

/* Runs what opts selects; returns the number of runs that failed (-1: nothing matched). */
int scen_main(const struct scen_opts *o);
/* The long run (o->clients, o->hours): 0 when every check held. */
int scen_long(const struct scen_opts *o);

#endif
