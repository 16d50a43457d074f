/* Unit tests of wire/icmp6: RS/RA (Appendix ), ND validity, echo, errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vec_hex.h"
#include "wire/csum.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"

/* UDP payloads of Appendix A; the IPv6 part starts at the offset noted. */
static const char *a1 = /* IPv6 at 13 */
	"00 01 00 00 01 02 03 04 05 06 07 08 00 60 00 00 00 00 08 3a ff fe 80 00 00 00 00 00 00 00"
	" 00 ff ff ff ff ff ff ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 02 85 00 7d 37 00 00 00 00";
static const char *a3 = /* IPv6 at 21 */
	"00 01 00 00 01 02 03 04 05 06 07 08 00 00 00 df ff 3f ff fd f5 60 00 00 00 00 38 3a ff fe 80"
	" 00 00 00 00 00 00 80 00 f2 27 39 cc 9b 89 fe 80 00 00 00 00 00 00 00 00 ff ff ff ff ff ff 86"
	" 00 95 4c 00 00 00 00 00 00 00 00 00 00 07 d0 03 04 40 40 ff ff ff ff ff ff ff ff 00 00 00 00"
	" 20 01 00 00 c6 33 64 76 00 00 00 00 00 00 00 00 05 01 00 00 00 00 05 00";
static const char *a4 =
	"60 00 00 00 00 10 3a 40 20 01 00 00 c6 33 64 76 00 00 df ff 3f ff fd f5 20 01 0d b8 00 00 00"
	" 00 00 00 00 00 00 00 00 01 80 00 56 c4 00 00 00 00 a1 a2 a3 a4 a5 a6 a7 a8";

static void fix_csum(uint8_t *pkt)
{
	size_t plen = (size_t)(pkt[4] << 8 | pkt[5]);
	uint16_t c;

	pkt[42] = pkt[43] = 0;
	c = sw_csum_ip6(pkt + 8, pkt + 24, SW_NH_ICMP6, pkt + 40, plen);
	pkt[42] = (uint8_t)(c >> 8);
	pkt[43] = (uint8_t)c;
}

static void set_plen(uint8_t *pkt, size_t plen)
{
	pkt[4] = (uint8_t)(plen >> 8);
	pkt[5] = (uint8_t)plen;
}

/* ---------- Router Solicitation ---------- */

static void test_s10_a1_rs_bytes(void **state)
{
	uint8_t v[128], got[64], src[16];
	size_t n = vec_hex(a1, v, sizeof v);
	struct sw_ip6 ip;
	(void)state;
	sw_addr_rs_source(src, false);
	memset(got, 0xAA, sizeof got);
	assert_ptr_equal(sw_rs_put(got, got + sizeof got, src), got + 48);
	assert_true(vec_same("A-1 IPv6 part", got, 48, v + 13, n - 13));
	assert_int_equal(got[48], 0xAA);
	assert_int_equal(sw_ip6_parse(got, 48, &ip), 0);
	assert_int_equal(sw_icmp6_type(&ip), SW_ICMP6_RS);
	assert_true(sw_icmp6_csum_ok(&ip));
	assert_int_equal(sw_rs_check(&ip), 0);
	/* cone source: checksum 0x125d */
	sw_addr_rs_source(src, true);
	assert_non_null(sw_rs_put(got, got + sizeof got, src));
	assert_int_equal(got[42] << 8 | got[43], 0x125d);
	assert_int_equal(sw_ip6_parse(got, 48, &ip), 0);
	assert_int_equal(sw_rs_check(&ip), 0);
	/* too small */
	assert_null(sw_rs_put(got, got + 47, src));
	assert_null(sw_rs_put(got, got + 40, src));
}

static size_t rs_base(uint8_t *pkt, size_t max)
{
	uint8_t src[16];

	memset(pkt, 0, max);
	sw_addr_rs_source(src, false);
	return (size_t)(sw_rs_put(pkt, pkt + max, src) - pkt);
}

/* A mutation of a valid packet; returns the new length. */
struct mutation {
	const char *name;
	size_t (*fn)(uint8_t *pkt, size_t len);
	bool fix; /* recompute the checksum afterwards */
};

