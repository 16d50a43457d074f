/* Client qualification and maintenance: statements 8-30 and 89 of requirements §10,
 * SEC-2, SEC-3, SEC-15; failover, back-off, NAT types. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "engine/qualify.h"
#include "wire/csum.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/teredo.h"

static const uint8_t rs_c0[16] = {0xfe, 0x80, [10] = 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t rs_c1[16] = {0xfe, 0x80, [8] = 0x80, 0, 0x54, 0x45, 0x52, 0x45, 0x44, 0x4f};
static struct fx F;

static int setup(void **st)
{
	(void)st;
	fx_init(&F, NULL);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	fx_free(&F);
	return 0;
}

static void start(struct fx *f)
{
	sw_client_start(&f->c, f->now, &f->out);
}

static size_t count_to(struct fx *f, uint32_t ip)
{
	return fx_count_udp(f, ep(ip, 3544));
}

/* Deliver a raw RA payload built by a spec to the last RS's answer path. */
static void deliver(struct fx *f, uint32_t from, const struct ra_spec *s)
{
	uint8_t buf[256];
	size_t n = fx_ra(buf, sizeof buf, s);

	fx_reset(f);
	fx_udp(f, ep(from, 3544), 0, buf, n);
}

static void test_s10_s24_rs_format(void **st)
{
	const struct sw_out_pkt *o;
	struct sw_pkt pk;
	struct sw_ip6 ip;

	(void)st;
	start(&F);
	assert_int_equal(F.out.n, 1);
	o = &F.out.pkt[0];
	assert_int_equal(o->kind, SW_OUT_UDP);
	assert_int_equal(o->sock, 0);
	assert_int_equal(o->dst.ip, SRV1);
	assert_int_equal(o->dst.port, 3544);
	assert_int_equal(sw_pkt_parse(o->data, o->len, &pk), 0);
	assert_true(pk.has_auth);
	assert_false(pk.has_origin);
	assert_int_equal(pk.auth.conf, 0); /* statement 24 */
	assert_int_equal(pk.auth.id_len, 0);
	assert_int_equal(pk.auth.au_len, 0);
	assert_int_equal(sw_ip6_parse(pk.ip6, pk.ip6_len, &ip), 0);
	assert_int_equal(sw_rs_check(&ip), 0);
	assert_memory_equal(ip.src, rs_c0, 16);
	assert_int_equal(ip.hlim, 255);
	assert_int_equal(sw_icmp6_type(&ip), SW_ICMP6_RS);
	assert_int_equal(ip.dst[0], 0xff);
	assert_int_equal(ip.dst[1], 0x02);
	assert_int_equal(ip.dst[15], 0x02);
	assert_int_equal(F.c.state, SW_CLIENT_PROBE);
	assert_true(fx_event(&F, SW_EV_STATE, NULL));
}

static void test_s9_nothing_before_qualified(void **st)
{
	uint8_t b[64], src[16], dst[16];
	size_t n;

	(void)st;
	start(&F);
	fx_reset(&F);
	fx_teredo(src, SRV1, 0, MAP_IP, MAP_PORT);
	fx_native(dst, 1);
	n = fx_data(b, src, dst, 1);
	fx_tun(&F, b, n);
	assert_int_equal(fx_count_udp(&F, ep(0, 0)), 0);
	assert_int_equal(F.c.stats.tx_not_qualified, 1);
	/* only an ICMPv6 "no route" back to the stack, so that it falls back at once */
	assert_int_equal(F.out.n, 1);
	{
		struct sw_ip6 ip;

		assert_int_equal(F.out.pkt[0].kind, SW_OUT_TUN);
		assert_int_equal(sw_ip6_parse(F.out.pkt[0].data, F.out.pkt[0].len, &ip), 0);
		assert_int_equal(ip.l4[0], SW_ICMP6_DST_UNREACH);
		assert_int_equal(ip.l4[1], SW_UNREACH_NOROUTE);
		assert_memory_equal(ip.src, rs_c0, 16);
		assert_memory_equal(ip.dst, src, 16);
	}
	fx_reset(&F);
	n = fx_data(b, dst, src, 1);
	fx_udp(&F, ep(0xC0000201, 1000), 0, b, n);
	assert_int_equal(F.out.n, 0);
}

static void test_s11_rs_every_T_N_times(void **st)
{
	(void)st;
	start(&F);
	fx_reset(&F);
	fx_timer(&F, 3999);
	assert_int_equal(F.out.n, 0);
	fx_timer(&F, 1);
	assert_int_equal(count_to(&F, SRV1), 1);
	fx_reset(&F);
	fx_timer(&F, 4000);
	assert_int_equal(count_to(&F, SRV1), 1);
	fx_reset(&F);
	fx_timer(&F, 4000); /* third RS unanswered for T: the phase is abandoned */
	assert_int_equal(count_to(&F, SRV1), 0);
	assert_int_equal(count_to(&F, SRV2), 1); /* failover to the secondary address */
	assert_int_equal(F.c.stats.rs_sent, 4);
	fx_reset(&F);
	fx_timer(&F, 4000);
	fx_timer(&F, 4000);
	fx_timer(&F, 4000);
	assert_int_equal(count_to(&F, SRV2), 2);
	assert_int_equal(F.c.state, SW_CLIENT_OFFLINE);
	assert_false(fx_event(&F, SW_EV_ADDR_ADD, NULL));
}

