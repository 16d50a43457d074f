/*
 * trailer: RFC 6081 §4 trailers after the IPv6 packet — Nonce, Alternate Address,
 * Neighbor Discovery Option, Random Port (type 0x05 of §4.5 and 0x02 of the IANA table
 * both accepted; requirements §11 item 1) — with the unknown-type and malformed rules of
 * §5.1.2. No allocation.
 */
#ifndef SW_WIRE_TRAILER_H
#define SW_WIRE_TRAILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/addr.h"

#define SW_TR_NONCE 0x01
#define SW_TR_RANDOM_PORT_IANA 0x02
#define SW_TR_ALT_ADDR 0x03
#define SW_TR_ND 0x04
#define SW_TR_RANDOM_PORT 0x05
#define SW_TR_RANDOM_PORT_SEND SW_TR_RANDOM_PORT /* the type we send; see README */

#define SW_ND_SOLICIT 0x00
#define SW_ND_ADVERT 0x01
#define SW_ALT_MAX 4

struct sw_trailers {
	bool has_nonce, has_random_port, has_nd, has_alt;
	bool alt_bad;   /* an Alternate Address trailer was present but invalid (SEC-17) */
	bool truncated; /* processing stopped at a malformed trailer (packet kept) */
	uint32_t nonce;
	uint16_t random_port;
	uint8_t nd_type;
	uint8_t n_alt;
	struct sw_endpoint alt[SW_ALT_MAX];
};

/* Process trailers in order. Returns 0 (keep the packet, maybe truncated) or -EPROTO
 * when an unknown trailer with top bits 01 says to discard the whole packet. Unknown types
 * with other top bits are skipped. Processing stops with truncated = true (packet kept) when
 * fewer than 2, or fewer than 2 + Length, bytes are left, and also at a known trailer with a
 * wrong Length or an invalid value (Nonce len != 4, Random Port len != 2, ND len != 4 or
 * DiscoveryType not 0/1, Alternate Address invalid): that trailer is not reported. An invalid
 * Alternate Address trailer (len not 8/14/20/26, an IPv4 in 0/8, 127/8, 224/4 or 240/4, or
 * port 0) also sets alt_bad, has_alt = false, n_alt = 0 (the client drops the indirect
 * bubble, SEC-17); private IPv4 ranges are valid there. A repeated trailer overwrites the
 * earlier one; alt_bad stays set. */
int sw_trailers_parse(const uint8_t *p, size_t len, struct sw_trailers *out);

uint8_t *sw_trailer_put_nonce(uint8_t *p, const uint8_t *end, uint32_t nonce);
uint8_t *sw_trailer_put_random_port(uint8_t *p, const uint8_t *end, uint16_t port);
uint8_t *sw_trailer_put_nd(uint8_t *p, const uint8_t *end, uint8_t type);
/* 1..4 entries; returns NULL for 0 or more than SW_ALT_MAX entries. */
uint8_t *sw_trailer_put_alt(uint8_t *p, const uint8_t *end, const struct sw_endpoint *alt,
			    size_t n);

#endif
