/* hex: every digit value, decoding, and each refusal (odd, empty, too long, bad digit). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/hex.h"

static void test_hex_digits(void **state)
{
	(void)state;
	for (int c = 0; c < 256; c++) {
		int want = c >= '0' && c <= '9'   ? c - '0'
			   : c >= 'a' && c <= 'f' ? c - 'a' + 10
			   : c >= 'A' && c <= 'F' ? c - 'A' + 10
						  : -1;
		if (sw_hex_digit(c) != want)
			fail_msg("digit 0x%02x: %d, want %d", c, sw_hex_digit(c), want);
	}
}

static void test_hex_decode(void **state)
{
	uint8_t out[4] = {0};

	(void)state;
	assert_int_equal(sw_hex_decode("736563", 6, out, sizeof(out)), 3);
	assert_memory_equal(out, "sec", 3);
	assert_int_equal(sw_hex_decode("DeadBEEF", 8, out, sizeof(out)), 4);
	assert_memory_equal(out, "\xde\xad\xbe\xef", 4);
}

static void test_hex_refusals(void **state)
{
	uint8_t out[2];

	(void)state;
	assert_int_equal(sw_hex_decode("abc", 3, out, sizeof(out)), -EINVAL);    /* odd */
	assert_int_equal(sw_hex_decode("", 0, out, sizeof(out)), -EINVAL);       /* empty */
	assert_int_equal(sw_hex_decode("aabbcc", 6, out, sizeof(out)), -EINVAL); /* too long */
	assert_int_equal(sw_hex_decode("0g", 2, out, sizeof(out)), -EINVAL);     /* bad digit */
	assert_int_equal(sw_hex_decode("g0", 2, out, sizeof(out)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_digits),
		cmocka_unit_test(test_hex_decode),
		cmocka_unit_test(test_hex_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