static void expect_phase(struct fx *f, const uint8_t src[16], uint32_t to)
{
	for (int i = 0; i < 3; i++) {
		uint8_t s[16];
		struct sw_endpoint d;

		assert_true(fx_last_rs(f, NULL, s, &d));
		assert_memory_equal(s, src, 16);
		assert_int_equal(d.ip, to);
		fx_reset(f);
		fx_timer(f, 4000);
	}
}

static void test_s12_cone_phase_then_c0_then_offline(void **st)
{
	struct sw_client_conf k;

	(void)st;
	fx_free(&F);
	fx_default_conf(&k);
	k.cone_phase = true;
	fx_init(&F, &k);
	start(&F);
	expect_phase(&F, rs_c1, SRV1);
	expect_phase(&F, rs_c0, SRV1);
	expect_phase(&F, rs_c1, SRV2); /* failover round */
	expect_phase(&F, rs_c0, SRV2);
	assert_int_equal(F.c.state, SW_CLIENT_OFFLINE);
	assert_false(F.c.have_addr);
}

static void test_s13_5991_first_rs_c0(void **st)
{
	uint8_t s[16];

	(void)st;
	start(&F);
	assert_true(fx_last_rs(&F, NULL, s, NULL));
	assert_memory_equal(s, rs_c0, 16);
	assert_int_equal(s[8] & 0x80, 0);
}

static void spec_for_last_rs(struct fx *f, struct ra_spec *s, uint8_t nonce[8], uint8_t src[16])
{
	memset(s, 0, sizeof *s);
	assert_true(fx_last_rs(f, nonce, src, NULL));
	s->nonce = nonce;
	s->dst = src;
	s->origin = ep(MAP_IP, MAP_PORT);
	s->prefix_server = SRV1;
}

static void test_s14_sec3_ra_without_origin(void **st)
{
	struct ra_spec s;
	uint8_t nonce[8], src[16];

	(void)st;
	start(&F);
	spec_for_last_rs(&F, &s, nonce, src);
	s.no_origin = true;
	deliver(&F, SRV1, &s);
	assert_int_equal(F.c.stats.ra_no_origin, 1);
	assert_int_equal(F.c.phase, SW_PH_PRIMARY);
	assert_int_equal(F.out.n, 0);
}

static void test_s15_ra_wrong_destination(void **st)
{
	struct ra_spec s;
	uint8_t nonce[8], src[16];

	(void)st;
	start(&F);
	spec_for_last_rs(&F, &s, nonce, src);
	s.dst = rs_c1;
	deliver(&F, SRV1, &s);
	assert_int_equal(F.c.stats.ra_invalid, 1);
	assert_int_equal(F.c.phase, SW_PH_PRIMARY);
}

static void test_s16_sec3_prefix_not_our_server(void **st)
{
	struct ra_spec s;
	uint8_t nonce[8], src[16];

	(void)st;
	start(&F);
	spec_for_last_rs(&F, &s, nonce, src);
	s.prefix_server = 0xCB007109;
	deliver(&F, SRV1, &s);
	assert_int_equal(F.c.stats.ra_invalid, 1);
	assert_int_equal(F.c.phase, SW_PH_PRIMARY);
}

/* Raw RA builder: auth(nonce) + origin + IPv6 + RA header + opts, checksum fixed, then
 * `mut` applied after the checksum when it must break it. */
struct raw {
	const uint8_t *src;
	uint8_t hlim, code;
	const uint8_t *opts;
	size_t optlen;
	size_t ra_hlen; /* 16 normally */
	bool bad_csum;
};

static size_t raw_ra(uint8_t *b, const uint8_t nonce[8], const uint8_t dst[16], const struct raw *r)
{
	struct sw_auth a = {0};
	uint8_t *o = b + SW_AUTH_MIN, *ip6 = o + 8, *m = ip6 + 40;
	size_t mlen = r->ra_hlen + r->optlen;
	uint16_t cs;

	memcpy(a.nonce, nonce, 8);
	sw_auth_put(b, o, &a);
	sw_origin_put(o, ip6, ep(MAP_IP, MAP_PORT));
	sw_ip6_put(ip6, m, (uint16_t)mlen, SW_NH_ICMP6, r->hlim, r->src, dst);
	memset(m, 0, r->ra_hlen);
	m[0] = SW_ICMP6_RA;
	m[1] = r->code;
	if (r->optlen)
		memcpy(m + r->ra_hlen, r->opts, r->optlen);
	cs = sw_csum_ip6(r->src, dst, SW_NH_ICMP6, m, mlen);
	if (r->bad_csum)
		cs ^= 1;
	m[2] = (uint8_t)(cs >> 8);
	m[3] = (uint8_t)cs;
	return (size_t)(m + mlen - b);
}

static void pio(uint8_t *o, uint32_t server)
{
	memset(o, 0, 32);
	o[0] = 3;
	o[1] = 4;
	o[2] = 64;
	o[3] = 0x40;
	memset(o + 4, 0xff, 8);
	o[16] = 0x20;
	o[17] = 0x01;
	o[20] = (uint8_t)(server >> 24);
	o[21] = (uint8_t)(server >> 16);
	o[22] = (uint8_t)(server >> 8);
	o[23] = (uint8_t)server;
}

