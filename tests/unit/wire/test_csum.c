/* Unit tests of wire/csum: RFC 1071 sum, folding, IPv6 pseudo-header checksum vectors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vec_hex.h"
#include "wire/csum.h"

/* Reference: straightforward 16-bit word sum in 64 bits, folded at the end. */
static uint16_t ref_csum(const uint8_t *p, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += i % 2 ? p[i] : (uint64_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void test_rfc1071_example(void **state)
{
	/* RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 */
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	(void)state;
	assert_int_equal(sw_csum_fold(sw_csum_partial(b, sizeof b, 0)), 0xffff & ~0xddf2);
	assert_int_equal(sw_csum_partial((const uint8_t *)"\x01", 1, 0), 0x0100);
	assert_int_equal(sw_csum_partial(b, 0, 7), 7);
	assert_int_equal(sw_csum_fold(0), 0xffff);
	assert_int_equal(sw_csum_fold(0xffff), 0);
	assert_int_equal(sw_csum_fold(0x1fffe), 0);
}

static void test_partial_chains_and_large(void **state)
{
	static uint8_t big[65536 + 17];
	(void)state;
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)(i * 131 + 7);
	for (size_t split = 0; split < 64; split += 2) {
		uint32_t s = sw_csum_partial(big, split, 0);

		s = sw_csum_partial(big + split, sizeof big - split, s);
		assert_int_equal(sw_csum_fold(s), ref_csum(big, sizeof big));
	}
	memset(big, 0xff, sizeof big);
	assert_int_equal(sw_csum_fold(sw_csum_partial(big, sizeof big, 0)),
			 ref_csum(big, sizeof big));
	assert_int_equal(sw_csum_fold(sw_csum_partial(big, 3, 0xffffffffu)),
			 ref_csum(big, 3) /* all-ones words are neutral */);
}

struct pvec {
	const char *name, *src, *dst, *msg;
	uint16_t want;
};

static const struct pvec pvecs[] = {
	{ "A-1 RS", "fe80::ffff:ffff:ffff", "ff02::2", "85 00 00 00 00 00 00 00", 0x7d37 },
	{ "A-1 RS cone", "fe80::8000:5445:5245:444f", "ff02::2", "85 00 00 00 00 00 00 00",
	  0x125d },
	{ "A-3 RA", "fe80::8000:f227:39cc:9b89", "fe80::ffff:ffff:ffff",
	  "86 00 00 00 00 00 00 00 00 00 00 00 00 00 07 d0 03 04 40 40 ff ff ff ff ff ff ff ff"
	  " 00 00 00 00 20 01 00 00 c6 33 64 76 00 00 00 00 00 00 00 00 05 01 00 00 00 00 05 00",
	  0x954c },
	{ "A-4 echo", "2001:0:c633:6476:0:dfff:3fff:fdf5", "2001:db8::1",
	  "80 00 00 00 00 00 00 00 a1 a2 a3 a4 a5 a6 a7 a8", 0x56c4 },
};

static void test_ip6_pseudo_header_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof pvecs / sizeof pvecs[0]; i++) {
		const struct pvec *v = &pvecs[i];
		uint8_t src[16], dst[16], msg[128];
		size_t n = vec_hex(v->msg, msg, sizeof msg);
		uint16_t c;

		vec_ip6(v->src, src);
		vec_ip6(v->dst, dst);
		c = sw_csum_ip6(src, dst, 58, msg, n);
		if (c != v->want)
			fail_msg("%s: checksum 0x%04x, want 0x%04x", v->name, c, v->want);
		msg[2] = (uint8_t)(c >> 8);
		msg[3] = (uint8_t)c;
		assert_int_equal(sw_csum_ip6(src, dst, 58, msg, n), 0);
		msg[n - 1] ^= 1; /* a flipped bit no longer verifies */
		assert_int_not_equal(sw_csum_ip6(src, dst, 58, msg, n), 0);
		msg[n - 1] ^= 1;
		assert_int_not_equal(sw_csum_ip6(src, dst, 17, msg, n), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_partial_chains_and_large),
		cmocka_unit_test(test_ip6_pseudo_header_vectors),
	};
	return cmocka_run_group_tests_name("wire_csum", tests, NULL, NULL);
}
