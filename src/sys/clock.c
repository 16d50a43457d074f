/* clock: CLOCK_MONOTONIC in ms (see clock.h). */
#include <time.h>

#include "sys/clock.h"

sw_time sw_clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (sw_time)ts.tv_sec * 1000u + (sw_time)ts.tv_nsec / 1000000u;
}
