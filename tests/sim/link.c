/* link: per-traversal loss, duplication, jitter and reordering. */
#include "link.h"
#include "rng.h"

static sw_time one_delay(const struct sim_link *l, struct sim_rng *r,
			 struct sim_link_stats *st)
{
	sw_time d = l->delay_ms;

	if (l->jitter_ms)
		d += sim_rng_below(r, (uint64_t)l->jitter_ms + 1);
	if (sim_rng_ppm(r, l->reorder_ppm)) {
		d += l->reorder_ms;
		st->reordered++;
	}
	return d;
}

int sim_link_pass(const struct sim_link *l, struct sim_rng *r, struct sim_link_stats *st,
		  sw_time out[2])
{
	int n = 1;

	st->sent++;
	if (l->down || sim_rng_ppm(r, l->loss_ppm)) {
		st->lost++;
		return 0;
	}
	out[0] = one_delay(l, r, st);
	if (sim_rng_ppm(r, l->dup_ppm)) {
		out[1] = one_delay(l, r, st);
		st->duplicated++;
		n = 2;
	}
	return n;
}
