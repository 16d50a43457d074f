/*
 * siphash: SipHash-2-4 (Aumasson & Bernstein, 2012), a keyed 64-bit PRF for hash tables
 * an attacker must not be able to flood, and for stateless cookies. Pure function: no
 * allocation, no I/O, no globals. Not a MAC for anything that needs more than 64 bits.
 */
#ifndef SW_ENGINE_SIPHASH_H
#define SW_ENGINE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct sw_sipkey {
	uint64_t k0, k1;
};

/* The key from 16 bytes, as the paper reads it (two little-endian words). */
struct sw_sipkey sw_siphash_key(const uint8_t key[16]);
uint64_t sw_siphash(struct sw_sipkey k, const void *data, size_t len);

#endif
