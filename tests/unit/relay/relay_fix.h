/* Test fixture for the relay engine: deterministic randomness, an output batch, packet
 * builders and address helpers. */
#ifndef TEST_RELAY_FIX_H
#define TEST_RELAY_FIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/relay.h"

#define FIX_CAP 64
#define FIX_ARENA (FIX_CAP * 1536)

struct fix {
	struct sw_relay r;
	struct sw_relay_config cfg;
	struct sw_rand rand;
	uint64_t seed;
	struct sw_out out;
	struct sw_out_pkt pkt[FIX_CAP];
	uint8_t arena[FIX_ARENA];
	struct sw_event ev[8];
};

/* A client: server 198.51.100.1, mapping ip:port, flags. */
void fix_teredo(uint8_t a[16], uint32_t server, uint32_t ip, uint16_t port, uint16_t flags);
/* 2001:db8::<n> */
void fix_native(uint8_t a[16], unsigned n);
/* IPv6 packet (UDP next header, plen payload bytes of value tag) into buf; returns len. */
size_t fix_ip6(uint8_t *buf, const uint8_t src[16], const uint8_t dst[16], size_t plen,
	       uint8_t tag);
size_t fix_bubble(uint8_t *buf, const uint8_t src[16], const uint8_t dst[16]);

/* cfg defaults, then init. */
void fix_defaults(struct fix *f);
void fix_init(struct fix *f);
void fix_free(struct fix *f);
void fix_reset(struct fix *f);
/* Number of outputs of a kind. */
size_t fix_count(const struct fix *f, uint8_t kind);
struct sw_endpoint fix_ep(uint32_t ip, uint16_t port);
void fix_dump(const struct fix *f);

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

#endif
