/*
 * vec_hex: test helpers for the wire tests — hex vectors to bytes, text addresses to bytes,
 * and a byte comparison that prints both buffers when they differ. Test code only.
 */
#ifndef SW_TEST_VEC_HEX_H
#define SW_TEST_VEC_HEX_H

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int vec_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "60 00 0a..." (spaces optional) into out; aborts on malformed vectors. */
static inline size_t vec_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (*s) {
		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		int hi = vec_nibble(s[0]), lo = s[1] ? vec_nibble(s[1]) : -1;
		if (hi < 0 || lo < 0 || n == max) {
			fprintf(stderr, "bad test vector near \"%.8s\"\n", s);
			abort();
		}
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return n;
}

static inline void vec_ip6(const char *text, uint8_t a[16])
{
	if (inet_pton(AF_INET6, text, a) != 1) {
		fprintf(stderr, "bad IPv6 literal in test: %s\n", text);
		abort();
	}
}

static inline uint32_t vec_ip4(const char *text)
{
	struct in_addr in;

	if (inet_pton(AF_INET, text, &in) != 1) {
		fprintf(stderr, "bad IPv4 literal in test: %s\n", text);
		abort();
	}
	return ntohl(in.s_addr);
}

static inline void vec_dump(const char *label, const uint8_t *p, size_t n)
{
	fprintf(stderr, "%s (%zu bytes):", label, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 20 ? " " : "\n  ", p[i]);
	fprintf(stderr, "\n");
}

/* True when equal; otherwise prints what and both buffers. */
static inline bool vec_same(const char *what, const uint8_t *got, size_t got_len,
			    const uint8_t *want, size_t want_len)
{
	if (got_len == want_len && memcmp(got, want, got_len) == 0)
		return true;
	fprintf(stderr, "mismatch: %s\n", what);
	vec_dump("got", got, got_len);
	vec_dump("want", want, want_len);
	return false;
}

#endif
