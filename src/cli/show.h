/*
 * show: the `shipworm status` and `shipworm peers` verbs — ask the daemon over the control
 * socket and render its JSON for people (or pass it through with --json). Renders whatever
 * members arrive; never assumes one is present.
 */
#ifndef SW_CLI_SHOW_H
#define SW_CLI_SHOW_H

#include <stdio.h>

/* argv[0] is the verb. Return the exit status (0 ok, 1 failure, 2 usage). */
int sw_show_status_main(int argc, char *argv[]);
int sw_show_peers_main(int argc, char *argv[]);
void sw_show_status_usage(FILE *f);
void sw_show_peers_usage(FILE *f);

#endif
