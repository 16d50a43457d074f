/* Unit tests of wire/addr: Teredo address codec, flags, link-local forms, predicates. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vec_hex.h"
#include "wire/addr.h"

struct evec {
	const char *name, *server, *mapped, *addr;
	uint16_t flags, port;
};

/* Requirements §2.5. */
static const struct evec evecs[] = {
	{ "E1", "198.51.100.118", "192.0.2.10", "2001:0:c633:6476:0:dfff:3fff:fdf5", 0x0000, 8192 },
	{ "E2", "203.0.113.120", "192.0.2.1", "2001:0:cb00:7178:0:efff:3fff:fdfe", 0x0000, 4096 },
	{ "E3", "203.0.113.120", "198.51.100.118", "2001:0:cb00:7178:0:f000:39cc:9b89", 0x0000, 4095 },
	{ "E4", "203.0.113.120", "198.51.100.118", "2001:0:cb00:7178:0:efff:39cc:9b89", 0x0000, 4096 },
	{ "E5", "65.54.227.120", "192.0.2.45", "2001:0:4136:e378:8000:63bf:3fff:fdd2", 0x8000, 40000 },
	{ "E6", "203.0.113.1", "198.51.100.25", "2001:0:cb00:7101:8000:f227:39cc:9be6", 0x8000, 3544 },
	{ "E7", "198.51.100.1", "203.0.113.200", "2001:0:c633:6401:285c:217:34ff:8e37", 0x285C, 65000 },
	{ "E8", "192.0.2.200", "1.0.0.1", "2001:0:c000:2c8:0:fffe:feff:fffe", 0x0000, 1 },
	{ "E9", "192.0.2.200", "223.255.255.254", "2001:0:c000:2c8::2000:1", 0x0000, 65535 },
};

static void test_s02_e_vectors_decode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof evecs / sizeof evecs[0]; i++) {
		const struct evec *v = &evecs[i];
		uint8_t a[16];
		struct sw_teredo t;

		vec_ip6(v->addr, a);
		print_message("%s %s\n", v->name, v->addr);
		assert_int_equal(sw_addr_decode(a, &t), 0);
		assert_int_equal(t.server, vec_ip4(v->server));
		assert_int_equal(t.flags, v->flags);
		assert_int_equal(t.mapped.port, v->port);
		assert_int_equal(t.mapped.ip, vec_ip4(v->mapped));
		assert_true(sw_addr_mapping_eq(a, t.mapped));
	}
}

static void test_s02_e_vectors_encode(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof evecs / sizeof evecs[0]; i++) {
		const struct evec *v = &evecs[i];
		struct sw_teredo t = { .server = vec_ip4(v->server), .flags = v->flags,
				       .mapped = { .ip = vec_ip4(v->mapped), .port = v->port } };
		uint8_t want[16], got[16];
		char text[64];

		memset(got, 0xAA, sizeof got);
		sw_addr_encode(got, &t);
		vec_ip6(v->addr, want);
		inet_ntop(AF_INET6, got, text, sizeof text);
		print_message("%s encodes to %s\n", v->name, text);
		assert_true(vec_same(v->name, got, 16, want, 16));
		assert_string_equal(text, v->addr); /* E9 also checks "::" compression */
	}
}

/* xorshift32: a fixed sequence, so a failure names its inputs and repeats */
static uint32_t next_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void test_s02_roundtrip_random(void **state)
{
	uint32_t x = 0x5eed1234;
	(void)state;
	for (int i = 0; i < 100000; i++) {
		struct sw_teredo t = { .server = next_rand(&x), .flags = (uint16_t)next_rand(&x),
				       .mapped = { .ip = next_rand(&x),
						   .port = (uint16_t)next_rand(&x) } };
		struct sw_teredo d;
		uint8_t a[16], ll[16];

		sw_addr_encode(a, &t);
		sw_addr_linklocal(ll, t.flags, t.mapped);
		if (sw_addr_decode(a, &d) != 0 || d.server != t.server || d.flags != t.flags ||
		    !sw_endpoint_eq(d.mapped, t.mapped) || !sw_addr_mapping_eq(a, t.mapped) ||
		    memcmp(a + 8, ll + 8, 8) != 0 || !sw_ip6_is_linklocal(ll))
			fail_msg("round trip: server %08x flags %04x ip %08x port %u", t.server,
				 t.flags, t.mapped.ip, t.mapped.port);
	}
}

