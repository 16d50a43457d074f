/*
 * monitor: the `shipworm monitor` verb — subscribe to a running daemon's events (state
 * changes, addresses, MTU, reloads) and print them as they come, until the daemon closes
 * the connection or the user interrupts.
 */
#ifndef SW_CLI_MONITOR_H
#define SW_CLI_MONITOR_H

#include <stdio.h>

#include "jread.h"

/* argv[0] is the verb. Returns the exit status (0 when the daemon closed, 1 failure,
 * 2 usage). */
int sw_monitor_main(int argc, char *argv[]);
void sw_monitor_usage(FILE *f);
/* One event line for people: "HH:MM:SS EVENT key=value ...", the time given. */
void sw_monitor_print(FILE *f, const struct sw_jread *r, const struct sw_jread_node *ev,
		      const char *hhmmss);

#endif
