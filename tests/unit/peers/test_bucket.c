/* bucket: burst, steady rate with partial tokens kept, cap at burst, a clock going back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/bucket.h"

static unsigned taken(struct sw_bucket *b, sw_time now, unsigned tries)
{
	unsigned n = 0;

	while (tries-- && sw_bucket_take(b, now))
		n++;
	return n;
}

static void test_bucket_burst_then_empty(void **state)
{
	struct sw_bucket b = {.tokens = 5, .burst = 5, .per_sec = 10};

	(void)state;
	assert_int_equal(taken(&b, 1000, 100), 5);
	assert_false(sw_bucket_take(&b, 1000));
}

/* 3 tokens a second taken every 400 ms: the 67 ms left over each time must not be lost,
 * so 30 s yield 90 tokens (not 75, as a refill that resets its clock would give). */
static void test_bucket_keeps_partial_tokens(void **state)
{
	struct sw_bucket b = {.tokens = 0, .burst = 3, .per_sec = 3, .last = 0};
	unsigned n = 0;

	(void)state;
	for (sw_time t = 400; t <= 30000; t += 400)
		n += taken(&b, t, 10);
	assert_in_range(n, 89, 90);
}

static void test_bucket_caps_at_burst(void **state)
{
	struct sw_bucket b = {.tokens = 0, .burst = 4, .per_sec = 10, .last = 0};

	(void)state;
	assert_int_equal(taken(&b, 3600000, 100), 4);
}

static void test_bucket_clock_back_refills_nothing(void **state)
{
	struct sw_bucket b = {.tokens = 1, .burst = 10, .per_sec = 10, .last = 50000};

	(void)state;
	assert_int_equal(taken(&b, 1000, 100), 1); /* 49 s "back": no refill */
	assert_int_equal(taken(&b, 1500, 100), 5); /* refills from the new time on */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_burst_then_empty),
		cmocka_unit_test(test_bucket_keeps_partial_tokens),
		cmocka_unit_test(test_bucket_caps_at_burst),
		cmocka_unit_test(test_bucket_clock_back_refills_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
