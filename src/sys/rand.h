/*
 * rand: the kernel's randomness (getrandom) behind the engines' struct sw_rand. Never
 * returns short: it retries on EINTR and aborts when the kernel cannot give randomness
 * at all (there is no safe way on).
 */
#ifndef SW_SYS_RAND_H
#define SW_SYS_RAND_H

#include <stddef.h>

#include "engine/io.h"

/* getrandom(2)-backed source; ctx is unused. */
extern const struct sw_rand sw_sysrand;
void sw_sysrand_fill(void *ctx, void *buf, size_t len);

#endif
