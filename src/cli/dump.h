/*
 * dump: the `shipworm dump` verb — the daemon's state and peer table as stable,
 * tab-separated lines for scripts (columns documented in shipworm(1); "-" = not reported).
 */
#ifndef SW_CLI_DUMP_H
#define SW_CLI_DUMP_H

#include <stdio.h>

#include "jread.h"

/* argv[0] is the verb. Returns the exit status (0 ok, 1 failure, 2 usage). */
int sw_dump_main(int argc, char *argv[]);
void sw_dump_usage(FILE *f);
/* One line of the given members of obj, tab-separated. */
void sw_dump_line(FILE *f, const struct sw_jread *r, const struct sw_jread_node *obj,
		  const char *const cols[], size_t ncols);

#endif
