/*
 * peers: the peer list of RFC 4380 §5.2 / §5.4, shared by the client and the relay.
 * Fixed slots allocated once at init; O(1) lookup by IPv6 address through a keyed hash
 * (SipHash-2-4 with a random key) so that an attacker cannot pick colliding addresses; a
 * hard bound whose eviction never throws out a trusted, active peer for an untrusted
 * newcomer; lazy expiry (no sweep). Never allocates after init, never does I/O.
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

/* Common part of every entry. Roles may ask for `ext` extra bytes per slot
 * (sw_peer_ext) for their own fields (echo nonce, RFC 6081 state, ...). */
struct sw_peer {
	uint8_t addr[16];
	struct sw_endpoint mapping;
	uint8_t flags;
	uint8_t bubbles;      /* bubbles sent without a direct answer (§5.2.6) */
	sw_time last_rx;
	sw_time last_tx;
	sw_time bubble_window; /* start of the current 300 s bubble window */
	struct sw_pktq q;      /* packets waiting for this peer to become trusted */
	uint32_t next;         /* hash chain (slot index + 1), internal */
};

struct sw_peers_stats {
	uint64_t added, evicted, expired, full; /* full: add refused, every slot protected */
};

struct sw_peers {
	uint8_t *slots;  /* max slots of slot_size bytes */
	uint32_t *heads; /* hash buckets (slot index + 1) */
	uint32_t *lru_prev, *lru_next; /* internal recency list */
	size_t max, n, slot_size, nbuckets;
	uint32_t free_head, lru_head, lru_tail;
	uint64_t k0, k1; /* hash key */
	struct sw_peers_stats stats;
};

/* Allocates max slots (with ext bytes each) once. key: 16 random bytes. 0 or -ENOMEM. */
int sw_peers_init(struct sw_peers *t, size_t max, size_t ext, const uint8_t key[16]);
void sw_peers_free(struct sw_peers *t, struct sw_pktq_pool *pool);

struct sw_peer *sw_peers_find(struct sw_peers *t, const uint8_t addr[16]);
/* New entry for addr (caller checked it is absent): zeroed, last_rx = last_tx = now - 30 s
 * (RFC 4380 §5.2.6), bubbles 0, not trusted. When full, evicts by policy (queued packets
 * of the victim are returned to pool); NULL when every slot is a trusted active peer. */
struct sw_peer *sw_peers_add(struct sw_peers *t, const uint8_t addr[16], sw_time now,
			     struct sw_pktq_pool *pool);
void sw_peers_del(struct sw_peers *t, struct sw_peer *p, struct sw_pktq_pool *pool);
/* Mark p most recently used (call on every rx/tx). */
void sw_peers_touch(struct sw_peers *t, struct sw_peer *p);
void *sw_peer_ext(struct sw_peer *p);
/* Iterate: start with *it = 0; returns NULL at the end. */
struct sw_peer *sw_peers_next(struct sw_peers *t, size_t *it);

static inline bool sw_peer_valid(const struct sw_peer *p, sw_time now)
{
	return now - p->last_rx < SW_PEER_VALID_MS;
}
static inline bool sw_peer_trusted(const struct sw_peer *p)
{
	return p->flags & SW_PEER_TRUSTED;
}

#endif