static void test_s16_s17_ra_validity_table(void **st)
{
	uint8_t srvll[16], opts[72], zero_opt[40];
	struct {
		const char *name;
		struct raw r;
		bool ok;
	} t[] = {
		{"valid", {srvll, 255, 0, opts, 32, 16, false}, true},
		{"zero PIO", {srvll, 255, 0, opts, 0, 16, false}, false},
		{"two PIOs", {srvll, 255, 0, opts, 64, 16, false}, false},
		{"global source", {rs_c0, 255, 0, opts, 32, 16, false}, true},
		{"hop limit 254", {srvll, 254, 0, opts, 32, 16, false}, false},
		{"bad checksum", {srvll, 255, 0, opts, 32, 16, true}, false},
		{"code 1", {srvll, 255, 1, opts, 32, 16, false}, false},
		{"zero-length option", {srvll, 255, 0, zero_opt, 40, 16, false}, false},
		{"ICMP length < 16", {srvll, 255, 0, NULL, 0, 12, false}, false},
	};
	static const uint8_t glob[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};

	(void)st;
	sw_addr_server_linklocal(srvll, SRV1);
	pio(opts, SRV1);
	pio(opts + 32, SRV1);
	pio(zero_opt, SRV1);
	memset(zero_opt + 32, 0, 8);
	zero_opt[32] = 5;
	t[3].r.src = glob; /* a non-link-local source */
	t[3].ok = false;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		uint8_t nonce[8], src[16], b[256];
		size_t n;

		fx_free(&F);
		fx_init(&F, NULL);
		start(&F);
		assert_true(fx_last_rs(&F, nonce, src, NULL));
		n = raw_ra(b, nonce, src, &t[i].r);
		fx_reset(&F);
		fx_udp(&F, ep(SRV1, 3544), 0, b, n);
		if ((F.c.stats.ra_accepted == 1) != t[i].ok)
			fail_msg("case '%s': accepted=%lu", t[i].name,
				 (unsigned long)F.c.stats.ra_accepted);
	}
}

static void test_s18_s21_address_from_origin_E1(void **st)
{
	static const uint8_t e1[16] = {0x20, 0x01, 0, 0, 0xc6, 0x33, 0x64, 0x76,
				       0, 0, 0xdf, 0xff, 0x3f, 0xff, 0xfd, 0xf5};
	struct sw_client_conf k;
	struct sw_event ev;
	struct sw_endpoint m = {0xC000020A, 8192};
	uint8_t nonce[8], src[16], a[16];
	struct ra_spec s;

	(void)st;
	fx_free(&F);
	fx_default_conf(&k);
	k.server = 0xC6336476;
	k.server2 = 0xC6336477;
	fx_init(&F, &k);
	start(&F);
	spec_for_last_rs(&F, &s, nonce, src);
	s.origin = m;
	s.prefix_server = k.server;
	deliver(&F, k.server, &s);
	spec_for_last_rs(&F, &s, nonce, src);
	s.origin = m;
	s.prefix_server = k.server;
	deliver(&F, k.server2, &s);
	assert_int_equal(F.c.state, SW_CLIENT_QUALIFIED);
	assert_true(fx_event(&F, SW_EV_ADDR_ADD, &ev));
	assert_true(sw_client_addr(&F.c, a));
	assert_memory_equal(ev.addr, a, 16);
	assert_int_equal(ev.prefix_len, 32);
	assert_memory_equal(a, e1, 8);
	assert_memory_equal(a + 10, e1 + 10, 6);
	assert_int_equal(((a[8] << 8 | a[9]) & ~SW_FLAG_RANDOM_MASK), 0);
	assert_int_equal(F.c.mapping.ip, m.ip);
	assert_int_equal(F.c.mapping.port, m.port);
	assert_int_equal(F.c.nat, SW_NAT_RESTRICTED);
}

static void test_s19_secondary_unanswered_offline(void **st)
{
	uint8_t s[16];
	struct sw_endpoint d;

	(void)st;
	start(&F);
	fx_answer(&F, SRV1, ep(MAP_IP, MAP_PORT));
	assert_true(fx_last_rs(&F, NULL, s, &d));
	assert_int_equal(d.ip, SRV2);
	assert_memory_equal(s, rs_c0, 16);
	fx_timer(&F, 4000);
	fx_timer(&F, 4000);
	fx_reset(&F);
	fx_timer(&F, 4000);
	assert_int_equal(F.c.state, SW_CLIENT_OFFLINE);
	assert_false(F.c.have_addr);
	assert_false(fx_event(&F, SW_EV_ADDR_ADD, NULL));
}

static void test_s20_symmetric_nat_no_address(void **st)
{
	(void)st;
	start(&F);
	fx_answer(&F, SRV1, ep(MAP_IP, MAP_PORT));
	fx_answer(&F, SRV2, ep(MAP_IP, MAP_PORT + 1));
	assert_int_equal(F.c.state, SW_CLIENT_OFFLINE);
	assert_int_equal(F.c.nat, SW_NAT_SYMMETRIC);
	assert_false(F.c.have_addr);
	assert_false(fx_event(&F, SW_EV_ADDR_ADD, NULL));
	assert_string_equal(sw_client_nat_name(F.c.nat), "symmetric");
	/* retried after the back-off; the last result stays visible while probing */
	fx_timer(&F, sw_client_next_deadline(&F.c) - F.now);
	assert_int_equal(F.c.state, SW_CLIENT_PROBE);
	assert_int_equal(F.c.nat, SW_NAT_SYMMETRIC);
}