static size_t m_src_global(uint8_t *p, size_t n)
{
	vec_ip6("2001:db8::1", p + 8);
	return n;
}
static size_t m_src_unspec(uint8_t *p, size_t n)
{
	memset(p + 8, 0, 16);
	return n;
}
static size_t m_hlim254(uint8_t *p, size_t n)
{
	p[7] = 254;
	return n;
}
static size_t m_hlim1(uint8_t *p, size_t n)
{
	p[7] = 1;
	return n;
}
static size_t m_badsum(uint8_t *p, size_t n)
{
	p[43] ^= 0x01;
	return n;
}
static size_t m_code1(uint8_t *p, size_t n)
{
	p[41] = 1;
	return n;
}
static size_t m_type(uint8_t *p, size_t n)
{
	p[40] = 135;
	return n;
}
static size_t m_dst_allnodes(uint8_t *p, size_t n)
{
	p[39] = 1;
	return n;
}
static size_t m_short4(uint8_t *p, size_t n)
{
	(void)n;
	set_plen(p, 4);
	return 44;
}
/* appends an option of 8 bytes whose length byte is given */
static size_t add_opt(uint8_t *p, size_t n, uint8_t type, uint8_t len8)
{
	memset(p + n, 0, 8);
	p[n] = type;
	p[n + 1] = len8;
	set_plen(p, n + 8 - 40);
	return n + 8;
}
static size_t m_zero_opt(uint8_t *p, size_t n)
{
	return add_opt(p, n, 1, 0);
}
static size_t m_overrun_opt(uint8_t *p, size_t n)
{
	return add_opt(p, n, 1, 2);
}
static size_t m_odd_tail(uint8_t *p, size_t n)
{
	p[n] = 1, p[n + 1] = 1, p[n + 2] = p[n + 3] = 0;
	set_plen(p, n + 4 - 40);
	return n + 4;
}
static size_t m_not_icmp(uint8_t *p, size_t n)
{
	p[6] = SW_NH_UDP;
	return n;
}

static const struct mutation rs_bad[] = {
	{ "non-link-local source", m_src_global, true },
	{ "unspecified source", m_src_unspec, true },
	{ "hop limit 254", m_hlim254, true },
	{ "hop limit 1", m_hlim1, true },
	{ "bad checksum", m_badsum, false },
	{ "code 1", m_code1, true },
	{ "type 135", m_type, true },
	{ "destination ff02::1", m_dst_allnodes, true },
	{ "ICMP length 4", m_short4, true },
	{ "zero-length option", m_zero_opt, true },
	{ "option beyond the message", m_overrun_opt, true },
	{ "4 trailing option bytes", m_odd_tail, true },
	{ "not ICMPv6", m_not_icmp, false },
};

static void test_rs_check_negative(void **state)
{
	uint8_t pkt[256];
	struct sw_ip6 ip;
	size_t n;
	(void)state;
	for (size_t i = 0; i < sizeof rs_bad / sizeof rs_bad[0]; i++) {
		n = rs_bad[i].fn(pkt, rs_base(pkt, sizeof pkt));
		if (rs_bad[i].fix)
			fix_csum(pkt);
		print_message("RS mutation: %s\n", rs_bad[i].name);
		if (sw_ip6_parse(pkt, n, &ip) == 0 && sw_rs_check(&ip) != -EINVAL) {
			vec_dump("packet", pkt, n);
			fail_msg("RS accepted with %s", rs_bad[i].name);
		}
	}
	/* a valid option (SLLA, 8 bytes) is ignored */
	n = add_opt(pkt, rs_base(pkt, sizeof pkt), 1, 1);
	fix_csum(pkt);
	assert_int_equal(sw_ip6_parse(pkt, n, &ip), 0);
	assert_int_equal(sw_rs_check(&ip), 0);
}

/* ---------- Router Advertisement ---------- */

static size_t ra_base(uint8_t *pkt, size_t max, uint16_t mtu)
{
	uint8_t dst[16];
	struct sw_ra_params rp = { .server = vec_ip4("198.51.100.118"), .dst = dst, .mtu = mtu };

	memset(pkt, 0, max);
	sw_addr_rs_source(dst, false);
	return (size_t)(sw_ra_put(pkt, pkt + max, &rp) - pkt);
}

