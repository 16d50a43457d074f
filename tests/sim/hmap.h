/*
 * hmap: an open-addressing hash map from a 128-bit key to a 32-bit value, for the
 * simulator's address and NAT tables. Linear probing with backward-shift deletion (no
 * tombstones); grows at 50 % load. Not keyed: simulator input is not adversarial.
 */
#ifndef SIM_HMAP_H
#define SIM_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim_key {
	uint64_t a, b;
};

struct sim_hmap {
	struct sim_key *keys;
	uint32_t *vals; /* 0 = empty slot; stored values are never 0 */
	size_t cap, n;
};

int sim_hmap_init(struct sim_hmap *m, size_t cap);
void sim_hmap_free(struct sim_hmap *m);
void sim_hmap_clear(struct sim_hmap *m);
/* The value for k, or 0. */
uint32_t sim_hmap_get(const struct sim_hmap *m, struct sim_key k);
/* Insert or replace (v != 0). 0 or -ENOMEM. */
int sim_hmap_put(struct sim_hmap *m, struct sim_key k, uint32_t v);
/* Remove k if present; true if it was. */
bool sim_hmap_del(struct sim_hmap *m, struct sim_key k);

#endif
