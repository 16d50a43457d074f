/* Unit tests of wire/trailer: RFC 6081 trailers (requirements §3.11, §10 item 91, SEC-17,
 * §11 item 1, Appendix A-6). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vec_hex.h"
#include "wire/trailer.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* Parses from a heap buffer of exactly the input's size, so ASan sees any overread. */
static int parse_hex(const char *s, struct sw_trailers *t)
{
	uint8_t buf[256], *b;
	size_t n = vec_hex(s, buf, sizeof(buf));
	int r;

	b = malloc(n ? n : 1);
	assert_non_null(b);
	memcpy(b, buf, n);
	r = sw_trailers_parse(b, n, t);
	free(b);

	fprintf(stderr, "# parse [%s] -> %d\n", s, r);
	return r;
}

static void expect_bytes(const uint8_t *got, const uint8_t *end, const char *want_hex)
{
	uint8_t want[64];
	size_t n = vec_hex(want_hex, want, sizeof(want));

	assert_non_null(end);
	if ((size_t)(end - got) != n || memcmp(got, want, n) != 0) {
		vec_dump("got", got, (size_t)(end - got));
		vec_dump("want", want, n);
		fail();
	}
}

/* A-6 parsing */
static void test_a6_parse(void **state)
{
	struct sw_trailers t;

	(void)state;
	assert_int_equal(parse_hex("01 04 de ad be ef", &t), 0);
	assert_true(t.has_nonce);
	assert_int_equal(t.nonce, 0xdeadbeef);
	assert_false(t.truncated || t.has_alt || t.has_nd || t.has_random_port || t.alt_bad);

	assert_int_equal(parse_hex("03 0e 00 00 c0 a8 01 0a c7 38 c6 33 64 07 9c 41", &t), 0);
	assert_true(t.has_alt);
	assert_false(t.alt_bad || t.truncated);
	assert_int_equal(t.n_alt, 2);
	assert_int_equal(t.alt[0].ip, IP(192, 168, 1, 10));
	assert_int_equal(t.alt[0].port, 51000);
	assert_int_equal(t.alt[1].ip, IP(198, 51, 100, 7));
	assert_int_equal(t.alt[1].port, 40001);

	assert_int_equal(parse_hex("04 04 00 00 00 00", &t), 0);
	assert_true(t.has_nd);
	assert_int_equal(t.nd_type, SW_ND_SOLICIT);
	assert_int_equal(parse_hex("04 04 01 00 00 00", &t), 0);
	assert_true(t.has_nd);
	assert_int_equal(t.nd_type, SW_ND_ADVERT);
	/* reserved bytes ignored on receipt */
	assert_int_equal(parse_hex("04 04 01 ff ff ff", &t), 0);
	assert_true(t.has_nd && !t.truncated);

	/* §11 item 1: both Random Port types */
	assert_int_equal(parse_hex("05 02 04 b1", &t), 0);
	assert_true(t.has_random_port);
	assert_int_equal(t.random_port, 1201);
	assert_int_equal(parse_hex("02 02 04 b1", &t), 0);
	assert_true(t.has_random_port);
	assert_int_equal(t.random_port, 1201);

	/* empty: nothing, not truncated */
	assert_int_equal(sw_trailers_parse(NULL, 0, &t), 0);
	assert_false(t.truncated || t.has_nonce);
}

/* A-6 building */
static void test_a6_build(void **state)
{
	uint8_t buf[64];
	const uint8_t *end = buf + sizeof(buf);
	struct sw_endpoint alt[2] = { { IP(192, 168, 1, 10), 51000 }, { IP(198, 51, 100, 7), 40001 } };

	(void)state;
	expect_bytes(buf, sw_trailer_put_nonce(buf, end, 0xdeadbeef), "01 04 de ad be ef");
	expect_bytes(buf, sw_trailer_put_alt(buf, end, alt, 2),
		     "03 0e 00 00 c0 a8 01 0a c7 38 c6 33 64 07 9c 41");
	expect_bytes(buf, sw_trailer_put_nd(buf, end, SW_ND_SOLICIT), "04 04 00 00 00 00");
	expect_bytes(buf, sw_trailer_put_nd(buf, end, SW_ND_ADVERT), "04 04 01 00 00 00");
	expect_bytes(buf, sw_trailer_put_random_port(buf, end, 1201), "05 02 04 b1");
}

