/* sys/resolve: literal addresses, names from /etc/hosts, bad input; never blocks (a poll
 * loop with a bound). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "sys/resolve.h"

static int wait_result(struct sw_resolve *r, uint32_t *ip)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	int err = -EINPROGRESS;

	for (int i = 0; i < 500 && err == -EINPROGRESS; i++) {
		err = sw_resolve_poll(r, ip);
		if (err == -EINPROGRESS)
			nanosleep(&ts, NULL);
	}
	return err;
}

static void test_literal(void **st)
{
	struct sw_resolve r = {0};
	uint32_t ip = 0;

	(void)st;
	assert_int_equal(sw_resolve_start(&r, "192.0.2.7"), 0);
	assert_int_equal(wait_result(&r, &ip), 0);
	assert_int_equal(ip, 0xC0000207u);
	assert_int_equal(sw_resolve_poll(&r, &ip), -EINVAL); /* finished */
}

static void test_localhost(void **st)
{
	struct sw_resolve r = {0};
	uint32_t ip = 0;

	(void)st;
	assert_int_equal(sw_resolve_start(&r, "localhost"), 0);
	assert_int_equal(wait_result(&r, &ip), 0);
	assert_int_equal(ip >> 24, 127);
}

static void test_bad_input(void **st)
{
	struct sw_resolve r = {0};
	char big[300];

	(void)st;
	assert_int_equal(sw_resolve_start(&r, ""), -EINVAL);
	for (size_t i = 0; i < sizeof big - 1; i++)
		big[i] = 'a';
	big[sizeof big - 1] = '\0';
	assert_int_equal(sw_resolve_start(&r, big), -EINVAL);
	sw_resolve_cancel(&r); /* nothing running: a no-op */
}

static void test_cancel_and_restart(void **st)
{
	struct sw_resolve r = {0};
	uint32_t ip = 0;

	(void)st;
	assert_int_equal(sw_resolve_start(&r, "localhost"), 0);
	sw_resolve_cancel(&r);
	assert_int_equal(sw_resolve_start(&r, "198.51.100.1"), 0);
	assert_int_equal(wait_result(&r, &ip), 0);
	assert_int_equal(ip, 0xC6336401u);
}

int main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(test_literal),
		cmocka_unit_test(test_localhost),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_cancel_and_restart),
	};

	return cmocka_run_group_tests(t, NULL, NULL);
}
