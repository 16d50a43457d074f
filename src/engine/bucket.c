/* bucket: a token bucket (see bucket.h). */
#include "engine/bucket.h"

static void bucket_refill(struct sw_bucket *b, sw_time now)
{
	uint64_t add;

	if (now < b->last || b->per_sec == 0) {
		b->last = now;
		return;
	}
	add = (now - b->last) * b->per_sec / 1000u;
	if (add == 0)
		return; /* keep last: the partial token keeps accruing */
	if (add >= (uint64_t)(b->burst - b->tokens)) {
		b->tokens = b->burst;
		b->last = now;
	} else {
		b->tokens += (uint32_t)add;
		b->last += add * 1000u / b->per_sec;
	}
}

bool sw_bucket_take(struct sw_bucket *b, sw_time now)
{
	bucket_refill(b, now);
	if (b->tokens == 0)
		return false;
	b->tokens--;
	return true;
}
