/*
 * bucket: a token bucket, the rate limit of RFC 4443 §2.4 (f) and of echo tests and
 * bubbles answered on behalf of others. Time is an argument; no clock, no allocation.
 */
#ifndef SW_ENGINE_BUCKET_H
#define SW_ENGINE_BUCKET_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/io.h"

/* Fill it with designated initializers, tokens = burst to start full. */
struct sw_bucket {
	uint32_t tokens, burst, per_sec;
	sw_time last;
};

/* Take one token at now; false when empty. Refills per_sec tokens a second up to burst,
 * keeping the remainder of partial tokens; a clock that goes back refills nothing. */
bool sw_bucket_take(struct sw_bucket *b, sw_time now);

#endif