static void test_s22_sec2_wrong_nonce(void **st)
{
	struct ra_spec s;
	uint8_t nonce[8], src[16];

	(void)st;
	start(&F);
	spec_for_last_rs(&F, &s, nonce, src);
	nonce[3] ^= 0x10;
	deliver(&F, SRV1, &s);
	assert_int_equal(F.c.stats.ra_bad_auth, 1);
	s.nonce = NULL; /* no auth header at all */
	deliver(&F, SRV1, &s);
	assert_int_equal(F.c.stats.ra_bad_auth, 2);
	assert_int_equal(F.c.phase, SW_PH_PRIMARY);
}

static void test_s23_sec2_hmac(void **st)
{
	static const uint8_t key[] = "shared secret", other[] = "other secret";
	static const uint8_t id[] = {1, 2, 3, 4};
	struct sw_client_conf k;
	const struct sw_out_pkt *o;
	struct ra_spec s;
	struct sw_pkt pk;
	uint8_t nonce[8], src[16];

	(void)st;
	fx_free(&F);
	fx_default_conf(&k);
	k.key = key;
	k.key_len = sizeof key - 1;
	k.id = id;
	k.id_len = sizeof id;
	fx_init(&F, &k);
	start(&F);
	o = &F.out.pkt[0];
	assert_int_equal(sw_pkt_parse(o->data, o->len, &pk), 0);
	assert_int_equal(pk.auth.id_len, 4);
	assert_memory_equal(pk.auth.id, id, 4);
	assert_int_equal(pk.auth.au_len, 20);
	assert_true(sw_auth_verify(&pk, NULL, key, sizeof key - 1));
	assert_false(sw_auth_verify(&pk, NULL, other, sizeof other - 1));
	spec_for_last_rs(&F, &s, nonce, src);
	s.key = other;
	s.key_len = sizeof other - 1;
	deliver(&F, SRV1, &s);
	assert_int_equal(F.c.stats.ra_bad_auth, 1);
	s.key = NULL; /* auth header without a MAC */
	deliver(&F, SRV1, &s);
	assert_int_equal(F.c.stats.ra_bad_auth, 2);
	s.key = key;
	s.key_len = sizeof key - 1;
	deliver(&F, SRV1, &s);
	assert_int_equal(F.c.stats.ra_accepted, 1);
	assert_int_equal(F.c.phase, SW_PH_SECONDARY);
}

static void test_s25_nonglobal_origin_no_address(void **st)
{
	(void)st;
	start(&F);
	fx_answer(&F, SRV1, ep(0x0A000001, MAP_PORT));
	assert_int_equal(F.c.stats.ra_nonglobal, 1);
	assert_int_equal(F.c.phase, SW_PH_PRIMARY);
	assert_false(F.c.have_addr);
}

static void test_s26_server_packet_refreshes(void **st)
{
	uint8_t b[64], src[16];
	size_t n;
	sw_time t;

	(void)st;
	fx_qualify(&F);
	t = F.c.rand_refresh;
	F.now += t - 1000;
	fx_teredo(src, SRV1, 0, 0xC0000201, 1234);
	n = fx_bubble(b, src, F.c.addr);
	fx_udp(&F, ep(SRV2, 3544), 0, b, n);
	assert_int_equal(F.c.last_server, F.now);
	fx_reset(&F);
	fx_timer(&F, 2000); /* past the first deadline: no RS, interaction was recent */
	assert_int_equal(fx_count_rs(&F), 0);
}

static void test_s27_maintenance_rs(void **st)
{
	uint8_t s[16];
	struct sw_endpoint d;
	sw_time r;

	(void)st;
	fx_qualify(&F);
	r = F.c.rand_refresh;
	fx_reset(&F);
	fx_timer(&F, r - 1);
	assert_int_equal(fx_count_rs(&F), 0);
	fx_timer(&F, 1);
	assert_int_equal(fx_count_rs(&F), 1);
	assert_true(fx_last_rs(&F, NULL, s, &d));
	assert_memory_equal(s, rs_c0, 16);
	assert_int_equal(d.ip, SRV1);
}

static void refresh_range(uint32_t R, uint32_t lo, uint32_t hi)
{
	struct sw_client_conf k;
	uint32_t min = UINT32_MAX, max = 0;

	fx_free(&F);
	fx_default_conf(&k);
	k.refresh_ms = R;
	fx_init(&F, &k);
	fx_qualify(&F);
	for (int i = 0; i < 1000; i++) {
		uint32_t r = F.c.rand_refresh;

		if (r < lo || r > hi)
			fail_msg("draw %d: %u outside [%u, %u]", i, r, lo, hi);
		min = r < min ? r : min;
		max = r > max ? r : max;
		fx_reset(&F);
		fx_timer(&F, r);
		fx_answer(&F, SRV1, ep(MAP_IP, MAP_PORT));
	}
	/* the draws cover the range */
	assert_true(min < lo + (hi - lo) / 20);
	assert_true(max > hi - (hi - lo) / 20);
}

static void test_s28_randomized_refresh(void **st)
{
	(void)st;
	refresh_range(30000, 22500, 30000);
	refresh_range(60000, 45000, 60000);
}

