/* peers: fixed-slot peer table with a SipHash-keyed chained index and two LRU lists. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "engine/peers.h"
#include "engine/siphash.h"

#define EXT_ALIGN 8u /* slots with role bytes: the ext part may hold 64-bit fields */
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
	/* without ext, slots are packed at the entry's own 4-byte alignment: 52 bytes */
	t->slot_size = ext ? (SW_PEER_EXT_OFF + ext + EXT_ALIGN - 1) & ~(size_t)(EXT_ALIGN - 1)
			   : sizeof(struct sw_peer);
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
	t->sweep_every = SW_PEERS_SWEEP_MS / ((max + SW_PEERS_SWEEP_BUDGET - 1) / SW_PEERS_SWEEP_BUDGET);
	if (t->sweep_every == 0)
		t->sweep_every = 1;
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
	return sw_stamp_age(now, p->last_rx) > t->lifetime &&
	       sw_stamp_age(now, p->last_tx) > t->lifetime;
}

/* --- the clock hand: the wraparound guarantee (peers.h) --- */

#define SW_STAMP_HALF 0x80000000u /* stamps this far ahead of now are taken as behind it */

/* Empties the table when no pass of the hand completed for SW_PEERS_STALL_MS: its stamps
 * may then be too old to read. Called with every time the table is given. */
static void check_clock(struct sw_peers *t, sw_time now, struct sw_pktq_pool *pool)
{
	struct sw_peer *p;
	size_t it = 0;

	if (now > t->now)
		t->now = now;
	if (now < t->pass_prev || now - t->pass_prev < SW_PEERS_STALL_MS)
		return;
	if (t->n) {
		while ((p = sw_peers_next(t, &it)) != NULL)
			sw_peers_del(t, p, pool);
		t->stats.stalled++;
	}
	t->pass_prev = t->pass_start = now;
}

/* An age past SW_STAMP_MAX_AGE is pulled back to it (a stamp in the future is left). */
static void clamp(sw_stamp *s, sw_time now)
{
	uint32_t age = sw_stamp_age(now, *s);

	if (age > SW_STAMP_MAX_AGE && age < SW_STAMP_HALF)
		*s = sw_stamp_of(now) - SW_STAMP_MAX_AGE;
}

size_t sw_peers_expire(struct sw_peers *t, sw_time now, struct sw_pktq_pool *pool)
{
	size_t gone = 0;

	check_clock(t, now, pool);
	if (t->n == 0 || now < t->sweep_at)
		return 0;
	for (uint32_t k = 0; k < SW_PEERS_SWEEP_BUDGET && t->n; k++) {
		struct sw_peer *p = slot(t, t->hand + 1);

		if (p->list != LIST_FREE && sw_peers_expired(t, p, now)) {
			sw_peers_del(t, p, pool);
			t->stats.expired++;
			gone++;
		} else if (p->list != LIST_FREE) {
			clamp(&p->last_rx, now);
			clamp(&p->last_tx, now);
			clamp(&p->bubble_window, now);
		}
		if (++t->hand == t->max) {
			t->hand = 0;
			t->pass_prev = t->pass_start;
			t->pass_start = now;
		}
	}
	t->sweep_at = now + t->sweep_every;
	return gone;
}

sw_time sw_peers_next_expiry(const struct sw_peers *t)
{
	return t->n ? t->sweep_at : SW_TIME_NEVER;
}

sw_time sw_peers_stamp_time(const struct sw_peers *t, sw_stamp s)
{
	uint32_t ahead = s - sw_stamp_of(t->now), behind = sw_stamp_age(t->now, s);

	if (ahead < SW_STAMP_HALF)
		return t->now + ahead;
	return behind > t->now ? 0 : t->now - behind;
}

struct sw_peer *sw_peers_lookup(struct sw_peers *t, const uint8_t addr[16], sw_time now,
				struct sw_pktq_pool *pool)
{
	struct sw_peer *p;

	check_clock(t, now, pool);
	p = sw_peers_find(t, addr);
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

	check_clock(t, now, pool);
	if (!make_room(t, now, pool))
		return NULL;
	i = t->free_head;
	p = slot(t, i);
	t->free_head = p->next;
	memset(p, 0, t->slot_size);
	memcpy(p->addr, addr, 16);
	p->last_rx = p->last_tx = sw_stamp_of(now) - SW_PEER_VALID_MS;
	p->bubble_window = sw_stamp_of(now);
	if (t->n == 0) /* the first entry: the hand starts one step from now */
		t->sweep_at = now + t->sweep_every;
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
	return (uint8_t *)p + SW_PEER_EXT_OFF;
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
