/* interval: refresh-interval determination progression (see interval.h). */
#include "engine/interval.h"

void sw_interval_start(struct sw_interval *iv)
{
	*iv = (struct sw_interval){.interval = SW_INTERVAL_DEFAULT_MS,
				   .candidate = SW_INTERVAL_FIRST_MS,
				   .max = SW_INTERVAL_MAX_MS};
}

/* §11.17: the RFC stops only after a failure; candidates creeping towards the maximum
 * (a NAT that never times out below it) stop once the step is under 5 s. */
static bool too_close(const struct sw_interval *iv)
{
	return iv->candidate <= iv->interval || iv->candidate - iv->interval < SW_INTERVAL_STOP_MS;
}

bool sw_interval_result(struct sw_interval *iv, bool ok)
{
	uint32_t half;

	if (iv->done)
		return true;
	iv->probes++;
	if (ok) {
		iv->interval = iv->candidate;
		half = (uint32_t)(((uint64_t)iv->interval + iv->max) / 2);
		iv->candidate = 2 * (uint64_t)iv->interval < half ? 2 * iv->interval : half;
	} else {
		iv->max = iv->candidate;
		/* interval >= 0.75 max, in integers */
		if (4 * (uint64_t)iv->interval >= 3 * (uint64_t)iv->max) {
			iv->done = true;
			return true;
		}
		iv->candidate = (uint32_t)(((uint64_t)iv->interval + iv->max) / 2);
	}
	iv->done = too_close(iv);
	return iv->done;
}
