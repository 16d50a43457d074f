/* ratelimit: token bucket arithmetic, bounded table, eviction of the least recent entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/ratelimit.h"

static const uint8_t key[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};

static unsigned allowed_in(struct sw_ratelimit *rl, uint64_t k, sw_time now, unsigned tries)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < tries; i++)
		ok += sw_ratelimit_allow(rl, k, now);
	return ok;
}

static void test_rl_burst_then_rate(void **state)
{
	static const struct {
		uint32_t rate, burst;
		sw_time wait;
		unsigned want_after; /* allowed after waiting */
	} cases[] = {
		{10, 5, 100, 1}, {10, 5, 1000, 5}, {10, 5, 250, 2}, {1000, 50, 10, 10},
		{1, 1, 999, 0}, {1, 1, 1000, 1}, {100000, 1000, 5, 500},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sw_ratelimit rl;
		unsigned a, b;

		assert_int_equal(sw_ratelimit_init(&rl, 64, cases[i].rate, cases[i].burst, key), 0);
		a = allowed_in(&rl, 1, 1000, cases[i].burst + 10);
		b = allowed_in(&rl, 1, 1000 + cases[i].wait, cases[i].burst + 10);
		if (a != cases[i].burst || b != cases[i].want_after)
			fprintf(stderr, "case %zu: rate %u burst %u wait %llu: %u then %u\n", i,
				cases[i].rate, cases[i].burst, (unsigned long long)cases[i].wait, a, b);
		assert_int_equal(a, cases[i].burst);
		assert_int_equal(b, cases[i].want_after);
		/* a long idle period refills to the burst, not beyond */
		assert_int_equal(allowed_in(&rl, 1, 1000 + cases[i].wait + 3600000, cases[i].burst * 3),
				 cases[i].burst);
		sw_ratelimit_free(&rl);
	}
}

static void test_rl_keys_independent_and_bounded(void **state)
{
	struct sw_ratelimit rl;

	(void)state;
	assert_int_equal(sw_ratelimit_init(&rl, 100, 1, 2, key), 0);
	assert_int_equal(rl.nsets * SW_RL_WAYS, 128);
	assert_int_equal(allowed_in(&rl, 1, 0, 5), 2);
	assert_int_equal(allowed_in(&rl, 2, 0, 5), 2);
	/* 10 000 other keys: the table never grows; evictions are counted */
	for (uint64_t k = 100; k < 10100; k++)
		sw_ratelimit_allow(&rl, k, 1);
	assert_true(rl.stats.evicted >= 10000 - 128);
	assert_int_equal(rl.stats.inserted, 10002);
	sw_ratelimit_free(&rl);
}

static void test_rl_active_entry_survives_churn(void **state)
{
	struct sw_ratelimit rl;
	unsigned ok = 0;

	(void)state;
	assert_int_equal(sw_ratelimit_init(&rl, 64, 1, 10, key), 0);
	/* key 7 is busy every ms; 5 new keys per ms churn through 64 entries */
	for (sw_time t = 1; t <= 1000; t++) {
		ok += sw_ratelimit_allow(&rl, 7, t);
		for (uint64_t k = 0; k < 5; k++)
			sw_ratelimit_allow(&rl, 1000 + t * 5 + k, t);
	}
	fprintf(stderr, "busy key allowed %u times\n", ok);
	assert_true(ok <= 10 + 1 + 1); /* burst + 1 s of rate, never reset by eviction */
	sw_ratelimit_free(&rl);
}

static void test_rl_disabled(void **state)
{
	struct sw_ratelimit rl;

	(void)state;
	assert_int_equal(sw_ratelimit_init(&rl, 0, 0, 0, key), 0);
	assert_int_equal(allowed_in(&rl, 1, 0, 1000), 1000);
	sw_ratelimit_free(&rl);
	assert_int_equal(sw_ratelimit_init(&rl, 0, 5, 5, key), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rl_burst_then_rate),
		cmocka_unit_test(test_rl_keys_independent_and_bounded),
		cmocka_unit_test(test_rl_active_entry_survives_churn),
		cmocka_unit_test(test_rl_disabled),
	};

	return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
