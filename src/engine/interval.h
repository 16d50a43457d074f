/*
 * interval: the refresh-interval determination of RFC 4380 §5.2.7 as a pure progression
 * (maximum, candidate, interval; statement 59) with the stop rule of requirements §11
 * item 17. It only decides which idle time to try next; never sends or times anything.
 */
#ifndef SW_ENGINE_INTERVAL_H
#define SW_ENGINE_INTERVAL_H

#include <stdbool.h>
#include <stdint.h>

#define SW_INTERVAL_DEFAULT_MS 30000u  /* used until (and unless) a probe succeeds */
#define SW_INTERVAL_FIRST_MS 60000u    /* first candidate */
#define SW_INTERVAL_MAX_MS 120000u     /* first maximum */
#define SW_INTERVAL_STOP_MS 5000u      /* §11.17: stop when candidate - interval < this */

struct sw_interval {
	uint32_t interval;  /* the longest idle time known to keep the mapping (ms) */
	uint32_t candidate; /* the idle time to probe next (ms) */
	uint32_t max;       /* the shortest idle time known to lose it, or 120 s */
	bool done;
	uint8_t probes;     /* candidates tried */
};

/* After the secondary port qualified: interval 30 s, candidate 60 s, maximum 120 s. */
void sw_interval_start(struct sw_interval *iv);
/* The bubble sent after `candidate` of idle time arrived (ok) or not. Returns done: then
 * `interval` is the result. Calls after done change nothing. */
bool sw_interval_result(struct sw_interval *iv, bool ok);

#endif
