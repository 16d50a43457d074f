/* Unit tests of the JSON writer (daemon/json.c) and the CLI's JSON reader (cli/jread.c),
 * including a round trip writer -> reader. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/json.h"
#include "jread.h"

static void expect_text(const char *got, const char *want)
{
	if (!got || strcmp(got, want) != 0)
		fail_msg("json: got '%s', want '%s'", got ? got : "(NULL)", want);
}

static void test_json_nesting(void **state)
{
	char buf[256];
	struct sw_json j;

	(void)state;
	sw_json_init(&j, buf, sizeof(buf));
	sw_json_obj_begin(&j, NULL);
	sw_json_str(&j, "a", "x");
	sw_json_arr_begin(&j, "b");
	sw_json_u64(&j, NULL, 1);
	sw_json_i64(&j, NULL, -2);
	sw_json_obj_begin(&j, NULL);
	sw_json_obj_end(&j);
	sw_json_arr_begin(&j, NULL);
	sw_json_arr_end(&j);
	sw_json_arr_end(&j);
	sw_json_bool(&j, "t", true);
	sw_json_bool(&j, "f", false);
	sw_json_null(&j, "n");
	sw_json_str(&j, "s", NULL);
	sw_json_u64(&j, "max", UINT64_MAX);
	sw_json_i64(&j, "min", INT64_MIN);
	sw_json_obj_end(&j);
	expect_text(sw_json_finish(&j),
		    "{\"a\":\"x\",\"b\":[1,-2,{},[]],\"t\":true,\"f\":false,\"n\":null,"
		    "\"s\":null,\"max\":18446744073709551615,\"min\":-9223372036854775808}");
}

static void test_json_escaping(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{"plain", "\"plain\""},
		{"q\"b\\s/", "\"q\\\"b\\\\s/\""},
		{"\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\""},
		{"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
		{"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9b", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x9b\""},
		{"bad\xff\xc3(", "\"bad\\ufffd\\ufffd(\""},
		{"\xc0\xaf", "\"\\ufffd\\ufffd\""},             /* overlong */
		{"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},   /* surrogate */
		{"\xe2\x82", "\"\\ufffd\\ufffd\""},             /* truncated */
	};
	char buf[128];
	struct sw_json j;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sw_json_init(&j, buf, sizeof(buf));
		sw_json_str(&j, NULL, v[i].in);
		expect_text(sw_json_finish(&j), v[i].out);
	}
	sw_json_init(&j, buf, sizeof(buf));
	sw_json_obj_begin(&j, NULL);
	sw_json_u64(&j, "k\"ey", 1);
	sw_json_obj_end(&j);
	expect_text(sw_json_finish(&j), "{\"k\\\"ey\":1}");
}

static void test_json_addresses(void **state)
{
	static const uint8_t e5[16] = {0x20, 0x01, 0, 0, 0x41, 0x36, 0xe3, 0x78,
				       0x80, 0,    0x63, 0xbf, 0x3f, 0xff, 0xfd, 0xd2};
	static const uint8_t e9[16] = {0x20, 0x01, 0, 0, 0xc0, 0, 0x02, 0xc8,
				       0,    0,    0, 0, 0x20, 0, 0,    0x01};
	char buf[256];
	struct sw_json j;

	(void)state;
	sw_json_init(&j, buf, sizeof(buf));
	sw_json_obj_begin(&j, NULL);
	sw_json_ip6(&j, "a", e5);
	sw_json_ip6(&j, "b", e9);
	sw_json_ip4(&j, "s", 0x4136e378);
	sw_json_endpoint(&j, "m", (struct sw_endpoint){0xc000022d, 40000});
	sw_json_ms(&j, "t", 12345);
	sw_json_ms(&j, "z", 7);
	sw_json_obj_end(&j);
	expect_text(sw_json_finish(&j),
		    "{\"a\":\"2001:0:4136:e378:8000:63bf:3fff:fdd2\",\"b\":\"2001:0:c000:2c8::2000:1\","
		    "\"s\":\"65.54.227.120\",\"m\":\"192.0.2.45:40000\",\"t\":12.345,\"z\":0.007}");
}