/* Writers never write past end: each succeeds at its exact size and fails one short. */
static void test_put_bounds(void **state)
{
	uint8_t buf[32] = { 0 };
	struct sw_endpoint alt[5] = { { IP(10, 0, 0, 1), 1 }, { IP(10, 0, 0, 2), 2 },
				      { IP(10, 0, 0, 3), 3 }, { IP(10, 0, 0, 4), 4 },
				      { IP(10, 0, 0, 5), 5 } };

	(void)state;
	assert_null(sw_trailer_put_nonce(buf, buf + 5, 1));
	assert_ptr_equal(sw_trailer_put_nonce(buf, buf + 6, 1), buf + 6);
	assert_null(sw_trailer_put_nd(buf, buf + 5, 0));
	assert_ptr_equal(sw_trailer_put_nd(buf, buf + 6, 0), buf + 6);
	assert_null(sw_trailer_put_random_port(buf, buf + 3, 1));
	assert_ptr_equal(sw_trailer_put_random_port(buf, buf + 4, 1), buf + 4);
	for (size_t n = 1; n <= SW_ALT_MAX; n++) {
		size_t sz = 4 + 6 * n;

		assert_null(sw_trailer_put_alt(buf, buf + sz - 1, alt, n));
		assert_ptr_equal(sw_trailer_put_alt(buf, buf + sz, alt, n), buf + sz);
		assert_int_equal(buf[1], sz - 2);
	}
	/* SEC-17: at most 4 entries, at least 1 */
	assert_null(sw_trailer_put_alt(buf, buf + sizeof(buf), alt, 0));
	assert_null(sw_trailer_put_alt(buf, buf + sizeof(buf), alt, 5));
	assert_null(sw_trailer_put_nonce(NULL, buf + 6, 1));
}

/* Round trip of 1..4 alternate addresses. */
static void test_alt_roundtrip(void **state)
{
	uint8_t buf[32] = { 0 };
	struct sw_endpoint alt[4] = { { IP(10, 1, 2, 3), 65535 }, { IP(172, 16, 0, 1), 1 },
				      { IP(203, 0, 113, 9), 3544 }, { IP(223, 255, 255, 254), 2 } };
	struct sw_trailers t;

	(void)state;
	for (size_t n = 1; n <= 4; n++) {
		uint8_t *e = sw_trailer_put_alt(buf, buf + sizeof(buf), alt, n);

		assert_non_null(e);
		assert_int_equal(sw_trailers_parse(buf, (size_t)(e - buf), &t), 0);
		assert_true(t.has_alt);
		assert_false(t.alt_bad || t.truncated);
		assert_int_equal(t.n_alt, n);
		for (size_t i = 0; i < n; i++)
			assert_true(sw_endpoint_eq(t.alt[i], alt[i]));
	}
}

/* 91: in order, all of them */
static void test_s91_order(void **state)
{
	struct sw_trailers t;

	(void)state;
	assert_int_equal(parse_hex("01 04 12 34 56 78 05 02 04 b1 04 04 01 00 00 00 "
				   "03 08 00 00 0a 00 00 01 00 07",
				   &t),
			 0);
	assert_true(t.has_nonce && t.has_random_port && t.has_nd && t.has_alt);
	assert_false(t.truncated || t.alt_bad);
	assert_int_equal(t.nonce, 0x12345678);
	assert_int_equal(t.random_port, 1201);
	assert_int_equal(t.nd_type, SW_ND_ADVERT);
	assert_int_equal(t.n_alt, 1);
	assert_int_equal(t.alt[0].ip, IP(10, 0, 0, 1));
	assert_int_equal(t.alt[0].port, 7);
	/* a repeated trailer replaces the earlier one */
	assert_int_equal(parse_hex("01 04 00 00 00 01 01 04 00 00 00 02", &t), 0);
	assert_int_equal(t.nonce, 2);
}

