/*
 * teredo: the UDP payload of Teredo (RFC 4380 §5.1.1) — demultiplexing, the
 * authentication encapsulation with its HMAC-SHA1 (nettle), the origin indication and
 * the order rule (auth before origin). Parses in place; never allocates.
 */
#ifndef SW_WIRE_TEREDO_H
#define SW_WIRE_TEREDO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/addr.h"

#define SW_AUTH_MIN 13
#define SW_ORIGIN_LEN 8
#define SW_NONCE_LEN 8
#define SW_HMAC_LEN 20

struct sw_auth {
	const uint8_t *id; /* client identifier, id_len bytes */
	const uint8_t *au; /* authentication value, au_len bytes */
	uint8_t id_len, au_len;
	uint8_t nonce[SW_NONCE_LEN];
	uint8_t conf;
};

/* A parsed Teredo UDP payload; pointers point into the caller's buffer. */
struct sw_pkt {
	bool has_auth, has_origin;
	struct sw_auth auth;
	struct sw_endpoint origin;     /* de-obfuscated */
	const uint8_t *ip6;            /* start of the IPv6 packet */
	size_t ip6_len;                /* 40 + payload length */
	const uint8_t *trailers;       /* bytes after the IPv6 packet (RFC 6081) */
	size_t trailers_len;
};

/* Demultiplex and validate the encapsulation (requirements §3.2–3.5): Auth? Origin? IPv6,
 * auth first, every length checked, IPv6 version 6 and 40 + plen <= remaining. The IPv6
 * packet itself is then parsed with sw_ip6_parse. Returns 0 or -EINVAL. */
int sw_pkt_parse(const uint8_t *buf, size_t len, struct sw_pkt *out);

/* Writers return the advanced pointer, or NULL if the data does not fit before end. */
uint8_t *sw_origin_put(uint8_t *p, const uint8_t *end, struct sw_endpoint ep);
/* Auth header with the given id/value (either may be NULL with length 0). */
uint8_t *sw_auth_put(uint8_t *p, const uint8_t *end, const struct sw_auth *a);

/* HMAC-SHA1 (RFC 2104) over nonce || conf || origin (8 bytes, if origin != NULL) || ip6,
 * as RFC 4380 §5.2.2 defines it. */
void sw_auth_hmac(const uint8_t *key, size_t key_len, const uint8_t nonce[SW_NONCE_LEN],
		  uint8_t conf, const uint8_t *origin8, const uint8_t *ip6, size_t ip6_len,
		  uint8_t mac[SW_HMAC_LEN]);
/* Verifies a parsed packet's MAC against key in constant time. origin8 is the raw 8-byte
 * origin indication if present. */
bool sw_auth_verify(const struct sw_pkt *pkt, const uint8_t *origin8, const uint8_t *key,
		    size_t key_len);

#endif