/* Overflow at every possible capacity: NULL from finish, never a write past cap. */
static void test_json_overflow(void **state)
{
	const char *want = "{\"key\":\"value\",\"n\":[1,2,3]}";
	size_t full = strlen(want) + 1;

	(void)state;
	for (size_t cap = 0; cap <= full; cap++) {
		char buf[64];
		struct sw_json j;
		const char *got;

		memset(buf, 'X', sizeof(buf));
		sw_json_init(&j, buf, cap);
		sw_json_obj_begin(&j, NULL);
		sw_json_str(&j, "key", "value");
		sw_json_arr_begin(&j, "n");
		for (uint64_t i = 1; i <= 3; i++)
			sw_json_u64(&j, NULL, i);
		sw_json_arr_end(&j);
		sw_json_obj_end(&j);
		got = sw_json_finish(&j);
		if (cap < full && (got || !j.overflow))
			fail_msg("cap %zu: overflow not reported", cap);
		if (cap == full)
			expect_text(got, want);
		for (size_t k = cap; k < sizeof(buf); k++)
			if (buf[k] != 'X')
				fail_msg("cap %zu: byte %zu written", cap, k);
	}
}

static void test_json_depth_and_balance(void **state)
{
	char buf[256];
	struct sw_json j;

	(void)state;
	sw_json_init(&j, buf, sizeof(buf));
	for (int i = 0; i < SW_JSON_DEPTH + 2; i++)
		sw_json_arr_begin(&j, NULL);
	assert_null(sw_json_finish(&j));

	sw_json_init(&j, buf, sizeof(buf));
	sw_json_obj_begin(&j, NULL);
	assert_null(sw_json_finish(&j)); /* unbalanced */

	sw_json_init(&j, buf, sizeof(buf));
	sw_json_obj_end(&j);
	assert_null(sw_json_finish(&j)); /* close without open */
}

/* ---- reader ---- */

static int parse(const char *text, struct sw_jread *r, struct sw_jread_node *nodes, size_t cap,
		 char *buf, size_t bufcap)
{
	size_t len = strlen(text);

	assert_true(len < bufcap);
	memcpy(buf, text, len + 1);
	return sw_jread_parse(r, nodes, cap, buf, len);
}

static void test_jread_valid_invalid(void **state)
{
	static const struct {
		const char *text;
		int rc;
	} v[] = {
		{"{}", 0}, {"[]", 0}, {" {\"a\" : [1, -2.5e3, true, false, null, \"s\"]} ", 0},
		{"0", 0}, {"-0.1", 0}, {"1E+2", 0}, {"\"\\u00e9\\ud83d\\udc1b\"", 0},
		{"", -EINVAL}, {"{", -EINVAL}, {"[1,]", -EINVAL}, {"{\"a\"}", -EINVAL},
		{"{\"a\":1,}", -EINVAL}, {"{a:1}", -EINVAL}, {"01", -EINVAL}, {"1.", -EINVAL},
		{".5", -EINVAL}, {"1e", -EINVAL}, {"-", -EINVAL}, {"tru", -EINVAL},
		{"nul", -EINVAL}, {"\"abc", -EINVAL}, {"\"a\nb\"", -EINVAL},
		{"\"\\x\"", -EINVAL}, {"\"\\u12\"", -EINVAL}, {"\"\\u0000\"", -EINVAL},
		{"\"\\udc00\"", -EINVAL}, {"\"\\ud800\"", -EINVAL}, {"\"\\ud800\\u0041\"", -EINVAL},
		{"{} x", -EINVAL}, {"[1 2]", -EINVAL}, {"{\"a\":1 \"b\":2}", -EINVAL},
	};
	struct sw_jread_node nodes[32];
	struct sw_jread r;
	char buf[128];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int rc = parse(v[i].text, &r, nodes, 32, buf, sizeof(buf));
		if (rc != v[i].rc)
			fail_msg("jread '%s': rc %d, want %d", v[i].text, rc, v[i].rc);
	}
}