static void test_s29_mapping_change(void **st)
{
	uint8_t old[16];
	struct sw_event del, add;

	(void)st;
	fx_qualify(&F);
	memcpy(old, F.c.addr, 16);
	fx_timer(&F, F.c.rand_refresh);
	fx_answer(&F, SRV1, ep(MAP_IP, MAP_PORT + 7));
	assert_true(fx_event(&F, SW_EV_ADDR_DEL, &del));
	assert_true(fx_event(&F, SW_EV_ADDR_ADD, &add));
	assert_memory_equal(del.addr, old, 16);
	assert_memory_not_equal(add.addr, old, 16);
	assert_memory_equal(add.addr, F.c.addr, 16);
	assert_true(sw_addr_mapping_eq(add.addr, ep(MAP_IP, MAP_PORT + 7)));
	assert_int_equal(F.c.stats.mapping_changed, 1);
}

static void test_s30_same_mapping_keeps_address(void **st)
{
	uint8_t old[16];

	(void)st;
	fx_qualify(&F);
	memcpy(old, F.c.addr, 16);
	for (int i = 0; i < 5; i++) {
		fx_timer(&F, F.c.rand_refresh);
		fx_answer(&F, SRV1, ep(MAP_IP, MAP_PORT));
		assert_false(fx_event(&F, SW_EV_ADDR_DEL, NULL));
		assert_false(fx_event(&F, SW_EV_ADDR_ADD, NULL));
		assert_memory_equal(F.c.addr, old, 16);
	}
	/* after losing the server and requalifying with the same mapping, same flags */
	fx_timer(&F, F.c.rand_refresh);
	fx_timer(&F, 4000);
	fx_timer(&F, 4000);
	fx_timer(&F, 4000);
	assert_int_equal(F.c.state, SW_CLIENT_OFFLINE);
	assert_true(fx_event(&F, SW_EV_ADDR_DEL, NULL));
	fx_timer(&F, 0);
	assert_int_equal(F.c.state, SW_CLIENT_PROBE);
	fx_answer(&F, SRV1, ep(MAP_IP, MAP_PORT));
	fx_answer(&F, SRV2, ep(MAP_IP, MAP_PORT));
	assert_int_equal(F.c.state, SW_CLIENT_QUALIFIED);
	assert_memory_equal(F.c.addr, old, 16);
}

static void test_s8_s89_flags(void **st)
{
	struct sw_client_conf k;
	uint16_t fl;

	(void)st;
	fx_qualify(&F);
	fl = (uint16_t)(F.c.addr[8] << 8 | F.c.addr[9]);
	assert_int_equal(fl & SW_FLAG_Z, 0);
	assert_int_equal(fl & SW_FLAG_UG, 0);
	assert_int_equal(fl & SW_FLAG_CONE, 0);
	assert_int_equal(fl & ~SW_FLAG_RANDOM_MASK, 0);
	/* cone phase answered: C = 1, cone NAT */
	fx_free(&F);
	fx_default_conf(&k);
	k.cone_phase = true;
	fx_init(&F, &k);
	start(&F);
	fx_answer(&F, SRV2, ep(MAP_IP, MAP_PORT));
	assert_int_equal(F.c.state, SW_CLIENT_QUALIFIED);
	assert_int_equal(F.c.nat, SW_NAT_CONE);
	fl = (uint16_t)(F.c.addr[8] << 8 | F.c.addr[9]);
	assert_int_equal(fl & ~SW_FLAG_RANDOM_MASK, SW_FLAG_CONE);
}

/* Chi-square over 16 bins (df 15): p = 0.001 critical value 37.70. */
static double chi16(const unsigned *bins, unsigned n)
{
	double e = n / 16.0, x = 0;

	for (int i = 0; i < 16; i++)
		x += (bins[i] - e) * (bins[i] - e) / e;
	return x;
}

static void test_sec15_flags_chi_square(void **st)
{
	unsigned r1[16] = {0}, r2h[16] = {0}, r2l[16] = {0}, bits[16] = {0};
	const unsigned N = 1000;

	(void)st;
	fx_qualify(&F);
	for (unsigned i = 0; i < N; i++) {
		uint16_t fl;

		fx_timer(&F, F.c.rand_refresh);
		fx_answer(&F, SRV1, ep(MAP_IP, (uint16_t)(1024 + i))); /* a new mapping each time */
		fl = (uint16_t)(F.c.addr[8] << 8 | F.c.addr[9]);
		if (fl & ~SW_FLAG_RANDOM_MASK)
			fail_msg("draw %u: flags %04x outside 0x3CFF", i, fl);
		r1[(fl >> 10) & 0xF]++;
		r2h[(fl >> 4) & 0xF]++;
		r2l[fl & 0xF]++;
		for (int b = 0; b < 16; b++)
			bits[b] += (fl >> b) & 1;
	}
	assert_int_equal(F.c.stats.mapping_changed, N);
	if (chi16(r1, N) > 37.7 || chi16(r2h, N) > 37.7 || chi16(r2l, N) > 37.7)
		fail_msg("chi-square R1 %.1f R2h %.1f R2l %.1f", chi16(r1, N), chi16(r2h, N),
			 chi16(r2l, N));
	for (int b = 0; b < 16; b++) {
		bool random = (SW_FLAG_RANDOM_MASK >> b) & 1;

		if (random ? (bits[b] < 400 || bits[b] > 600) : bits[b] != 0)
			fail_msg("bit %d set %u times", b, bits[b]);
	}
}

