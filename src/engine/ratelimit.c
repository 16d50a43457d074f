/* ratelimit: keyed, bounded per-key token buckets (see ratelimit.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ratelimit.h"
#include "engine/siphash.h"

#define MILLI 1000u

static uint64_t rl_hash(const struct sw_ratelimit *rl, uint64_t m)
{
	return sw_siphash(rl->key, &m, sizeof(m));
}

int sw_ratelimit_init(struct sw_ratelimit *rl, size_t entries, uint32_t rate, uint32_t burst,
		      const uint8_t key[16])
{
	size_t sets = 1;

	memset(rl, 0, sizeof(*rl));
	rl->rate = rate;
	rl->burst = burst ? burst : 1;
	if (rate == 0)
		return 0;
	if (entries == 0 || entries > (1u << 24) || rl->burst > UINT32_MAX / MILLI)
		return -EINVAL;
	while (sets * SW_RL_WAYS < entries)
		sets <<= 1;
	rl->e = calloc(sets * SW_RL_WAYS, sizeof(*rl->e));
	if (!rl->e)
		return -ENOMEM;
	rl->nsets = sets;
	rl->key = sw_siphash_key(key);
	return 0;
}

void sw_ratelimit_free(struct sw_ratelimit *rl)
{
	free(rl->e);
	rl->e = NULL;
	rl->nsets = 0;
}

static void rl_refill(const struct sw_ratelimit *rl, struct sw_rl_entry *e, sw_time now)
{
	uint64_t cap = (uint64_t)rl->burst * MILLI, t;

	if (now <= e->last)
		return;
	/* tokens per ms in thousandths = rate; clamp before multiplying to avoid overflow */
	if (now - e->last >= (cap / rl->rate) + 1)
		t = cap;
	else
		t = e->tokens + (now - e->last) * rl->rate;
	e->tokens = (uint32_t)(t > cap ? cap : t);
	e->last = now;
}

static struct sw_rl_entry *rl_slot(struct sw_ratelimit *rl, uint64_t key, sw_time now)
{
	struct sw_rl_entry *set = rl->e + (rl_hash(rl, key) & (rl->nsets - 1)) * SW_RL_WAYS;
	struct sw_rl_entry *victim = &set[0];

	for (int i = 0; i < SW_RL_WAYS; i++) {
		if (set[i].used && set[i].key == key)
			return &set[i];
		if (!set[i].used)
			victim = &set[i];
		else if (victim->used && set[i].last < victim->last)
			victim = &set[i];
	}
	if (victim->used)
		rl->stats.evicted++;
	rl->stats.inserted++;
	victim->used = 1;
	victim->key = key;
	victim->last = now;
	victim->tokens = rl->burst * MILLI;
	return victim;
}

bool sw_ratelimit_allow(struct sw_ratelimit *rl, uint64_t key, sw_time now)
{
	struct sw_rl_entry *e;

	if (rl->rate == 0 || !rl->e) {
		rl->stats.allowed++;
		return true;
	}
	e = rl_slot(rl, key, now);
	rl_refill(rl, e, now);
	if (e->tokens < MILLI) {
		rl->stats.limited++;
		return false;
	}
	e->tokens -= MILLI;
	rl->stats.allowed++;
	return true;
}
