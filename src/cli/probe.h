/*
 * probe: the `shipworm probe` verb — one qualification round against a Teredo server,
 * run by the client engine itself over one plain UDP socket, to show what the server sees
 * of this host and which NAT it is behind. Needs no daemon, tunnel or privilege; never
 * qualifies by its own logic (the engine decides) and never configures an address.
 */
#ifndef SW_CLI_PROBE_H
#define SW_CLI_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "wire/addr.h"

/* Exit statuses. */
#define SW_PROBE_OK 0	     /* qualified */
#define SW_PROBE_FAILED 1    /* no answer, timed out, or a system error */
#define SW_PROBE_USAGE 2     /* bad arguments */
#define SW_PROBE_SYMMETRIC 3 /* symmetric NAT: Teredo cannot work here */

/* What one round found (filled by the probe, printed by sw_probe_print). */
struct sw_probe_result {
	uint32_t server, server2; /* host order */
	struct sw_endpoint local; /* this host's address and port towards the server */
	uint8_t state;		  /* enum sw_client_state at the end */
	uint8_t nat;		  /* enum sw_client_nat */
	bool cone_test;		  /* the cone phase was on */
	bool timed_out;		  /* --timeout ended it before the engine did */
	bool secondary;		  /* the primary address never answered: failed over */
	bool have_addr, have_mapped;
	bool cone;		   /* the address's cone flag */
	uint8_t addr[16];	   /* the Teredo address the client would get */
	struct sw_endpoint mapped; /* the mapping the server saw */
	uint64_t elapsed_ms;	   /* from the first RS to the end of the round */
	uint64_t rs_sent, ra_received;
};

/* argv[0] is the verb. Returns one of the exit statuses above. */
int sw_probe_main(int argc, char *argv[]);
void sw_probe_usage(FILE *f);

/* Pure pieces, for tests: the exit status and the report (human or one JSON line). */
int sw_probe_status(const struct sw_probe_result *r);
void sw_probe_print(FILE *f, const struct sw_probe_result *r, bool json);

#endif