static void test_a3_ra_bytes(void **state)
{
	uint8_t v[160], got[160], pfx[16];
	size_t n = vec_hex(a3, v, sizeof v);
	struct sw_ip6 ip;
	struct sw_ra ra;
	(void)state;
	assert_int_equal(ra_base(got, sizeof got, 1280), 96);
	assert_true(vec_same("A-3 IPv6 part", got, 96, v + 21, n - 21));
	assert_int_equal(sw_ip6_parse(got, 96, &ip), 0);
	assert_int_equal(sw_icmp6_type(&ip), SW_ICMP6_RA);
	assert_int_equal(sw_ra_parse(&ip, &ra), 0);
	vec_ip6("2001:0:c633:6476::", pfx);
	assert_true(vec_same("RA prefix", ra.prefix, 16, pfx, 16));
	assert_int_equal(ra.prefix_len, 64);
	assert_int_equal(ra.mtu, 1280);
	assert_int_equal(ra.router_lifetime, 0);
	/* the vector itself parses the same */
	assert_int_equal(sw_ip6_parse(v + 21, n - 21, &ip), 0);
	assert_int_equal(sw_ra_parse(&ip, &ra), 0);
	/* without the MTU option */
	assert_int_equal(ra_base(got, sizeof got, 0), 88);
	assert_int_equal(sw_ip6_parse(got, 88, &ip), 0);
	assert_int_equal(sw_ra_parse(&ip, &ra), 0);
	assert_int_equal(ra.mtu, 0);
	/* a router lifetime is reported */
	got[46] = 0x07, got[47] = 0x08;
	fix_csum(got);
	assert_int_equal(sw_ra_parse(&ip, &ra), 0);
	assert_int_equal(ra.router_lifetime, 0x0708);
	/* too small for the RA, or for its MTU option */
	uint8_t dst[16] = { 0xfe, 0x80 };
	struct sw_ra_params rp = { .server = 1, .dst = dst, .mtu = 1280 };
	assert_null(sw_ra_put(got, got + 95, &rp));
	assert_null(sw_ra_put(got, got + 88, &rp));
	rp.mtu = 0;
	assert_ptr_equal(sw_ra_put(got, got + 88, &rp), got + 88);
}

/* RA option surgery: the PIO sits at 56..87, the MTU option at 88..95. */
static size_t m_no_pio(uint8_t *p, size_t n)
{
	memmove(p + 56, p + 88, n - 88);
	set_plen(p, n - 32 - 40);
	return n - 32;
}
static size_t m_two_pio(uint8_t *p, size_t n)
{
	memmove(p + 88, p + 56, n - 56);
	set_plen(p, n + 32 - 40);
	return n + 32;
}
static size_t m_prefix_2002(uint8_t *p, size_t n)
{
	p[56 + 16 + 1] = 0x02; /* 2002:0000:c633:6476::/64 */
	return n;
}
static size_t m_prefix_2001_1(uint8_t *p, size_t n)
{
	p[56 + 16 + 3] = 1; /* 2001:0001 */
	return n;
}
/* known options with a wrong length that still lies inside the message */
static size_t m_pio_len5(uint8_t *p, size_t n)
{
	memmove(p + 96, p + 88, n - 88);
	memset(p + 88, 0, 8);
	p[57] = 5;
	set_plen(p, n + 8 - 40);
	return n + 8;
}
static size_t m_mtu_len2(uint8_t *p, size_t n)
{
	memset(p + n, 0, 8);
	p[89] = 2;
	set_plen(p, n + 8 - 40);
	return n + 8;
}
static size_t m_ra_short(uint8_t *p, size_t n)
{
	(void)n;
	set_plen(p, 12);
	return 52;
}
static size_t m_ra_zero_opt(uint8_t *p, size_t n)
{
	p[89] = 0; /* the MTU option's length */
	return n;
}
static size_t m_ra_trailing_zero_opt(uint8_t *p, size_t n)
{
	return add_opt(p, n, 0x20, 0);
}

