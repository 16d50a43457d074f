/*
 * metrics: the `shipworm metrics` verb — the daemon's counters in the Prometheus text
 * exposition format, for a node exporter's textfile collector or a scrape wrapper.
 */
#ifndef SW_CLI_METRICS_H
#define SW_CLI_METRICS_H

#include <stdio.h>

#include "jread.h"

/* argv[0] is the verb. Returns the exit status (0 ok, 1 failure, 2 usage). */
int sw_metrics_main(int argc, char *argv[]);
void sw_metrics_usage(FILE *f);
/* Write the metrics of a parsed "metrics" reply (root object) to f; instance may be NULL. */
void sw_metrics_print(FILE *f, const struct sw_jread *r, const struct sw_jread_node *root,
		      const char *instance);

#endif
