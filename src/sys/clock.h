/*
 * clock: the daemon's monotonic millisecond clock, the time base handed to engines.
 * Never the wall clock; never fails.
 */
#ifndef SW_SYS_CLOCK_H
#define SW_SYS_CLOCK_H

#include "engine/io.h"

/* CLOCK_MONOTONIC in milliseconds. */
sw_time sw_clock_now(void);

#endif
