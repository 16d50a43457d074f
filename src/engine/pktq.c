/* pktq: fixed pool of SW_PKTQ_BUF-byte buffers and per-peer FIFO queues over it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/pktq.h"

int sw_pktq_pool_init(struct sw_pktq_pool *pool, uint32_t nbufs, uint32_t per_queue_bytes)
{
	memset(pool, 0, sizeof(*pool));
	if (nbufs == 0 || nbufs >= UINT32_MAX)
		return -EINVAL;
	pool->bufs = malloc((size_t)nbufs * SW_PKTQ_BUF);
	pool->lens = calloc(nbufs, sizeof(*pool->lens));
	pool->next = calloc(nbufs, sizeof(*pool->next));
	if (!pool->bufs || !pool->lens || !pool->next) {
		sw_pktq_pool_free(pool);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < nbufs; i++)
		pool->next[i] = i + 2 <= nbufs ? i + 2 : 0;
	pool->nbufs = nbufs;
	pool->free_head = 1;
	pool->nfree = nbufs;
	pool->per_queue_bytes = per_queue_bytes > UINT16_MAX ? UINT16_MAX : per_queue_bytes;
	return 0;
}

void sw_pktq_pool_free(struct sw_pktq_pool *pool)
{
	free(pool->bufs);
	free(pool->lens);
	free(pool->next);
	memset(pool, 0, sizeof(*pool));
}

static uint32_t buf_get(struct sw_pktq_pool *pool)
{
	uint32_t b = pool->free_head;

	if (b == 0)
		return 0;
	pool->free_head = pool->next[b - 1];
	pool->nfree--;
	return b;
}

static void buf_put(struct sw_pktq_pool *pool, uint32_t b)
{
	pool->next[b - 1] = pool->free_head;
	pool->free_head = b;
	pool->nfree++;
}

bool sw_pktq_push(struct sw_pktq_pool *pool, struct sw_pktq *q, const uint8_t *pkt, size_t len)
{
	uint32_t b;

	if (len > SW_PKTQ_BUF || q->bytes + len > pool->per_queue_bytes || q->n == UINT16_MAX) {
		pool->dropped_big++;
		return false;
	}
	b = buf_get(pool);
	if (b == 0) {
		pool->dropped_full++;
		return false;
	}
	memcpy(pool->bufs + (size_t)(b - 1) * SW_PKTQ_BUF, pkt, len);
	pool->lens[b - 1] = (uint16_t)len;
	if (q->tail == 0) {
		pool->next[b - 1] = b;
	} else {
		pool->next[b - 1] = pool->next[q->tail - 1];
		pool->next[q->tail - 1] = b;
	}
	q->tail = b;
	q->bytes = (uint16_t)(q->bytes + len);
	q->n++;
	return true;
}

const uint8_t *sw_pktq_peek(const struct sw_pktq_pool *pool, const struct sw_pktq *q,
			    size_t *len)
{
	uint32_t h;

	if (q->tail == 0)
		return NULL;
	h = pool->next[q->tail - 1];
	*len = pool->lens[h - 1];
	return pool->bufs + (size_t)(h - 1) * SW_PKTQ_BUF;
}

void sw_pktq_pop(struct sw_pktq_pool *pool, struct sw_pktq *q)
{
	uint32_t h;

	if (q->tail == 0)
		return;
	h = pool->next[q->tail - 1];
	if (h == q->tail)
		q->tail = 0;
	else
		pool->next[q->tail - 1] = pool->next[h - 1];
	q->bytes = (uint16_t)(q->bytes - pool->lens[h - 1]);
	q->n--;
	buf_put(pool, h);
}

void sw_pktq_clear(struct sw_pktq_pool *pool, struct sw_pktq *q)
{
	while (q->tail != 0)
		sw_pktq_pop(pool, q);
}
