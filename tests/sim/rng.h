/*
 * rng: the simulator's seeded pseudo-random generator (xoshiro256**, seeded through
 * splitmix64) and its struct sw_rand adapter for the engines. Deterministic for a seed;
 * never reads the clock or the system's entropy.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stddef.h>
#include <stdint.h>

struct sw_rand;

struct sim_rng {
	uint64_t s[4];
};

void sim_rng_seed(struct sim_rng *r, uint64_t seed);
uint64_t sim_rng_next(struct sim_rng *r);
/* Uniform in [0, n) (n > 0); a 64-bit multiply-shift, bias below 2^-32 for our n. */
uint64_t sim_rng_below(struct sim_rng *r, uint64_t n);
/* True with probability ppm / 1e6. */
int sim_rng_ppm(struct sim_rng *r, uint32_t ppm);
/* Fill buf; the fill callback of struct sw_rand with ctx = struct sim_rng *. */
void sim_rng_fill(void *ctx, void *buf, size_t len);
/* A struct sw_rand drawing from r. */
void sim_rng_bind(struct sim_rng *r, struct sw_rand *out);

#endif
