/*
 * ip6: IPv6 header validation (version, payload length, extension-header chain with a
 * bound), bubbles (RFC 4380 §2.8) and header construction. Parses in place; never
 * allocates, never trusts a length.
 */
#ifndef SW_WIRE_IP6_H
#define SW_WIRE_IP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_IP6_HLEN 40
#define SW_NH_HOPOPTS 0
#define SW_NH_TCP 6
#define SW_NH_UDP 17
#define SW_NH_ROUTING 43
#define SW_NH_FRAGMENT 44
#define SW_NH_ICMP6 58
#define SW_NH_NONE 59
#define SW_NH_DSTOPTS 60
#define SW_IP6_MAX_EXT 8 /* extension headers walked before giving up */

/* A parsed IPv6 packet; all pointers point into the caller's buffer. */
struct sw_ip6 {
	const uint8_t *pkt; /* start of the IPv6 header */
	size_t len;         /* 40 + payload length (bytes after it are trailers) */
	uint16_t plen;
	uint8_t nh;   /* Next Header of the fixed header */
	uint8_t hlim;
	const uint8_t *src, *dst;
	uint8_t proto;     /* upper-layer protocol after the extension chain */
	const uint8_t *l4; /* upper-layer header, or NULL for NH 59 */
	size_t l4_len;
	bool fragment; /* a Fragment header was seen (l4 may be partial) */
};

/* Validate and parse: version 6, 40 + plen <= len, extension chain walked (at most
 * SW_IP6_MAX_EXT headers, each length checked). Returns 0 or -EINVAL. */
int sw_ip6_parse(const uint8_t *buf, size_t len, struct sw_ip6 *out);
/* NH 59 and payload length 0 (RFC 4380 §2.8). */
bool sw_ip6_is_bubble(const struct sw_ip6 *ip);

/* Write a fixed IPv6 header; returns p + 40, or NULL if it does not fit before end. */
uint8_t *sw_ip6_put(uint8_t *p, const uint8_t *end, uint16_t plen, uint8_t nh, uint8_t hlim,
		    const uint8_t src[16], const uint8_t dst[16]);
/* Write a bubble (40 bytes); returns the advanced pointer or NULL. */
uint8_t *sw_bubble_put(uint8_t *p, const uint8_t *end, const uint8_t src[16],
		       const uint8_t dst[16], uint8_t hlim);

#endif
