/*
 * peers: the peer list of RFC 4380 §5.2 / §5.4, shared by the client and the relay.
 * Fixed slots allocated once at init; O(1) lookup by IPv6 address through a keyed hash
 * (SipHash-2-4 with a random key) so that an attacker cannot pick colliding addresses; a
 * hard bound whose eviction never throws out a trusted, active peer for an untrusted
 * newcomer; lazy expiry plus a bounded clock-hand step in the owner's timer (no sweep
 * thread). Never allocates after init, never does I/O.
 */
#ifndef SW_ENGINE_PEERS_H
#define SW_ENGINE_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/io.h"
#include "engine/pktq.h"

#define SW_PEER_TRUSTED 0x01u
#define SW_PEER_LOCAL 0x02u /* local discovery (client) */
#define SW_PEER_VALID_MS 30000u /* valid for transmission while last_rx is younger */
#define SW_PEER_LIFETIME_MS 60000u /* default t->lifetime: an untouched new entry (stamped
				    * now - 30 s) lives 30 s */

/* A 32-bit millisecond time stamp: the low 32 bits of an sw_time. Read it only through
 * sw_stamp_age() / sw_stamp_due() (never `now - stamp` with a 64-bit now): they are exact
 * while the stamp is less than 2^32 ms (49.7 days) old, and the table keeps every stamp of
 * a live entry far younger than that (see sw_peers_expire). */
typedef uint32_t sw_stamp;

static inline sw_stamp sw_stamp_of(sw_time t)
{
	return (sw_stamp)t;
}
/* now - s in ms, by 32-bit wrapping arithmetic. A stamp in the future reads as very old. */
static inline uint32_t sw_stamp_age(sw_time now, sw_stamp s)
{
	return (uint32_t)((sw_stamp)now - s);
}
/* The time at which s becomes `after` ms old: now + (after - age), or now if it already is. */
static inline sw_time sw_stamp_due(sw_time now, sw_stamp s, uint32_t after)
{
	uint32_t age = sw_stamp_age(now, s);

	return age < after ? now + (after - age) : now;
}

/* Common part of every entry: 52 bytes, queue included. Roles may ask for `ext` extra
 * bytes per slot (sw_peer_ext, 8-byte aligned at offset SW_PEER_EXT_OFF) for their own
 * fields (echo nonce, RFC 6081 state, ...).
 * Set or clear SW_PEER_TRUSTED with sw_peers_set_trusted() (or call sw_peers_touch()
 * after changing flags) so eviction sees the change at once. */
struct sw_peer {
	uint8_t addr[16];
	uint32_t next;         /* hash chain / free list (slot index + 1), internal; next to
				* addr so a lookup mostly reads one cache line of a packed slot */
	sw_stamp last_rx;
	sw_stamp last_tx;
	sw_stamp bubble_window; /* start of the current 300 s bubble window */
	struct sw_endpoint mapping;
	struct sw_pktq q;      /* packets waiting for this peer to become trusted */
	uint8_t flags;
	uint8_t bubbles;       /* bubbles sent without a direct answer (§5.2.6) */
	uint8_t list;          /* internal: 0 free, 1 untrusted LRU, 2 trusted LRU */
	uint8_t aux;           /* free for the role (e.g. retry state) */
};
_Static_assert(sizeof(struct sw_peer) == 52, "struct sw_peer grew: the relay's peer table "
	       "is sized for 52 bytes per entry (issue 6)");
#define SW_PEER_EXT_OFF ((sizeof(struct sw_peer) + 7u) & ~(size_t)7u)

/* Wraparound guarantee. Every live entry is inspected by the clock hand of
 * sw_peers_expire() at least once per pass (a pass takes about SW_PEERS_SWEEP_MS when the
 * owner calls it at sw_peers_next_expiry()); an inspection deletes an expired entry and
 * pulls any stamp older than SW_STAMP_MAX_AGE up to that age (ages beyond it mean the same
 * to every rule: they all use thresholds of minutes). If no pass has completed for
 * SW_PEERS_STALL_MS (a frozen process, a timer never called), the next lookup, add or
 * expire empties the table (counted in `stalled`) rather than trust its stamps. So no
 * stamp a rule reads is ever older than SW_STAMP_MAX_AGE + SW_PEERS_STALL_MS < 2^31 ms:
 * no stale entry can look young through the 2^32 wrap. (Engines reach entries through
 * lookup/add or from their timer after the expire step; sw_peers_find and sw_peers_next
 * do no check of their own.) */
#define SW_STAMP_MAX_AGE ((uint32_t)1 << 28)    /* 74.6 hours */
#define SW_PEERS_STALL_MS ((uint32_t)1 << 30)   /* 12.4 days */
#define SW_PEERS_SWEEP_MS 3600000u              /* one pass of the hand over every slot */
#define SW_PEERS_SWEEP_BUDGET 256u              /* slots looked at per sw_peers_expire step */