static const struct mutation ra_bad[] = {
	/* statement 17 */
	{ "non-link-local source", m_src_global, true },
	{ "unspecified source", m_src_unspec, true },
	{ "hop limit 254", m_hlim254, true },
	{ "bad checksum", m_badsum, false },
	{ "code 1", m_code1, true },
	{ "type 135", m_type, true },
	{ "ICMP length 12", m_ra_short, true },
	{ "zero-length option", m_ra_zero_opt, true },
	{ "zero-length unknown option at the end", m_ra_trailing_zero_opt, true },
	{ "option beyond the message", m_overrun_opt, true },
	{ "not ICMPv6", m_not_icmp, false },
	/* statement 16 */
	{ "no PIO", m_no_pio, true },
	{ "two PIOs", m_two_pio, true },
	{ "prefix 2002::", m_prefix_2002, true },
	{ "prefix 2001:1::", m_prefix_2001_1, true },
	/* malformed known options */
	{ "PIO length 5", m_pio_len5, true },
	{ "MTU option length 2", m_mtu_len2, true },
};

static void test_s16_s17_ra_invalid(void **state)
{
	uint8_t pkt[256];
	struct sw_ip6 ip;
	struct sw_ra ra;
	size_t n;
	(void)state;
	for (size_t i = 0; i < sizeof ra_bad / sizeof ra_bad[0]; i++) {
		n = ra_bad[i].fn(pkt, ra_base(pkt, sizeof pkt, 1280));
		if (ra_bad[i].fix)
			fix_csum(pkt);
		print_message("RA mutation: %s\n", ra_bad[i].name);
		if (sw_ip6_parse(pkt, n, &ip) == 0 && sw_ra_parse(&ip, &ra) != -EINVAL) {
			vec_dump("packet", pkt, n);
			fail_msg("RA accepted with %s", ra_bad[i].name);
		}
	}
	/* controls: an unknown 8-byte option and a second MTU option do not spoil it */
	n = add_opt(pkt, ra_base(pkt, sizeof pkt, 1280), 0x20, 1);
	fix_csum(pkt);
	assert_int_equal(sw_ip6_parse(pkt, n, &ip), 0);
	assert_int_equal(sw_ra_parse(&ip, &ra), 0);
	/* the statement-16 mutations are fine before the mutation (test can fail) */
	n = ra_base(pkt, sizeof pkt, 1280);
	assert_int_equal(sw_ip6_parse(pkt, n, &ip), 0);
	assert_int_equal(sw_ra_parse(&ip, &ra), 0);
}

/* ---------- Echo ---------- */

static void test_a4_echo(void **state)
{
	uint8_t v[64], got[64], src[16], dst[16], data[8];
	size_t n = vec_hex(a4, v, sizeof v);
	struct sw_echo e = { .type = SW_ICMP6_ECHO_REQUEST, .data = data, .data_len = 8 };
	struct sw_echo out;
	struct sw_ip6 ip;
	(void)state;
	for (int i = 0; i < 8; i++)
		data[i] = (uint8_t)(0xa1 + i);
	vec_ip6("2001:0:c633:6476:0:dfff:3fff:fdf5", src);
	vec_ip6("2001:db8::1", dst);
	memset(got, 0xAA, sizeof got);
	assert_ptr_equal(sw_echo_put(got, got + sizeof got, src, dst, 64, &e), got + 56);
	assert_true(vec_same("A-4", got, 56, v, n));
	assert_int_equal(got[56], 0xAA);
	assert_int_equal(sw_ip6_parse(got, 56, &ip), 0);
	assert_int_equal(sw_echo_parse(&ip, &out), 0);
	assert_int_equal(out.type, SW_ICMP6_ECHO_REQUEST);
	assert_int_equal(out.id, 0);
	assert_int_equal(out.seq, 0);
	assert_int_equal(out.data_len, 8);
	assert_memory_equal(out.data, data, 8);
	/* a reply with the data copied, from dst to src */
	uint8_t rep[64];
	struct sw_echo r = { .type = SW_ICMP6_ECHO_REPLY, .id = 0x1234, .seq = 0xfedc,
			     .data = out.data, .data_len = out.data_len };
	assert_ptr_equal(sw_echo_put(rep, rep + sizeof rep, dst, src, 255, &r), rep + 56);
	assert_int_equal(sw_ip6_parse(rep, 56, &ip), 0);
	assert_int_equal(sw_echo_parse(&ip, &out), 0);
	assert_int_equal(out.type, SW_ICMP6_ECHO_REPLY);
	assert_int_equal(out.id, 0x1234);
	assert_int_equal(out.seq, 0xfedc);
	assert_memory_equal(out.data, data, 8);
	/* no data */
	r.data = NULL, r.data_len = 0;
	assert_ptr_equal(sw_echo_put(rep, rep + 48, dst, src, 255, &r), rep + 48);
	assert_int_equal(sw_ip6_parse(rep, 48, &ip), 0);
	assert_int_equal(sw_echo_parse(&ip, &out), 0);
	assert_int_equal(out.data_len, 0);
	/* refusals: no room, wrong type */
	assert_null(sw_echo_put(got, got + 55, src, dst, 64, &e));
	e.type = 130;
	assert_null(sw_echo_put(got, got + sizeof got, src, dst, 64, &e));
}