static void test_s01_is_teredo(void **state)
{
	static const struct {
		const char *a;
		bool teredo;
	} tab[] = {
		{ "2001::", true },
		{ "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "2001:1::", false },
		{ "2001:0100::", false },
		{ "2001:db8::1", false },
		{ "2002::", false },
		{ "2000::", false },
		{ "3001::", false },
		{ "::", false },
		{ "fe80::8000:f227:39cc:9b89", false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		uint8_t a[16];
		struct sw_teredo t;

		vec_ip6(tab[i].a, a);
		print_message("%s\n", tab[i].a);
		assert_int_equal(sw_addr_is_teredo(a), tab[i].teredo);
		assert_int_equal(sw_addr_decode(a, &t), tab[i].teredo ? 0 : -EINVAL);
	}
}

static void test_s08_flags_make(void **state)
{
	(void)state;
	for (uint32_t r = 0; r <= 0xffff; r++) {
		for (int cone = 0; cone <= 1; cone++) {
			uint16_t f = sw_flags_make(cone, (uint16_t)r);

			if ((f & SW_FLAG_Z) || (f & SW_FLAG_UG) ||
			    (f & SW_FLAG_RANDOM_MASK) != (r & SW_FLAG_RANDOM_MASK) ||
			    !!(f & SW_FLAG_CONE) != cone ||
			    (f & ~(SW_FLAG_CONE | SW_FLAG_RANDOM_MASK)) != 0)
				fail_msg("sw_flags_make(%d, 0x%04x) = 0x%04x", cone, r, f);
		}
	}
	/* 4380 mode: no random bits → only C can be set */
	assert_int_equal(sw_flags_make(false, 0), 0x0000);
	assert_int_equal(sw_flags_make(true, 0), 0x8000);
	assert_int_equal(sw_flags_make(false, 0xffff), 0x3cff);
	assert_int_equal(sw_flags_make(true, 0xffff), 0xbcff);
	assert_int_equal(sw_flags_make(false, 0x285c), 0x285c); /* E7 */
}

static void test_s08_received_flags_ignored(void **state)
{
	struct sw_endpoint ep = { .ip = vec_ip4("192.0.2.10"), .port = 8192 };
	struct sw_teredo t = { .server = vec_ip4("198.51.100.118"), .mapped = ep };
	uint8_t a[16];
	(void)state;
	for (uint32_t f = 0; f <= 0xffff; f += 0x0101) {
		t.flags = (uint16_t)f;
		sw_addr_encode(a, &t);
		if (!sw_addr_mapping_eq(a, ep))
			fail_msg("flags 0x%04x changed the mapping comparison", f);
	}
	struct sw_endpoint other_port = { ep.ip, 8193 }, other_ip = { ep.ip + 1, 8192 };
	assert_false(sw_addr_mapping_eq(a, other_port));
	assert_false(sw_addr_mapping_eq(a, other_ip));
}

static void test_linklocal_forms(void **state)
{
	static const struct {
		const char *server, *ll;
	} srv[] = {
		{ "198.51.100.118", "fe80::8000:f227:39cc:9b89" },
		{ "203.0.113.120", "fe80::8000:f227:34ff:8e87" },
		{ "65.54.227.120", "fe80::8000:f227:bec9:1c87" },
	};
	uint8_t got[16], want[16];
	(void)state;
	for (size_t i = 0; i < sizeof srv / sizeof srv[0]; i++) {
		sw_addr_server_linklocal(got, vec_ip4(srv[i].server));
		vec_ip6(srv[i].ll, want);
		assert_true(vec_same(srv[i].server, got, 16, want, 16));
	}
	sw_addr_rs_source(got, false);
	vec_ip6("fe80::ffff:ffff:ffff", want);
	assert_true(vec_same("rs C=0", got, 16, want, 16));
	sw_addr_rs_source(got, true);
	vec_ip6("fe80::8000:5445:5245:444f", want);
	assert_true(vec_same("rs C=1", got, 16, want, 16));

	struct sw_endpoint ep = { .ip = vec_ip4("192.0.2.45"), .port = 40000 };
	memset(got, 0xAA, sizeof got);
	sw_addr_linklocal(got, 0x8000, ep);
	vec_ip6("fe80::8000:63bf:3fff:fdd2", want); /* E5's identifier on fe80::/64 */
	assert_true(vec_same("linklocal E5", got, 16, want, 16));
	assert_true(sw_ip6_is_linklocal(got));

	memset(got, 0xAA, sizeof got);
	sw_addr_prefix(got, vec_ip4("198.51.100.118"));
	vec_ip6("2001:0:c633:6476::", want);
	assert_true(vec_same("prefix", got, 16, want, 16));
}

struct v4case {
	const char *ip;
	bool g4380, g6890;
};

static const struct v4case v4cases[] = {
	/* 4380 list: first, inside and last address of each range, and neighbours */
	{ "0.0.0.0", false, false },          { "0.255.255.255", false, false },
	{ "1.0.0.0", true, true },            { "9.255.255.255", true, true },
	{ "10.0.0.0", false, false },         { "10.255.255.255", false, false },
	{ "11.0.0.0", true, true },           { "126.255.255.255", true, true },
	{ "127.0.0.1", false, false },        { "127.255.255.255", false, false },
	{ "128.0.0.0", true, true },          { "169.253.255.255", true, true },
	{ "169.254.0.0", false, false },      { "169.254.255.255", false, false },
	{ "169.255.0.0", true, true },        { "172.15.255.255", true, true },
	{ "172.16.0.0", false, false },       { "172.31.255.255", false, false },
	{ "172.32.0.0", true, true },         { "192.88.98.255", true, true },
	{ "192.88.99.0", false, false },      { "192.88.99.1", false, false },
	{ "192.88.99.255", false, false },    { "192.88.100.0", true, true },
	{ "192.167.255.255", true, true },    { "192.168.0.0", false, false },
	{ "192.168.255.255", false, false },  { "192.169.0.0", true, true },
	{ "223.255.255.255", true, true },    { "224.0.0.0", false, false },
	{ "224.0.0.1", false, false },        { "224.0.0.253", false, false },
	{ "239.255.255.255", false, false },  { "255.255.255.255", false, false },
	/* 240/4 is global under 4380, excluded with the RFC 6890 option */
	{ "240.0.0.0", true, false },         { "255.255.255.254", true, false },
	/* TEST-NETs stay global in both modes */
	{ "192.0.2.1", true, true },          { "192.0.2.45", true, true },
	{ "198.51.100.118", true, true },     { "203.0.113.120", true, true },
	/* RFC 6890 additions */
	{ "100.63.255.255", true, true },     { "100.64.0.0", true, false },
	{ "100.127.255.255", true, false },   { "100.128.0.0", true, true },
	{ "192.0.0.0", true, false },         { "192.0.0.255", true, false },
	{ "192.0.1.0", true, true },          { "198.17.255.255", true, true },
	{ "198.18.0.0", true, false },        { "198.19.255.255", true, false },
	{ "198.20.0.0", true, true },         { "8.8.8.8", true, true },
};

static void test_sec24_ipv4_is_global(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof v4cases / sizeof v4cases[0]; i++) {
		const struct v4case *c = &v4cases[i];
		uint32_t ip = vec_ip4(c->ip);
		bool g0 = sw_ipv4_is_global(ip, 0), g1 = sw_ipv4_is_global(ip, SW_GLOBAL_RFC6890);

		if (g0 != c->g4380 || g1 != c->g6890)
			fail_msg("%s: got 4380=%d 6890=%d, want %d %d", c->ip, g0, g1, c->g4380,
				 c->g6890);
	}
}

static void test_ip6_predicates(void **state)
{
	static const struct {
		const char *a;
		bool unspec, loop, ll, mc, global;
	} tab[] = {
		{ "::", true, false, false, false, false },
		{ "::1", false, true, false, false, false },
		{ "::2", false, false, false, false, true },
		{ "fe80::1", false, false, true, false, false },
		{ "febf:ffff::1", false, false, true, false, false },
		{ "fec0::1", false, false, false, false, false },
		{ "feff::1", false, false, false, false, false },
		{ "fe7f::1", false, false, false, false, true },
		{ "ff02::1", false, false, false, true, false },
		{ "ff0e::1", false, false, false, true, false },
		{ "::ffff:192.0.2.1", false, false, false, false, false },
		{ "::fffe:c000:201", false, false, false, false, true },
		{ "2001:db8::1", false, false, false, false, true },
		{ "2001:0:c633:6476:0:dfff:3fff:fdf5", false, false, false, false, true },
	};
	(void)state;
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		uint8_t a[16];

		vec_ip6(tab[i].a, a);
		print_message("%s\n", tab[i].a);
		assert_int_equal(sw_ip6_is_unspecified(a), tab[i].unspec);
		assert_int_equal(sw_ip6_is_loopback(a), tab[i].loop);
		assert_int_equal(sw_ip6_is_linklocal(a), tab[i].ll);
		assert_int_equal(sw_ip6_is_multicast(a), tab[i].mc);
		assert_int_equal(sw_ip6_is_global(a), tab[i].global);
	}
}

