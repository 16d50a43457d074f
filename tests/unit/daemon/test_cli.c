/* Unit tests of the shipworm command's formatting: durations and ages (term.c), the
 * Prometheus text (metrics.c), dump lines (dump.c) and monitor lines (monitor.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dump.h"
#include "jread.h"
#include "metrics.h"
#include "monitor.h"
#include "term.h"

static void test_cli_durations(void **state)
{
	static const struct {
		uint64_t ms;
		const char *dur, *age;
	} v[] = {
		{0, "0ms", "now"},
		{999, "999ms", "now"},
		{1000, "1s", "1s ago"},
		{12345, "12s", "12s ago"},
		{60000, "1m", "1m ago"},
		{65000, "1m 5s", "1m 5s ago"},
		{3600000, "1h", "1h ago"},
		{7530000, "2h 5m", "2h 5m ago"},
		{90061000, "1d 1h", "1d 1h ago"},
		{86400000ull * 400, "400d", "400d ago"},
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const char *d = sw_term_duration(v[i].ms, buf, sizeof(buf));
		if (strcmp(d, v[i].dur) != 0)
			fail_msg("duration(%llu) = '%s', want '%s'", (unsigned long long)v[i].ms, d,
				 v[i].dur);
		d = sw_term_age(v[i].ms, buf, sizeof(buf));
		if (strcmp(d, v[i].age) != 0)
			fail_msg("age(%llu) = '%s', want '%s'", (unsigned long long)v[i].ms, d,
				 v[i].age);
	}
}

static void test_cli_bytes(void **state)
{
	static const struct {
		uint64_t n;
		const char *text;
	} v[] = {
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"},
		{1048576, "1.0 MiB"}, {UINT64_MAX, "16777216.0 TiB"},
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const char *t = sw_term_bytes(v[i].n, buf, sizeof(buf));
		if (strcmp(t, v[i].text) != 0)
			fail_msg("bytes(%llu) = '%s', want '%s'", (unsigned long long)v[i].n, t,
				 v[i].text);
	}
}

struct parsed {
	char text[1024];
	struct sw_jread_node nodes[64];
	struct sw_jread r;
};

static const struct sw_jread_node *parse(struct parsed *p, const char *json)
{
	snprintf(p->text, sizeof(p->text), "%s", json);
	if (sw_jread_parse(&p->r, p->nodes, 64, p->text, strlen(p->text)) != 0)
		fail_msg("test JSON does not parse: %s", json);
	return sw_jread_root(&p->r);
}

/* Run fn into a memory stream and compare with want. */
#define EXPECT_OUTPUT(want, call)                                                        \
	do {                                                                             \
		char *out_ = NULL;                                                       \
		size_t len_ = 0;                                                         \
		FILE *f = open_memstream(&out_, &len_);                                  \
		assert_non_null(f);                                                      \
		call;                                                                    \
		fclose(f);                                                               \
		if (strcmp(out_, want) != 0)                                             \
			fail_msg("output:\n%s\nwant:\n%s", out_, want);                  \
		free(out_);                                                              \
	} while (0)

static void test_cli_metrics_text(void **state)
{
	struct parsed p;
	const struct sw_jread_node *root = parse(
		&p, "{\"metrics\":[{\"name\":\"rx\",\"help\":\"a \\\\ b\\nc\",\"value\":5},"
		    "{\"name\":\"odd-name.x\",\"help\":\"\",\"value\":0},"
		    "{\"name\":\"peers\",\"help\":\"h\",\"value\":2,\"type\":\"gauge\"},"
		    "{\"name\":\"bad\",\"value\":-1},{\"help\":\"no name\",\"value\":1},7],"
		    "\"ok\":true}");

	(void)state;
	EXPECT_OUTPUT("# HELP shipworm_rx a \\\\ b\\nc\n"
		      "# TYPE shipworm_rx counter\n"
		      "shipworm_rx{instance=\"in\\\"st\\\\\"} 5\n"
		      "# TYPE shipworm_odd_name_x counter\n"
		      "shipworm_odd_name_x{instance=\"in\\\"st\\\\\"} 0\n"
		      "# HELP shipworm_peers h\n"
		      "# TYPE shipworm_peers gauge\n"
		      "shipworm_peers{instance=\"in\\\"st\\\\\"} 2\n",
		      sw_metrics_print(f, &p.r, root, "in\"st\\"));
	EXPECT_OUTPUT("# HELP shipworm_rx a \\\\ b\\nc\n"
		      "# TYPE shipworm_rx counter\n"
		      "shipworm_rx 5\n",
		      sw_metrics_print(f, &p.r, parse(&p, "{\"metrics\":[{\"name\":\"rx\",\"help\":"
						  "\"a \\\\ b\\nc\",\"value\":5}]}"),
				       NULL));
}

static void test_cli_dump_line(void **state)
{
	static const char *const cols[] = {"a", "b|c", "d", "e", "f", "g", "t"};
	struct parsed p;
	const struct sw_jread_node *root =
		parse(&p, "{\"a\":\"x\\ty\",\"c\":12,\"d\":true,\"e\":null,\"f\":\"\",\"z\":1,"
			  "\"t\":12.345}");

	(void)state;
	EXPECT_OUTPUT("x y\t12\ttrue\t-\t-\t-\t12345\n", sw_dump_line(f, &p.r, root, cols, 7));
}

static void test_cli_monitor_line(void **state)
{
	struct parsed p;
	const struct sw_jread_node *root =
		parse(&p, "{\"event\":\"address\",\"op\":\"add\",\"address\":\"2001:0:1::1\","
			  "\"prefix_len\":128,\"ok\":false,\"skip\":{\"x\":1}}");

	(void)state;
	EXPECT_OUTPUT("12:00:00 address op=add address=2001:0:1::1 prefix_len=128 ok=no\n",
		      sw_monitor_print(f, &p.r, root, "12:00:00"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_durations),
		cmocka_unit_test(test_cli_bytes),
		cmocka_unit_test(test_cli_metrics_text),
		cmocka_unit_test(test_cli_dump_line),
		cmocka_unit_test(test_cli_monitor_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