static void test_echo_parse_negative(void **state)
{
	uint8_t v[64];
	size_t n;
	struct sw_echo out;
	struct sw_ip6 ip;
	(void)state;
	n = vec_hex(a4, v, sizeof v);
	v[43] ^= 1;
	assert_int_equal(sw_ip6_parse(v, n, &ip), 0);
	assert_int_equal(sw_echo_parse(&ip, &out), -EINVAL); /* checksum */
	n = vec_hex(a4, v, sizeof v);
	v[41] = 1;
	fix_csum(v);
	assert_int_equal(sw_ip6_parse(v, n, &ip), 0);
	assert_int_equal(sw_echo_parse(&ip, &out), -EINVAL); /* code */
	n = vec_hex(a4, v, sizeof v);
	v[40] = 130;
	fix_csum(v);
	assert_int_equal(sw_ip6_parse(v, n, &ip), 0);
	assert_int_equal(sw_echo_parse(&ip, &out), -EINVAL); /* type */
	n = vec_hex(a4, v, sizeof v);
	set_plen(v, 6);
	fix_csum(v);
	assert_int_equal(sw_ip6_parse(v, 46, &ip), 0);
	assert_int_equal(sw_echo_parse(&ip, &out), -EINVAL); /* shorter than 8 */
	n = vec_hex(a4, v, sizeof v);
	v[6] = SW_NH_UDP;
	assert_int_equal(sw_ip6_parse(v, n, &ip), 0);
	assert_int_equal(sw_echo_parse(&ip, &out), -EINVAL);
	assert_int_equal(sw_icmp6_type(&ip), -1);
	assert_false(sw_icmp6_csum_ok(&ip));
}

/* ---------- Errors (RFC 4443) ---------- */

struct errcase {
	const char *name, *src, *dst;
	uint8_t nh, icmp_type;
	bool allow_mcast, may;
};

static const struct errcase errcases[] = {
	{ "UDP unicast", "2001:db8::1", "2001:0:c633:6476:0:dfff:3fff:fdf5", 17, 0, false, true },
	{ "TCP unicast", "2001:db8::1", "2001:db8::2", 6, 0, false, true },
	{ "echo request", "2001:db8::1", "2001:db8::2", 58, 128, false, true },
	{ "echo reply", "2001:db8::1", "2001:db8::2", 58, 129, false, true },
	{ "RS", "fe80::1", "ff02::2", 58, 133, false, false },
	{ "dst unreachable", "2001:db8::1", "2001:db8::2", 58, 1, false, false },
	{ "packet too big", "2001:db8::1", "2001:db8::2", 58, 2, false, false },
	{ "time exceeded", "2001:db8::1", "2001:db8::2", 58, 3, false, false },
	{ "param problem", "2001:db8::1", "2001:db8::2", 58, 4, false, false },
	{ "error type 127", "2001:db8::1", "2001:db8::2", 58, 127, false, false },
	{ "redirect", "fe80::1", "fe80::2", 58, 137, false, false },
	{ "unspecified source", "::", "2001:db8::2", 17, 0, false, false },
	{ "multicast source", "ff02::1", "2001:db8::2", 17, 0, false, false },
	{ "multicast dst", "2001:db8::1", "ff0e::1", 17, 0, false, false },
	{ "multicast dst, PTB allowed", "2001:db8::1", "ff0e::1", 17, 0, true, true },
	{ "multicast source even if allowed", "ff02::1", "2001:db8::2", 17, 0, true, false },
	{ "error to multicast dst", "2001:db8::1", "ff0e::1", 58, 1, true, false },
};

