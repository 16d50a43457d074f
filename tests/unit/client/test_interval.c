/* Refresh-interval determination (RFC 4380 §5.2.7): statement 59's progression against a
 * simulated NAT idle timeout, and the stop rule of requirements §11 item 17. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "engine/interval.h"

struct nat_case {
	const char *name;
	uint32_t timeout_ms;   /* the NAT forgets a mapping idle this long (0: never) */
	uint32_t probes[8];    /* candidates expected, in order (0 ends) */
	uint32_t final_ms;
};

static const struct nat_case cases[] = {
	/* statement 59's two examples */
	{"timeout 70 s", 70000, {60000, 90000, 75000}, 60000},
	{"timeout 100 s", 100000, {60000, 90000, 105000}, 90000},
	/* shorter than the first candidate: stays at the default 30 s */
	{"timeout 20 s", 20000, {60000, 45000, 37500}, 30000},
	{"timeout 50 s", 50000, {60000, 45000, 52500}, 45000},
	/* §11.17: a NAT that never times out below 120 s; the RFC's loop would creep
	 * towards 120 s for ever, the stop rule ends it once the step is under 5 s */
	{"never", 0, {60000, 90000, 105000, 112500}, 112500},
};

static void run(const struct nat_case *c)
{
	struct sw_interval iv;
	uint32_t tried[16];
	size_t n = 0;
	bool done = false;

	sw_interval_start(&iv);
	assert_int_equal(iv.interval, 30000);
	while (!done && n < 16) {
		bool ok = c->timeout_ms == 0 || iv.candidate < c->timeout_ms;

		tried[n++] = iv.candidate;
		done = sw_interval_result(&iv, ok);
	}
	for (size_t i = 0; i < 8 && (i < n || c->probes[i]); i++) {
		if (i >= n || tried[i] != c->probes[i]) {
			print_message("%s: probe %zu was %u, expected %u (%zu probes)\n", c->name,
				      i, i < n ? tried[i] : 0, c->probes[i], n);
			fail();
		}
	}
	if (!done || iv.interval != c->final_ms) {
		print_message("%s: done %d, interval %u, expected %u\n", c->name, done,
			      iv.interval, c->final_ms);
		fail();
	}
	/* once done, nothing changes */
	assert_true(sw_interval_result(&iv, true));
	assert_int_equal(iv.interval, c->final_ms);
}

static void test_s59_interval_progression(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run(&cases[i]);
}

/* The progression's two rules, one step each (statement 59). */
static void test_s59_rules(void **st)
{
	struct sw_interval iv;

	(void)st;
	sw_interval_start(&iv);
	assert_false(sw_interval_result(&iv, true)); /* success: interval := candidate */
	assert_int_equal(iv.interval, 60000);
	assert_int_equal(iv.candidate, 90000); /* min(2 x 60, (60 + 120) / 2) */
	assert_int_equal(iv.max, 120000);
	assert_false(sw_interval_result(&iv, false)); /* failure: max := candidate */
	assert_int_equal(iv.max, 90000);
	assert_int_equal(iv.interval, 60000);
	assert_int_equal(iv.candidate, 75000); /* (60 + 90) / 2: 60 < 0.75 x 90 */
	assert_true(sw_interval_result(&iv, false)); /* 60 >= 0.75 x 75: stop */
	assert_int_equal(iv.probes, 3);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_s59_interval_progression),
		cmocka_unit_test(test_s59_rules),
	};

	return cmocka_run_group_tests(t, NULL, NULL);
}
