/*
 * hex: hexadecimal digits and strings to bytes, for secrets files and JSON escapes.
 * Pure functions; no allocation.
 */
#ifndef SW_WIRE_HEX_H
#define SW_WIRE_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Value of one hex digit (either case), or -1. */
int sw_hex_digit(int c);
/* Decode exactly n hex digits (n even, n / 2 <= cap) into out: byte count or -EINVAL. */
int sw_hex_decode(const char *h, size_t n, uint8_t *out, size_t cap);

#endif