/* 91: an unknown type with top bits 01 drops the packet; any other unknown is skipped. */
static void test_s91_unknown_types(void **state)
{
	uint8_t buf[32];
	struct sw_trailers t;

	(void)state;
	for (unsigned type = 0; type < 256; type++) {
		bool known = type >= 1 && type <= 5;
		int r;

		if (known)
			continue;
		/* unknown (len 3) followed by a nonce */
		vec_hex("00 03 aa bb cc 01 04 0a 0b 0c 0d", buf, sizeof(buf));
		buf[0] = (uint8_t)type;
		r = sw_trailers_parse(buf, 11, &t);
		if ((type & 0xC0) == 0x40) {
			if (r != -EPROTO)
				fprintf(stderr, "type %02x: r=%d\n", type, r);
			assert_int_equal(r, -EPROTO);
		} else {
			if (r != 0 || !t.has_nonce || t.nonce != 0x0a0b0c0d || t.truncated)
				fprintf(stderr, "type %02x: r=%d nonce=%d\n", type, r, t.has_nonce);
			assert_int_equal(r, 0);
			assert_true(t.has_nonce);
			assert_int_equal(t.nonce, 0x0a0b0c0d);
			assert_false(t.truncated);
		}
	}
	/* a 01-type unknown after known trailers still drops the packet */
	assert_int_equal(parse_hex("01 04 00 00 00 01 7f 00", &t), -EPROTO);
	/* ... but not when it sits after a malformed trailer: processing has stopped */
	assert_int_equal(parse_hex("01 03 00 00 00 7f 00", &t), 0);
	assert_true(t.truncated);
	/* zero-length unknown trailers are skipped */
	assert_int_equal(parse_hex("80 00 c0 00 00 00 05 02 00 09", &t), 0);
	assert_true(t.has_random_port);
	assert_int_equal(t.random_port, 9);
}

/* 91: malformed (fewer than 2, or fewer than 2 + len bytes left) stops, packet kept. */
static void test_s91_malformed_keeps_packet(void **state)
{
	struct sw_trailers t;

	(void)state;
	/* one byte left after a nonce */
	assert_int_equal(parse_hex("01 04 de ad be ef 05", &t), 0);
	assert_true(t.has_nonce && t.truncated);
	assert_int_equal(t.nonce, 0xdeadbeef);
	assert_false(t.has_random_port);
	/* length runs past the end */
	assert_int_equal(parse_hex("01 04 de ad be ef 05 02 04", &t), 0);
	assert_true(t.has_nonce && t.truncated && !t.has_random_port);
	assert_int_equal(parse_hex("01 05 de ad be ef", &t), 0);
	assert_true(t.truncated && !t.has_nonce);
	assert_int_equal(parse_hex("7f ff", &t), 0); /* even a 01-type: it is malformed first */
	assert_true(t.truncated);
	assert_int_equal(parse_hex("01", &t), 0);
	assert_true(t.truncated);
	/* known types with a wrong length: not reported, processing stops */
	assert_int_equal(parse_hex("01 03 de ad be 05 02 04 b1", &t), 0);
	assert_true(t.truncated && !t.has_nonce && !t.has_random_port);
	assert_int_equal(parse_hex("01 05 de ad be ef 00", &t), 0);
	assert_true(t.truncated && !t.has_nonce);
	assert_int_equal(parse_hex("05 03 04 b1 00", &t), 0);
	assert_true(t.truncated && !t.has_random_port);
	assert_int_equal(parse_hex("02 01 04", &t), 0);
	assert_true(t.truncated && !t.has_random_port);
	assert_int_equal(parse_hex("04 03 00 00 00", &t), 0);
	assert_true(t.truncated && !t.has_nd);
	/* ND with an undefined DiscoveryType */
	assert_int_equal(parse_hex("04 04 02 00 00 00", &t), 0);
	assert_true(t.truncated && !t.has_nd);
	/* earlier valid trailers are kept */
	assert_int_equal(parse_hex("04 04 00 00 00 00 01 02 00 00", &t), 0);
	assert_true(t.has_nd && t.truncated && !t.has_nonce);
}