static void test_failover_to_secondary(void **st)
{
	struct sw_endpoint d;

	(void)st;
	start(&F);
	fx_timer(&F, 4000);
	fx_timer(&F, 4000);
	fx_reset(&F);
	fx_timer(&F, 4000);
	assert_true(fx_last_rs(&F, NULL, NULL, &d));
	assert_int_equal(d.ip, SRV2);
	assert_int_equal(F.c.stats.failover, 1);
	fx_answer(&F, SRV2, ep(MAP_IP, MAP_PORT));
	assert_true(fx_last_rs(&F, NULL, NULL, &d)); /* symmetric test against the primary */
	assert_int_equal(d.ip, SRV1);
	fx_timer(&F, 4000);
	fx_timer(&F, 4000);
	fx_timer(&F, 4000);
	assert_int_equal(F.c.state, SW_CLIENT_QUALIFIED);
	assert_int_equal(F.c.nat, SW_NAT_UNKNOWN);
	assert_int_equal(sw_qualify_server(&F.c), SRV2);
	/* maintenance asks the primary first, then the secondary */
	fx_reset(&F);
	fx_timer(&F, F.c.rand_refresh);
	assert_true(fx_last_rs(&F, NULL, NULL, &d));
	assert_int_equal(d.ip, SRV1);
	fx_reset(&F);
	fx_timer(&F, 4000);
	assert_true(fx_last_rs(&F, NULL, NULL, &d));
	assert_int_equal(d.ip, SRV2);
	fx_answer(&F, SRV2, ep(MAP_IP, MAP_PORT));
	assert_int_equal(sw_qualify_server(&F.c), SRV2);
	/* the primary is back: its answer to the first RS of a round returns the client */
	fx_reset(&F);
	fx_timer(&F, F.c.rand_refresh);
	assert_true(fx_last_rs(&F, NULL, NULL, &d));
	assert_int_equal(d.ip, SRV1);
	fx_answer(&F, SRV1, ep(MAP_IP, MAP_PORT));
	assert_int_equal(sw_qualify_server(&F.c), SRV1);
	assert_int_equal(F.c.stats.failback, 1);
	assert_false(fx_event(&F, SW_EV_ADDR_DEL, NULL)); /* same mapping: same address */
	fx_reset(&F);
	fx_timer(&F, F.c.rand_refresh);
	fx_timer(&F, 4000);
	assert_true(fx_last_rs(&F, NULL, NULL, &d));
	assert_int_equal(d.ip, SRV1); /* and stays there */
}

static void test_offline_backoff(void **st)
{
	sw_time t0, t1;

	(void)st;
	start(&F);
	for (int i = 0; i < 6; i++)
		fx_timer(&F, 4000);
	assert_int_equal(F.c.state, SW_CLIENT_OFFLINE);
	t0 = sw_client_next_deadline(&F.c) - F.now;
	assert_true(t0 >= 7500 && t0 <= 10000);
	fx_timer(&F, t0);
	assert_int_equal(F.c.state, SW_CLIENT_PROBE);
	for (int i = 0; i < 6; i++)
		fx_timer(&F, 4000);
	assert_int_equal(F.c.state, SW_CLIENT_OFFLINE);
	t1 = sw_client_next_deadline(&F.c) - F.now;
	assert_true(t1 >= 15000 && t1 <= 20000);
}

static void test_server_loss_requalifies(void **st)
{
	(void)st;
	fx_qualify(&F);
	fx_reset(&F);
	fx_timer(&F, F.c.rand_refresh);
	fx_timer(&F, 4000);
	fx_timer(&F, 4000);
	assert_int_equal(fx_count_rs(&F), 3);
	fx_timer(&F, 4000);
	assert_true(fx_event(&F, SW_EV_ADDR_DEL, NULL));
	assert_false(F.c.have_addr);
	fx_reset(&F);
	fx_timer(&F, 0);
	assert_int_equal(F.c.state, SW_CLIENT_PROBE);
	assert_int_equal(fx_count_rs(&F), 1);
}

static void test_nat_none(void **st)
{
	struct sw_client_conf k;

	(void)st;
	fx_free(&F);
	fx_default_conf(&k);
	k.local_ip = 0xC6336402; /* a public address: no NAT */
	fx_init(&F, &k);
	start(&F);
	fx_answer(&F, SRV1, ep(0xC6336402, LOCAL_PORT));
	fx_answer(&F, SRV2, ep(0xC6336402, LOCAL_PORT));
	assert_int_equal(F.c.state, SW_CLIENT_QUALIFIED);
	assert_int_equal(F.c.nat, SW_NAT_NONE);
	assert_string_equal(sw_client_nat_name(F.c.nat), "none");
	/* local address learnt from received packets (192.168.1.2): behind a NAT */
	fx_free(&F);
	fx_default_conf(&k);
	k.local_ip = 0;
	fx_init(&F, &k);
	fx_qualify(&F);
	assert_int_equal(F.c.local_ip, LOCAL_IP);
	assert_int_equal(F.c.nat, SW_NAT_RESTRICTED);
}