static size_t build_invoking(uint8_t *pkt, const struct errcase *c)
{
	memset(pkt, 0, 64);
	pkt[0] = 0x60;
	pkt[5] = 16;
	pkt[6] = c->nh;
	pkt[7] = 64;
	vec_ip6(c->src, pkt + 8);
	vec_ip6(c->dst, pkt + 24);
	pkt[40] = c->icmp_type;
	return 56;
}

static void test_sec310_may_error(void **state)
{
	uint8_t pkt[64];
	struct sw_ip6 ip;
	(void)state;
	for (size_t i = 0; i < sizeof errcases / sizeof errcases[0]; i++) {
		const struct errcase *c = &errcases[i];
		size_t n = build_invoking(pkt, c);

		assert_int_equal(sw_ip6_parse(pkt, n, &ip), 0);
		if (sw_icmp6_may_error(&ip, c->allow_mcast) != c->may)
			fail_msg("%s: may_error should be %d", c->name, c->may);
	}
	/* a later fragment of an ICMPv6 message: unknown type, no error */
	memset(pkt, 0, sizeof pkt);
	pkt[0] = 0x60, pkt[5] = 16, pkt[6] = SW_NH_FRAGMENT;
	vec_ip6("2001:db8::1", pkt + 8);
	vec_ip6("2001:db8::2", pkt + 24);
	pkt[40] = SW_NH_ICMP6, pkt[43] = 0x08, pkt[48] = 128;
	assert_int_equal(sw_ip6_parse(pkt, 56, &ip), 0);
	assert_false(sw_icmp6_may_error(&ip, false));
	pkt[40] = SW_NH_UDP;
	assert_int_equal(sw_ip6_parse(pkt, 56, &ip), 0);
	assert_true(sw_icmp6_may_error(&ip, false));
}

static void check_error(const uint8_t *e, size_t elen, const uint8_t *inv, size_t inv_len,
			const uint8_t src[16], uint8_t type, uint8_t code, uint32_t param)
{
	size_t quote = inv_len < 1232 ? inv_len : 1232;
	struct sw_ip6 ip;

	print_message("error %u/%u about %zu bytes\n", type, code, inv_len);
	assert_int_equal(elen, 48 + quote);
	assert_true(elen <= SW_ICMP6_ERR_MAX);
	assert_int_equal(sw_ip6_parse(e, elen, &ip), 0);
	assert_int_equal(ip.len, elen);
	assert_memory_equal(ip.src, src, 16);
	assert_memory_equal(ip.dst, inv + 8, 16);
	assert_int_equal(sw_icmp6_type(&ip), type);
	assert_int_equal(ip.l4[1], code);
	assert_int_equal((uint32_t)ip.l4[4] << 24 | (uint32_t)ip.l4[5] << 16 | ip.l4[6] << 8 |
				 ip.l4[7], param);
	assert_true(sw_icmp6_csum_ok(&ip));
	assert_memory_equal(ip.l4 + 8, inv, quote);
	/* the error itself must never draw another error */
	assert_false(sw_icmp6_may_error(&ip, true));
}

