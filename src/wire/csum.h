/*
 * csum: the Internet checksum (RFC 1071) and the IPv6 upper-layer pseudo-header sum
 * (RFC 8200 §8.1) used by ICMPv6 and UDP. Pure functions, no allocation.
 */
#ifndef SW_WIRE_CSUM_H
#define SW_WIRE_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* One's-complement partial sum of buf added to sum (not folded, not inverted). buf is summed
 * as 16-bit words from its first byte: in a chain only the last piece may have odd length. */
uint32_t sw_csum_partial(const uint8_t *buf, size_t len, uint32_t sum);
/* Fold and invert a partial sum into the 16-bit checksum value. */
uint16_t sw_csum_fold(uint32_t sum);
/* Checksum of an upper-layer message (with its checksum field as it is) under the IPv6
 * pseudo-header. Returns the value to store when the field was zero; 0 means "verifies"
 * when the field was filled in. Result in host byte order. */
uint16_t sw_csum_ip6(const uint8_t src[16], const uint8_t dst[16], uint8_t nh,
		     const uint8_t *msg, size_t len);

#endif