static void test_reconf(void **st)
{
	struct sw_client_conf k;
	struct sw_endpoint d;

	(void)st;
	fx_qualify(&F);
	k = F.conf;
	k.refresh_ms = 60000; /* applied without requalifying */
	fx_reset(&F);
	assert_int_equal(sw_client_reconf(&F.c, &k, F.now, &F.out), 0);
	assert_int_equal(F.c.state, SW_CLIENT_QUALIFIED);
	assert_int_equal(F.out.n_ev, 0);
	fx_timer(&F, F.c.rand_refresh);
	fx_answer(&F, SRV1, ep(MAP_IP, MAP_PORT));
	assert_true(F.c.rand_refresh >= 45000 && F.c.rand_refresh <= 60000);
	k.refresh_ms = 100; /* invalid: refused, the old configuration stays */
	assert_int_equal(sw_client_reconf(&F.c, &k, F.now, &F.out), -EINVAL);
	assert_int_equal(F.c.conf.refresh_ms, 60000);
	k.refresh_ms = 60000; /* another server: the address goes, qualification restarts */
	k.server = 0xCB007111;
	k.server2 = 0;
	fx_reset(&F);
	assert_int_equal(sw_client_reconf(&F.c, &k, F.now, &F.out), 0);
	assert_true(fx_event(&F, SW_EV_ADDR_DEL, NULL));
	assert_false(F.c.have_addr);
	fx_timer(&F, 0);
	assert_true(fx_last_rs(&F, NULL, NULL, &d));
	assert_int_equal(d.ip, 0xCB007111);
	assert_int_equal(F.c.conf.server2, 0xCB007112);
}

static void test_server_not_known_yet(void **st)
{
	struct sw_client_conf k;
	struct sw_endpoint d;

	(void)st;
	fx_free(&F);
	fx_default_conf(&k);
	k.server = k.server2 = 0; /* a name not resolved yet */
	fx_init(&F, &k);
	start(&F);
	assert_int_equal(F.c.state, SW_CLIENT_OFFLINE);
	assert_int_equal(F.out.n, 0);
	assert_int_equal(sw_client_next_deadline(&F.c), SW_TIME_NEVER);
	k.server = SRV1; /* resolved */
	assert_int_equal(sw_client_reconf(&F.c, &k, F.now, &F.out), 0);
	fx_timer(&F, 0);
	assert_int_equal(F.c.state, SW_CLIENT_PROBE);
	assert_true(fx_last_rs(&F, NULL, NULL, &d));
	assert_int_equal(d.ip, SRV1);
	assert_int_equal(F.c.conf.server2, SRV1 + 1);
	k.server = 0x0A000001; /* a private address is refused */
	assert_int_equal(sw_client_reconf(&F.c, &k, F.now, &F.out), -EINVAL);
}

/* Statement 52 (RFC 4380 §5.5): native IPv6 disables the client, its going re-enables it. */
static void test_s52_native_ipv6_disables(void **st)
{
	uint8_t b[64], src[16], dst[16];
	struct sw_event ev;
	size_t n;

	(void)st;
	fx_qualify(&F);
	memcpy(src, F.c.addr, 16);
	fx_reset(&F);
	sw_client_native(&F.c, true, F.now, &F.out);
	assert_int_equal(F.c.state, SW_CLIENT_DISABLED);
	assert_string_equal(sw_client_state_name(F.c.state), "disabled");
	assert_false(F.c.have_addr);
	assert_true(fx_event(&F, SW_EV_ADDR_DEL, &ev));
	assert_true(fx_event(&F, SW_EV_STATE, &ev));
	assert_int_equal(ev.state, SW_CLIENT_DISABLED);
	assert_int_equal(F.c.stats.disabled, 1);
	assert_int_equal(fx_count_udp(&F, ep(0, 0)), 0);
	/* nothing is sent while disabled: no maintenance RS, tunnel packets refused */
	fx_reset(&F);
	fx_timer(&F, 600000);
	assert_int_equal(fx_count_rs(&F), 0);
	fx_native(dst, 1);
	n = fx_data(b, src, dst, 1);
	fx_tun(&F, b, n);
	assert_int_equal(fx_count_udp(&F, ep(0, 0)), 0);
	assert_int_equal(fx_count_tun(&F), 1); /* ICMPv6 no route */
	/* an RA now is unexpected; the same input again changes nothing */
	{
		static const uint8_t nonce[8] = {1, 2, 3, 4, 5, 6, 7, 8};
		struct ra_spec rs = {.nonce = nonce, .origin = ep(MAP_IP, MAP_PORT), .dst = rs_c0,
				     .prefix_server = SRV1};
		uint64_t before = F.c.stats.ra_unexpected;
		uint8_t ra[256];

		n = fx_ra(ra, sizeof ra, &rs);
		fx_udp(&F, ep(SRV1, 3544), 0, ra, n);
		assert_int_equal(F.c.stats.ra_unexpected, before + 1);
	}
	assert_int_equal(F.c.state, SW_CLIENT_DISABLED);
	sw_client_native(&F.c, true, F.now, &F.out);
	assert_int_equal(F.c.stats.disabled, 1);
	/* native IPv6 gone: qualification again */
	fx_reset(&F);
	sw_client_native(&F.c, false, F.now, &F.out);
	assert_int_equal(F.c.state, SW_CLIENT_PROBE);
	assert_int_equal(fx_count_rs(&F), 1);
	fx_answer(&F, SRV1, ep(MAP_IP, MAP_PORT));
	fx_answer(&F, SRV2, ep(MAP_IP, MAP_PORT));
	assert_int_equal(F.c.state, SW_CLIENT_QUALIFIED);
	assert_true(F.c.have_addr);
}

