/* sys/steer: the shard function on fixed vectors (computed independently in Python:
 * w = be32(addr[8..11]) ^ be32(addr[12..15]); ((w * 0x9E3779B1) mod 2^32 >> 16) % n), n == 1
 * always 0, an even spread over random Teredo addresses, and the argument checks of the
 * two attach functions (which return before any system call). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sys/steer.h"

static const unsigned ns[] = {1, 2, 3, 4, 5, 7, 64};
#define NN (sizeof(ns) / sizeof(ns[0]))

struct vec {
	uint8_t addr[16];
	unsigned want[NN]; /* for each of ns[] */
};

/* 2001:0:c633:6401:8000:3cff:cf0c:f5fe: w = 0x4f0cc901, w * M = 0x800f72b1 (wraps)
 * 2001::  and  2001::ffff:ffff:ffff:ffff: w = 0 (bytes 0..7 never count)
 * 2001::1: w = 1, w * M = 0x9e3779b1, >> 16 = 40503
 * 2001::102:304:506:708: w = 0x0404040c, w * M = 0xf344784c
 * ffff:ffff:ffff:ffff:8000::: w = 0x80000000, w * M = 0x80000000
 * 2001:0:53aa:64c:0:f227:abfc:fefe: w = 0xabfc0cd9, w * M = 0xbbf67309 */
static const struct vec vecs[] = {
    {{0x20, 0x01, 0, 0, 0xc6, 0x33, 0x64, 0x01, 0x80, 0, 0x3c, 0xff, 0xcf, 0x0c, 0xf5, 0xfe},
     {0, 1, 2, 3, 3, 2, 15}},
    {{0x20, 0x01}, {0, 0, 0, 0, 0, 0, 0}},
    {{0x20, 0x01, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
     {0, 0, 0, 0, 0, 0, 0}},
    {{0x20, 0x01, [15] = 1}, {0, 1, 0, 3, 3, 1, 55}},
    {{0x20, 0x01, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, {0, 0, 2, 0, 1, 4, 4}},
    {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80}, {0, 0, 2, 0, 3, 1, 0}},
    {{0x20, 0x01, 0, 0, 0x53, 0xaa, 0x06, 0x4c, 0, 0, 0xf2, 0x27, 0xab, 0xfc, 0xfe, 0xfe},
     {0, 0, 1, 2, 3, 0, 54}},
};

static void print_addr(const uint8_t a[16])
{
	for (int i = 0; i < 16; i++)
		fprintf(stderr, "%02x%s", a[i], i % 2 && i < 15 ? ":" : "");
}

static void test_steer_vectors(void **state)
{
	(void)state;
	for (size_t v = 0; v < sizeof(vecs) / sizeof(vecs[0]); v++)
		for (size_t i = 0; i < NN; i++) {
			unsigned got = sw_steer_shard(vecs[v].addr, ns[i]);

			if (got != vecs[v].want[i]) {
				fprintf(stderr, "vector %zu (", v);
				print_addr(vecs[v].addr);
				fprintf(stderr, ") n=%u: got %u, want %u\n", ns[i], got,
					vecs[v].want[i]);
				fail();
			}
		}
}

static uint64_t rnd(uint64_t *s) /* xorshift64 */
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* 2001:0:<server>:<flags>:<port>:<client>, all but the prefix random */
static void teredo_addr(uint64_t *s, uint8_t a[16])
{
	uint64_t x = rnd(s), y = rnd(s);

	a[0] = 0x20, a[1] = 0x01, a[2] = 0, a[3] = 0;
	for (int i = 0; i < 4; i++)
		a[4 + i] = (uint8_t)(x >> (8 * i));
	for (int i = 0; i < 8; i++)
		a[8 + i] = (uint8_t)(y >> (8 * i));
}

static void test_steer_one_worker(void **state)
{
	uint64_t seed = 0x5eed1;
	uint8_t a[16];

	(void)state;
	for (int i = 0; i < 10000; i++) {
		teredo_addr(&seed, a);
		if (sw_steer_shard(a, 1) != 0 || sw_steer_shard(a, 0) != 0) {
			print_addr(a);
			fprintf(stderr, ": n=1 %u n=0 %u\n", sw_steer_shard(a, 1),
				sw_steer_shard(a, 0));
			fail();
		}
	}
}

#define DRAWS 30000

/* each of n workers gets DRAWS/n within 5 %, and never a shard >= n */
static void test_steer_even(void **state)
{
	(void)state;
	for (unsigned n = 2; n <= 4; n++) {
		uint64_t seed = 0x7e4ed0 + n;
		unsigned cnt[4] = {0};
		uint8_t a[16];

		for (int i = 0; i < DRAWS; i++) {
			unsigned w;

			teredo_addr(&seed, a);
			w = sw_steer_shard(a, n);
			assert_in_range(w, 0, n - 1);
			cnt[w]++;
		}
		for (unsigned w = 0; w < n; w++) {
			double share = (double)cnt[w] * n / DRAWS;

			if (share < 0.95 || share > 1.05) {
				fprintf(stderr, "n=%u worker %u: %u of %d (expected about %d)\n", n,
					w, cnt[w], DRAWS, DRAWS / (int)n);
				fail();
			}
		}
	}
}

/* consecutive client addresses (one NAT's ports) spread too, not only random ones */
static void test_steer_even_sequential(void **state)
{
	(void)state;
	for (unsigned n = 2; n <= 4; n++) {
		unsigned cnt[4] = {0};
		uint8_t a[16] = {0x20, 0x01, 0, 0, 0xc6, 0x33, 0x64, 0x01,
				 0x80, 0,    0, 0, 0x34, 0xe7, 0x9b, 0xfd};

		for (unsigned p = 0; p < 4096; p++) {
			a[10] = (uint8_t)(p >> 8), a[11] = (uint8_t)p;
			cnt[sw_steer_shard(a, n)]++;
		}
		for (unsigned w = 0; w < n; w++)
			if (cnt[w] * n < 4096 * 85 / 100 || cnt[w] * n > 4096 * 115 / 100) {
				fprintf(stderr, "n=%u worker %u: %u of 4096 ports\n", n, w, cnt[w]);
				fail();
			}
	}
}

static void test_steer_attach_args(void **state)
{
	(void)state;
	assert_int_equal(sw_steer_udp(-1, 0), -EINVAL);
	assert_int_equal(sw_steer_udp(-1, SW_STEER_MAX + 1), -EINVAL);
	assert_int_equal(sw_steer_tun(-1, 0), -EINVAL);
	assert_int_equal(sw_steer_tun(-1, SW_STEER_MAX + 1), -EINVAL);
	assert_int_equal(sw_steer_udp(-1, 1), 0); /* one worker: nothing to attach */
	assert_int_equal(sw_steer_tun(-1, 1), 0);
	assert_int_equal(sw_steer_udp(-1, 2), -EBADF); /* otherwise it does try */
	assert_string_equal(sw_steer_log(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_steer_vectors),     cmocka_unit_test(test_steer_one_worker),
	    cmocka_unit_test(test_steer_even),	      cmocka_unit_test(test_steer_even_sequential),
	    cmocka_unit_test(test_steer_attach_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
