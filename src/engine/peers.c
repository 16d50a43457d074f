/* peers: fixed-slot peer table with a SipHash-keyed chained index and two LRU lists. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine/peers.h"
#include "engine/siphash.h"

#define SLOT_ALIGN 8u
#define LIST_FREE 0u
#define LIST_UNTRUSTED 1u
#define LIST_TRUSTED 2u
#define EVICT_SCAN 8 /* trusted entries looked at from the LRU end for a stale one */

static struct sw_peer *slot(const struct sw_peers *t, uint32_t idx1)
{
	return (struct sw_peer *)(void *)(t->slots + (size_t)(idx1 - 1) * t->slot_size);
}

static uint32_t slot_idx1(const struct sw_peers *t, const struct sw_peer *p)
{
	return (uint32_t)(((const uint8_t *)p - t->slots) / t->slot_size) + 1;
}

static size_t bucket(const struct sw_peers *t, const uint8_t addr[16])
{
	struct sw_sipkey k = {t->k0, t->k1};

	return (size_t)sw_siphash(k, addr, 16) & (t->nbuckets - 1);
}

#define HUGE_PAGE ((size_t)2 << 20)

/* Zeroed memory; large tables ask for huge pages (fewer TLB misses on random lookups).
 * A hint at init only: nothing here runs per packet. */
static void *table_alloc(size_t n, size_t size)
{
	size_t bytes = n * size, round;
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	if (bytes < HUGE_PAGE)
		return calloc(n, size);
	round = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	p = aligned_alloc(HUGE_PAGE, round);
	if (!p)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, round, MADV_HUGEPAGE);
#endif
	memset(p, 0, bytes);
	return p;
}

int sw_peers_init(struct sw_peers *t, size_t max, size_t ext, const uint8_t key[16])
{
	struct sw_sipkey k = sw_siphash_key(key);
	size_t nb = 16;

	memset(t, 0, sizeof(*t));
	if (max == 0 || max >= UINT32_MAX / 2 || ext > 4096)
		return -EINVAL;
	while (nb < max)
		nb <<= 1;
	t->slot_size = (sizeof(struct sw_peer) + ext + SLOT_ALIGN - 1) & ~(size_t)(SLOT_ALIGN - 1);
	t->slots = table_alloc(max, t->slot_size);
	t->heads = table_alloc(nb, sizeof(*t->heads));
	t->lru_prev = table_alloc(max, sizeof(*t->lru_prev));
	t->lru_next = table_alloc(max, sizeof(*t->lru_next));
	if (!t->slots || !t->heads || !t->lru_prev || !t->lru_next) {
		sw_peers_free(t, NULL);
		return -ENOMEM;
	}
	t->max = max;
	t->nbuckets = nb;
	t->k0 = k.k0;
	t->k1 = k.k1;
	t->lifetime = SW_PEER_LIFETIME_MS;
	for (uint32_t i = 1; i <= max; i++)
		slot(t, i)->next = i < max ? i + 1 : 0;
	t->free_head = 1;
	return 0;
}

void sw_peers_free(struct sw_peers *t, struct sw_pktq_pool *pool)
{
	size_t it = 0;
	struct sw_peer *p;

	if (pool && t->slots)
		while ((p = sw_peers_next(t, &it)) != NULL)
			sw_pktq_clear(pool, &p->q);
	free(t->slots);
	free(t->heads);
	free(t->lru_prev);
	free(t->lru_next);
	memset(t, 0, sizeof(*t));
}

/* --- recency lists --- */

static void lru_unlink(struct sw_peers *t, struct sw_peer *p)
{
	uint32_t i = slot_idx1(t, p), l = p->list - 1u;
	uint32_t prev = t->lru_prev[i - 1], next = t->lru_next[i - 1];

	if (prev)
		t->lru_next[prev - 1] = next;
	else
		t->lru_head[l] = next;
	if (next)
		t->lru_prev[next - 1] = prev;
	else
		t->lru_tail[l] = prev;
}

static void lru_push_head(struct sw_peers *t, struct sw_peer *p)
{
	uint32_t i = slot_idx1(t, p), l = sw_peer_trusted(p) ? 1u : 0u;

	p->list = (uint8_t)(l + 1u);
	t->lru_prev[i - 1] = 0;
	t->lru_next[i - 1] = t->lru_head[l];
	if (t->lru_head[l])
		t->lru_prev[t->lru_head[l] - 1] = i;
	else
		t->lru_tail[l] = i;
	t->lru_head[l] = i;
}

void sw_peers_touch(struct sw_peers *t, struct sw_peer *p)
{
	lru_unlink(t, p);
	lru_push_head(t, p);
}

