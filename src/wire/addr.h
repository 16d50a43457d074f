/*
 * addr: Teredo addresses (RFC 4380 §4, RFC 5991 §3.1), their link-local forms,
 * and the IPv4/IPv6 scope predicates every role uses before sending.
 * Pure functions over bytes: no allocation, no I/O, no clock, no globals.
 */
#ifndef SW_WIRE_ADDR_H
#define SW_WIRE_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_TEREDO_PORT 3544
#define SW_FLAG_CONE 0x8000u
#define SW_FLAG_Z 0x4000u
#define SW_FLAG_RANDOM_MASK 0x3CFFu /* RFC 5991 Random1 | Random2 */
#define SW_FLAG_UG 0x0300u

/* An IPv4 endpoint; both fields in host byte order. */
struct sw_endpoint {
	uint32_t ip;
	uint16_t port;
};

/* A decoded Teredo address. mapped is de-obfuscated (host byte order). */
struct sw_teredo {
	uint32_t server;
	uint16_t flags;
	struct sw_endpoint mapped;
};

static inline bool sw_endpoint_eq(struct sw_endpoint a, struct sw_endpoint b)
{
	return a.ip == b.ip && a.port == b.port;
}

/* 2001:0000::/32 */
bool sw_addr_is_teredo(const uint8_t a[16]);
/* Decode; returns 0, or -EINVAL when a is not a Teredo address. */
int sw_addr_decode(const uint8_t a[16], struct sw_teredo *out);
void sw_addr_encode(uint8_t a[16], const struct sw_teredo *t);
/* True when the mapping embedded in a equals ep (flags are never compared). */
bool sw_addr_mapping_eq(const uint8_t a[16], struct sw_endpoint ep);

/* Flags for a new address: C as given, z = U = G = 0, random12 masked by 0x3CFF. */
uint16_t sw_flags_make(bool cone, uint16_t random12);

/* fe80::<flags>:<~port>:<~ip> (RFC 4380 §4 identifier layout on fe80::/64). */
void sw_addr_linklocal(uint8_t a[16], uint16_t flags, struct sw_endpoint ep);
/* Server link-local of RFC 4380 §5.3.2: fe80::8000:f227:<~server>. */
void sw_addr_server_linklocal(uint8_t a[16], uint32_t server);
/* Client RS sources (requirements §2.6): C=0 fe80::ffff:ffff:ffff, C=1 fe80::8000:5445:5245:444f. */
void sw_addr_rs_source(uint8_t a[16], bool cone);
/* The Teredo /64 for a server: 2001:0:<server>::/64 into the first 8 bytes, rest zero. */
void sw_addr_prefix(uint8_t a[16], uint32_t server);

/* Options for sw_ipv4_is_global. */
#define SW_GLOBAL_RFC6890 0x1u /* also exclude 100.64/10, 192.0.0/24, 198.18/15, 240/4 */

/* RFC 4380 §5.2.4 "global unicast" predicate (requirements §2.4). Directed broadcasts of
 * attached subnets are the caller's business (they need the interface list). */
bool sw_ipv4_is_global(uint32_t ip, unsigned opts);

/* IPv6 scope predicates over 16 bytes. */
bool sw_ip6_is_unspecified(const uint8_t a[16]);
bool sw_ip6_is_loopback(const uint8_t a[16]);
bool sw_ip6_is_linklocal(const uint8_t a[16]);
bool sw_ip6_is_multicast(const uint8_t a[16]);
/* Not unspecified, loopback, link-local, site-local, multicast, v4-mapped: may be routed. */
bool sw_ip6_is_global(const uint8_t a[16]);

/* Text helpers (inet_pton/ntop are in libc; these only add the Teredo pieces). */
/* "a.b.c.d:port" → ep; returns 0 or -EINVAL. */
int sw_endpoint_parse(const char *s, struct sw_endpoint *ep);
/* Writes "a.b.c.d" (ip in host order) into buf (at least 16 bytes); returns buf. */
char *sw_ip4_str(uint32_t ip, char *buf, size_t len);
/* Writes "a.b.c.d:port" into buf (at least 22 bytes); returns buf. */
char *sw_endpoint_str(struct sw_endpoint ep, char *buf, size_t len);

#endif
