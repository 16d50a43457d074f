/*
 * selftest: the simulator tests itself — NAT behaviours against RFC 4787's definitions,
 * the hash map and event queue against reference models, every invariant check made to
 * fire on a planted violation, and replay determinism. Prints each failing case.
 */
#ifndef SIM_SELFTEST_H
#define SIM_SELFTEST_H

#include <stdint.h>

/* 0 when every self-test passes, else the number of failures. */
int sim_selftest(uint64_t seed);

#endif