static void test_sec310_error_quoting(void **state)
{
	static uint8_t inv[2000], out[1600];
	static const size_t sizes[] = { 40, 56, 100, 1231, 1232, 1233, 1280, 1500, 2000 };
	uint8_t src[16];
	(void)state;
	vec_ip6("2001:0:c633:6476:0:dfff:3fff:fdf5", src);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];

		for (size_t k = 0; k < n; k++)
			inv[k] = (uint8_t)(k * 7 + 3);
		inv[0] = 0x60;
		vec_ip6("2001:db8::1", inv + 8);
		uint8_t *e = sw_icmp6_error_put(out, out + sizeof out, src, SW_ICMP6_PKT_TOO_BIG, 0,
						SW_TEREDO_MTU, inv, n);
		assert_non_null(e);
		check_error(out, (size_t)(e - out), inv, n, src, SW_ICMP6_PKT_TOO_BIG, 0,
			    SW_TEREDO_MTU);
		e = sw_icmp6_error_put(out, out + sizeof out, src, SW_ICMP6_DST_UNREACH,
				       SW_UNREACH_ADDR, 0, inv, n);
		assert_non_null(e);
		check_error(out, (size_t)(e - out), inv, n, src, SW_ICMP6_DST_UNREACH,
			    SW_UNREACH_ADDR, 0);
	}
	/* refusals: invoking shorter than an IPv6 header, buffer too small */
	assert_null(sw_icmp6_error_put(out, out + sizeof out, src, 1, 0, 0, inv, 39));
	assert_null(sw_icmp6_error_put(out, out + sizeof out, src, 1, 0, 0, NULL, 100));
	assert_null(sw_icmp6_error_put(out, out + 1279, src, 1, 0, 0, inv, 1500));
	assert_null(sw_icmp6_error_put(out, out + 147, src, 1, 0, 0, inv, 100));
	assert_non_null(sw_icmp6_error_put(out, out + 148, src, 1, 0, 0, inv, 100));
}

/* Builders may write over the packet they answer: a reply or an error built in place. */
static void test_built_in_place(void **state)
{
	static uint8_t buf[1600], copy[1600];
	uint8_t v[64], me[16];
	size_t n = vec_hex(a4, v, sizeof v);
	struct sw_ip6 ip, ip2;
	struct sw_echo e;
	(void)state;
	memcpy(buf, v, n);
	assert_int_equal(sw_ip6_parse(buf, n, &ip), 0);
	assert_int_equal(sw_echo_parse(&ip, &e), 0);
	e.type = SW_ICMP6_ECHO_REPLY;
	assert_ptr_equal(sw_echo_put(buf, buf + sizeof buf, ip.dst, ip.src, 64, &e), buf + n);
	assert_int_equal(sw_ip6_parse(buf, n, &ip2), 0);
	assert_memory_equal(buf + 8, v + 24, 16);
	assert_memory_equal(buf + 24, v + 8, 16);
	assert_int_equal(sw_echo_parse(&ip2, &e), 0);
	assert_int_equal(e.type, SW_ICMP6_ECHO_REPLY);
	assert_memory_equal(e.data, v + 48, 8);
	/* an error about a 1500-byte packet, in its own buffer, from its own destination */
	for (size_t k = 0; k < 1500; k++)
		buf[k] = (uint8_t)(k * 5 + 1);
	memcpy(buf, v, 40);
	set_plen(buf, 1460);
	memcpy(copy, buf, 1500);
	memcpy(me, buf + 24, 16);
	uint8_t *end = sw_icmp6_error_put(buf, buf + sizeof buf, buf + 24, SW_ICMP6_PKT_TOO_BIG, 0,
					  1280, buf, 1500);
	assert_ptr_equal(end, buf + 1280);
	check_error(buf, 1280, copy, 1500, me, SW_ICMP6_PKT_TOO_BIG, 0, 1280);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s10_a1_rs_bytes),
		cmocka_unit_test(test_rs_check_negative),
		cmocka_unit_test(test_a3_ra_bytes),
		cmocka_unit_test(test_s16_s17_ra_invalid),
		cmocka_unit_test(test_a4_echo),
		cmocka_unit_test(test_echo_parse_negative),
		cmocka_unit_test(test_sec310_may_error),
		cmocka_unit_test(test_sec310_error_quoting),
		cmocka_unit_test(test_built_in_place),
	};
	return cmocka_run_group_tests_name("wire_icmp6", tests, NULL, NULL);
}