/* Native IPv6 before the start: the client starts disabled; a reconfiguration (a server
 * name resolved) does not start it. */
static void test_s52_native_before_start(void **st)
{
	struct sw_client_conf k = F.conf;

	(void)st;
	sw_client_native(&F.c, true, F.now, &F.out);
	start(&F);
	assert_int_equal(F.c.state, SW_CLIENT_DISABLED);
	assert_int_equal(fx_count_rs(&F), 0);
	assert_int_equal(sw_client_next_deadline(&F.c), SW_TIME_NEVER);
	k.server = 0xCB007111;
	k.server2 = 0;
	assert_int_equal(sw_client_reconf(&F.c, &k, F.now, &F.out), 0);
	fx_timer(&F, 1000);
	assert_int_equal(F.c.state, SW_CLIENT_DISABLED);
	assert_int_equal(fx_count_rs(&F), 0);
	sw_client_native(&F.c, false, F.now, &F.out);
	assert_int_equal(F.c.state, SW_CLIENT_PROBE);
	assert_int_equal(fx_count_rs(&F), 1);
}

/* SymmetricTest no: qualified on the primary's RA alone, NAT type unknown, nothing sent to
 * the secondary address (Miredo's behaviour). */
static void test_no_symmetric_test(void **st)
{
	struct sw_client_conf k;

	(void)st;
	fx_free(&F);
	fx_default_conf(&k);
	k.no_symmetric_test = true;
	fx_init(&F, &k);
	start(&F);
	fx_answer(&F, SRV1, ep(MAP_IP, MAP_PORT));
	assert_int_equal(F.c.state, SW_CLIENT_QUALIFIED);
	assert_int_equal(F.c.nat, SW_NAT_UNKNOWN);
	assert_int_equal(fx_count_udp(&F, ep(SRV2, 3544)), 0);
	assert_int_equal(fx_count_udp(&F, ep(0, 0)), 0);
	/* switching the test on requalifies, now with the secondary phase */
	k.no_symmetric_test = false;
	fx_reset(&F);
	assert_int_equal(sw_client_reconf(&F.c, &k, F.now, &F.out), 0);
	fx_timer(&F, 0);
	fx_answer(&F, SRV1, ep(MAP_IP, MAP_PORT));
	assert_int_equal(fx_count_udp(&F, ep(SRV2, 3544)), 1);
	fx_answer(&F, SRV2, ep(MAP_IP, MAP_PORT + 1));
	assert_int_equal(F.c.nat, SW_NAT_SYMMETRIC);
}

/* A new secret of the same length (a reload) requalifies: statement 23 with the new key. */
static void test_s23_new_secret_requalifies(void **st)
{
	static const uint8_t id[] = "alice", k1[] = "secret-1", k2[] = "secret-2";
	struct sw_client_conf k;

	(void)st;
	fx_free(&F);
	fx_default_conf(&k);
	k.id = id;
	k.id_len = 5;
	k.key = k1;
	k.key_len = 8;
	fx_init(&F, &k);
	start(&F);
	assert_int_equal(F.c.state, SW_CLIENT_PROBE);
	fx_reset(&F);
	k.key = k2;
	assert_int_equal(sw_client_reconf(&F.c, &k, F.now, &F.out), 0);
	assert_int_equal(F.c.state, SW_CLIENT_OFFLINE);
	assert_ptr_equal(F.c.conf.key, k2);
	fx_reset(&F);
	assert_int_equal(sw_client_reconf(&F.c, &k, F.now, &F.out), 0); /* same: nothing */
	assert_int_equal(F.out.n_ev, 0);
}

int main(void)
{
	const struct CMUnitTest t[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_s10_s24_rs_format),
		T(test_s9_nothing_before_qualified),
		T(test_s11_rs_every_T_N_times),
		T(test_s12_cone_phase_then_c0_then_offline),
		T(test_s13_5991_first_rs_c0),
		T(test_s14_sec3_ra_without_origin),
		T(test_s15_ra_wrong_destination),
		T(test_s16_sec3_prefix_not_our_server),
		T(test_s16_s17_ra_validity_table),
		T(test_s18_s21_address_from_origin_E1),
		T(test_s19_secondary_unanswered_offline),
		T(test_s20_symmetric_nat_no_address),
		T(test_s22_sec2_wrong_nonce),
		T(test_s23_sec2_hmac),
		T(test_s25_nonglobal_origin_no_address),
		T(test_s26_server_packet_refreshes),
		T(test_s27_maintenance_rs),
		T(test_s28_randomized_refresh),
		T(test_s29_mapping_change),
		T(test_s30_same_mapping_keeps_address),
		T(test_s8_s89_flags),
		T(test_sec15_flags_chi_square),
		T(test_failover_to_secondary),
		T(test_offline_backoff),
		T(test_server_loss_requalifies),
		T(test_nat_none),
		T(test_reconf),
		T(test_server_not_known_yet),
		T(test_s52_native_ipv6_disables),
		T(test_s52_native_before_start),
		T(test_no_symmetric_test),
		T(test_s23_new_secret_requalifies),
#undef T
	};

	return cmocka_run_group_tests(t, NULL, NULL);
}