static void test_endpoint_text(void **state)
{
	static const char *bad[] = {
		"", "1.2.3.4", "1.2.3.4:", "1.2.3:4", "256.1.1.1:1", "1.2.3.4:65536",
		"1.2.3.4:5x", " 1.2.3.4:5", "-1.2.3.4:5", "1.2.3.4.5:6", "1..3.4:5", "a.b.c.d:1",
		"1.2.3.4:99999999999999999999",
	};
	struct sw_endpoint ep;
	char buf[22];
	(void)state;
	assert_int_equal(sw_endpoint_parse("192.0.2.45:40000", &ep), 0);
	assert_int_equal(ep.ip, vec_ip4("192.0.2.45"));
	assert_int_equal(ep.port, 40000);
	assert_string_equal(sw_endpoint_str(ep, buf, sizeof buf), "192.0.2.45:40000");
	assert_int_equal(sw_endpoint_parse("255.255.255.255:65535", &ep), 0);
	assert_string_equal(sw_endpoint_str(ep, buf, sizeof buf), "255.255.255.255:65535");
	assert_int_equal(sw_endpoint_parse("0.0.0.0:0", &ep), 0);
	assert_true(ep.ip == 0 && ep.port == 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		print_message("\"%s\"\n", bad[i]);
		assert_int_equal(sw_endpoint_parse(bad[i], &ep), -EINVAL);
	}
	char tiny[5];
	ep = (struct sw_endpoint){ vec_ip4("192.0.2.45"), 40000 };
	assert_string_equal(sw_endpoint_str(ep, tiny, sizeof tiny), "192.");
	char ip[16];
	assert_string_equal(sw_ip4_str(vec_ip4("255.255.255.255"), ip, sizeof ip),
			    "255.255.255.255");
	assert_string_equal(sw_ip4_str(vec_ip4("192.0.2.45"), ip, sizeof ip), "192.0.2.45");
	assert_string_equal(sw_ip4_str(0, tiny, sizeof tiny), "0.0.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s01_is_teredo),
		cmocka_unit_test(test_s02_e_vectors_decode),
		cmocka_unit_test(test_s02_e_vectors_encode),
		cmocka_unit_test(test_s02_roundtrip_random),
		cmocka_unit_test(test_s08_flags_make),
		cmocka_unit_test(test_s08_received_flags_ignored),
		cmocka_unit_test(test_linklocal_forms),
		cmocka_unit_test(test_sec24_ipv4_is_global),
		cmocka_unit_test(test_ip6_predicates),
		cmocka_unit_test(test_endpoint_text),
	};
	return cmocka_run_group_tests_name("wire_addr", tests, NULL, NULL);
}
