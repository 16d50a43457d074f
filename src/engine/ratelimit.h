/*
 * ratelimit: per-key token buckets (e.g. per source IPv4) in a fixed-size, set-associative
 * table hashed with a random key, so an attacker cannot aim collisions. Allocates once at
 * init; never allocates per packet, never does I/O, never reads a clock (time is given).
 * A key that is not in the table gets a fresh full bucket, replacing the least recently
 * seen entry of its set: a flood from many keys costs evictions (counted), never memory.
 */
#ifndef SW_ENGINE_RATELIMIT_H
#define SW_ENGINE_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/io.h"
#include "engine/siphash.h"

#define SW_RL_WAYS 4 /* entries per hash set */

struct sw_rl_entry {
	uint64_t key;
	sw_time last;    /* last refill */
	uint32_t tokens; /* in thousandths of a packet */
	uint32_t used;   /* 0 = empty slot */
};

struct sw_ratelimit_stats {
	uint64_t allowed, limited, inserted, evicted;
};

struct sw_ratelimit {
	struct sw_rl_entry *e; /* nsets * SW_RL_WAYS entries */
	size_t nsets;          /* a power of two */
	uint32_t rate;         /* packets per second refilled; 0 = unlimited */
	uint32_t burst;        /* bucket size in packets */
	struct sw_sipkey key;  /* SipHash key */
	struct sw_ratelimit_stats stats;
};

/* Table of at least `entries` entries (rounded up to a power-of-two number of sets).
 * rate 0 disables limiting (every call allows; nothing is allocated). key: 16 random
 * bytes. Returns 0, -EINVAL or -ENOMEM. */
int sw_ratelimit_init(struct sw_ratelimit *rl, size_t entries, uint32_t rate, uint32_t burst,
		      const uint8_t key[16]);
void sw_ratelimit_free(struct sw_ratelimit *rl);
/* Take one token from key's bucket at time now. True when the packet may pass. */
bool sw_ratelimit_allow(struct sw_ratelimit *rl, uint64_t key, sw_time now);

#endif
