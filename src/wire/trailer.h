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
 * when an unknown trailer with top bits 01 says to discard the whole packet. */
int sw_trailers_parse(const uint8_t *p, size_t len, struct sw_trailers *out);

uint8_t *sw_trailer_put_nonce(uint8_t *p, const uint8_t *end, uint32_t nonce);
uint8_t *sw_trailer_put_random_port(uint8_t *p, const uint8_t *end, uint16_t port);
uint8_t *sw_trailer_put_nd(uint8_t *p, const uint8_t *end, uint8_t type);
/* 1..4 entries; returns NULL for 0 or more than SW_ALT_MAX entries. */
uint8_t *sw_trailer_put_alt(uint8_t *p, const uint8_t *end, const struct sw_endpoint *alt,
			    size_t n);

#endif