static void test_jread_access(void **state)
{
	const char *text = "{\"a\":\"x\\\"y\\n\\u00e9\",\"n\":18446744073709551615,\"f\":1.5,"
			   "\"l\":[1,2,3],\"o\":{\"b\":true},\"neg\":-1}";
	struct sw_jread_node nodes[32];
	struct sw_jread r;
	const struct sw_jread_node *root, *n;
	char buf[256];
	uint64_t u;
	double d;
	int count = 0;

	(void)state;
	assert_int_equal(parse(text, &r, nodes, 32, buf, sizeof(buf)), 0);
	root = sw_jread_root(&r);
	assert_non_null(root);
	assert_int_equal(root->type, SW_JREAD_OBJ);
	assert_int_equal(root->len, 6);
	assert_string_equal(sw_jread_str(&r, root, "a"), "x\"y\n\xc3\xa9");
	assert_int_equal(sw_jread_u64(sw_jread_get(&r, root, "n"), &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(sw_jread_u64(sw_jread_get(&r, root, "f"), &u), -EINVAL);
	assert_int_equal(sw_jread_u64(sw_jread_get(&r, root, "neg"), &u), -EINVAL);
	assert_int_equal(sw_jread_double(sw_jread_get(&r, root, "f"), &d), 0);
	assert_true(d == 1.5);
	for (n = sw_jread_first(&r, sw_jread_get(&r, root, "l")); n; n = sw_jread_next(&r, n))
		count++;
	assert_int_equal(count, 3);
	n = sw_jread_get(&r, sw_jread_get(&r, root, "o"), "b");
	assert_non_null(n);
	assert_true(n->type == SW_JREAD_BOOL && n->b);
	assert_null(sw_jread_get(&r, root, "missing"));
	assert_null(sw_jread_get(&r, sw_jread_get(&r, root, "l"), "x")); /* not an object */
	assert_null(sw_jread_str(&r, root, "n"));                        /* not a string */
}

static void test_jread_bounds(void **state)
{
	struct sw_jread_node nodes[8];
	struct sw_jread r;
	char deep[2 * SW_JREAD_DEPTH + 8], buf[2 * SW_JREAD_DEPTH + 8];
	size_t k = 0;

	(void)state;
	assert_int_equal(parse("[1,2,3,4,5,6,7]", &r, nodes, 8, buf, sizeof(buf)), 0);
	assert_int_equal(parse("[1,2,3,4,5,6,7,8]", &r, nodes, 8, buf, sizeof(buf)), -ENOSPC);
	assert_null(sw_jread_root(&r));
	for (int i = 0; i < SW_JREAD_DEPTH + 1; i++)
		deep[k++] = '[';
	for (int i = 0; i < SW_JREAD_DEPTH + 1; i++)
		deep[k++] = ']';
	deep[k] = '\0';
	{
		struct sw_jread_node many[64];
		assert_int_equal(parse(deep, &r, many, 64, buf, sizeof(buf)), -E2BIG);
		deep[k - 1] = '\0';
		deep[0] = ' ';
		assert_int_equal(parse(deep, &r, many, 64, buf, sizeof(buf)), 0);
	}
}

/* What the writer writes, the reader reads back. */
static void test_json_roundtrip(void **state)
{
	static const char *strs[] = {"", "a\"b", "\\", "\x01\x7f", "\xc3\xa9\xf0\x9f\x90\x9b",
				     "line\nbreak"};
	char buf[512];
	struct sw_json j;
	struct sw_jread_node nodes[32];
	struct sw_jread r;
	const struct sw_jread_node *n;
	size_t i = 0;

	(void)state;
	sw_json_init(&j, buf, sizeof(buf));
	sw_json_arr_begin(&j, NULL);
	for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
		sw_json_str(&j, NULL, strs[k]);
	sw_json_arr_end(&j);
	assert_non_null(sw_json_finish(&j));
	assert_int_equal(sw_jread_parse(&r, nodes, 32, buf, strlen(buf)), 0);
	for (n = sw_jread_first(&r, sw_jread_root(&r)); n; n = sw_jread_next(&r, n), i++)
		if (strcmp(n->str, strs[i]) != 0)
			fail_msg("roundtrip %zu: got '%s', want '%s'", i, n->str, strs[i]);
	assert_int_equal(i, sizeof(strs) / sizeof(strs[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_nesting),
		cmocka_unit_test(test_json_escaping),
		cmocka_unit_test(test_json_addresses),
		cmocka_unit_test(test_json_overflow),
		cmocka_unit_test(test_json_depth_and_balance),
		cmocka_unit_test(test_jread_valid_invalid),
		cmocka_unit_test(test_jread_access),
		cmocka_unit_test(test_jread_bounds),
		cmocka_unit_test(test_json_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