/* SEC-17: invalid Alternate Address trailers set alt_bad. */
static void test_sec17_alt_invalid(void **state)
{
	static const char *bad[] = {
		/* length > 26: five entries */
		"03 20 00 00 0a 00 00 01 00 01 0a 00 00 02 00 01 0a 00 00 03 00 01 0a 00 00 04 00 01 0a 00 00 05 00 01",
		/* length not in {8,14,20,26} */
		"03 09 00 00 0a 00 00 01 00 01 00",
		"03 07 00 00 0a 00 00 01 00",
		"03 02 00 00",
		"03 00",
		"03 0d 00 00 0a 00 00 01 00 01 0a 00 00 02 00",
		/* zero port */
		"03 08 00 00 0a 00 00 01 00 00",
		"03 0e 00 00 0a 00 00 01 00 01 0a 00 00 02 00 00",
		/* non-unicast IPv4: multicast, broadcast, 0/8, 127/8, 240/4 */
		"03 08 00 00 e0 00 00 01 00 01",
		"03 08 00 00 ef ff ff ff 00 01",
		"03 08 00 00 ff ff ff ff 00 01",
		"03 08 00 00 00 00 00 00 00 01",
		"03 08 00 00 00 01 02 03 00 01",
		"03 08 00 00 7f 00 00 01 00 01",
		"03 08 00 00 f0 00 00 01 00 01",
		"03 0e 00 00 c0 a8 01 0a c7 38 e0 00 00 fb 0d d8",
	};
	struct sw_trailers t;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse_hex(bad[i], &t);

		if (r != 0 || !t.alt_bad || t.has_alt || t.n_alt != 0)
			fprintf(stderr, "case %zu [%s]: r=%d alt_bad=%d has_alt=%d n=%u\n", i,
				bad[i], r, t.alt_bad, t.has_alt, t.n_alt);
		assert_int_equal(r, 0);
		assert_true(t.alt_bad);
		assert_false(t.has_alt);
		assert_int_equal(t.n_alt, 0);
	}
	/* valid edge cases: private ranges, reserved bytes ignored, 4 entries (26) */
	assert_int_equal(parse_hex("03 08 ff ff 0a 00 00 01 00 01", &t), 0);
	assert_true(t.has_alt && !t.alt_bad);
	assert_int_equal(parse_hex("03 1a 00 00 0a 00 00 01 00 01 ac 10 00 01 00 02 "
				   "c0 a8 00 01 00 03 01 00 00 00 ff ff",
				   &t),
			 0);
	assert_true(t.has_alt && !t.alt_bad);
	assert_int_equal(t.n_alt, 4);
	assert_int_equal(t.alt[3].ip, IP(1, 0, 0, 0));
	assert_int_equal(t.alt[3].port, 65535);
	/* a bad one after a good one: alt_bad, no alternate reported */
	assert_int_equal(parse_hex("03 08 00 00 0a 00 00 01 00 01 03 08 00 00 0a 00 00 01 00 00", &t), 0);
	assert_true(t.alt_bad && !t.has_alt);
}

/* Parse every prefix of a multi-trailer buffer: never reads beyond len, never fails. */
static void test_s91_every_prefix(void **state)
{
	uint8_t buf[64];
	size_t n = vec_hex("01 04 12 34 56 78 05 02 04 b1 80 01 00 04 04 01 00 00 00 "
		       "03 0e 00 00 c0 a8 01 0a c7 38 c6 33 64 07 9c 41",
		       buf, sizeof(buf));
	static const size_t ends[] = { 0, 6, 10, 13, 19, 35 }; /* trailer boundaries */
	struct sw_trailers t;

	(void)state;
	for (size_t k = 0; k <= n; k++) {
		bool boundary = false;

		for (size_t j = 0; j < sizeof(ends) / sizeof(ends[0]); j++)
			boundary |= ends[j] == k;
		assert_int_equal(sw_trailers_parse(buf, k, &t), 0);
		if (t.truncated == boundary)
			fprintf(stderr, "prefix %zu: truncated=%d\n", k, t.truncated);
		assert_int_equal(t.truncated, !boundary);
		assert_int_equal(t.has_nonce, k >= 6);
		assert_int_equal(t.has_random_port, k >= 10);
		assert_int_equal(t.has_nd, k >= 19);
		assert_int_equal(t.has_alt, k >= 35);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a6_parse),
		cmocka_unit_test(test_a6_build),
		cmocka_unit_test(test_put_bounds),
		cmocka_unit_test(test_alt_roundtrip),
		cmocka_unit_test(test_s91_order),
		cmocka_unit_test(test_s91_unknown_types),
		cmocka_unit_test(test_s91_malformed_keeps_packet),
		cmocka_unit_test(test_s91_every_prefix),
		cmocka_unit_test(test_sec17_alt_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