struct sw_peers_stats {
	uint64_t added, evicted, expired, full; /* full: add refused, every slot protected */
	uint64_t stalled; /* emptied: no sweep pass for SW_PEERS_STALL_MS */
};

struct sw_peers {
	uint8_t *slots;  /* max slots of slot_size bytes */
	uint32_t *heads; /* hash buckets (slot index + 1) */
	uint32_t *lru_prev, *lru_next; /* internal recency lists (slot index + 1) */
	size_t max, n, slot_size, nbuckets;
	uint32_t free_head;
	uint32_t lru_head[2], lru_tail[2]; /* [0] untrusted, [1] trusted; head = most recent */
	uint64_t k0, k1; /* hash key */
	sw_time lifetime; /* an entry neither received from nor sent to for longer expires;
			   * keep it far below SW_STAMP_MAX_AGE */
	sw_time now;      /* the latest time the table was given (sw_peers_stamp_time) */
	sw_time sweep_at; /* next sw_peers_expire step (meaningless while empty) */
	sw_time sweep_every;            /* ms between steps: one pass per SW_PEERS_SWEEP_MS */
	sw_time pass_start, pass_prev;  /* start of the hand's current / previous pass */
	uint32_t hand;    /* next slot (0-based) the hand looks at */
	struct sw_peers_stats stats;
};

/* Allocates max slots (with ext bytes each) once. key: 16 random bytes. 0, -EINVAL
 * (max 0 or too large) or -ENOMEM. */
int sw_peers_init(struct sw_peers *t, size_t max, size_t ext, const uint8_t key[16]);
void sw_peers_free(struct sw_peers *t, struct sw_pktq_pool *pool);

/* Pure lookup, no expiry. */
struct sw_peer *sw_peers_find(struct sw_peers *t, const uint8_t addr[16]);
/* Lookup with lazy expiry: an entry past its lifetime is deleted (queue returned to
 * pool, counted in `expired`) and NULL returned. */
struct sw_peer *sw_peers_lookup(struct sw_peers *t, const uint8_t addr[16], sw_time now,
				struct sw_pktq_pool *pool);
/* New entry for addr (caller checked it is absent): zeroed, last_rx = last_tx = now - 30 s
 * (RFC 4380 §5.2.6), bubble_window = now, bubbles 0, not trusted. When full, evicts by
 * policy: an expired entry, else the least recently used untrusted entry, else a trusted entry that has
 * received nothing for SW_PEER_VALID_MS (queued packets of the victim are returned to
 * pool); NULL (counted in `full`) when every slot is a trusted active peer. */
struct sw_peer *sw_peers_add(struct sw_peers *t, const uint8_t addr[16], sw_time now,
			     struct sw_pktq_pool *pool);
void sw_peers_del(struct sw_peers *t, struct sw_peer *p, struct sw_pktq_pool *pool);
/* Mark p most recently used (call on every rx/tx). */
void sw_peers_touch(struct sw_peers *t, struct sw_peer *p);
/* Set or clear SW_PEER_TRUSTED and move p to the matching recency list. */
void sw_peers_set_trusted(struct sw_peers *t, struct sw_peer *p, bool trusted);
/* The least recently used entry of one class (trusted or not), or NULL. */
struct sw_peer *sw_peers_oldest(struct sw_peers *t, bool trusted);
/* One step of the clock hand, due at sw_peers_next_expiry(): looks at the next
 * SW_PEERS_SWEEP_BUDGET slots, deletes the expired entries (queues returned to pool,
 * counted in `expired`) and clamps old stamps of the others (see the guarantee above).
 * Owners call it from their timer and fold sw_peers_next_expiry() into their deadline.
 * Returns the number of entries deleted. */
size_t sw_peers_expire(struct sw_peers *t, sw_time now, struct sw_pktq_pool *pool);
/* When sw_peers_expire() next has work: SW_TIME_NEVER while the table is empty. */
sw_time sw_peers_next_expiry(const struct sw_peers *t);
/* The sw_time of stamp s, taken nearest to the latest time the table was given (exact
 * within 2^31 ms of it; 0 rather than a time before 0). For deadlines without a `now`. */
sw_time sw_peers_stamp_time(const struct sw_peers *t, sw_stamp s);
/* Past its lifetime: neither received from nor sent to for more than t->lifetime. */
bool sw_peers_expired(const struct sw_peers *t, const struct sw_peer *p, sw_time now);
void *sw_peer_ext(struct sw_peer *p);
/* Iterate: start with *it = 0; returns NULL at the end. */
struct sw_peer *sw_peers_next(struct sw_peers *t, size_t *it);

static inline bool sw_peer_valid(const struct sw_peer *p, sw_time now)
{
	return sw_stamp_age(now, p->last_rx) < SW_PEER_VALID_MS;
}
static inline bool sw_peer_trusted(const struct sw_peer *p)
{
	return p->flags & SW_PEER_TRUSTED;
}

#endif
