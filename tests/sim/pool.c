/* pool: slab-allocated packet slots with an intrusive free list. */
#include <stdlib.h>

#include "pool.h"

void sim_pool_init(struct sim_pool *p)
{
	*p = (struct sim_pool){0};
}

void sim_pool_free(struct sim_pool *p)
{
	for (size_t i = 0; i < p->nslabs; i++)
		free(p->slabs[i]);
	free(p->slabs);
	*p = (struct sim_pool){0};
}

static int add_slab(struct sim_pool *p)
{
	struct sim_pkt **s = realloc(p->slabs, (p->nslabs + 1) * sizeof(*s));
	struct sim_pkt *slab;
	uint32_t base;

	if (!s)
		return -1;
	p->slabs = s;
	slab = malloc(SIM_SLAB * sizeof(*slab));
	if (!slab)
		return -1;
	base = (uint32_t)(p->nslabs * SIM_SLAB);
	p->slabs[p->nslabs++] = slab;
	for (uint32_t i = SIM_SLAB; i-- > 0;) {
		slab[i].next_free = p->free_head;
		p->free_head = base + i + 1;
	}
	return 0;
}

uint32_t sim_pool_get(struct sim_pool *p)
{
	uint32_t idx;

	if (!p->free_head && add_slab(p) < 0)
		return UINT32_MAX;
	idx = p->free_head - 1;
	p->free_head = sim_pool_at(p, idx)->next_free;
	if (++p->in_use > p->max_in_use)
		p->max_in_use = p->in_use;
	return idx;
}

struct sim_pkt *sim_pool_at(const struct sim_pool *p, uint32_t idx)
{
	return &p->slabs[idx / SIM_SLAB][idx % SIM_SLAB];
}

void sim_pool_put(struct sim_pool *p, uint32_t idx)
{
	sim_pool_at(p, idx)->next_free = p->free_head;
	p->free_head = idx + 1;
	p->in_use--;
}