void sw_peers_set_trusted(struct sw_peers *t, struct sw_peer *p, bool trusted)
{
	if (trusted)
		p->flags |= SW_PEER_TRUSTED;
	else
		p->flags &= (uint8_t)~SW_PEER_TRUSTED;
	if (p->list != (trusted ? LIST_TRUSTED : LIST_UNTRUSTED))
		sw_peers_touch(t, p);
}

/* Tail of one list, after moving entries whose flag changed behind our back. */
static struct sw_peer *lru_tail(struct sw_peers *t, bool trusted)
{
	unsigned l = trusted ? 1u : 0u;

	for (size_t guard = 0; t->lru_tail[l] && guard <= t->n; guard++) {
		struct sw_peer *p = slot(t, t->lru_tail[l]);

		if (sw_peer_trusted(p) == trusted)
			return p;
		sw_peers_touch(t, p); /* misfiled: refile at the head of the other list */
	}
	return NULL;
}

struct sw_peer *sw_peers_oldest(struct sw_peers *t, bool trusted)
{
	return lru_tail(t, trusted);
}

/* --- index --- */

struct sw_peer *sw_peers_find(struct sw_peers *t, const uint8_t addr[16])
{
	for (uint32_t i = t->heads[bucket(t, addr)]; i; ) {
		struct sw_peer *p = slot(t, i);

		if (memcmp(p->addr, addr, 16) == 0)
			return p;
		i = p->next;
	}
	return NULL;
}

bool sw_peers_expired(const struct sw_peers *t, const struct sw_peer *p, sw_time now)
{
	return now - p->last_rx > t->lifetime && now - p->last_tx > t->lifetime;
}

struct sw_peer *sw_peers_lookup(struct sw_peers *t, const uint8_t addr[16], sw_time now,
				struct sw_pktq_pool *pool)
{
	struct sw_peer *p = sw_peers_find(t, addr);

	if (p && sw_peers_expired(t, p, now)) {
		sw_peers_del(t, p, pool);
		t->stats.expired++;
		return NULL;
	}
	return p;
}

void sw_peers_del(struct sw_peers *t, struct sw_peer *p, struct sw_pktq_pool *pool)
{
	uint32_t *link = &t->heads[bucket(t, p->addr)];
	uint32_t i = slot_idx1(t, p);

	while (*link && *link != i)
		link = &slot(t, *link)->next;
	if (*link)
		*link = p->next;
	if (pool)
		sw_pktq_clear(pool, &p->q);
	lru_unlink(t, p);
	p->list = LIST_FREE;
	p->next = t->free_head;
	t->free_head = i;
	t->n--;
}

/* --- eviction --- */

static struct sw_peer *victim(struct sw_peers *t, sw_time now)
{
	struct sw_peer *tr = lru_tail(t, true), *un = lru_tail(t, false);
	uint32_t i;

	if (tr && sw_peers_expired(t, tr, now))
		return tr;
	if (un)
		return un;
	i = t->lru_tail[1];
	for (int k = 0; i && k < EVICT_SCAN; k++) {
		struct sw_peer *p = slot(t, i);

		if (!sw_peer_valid(p, now))
			return p;
		i = t->lru_prev[i - 1];
	}
	return NULL;
}

static bool make_room(struct sw_peers *t, sw_time now, struct sw_pktq_pool *pool)
{
	struct sw_peer *v;

	if (t->free_head)
		return true;
	v = victim(t, now);
	if (!v) {
		t->stats.full++;
		return false;
	}
	if (sw_peers_expired(t, v, now))
		t->stats.expired++;
	else
		t->stats.evicted++;
	sw_peers_del(t, v, pool);
	return true;
}

struct sw_peer *sw_peers_add(struct sw_peers *t, const uint8_t addr[16], sw_time now,
			     struct sw_pktq_pool *pool)
{
	struct sw_peer *p;
	uint32_t i;
	size_t b;

	if (!make_room(t, now, pool))
		return NULL;
	i = t->free_head;
	p = slot(t, i);
	t->free_head = p->next;
	memset(p, 0, t->slot_size);
	memcpy(p->addr, addr, 16);
	p->last_rx = p->last_tx = now - SW_PEER_VALID_MS;
	p->bubble_window = now;
	b = bucket(t, addr);
	p->next = t->heads[b];
	t->heads[b] = i;
	lru_push_head(t, p);
	t->n++;
	t->stats.added++;
	return p;
}

void *sw_peer_ext(struct sw_peer *p)
{
	return (uint8_t *)p + sizeof(*p);
}

struct sw_peer *sw_peers_next(struct sw_peers *t, size_t *it)
{
	while (*it < t->max) {
		struct sw_peer *p = slot(t, (uint32_t)++*it);

		if (p->list != LIST_FREE)
			return p;
	}
	return NULL;
}
