/*
 * addrcmd: the `shipworm addr` verb — decode a Teredo address or build one. Offline: uses
 * wire/addr only, never the control socket.
 */
#ifndef SW_CLI_ADDRCMD_H
#define SW_CLI_ADDRCMD_H

#include <stdio.h>

/* argv[0] is the verb. Returns the exit status (0 ok, 1 bad address, 2 usage). */
int sw_addrcmd_main(int argc, char *argv[]);
void sw_addrcmd_usage(FILE *f);

#endif
