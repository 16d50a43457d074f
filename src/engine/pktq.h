/*
 * pktq: bounded per-peer packet queues for peers that are not trusted yet
 * (RFC 4380 §5.2.4, §5.4.1; SEC-6, SEC-8). One pool of fixed-size buffers allocated at
 * init; each queue is a FIFO of pool buffers with a per-queue byte bound. Never allocates
 * after init.
 */
#ifndef SW_ENGINE_PKTQ_H
#define SW_ENGINE_PKTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_PKTQ_BUF 1280 /* a queued packet is at most one Teredo MTU */

/* A queue is a circular list threaded through the pool: tail is the newest buffer
 * (index + 1; 0 = empty) and the pool's next[] of the tail is the oldest. 8 bytes. */
struct sw_pktq {
	uint32_t tail;
	uint16_t bytes;
	uint16_t n;
};

struct sw_pktq_pool {
	uint8_t *bufs;     /* nbufs * SW_PKTQ_BUF */
	uint16_t *lens;
	uint32_t *next;
	uint32_t nbufs, free_head, nfree;
	uint32_t per_queue_bytes;
	uint64_t dropped_full, dropped_big; /* pool exhausted / queue bound or size */
};

/* per_queue_bytes is capped at 65535. 0 or -ENOMEM / -EINVAL (nbufs 0). */
int sw_pktq_pool_init(struct sw_pktq_pool *pool, uint32_t nbufs, uint32_t per_queue_bytes);
void sw_pktq_pool_free(struct sw_pktq_pool *pool);
/* Append a copy; false (counted) when the packet is too big or a bound is hit. */
bool sw_pktq_push(struct sw_pktq_pool *pool, struct sw_pktq *q, const uint8_t *pkt, size_t len);
/* Oldest packet, or NULL when empty; valid until the next pool operation. */
const uint8_t *sw_pktq_peek(const struct sw_pktq_pool *pool, const struct sw_pktq *q,
			    size_t *len);
void sw_pktq_pop(struct sw_pktq_pool *pool, struct sw_pktq *q);
void sw_pktq_clear(struct sw_pktq_pool *pool, struct sw_pktq *q);
static inline bool sw_pktq_empty(const struct sw_pktq *q)
{
	return q->tail == 0;
}

#endif
