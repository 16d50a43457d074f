/*
 * icmp6: the ICMPv6 messages Teredo uses — Router Solicitation/Advertisement with the
 * ND validity rules (RFC 4861 §6.1), Echo Request/Reply, and errors (Destination
 * Unreachable, Packet Too Big) with the RFC 4443 §2.4 rules. Builders write whole IPv6
 * packets with checksums; parsers read a struct sw_ip6. No allocation, no I/O.
 */
#ifndef SW_WIRE_ICMP6_H
#define SW_WIRE_ICMP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/addr.h"

struct sw_ip6;

#define SW_ICMP6_DST_UNREACH 1
#define SW_ICMP6_PKT_TOO_BIG 2
#define SW_ICMP6_TIME_EXCEEDED 3
#define SW_ICMP6_PARAM_PROB 4
#define SW_ICMP6_ECHO_REQUEST 128
#define SW_ICMP6_ECHO_REPLY 129
#define SW_ICMP6_RS 133
#define SW_ICMP6_RA 134
#define SW_ICMP6_REDIRECT 137

#define SW_UNREACH_NOROUTE 0
#define SW_UNREACH_ADMIN 1
#define SW_UNREACH_ADDR 3

#define SW_TEREDO_MTU 1280
#define SW_ICMP6_ERR_MAX 1280 /* an error packet never exceeds the minimum MTU */

/* The first ICMPv6 type/code of a parsed packet, or -1 if it is not ICMPv6. */
int sw_icmp6_type(const struct sw_ip6 *ip);
/* Checksum over the pseudo-header verifies. */
bool sw_icmp6_csum_ok(const struct sw_ip6 *ip);

/* --- Router Solicitation --- */
/* RS from src to ff02::2, hop limit 255, no options (requirements §3.7). 48 bytes. */
uint8_t *sw_rs_put(uint8_t *p, const uint8_t *end, const uint8_t src[16]);
/* ND §6.1.1 validity: hop limit 255, checksum, code 0, length >= 8, no zero-length
 * option, link-local source, destination ff02::2. Returns 0 or -EINVAL. */
int sw_rs_check(const struct sw_ip6 *ip);

/* --- Router Advertisement --- */
struct sw_ra_params {
	uint32_t server;     /* primary server IPv4: prefix 2001:0:<server>::/64, src link-local */
	const uint8_t *dst;  /* RS source (16 bytes) */
	uint16_t mtu;        /* MTU option value; 0 = no MTU option */
};
/* RA with Miredo-compatible field values (requirements §3.8, Appendix A-3). */
uint8_t *sw_ra_put(uint8_t *p, const uint8_t *end, const struct sw_ra_params *ra);

struct sw_ra {
	uint8_t prefix[16]; /* the single PIO's prefix */
	uint8_t prefix_len;
	uint32_t mtu; /* 0 when absent */
	uint16_t router_lifetime;
};
/* ND §6.1.2 validity plus Teredo's rules: link-local source, hop limit 255, checksum,
 * code 0, ICMP length >= 16, no zero-length option, exactly one PIO, PIO prefix in
 * 2001:0::/32. The caller checks the destination and the server field. 0 or -EINVAL. */
int sw_ra_parse(const struct sw_ip6 *ip, struct sw_ra *out);

/* --- Echo --- */
struct sw_echo {
	uint8_t type; /* 128 or 129 */
	uint16_t id, seq;
	const uint8_t *data;
	size_t data_len;
};
uint8_t *sw_echo_put(uint8_t *p, const uint8_t *end, const uint8_t src[16], const uint8_t dst[16],
		     uint8_t hlim, const struct sw_echo *e);
/* Parse an Echo Request or Reply (checksum verified). 0 or -EINVAL. */
int sw_echo_parse(const struct sw_ip6 *ip, struct sw_echo *out);

/* --- Errors (RFC 4443) --- */
/* RFC 4443 §2.4 (e): may an error be sent about this packet? False for ICMPv6 errors,
 * redirects, unspecified/multicast sources, and multicast destinations (except PTB and
 * Parameter Problem code 2, which the caller signals with allow_mcast_dst). */
bool sw_icmp6_may_error(const struct sw_ip6 *invoking, bool allow_mcast_dst);
/* Error from src to the invoking packet's source, quoting as much of it as fits in 1280
 * bytes. param is the MTU for Packet Too Big, the pointer for Parameter Problem, else 0.
 * Hop limit 64. NULL when inv_len < 40 or the whole error (48 + min(inv_len, 1232) bytes)
 * does not fit before end. */
uint8_t *sw_icmp6_error_put(uint8_t *p, const uint8_t *end, const uint8_t src[16], uint8_t type,
			    uint8_t code, uint32_t param, const uint8_t *invoking, size_t inv_len);

#endif
