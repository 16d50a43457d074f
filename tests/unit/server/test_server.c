/* server: the server conformance statements 60-77 and 90 (requirements §10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "srv_test.h"

static const char *A1 =
	"00 01 00 00 01 02 03 04 05 06 07 08 00 60 00 00 00 00 08 3a ff fe 80 00 00 00 00 00 00 00 00"
	"ff ff ff ff ff ff ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 02 85 00 7d 37 00 00 00 00";
static const char *A3 =
	"00 01 00 00 01 02 03 04 05 06 07 08 00 00 00 df ff 3f ff fd f5 60 00 00 00 00 38 3a ff fe 80"
	"00 00 00 00 00 00 80 00 f2 27 39 cc 9b 89 fe 80 00 00 00 00 00 00 00 00 ff ff ff ff ff ff 86"
	"00 95 4c 00 00 00 00 00 00 00 00 00 00 07 d0 03 04 40 40 ff ff ff ff ff ff ff ff 00 00 00 00"
	"20 01 00 00 c6 33 64 76 00 00 00 00 00 00 00 00 05 01 00 00 00 00 05 00";
static const char *A7_IN =
	"60 00 00 00 00 00 3b ff 20 01 00 00 cb 00 71 78 00 00 ef ff 3f ff fd fe 20 01 00 00 c6 33 64"
	"76 00 00 df ff 3f ff fd f5 01 04 12 34 56 78";
static const char *A7_OUT =
	"00 00 ef ff 3f ff fd fe 60 00 00 00 00 00 3b ff 20 01 00 00 cb 00 71 78 00 00 ef ff 3f ff fd"
	"fe 20 01 00 00 c6 33 64 76 00 00 df ff 3f ff fd f5 01 04 12 34 56 78";

#define CLIENT_IP IP4(192, 0, 2, 10)
#define CLIENT_PORT 8192

static void expect_no_output(struct harness *h, uint64_t counter, uint64_t before)
{
	if (h->out.n != 0 || counter != before + 1) {
		fprintf(stderr, "outputs %zu, counter %llu -> %llu\n", h->out.n,
			(unsigned long long)before, (unsigned long long)counter);
		if (h->out.n)
			dump("output", h->out.pkt[0].data, h->out.pkt[0].len);
	}
	assert_int_equal(h->out.n, 0);
	assert_int_equal(counter, before + 1);
}

static void expect_bytes(const struct sw_out_pkt *o, const uint8_t *want, size_t n)
{
	if (o->len != n || memcmp(o->data, want, n) != 0) {
		dump("got", o->data, o->len);
		dump("want", want, n);
	}
	assert_int_equal(o->len, n);
	assert_memory_equal(o->data, want, n);
}

/* 60: malformed payloads are dropped, silently. */
static void test_s60_malformed_dropped(void **state)
{
	static const char *bad[] = {
		"",                                 /* empty */
		"00",                               /* one byte */
		"00 02 00 00 00 00 00 00",          /* unknown type */
		"45 00 00 14",                      /* IPv4 */
		"00 01 05 00 01 02 03",             /* truncated auth */
		"00 00 ef ff 3f ff",                /* truncated origin */
		"60 00 00 00 00 10 3b ff 00 00",    /* IPv6 shorter than its header */
	};
	struct harness h;
	uint8_t b[256];

	(void)state;
	h_init(&h);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t before = h.s.st.drop_malformed;
		size_t n = hex(bad[i], b, sizeof(b));

		fprintf(stderr, "case %zu: %s\n", i, bad[i]);
		h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
		expect_no_output(&h, h.s.st.drop_malformed, before);
	}
	/* payload length larger than what follows */
	{
		uint64_t before = h.s.st.drop_malformed;
		size_t n = hex(A7_IN, b, sizeof(b));

		b[5] = 0x20; /* plen 32 > 6 bytes left */
		h_in(&h, 0, ep(IP4(192, 0, 2, 1), 4096), b, n);
		expect_no_output(&h, h.s.st.drop_malformed, before);
	}
	/* origin indication before auth (statement 4) */
	{
		uint64_t before = h.s.st.drop_malformed;
		size_t n = hex(A1, b + 8, sizeof(b) - 8);

		hex("00 00 ef ff 3f ff fd fe", b, 8);
		h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n + 8);
		expect_no_output(&h, h.s.st.drop_malformed, before);
	}
	sw_server_free(&h.s);
}

/* 61: a pure server drops what is neither a bubble nor ICMPv6; the combined
 * server+relay (RFC 4380 §5.4.3) passes it to the IPv6 side. */
static void test_s61_non_icmp_dropped(void **state)
{
	struct harness h;
	struct sw_server_config cfg = {.relay = true};
	uint8_t b[128], src[16], dst[16];
	const uint8_t nhs[] = {SW_NH_UDP, SW_NH_TCP};
	size_t n;

	(void)state;
	h_init(&h);
	teredo(src, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	a6("2001:db8::1", dst);
	for (size_t i = 0; i < sizeof(nhs); i++) {
		uint64_t before = h.s.st.drop_not_icmp;

		n = mk_l4(b, src, dst, nhs[i]);
		h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
		expect_no_output(&h, h.s.st.drop_not_icmp, before);
	}
	sw_server_free(&h.s);

	h_init_cfg(&h, &cfg);
	n = mk_l4(b, src, dst, SW_NH_UDP);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(h.out.pkt[0].kind, SW_OUT_TUN);
	expect_bytes(&h.out.pkt[0], b, n);
	sw_server_free(&h.s);
}

/* 62: non-global IPv4 source dropped (one case per excluded range). */
static void test_s62_src_nonglobal_dropped(void **state)
{
	static const uint32_t srcs[] = {
		IP4(0, 1, 2, 3), IP4(127, 0, 0, 1), IP4(10, 1, 2, 3), IP4(172, 16, 0, 1),
		IP4(172, 31, 255, 254), IP4(192, 168, 1, 1), IP4(169, 254, 1, 1), IP4(192, 88, 99, 1),
		IP4(224, 0, 0, 1), IP4(239, 255, 255, 255), IP4(255, 255, 255, 255),
	};
	struct harness h;
	uint8_t b[128];
	size_t n;

	(void)state;
	h_init(&h);
	n = hex(A1, b, sizeof(b));
	for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		uint64_t before = h.s.st.drop_src_nonglobal;

		fprintf(stderr, "source %08x\n", srcs[i]);
		h_in(&h, 0, ep(srcs[i], 40000), b, n);
		expect_no_output(&h, h.s.st.drop_src_nonglobal, before);
	}
	sw_server_free(&h.s);
}

/* 63: an RS from a link-local source to ff02::2 is answered. */
static void test_s63_rs_answered(void **state)
{
	struct harness h;
	uint8_t b[128];
	size_t n;

	(void)state;
	h_init(&h);
	n = hex(A1, b, sizeof(b));
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(h.out.pkt[0].kind, SW_OUT_UDP);
	assert_int_equal(h.s.st.rs_answered, 1);
	assert_int_equal(h.s.st.ra_primary, 1);
	/* without any auth header too */
	h_in(&h, 1, ep(CLIENT_IP, CLIENT_PORT), b + 13, n - 13);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(h.s.st.ra_secondary, 1);
	/* a Windows XP style RS with a Source Link-Layer Address option is answered too */
	{
		uint8_t rs[128], src[16], *p;
		struct sw_ip6 ip;

		sw_addr_rs_source(src, false);
		p = sw_ip6_put(rs, rs + sizeof(rs), 24, SW_NH_ICMP6, 255, src,
			       (const uint8_t[16]){0xff, 2, [15] = 2});
		memset(p, 0, 24);
		p[0] = SW_ICMP6_RS;
		p[8] = 1;  /* SLLA */
		p[9] = 2;  /* 16 bytes */
		assert_int_equal(sw_ip6_parse(rs, 64, &ip), 0);
		{
			uint16_t c = sw_csum_ip6(ip.src, ip.dst, SW_NH_ICMP6, p, 24);

			p[2] = (uint8_t)(c >> 8);
			p[3] = (uint8_t)c;
		}
		h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), rs, 64);
		assert_int_equal(h.out.n, 1);
	}
	sw_server_free(&h.s);
}

static const struct sw_server_secret *secrets(size_t *n)
{
	static struct sw_server_secret sec[2];

	assert_int_equal(sw_server_secret_parse("alice 736563726574", &sec[0]), 1); /* "secret" */
	assert_int_equal(sw_server_secret_parse("bob 6f6c64 expired # old key", &sec[1]), 1);
	*n = 2;
	return sec;
}

/* 64: secure mode drops an RS without auth, with an unknown id, or with a bad MAC. */
static void test_s64_secure_rs_checked(void **state)
{
	struct harness h;
	struct sw_server_config cfg = {.secure = true};
	uint8_t b[256];
	size_t n;
	uint64_t before;

	(void)state;
	cfg.secrets = secrets(&cfg.n_secrets);
	h_init_cfg(&h, &cfg);

	before = h.s.st.drop_auth_missing;
	n = mk_rs(b, sizeof(b), false, false, NULL, NULL, false);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	expect_no_output(&h, h.s.st.drop_auth_missing, before);

	before = h.s.st.drop_auth_missing;
	n = mk_rs(b, sizeof(b), false, true, NULL, NULL, false);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	expect_no_output(&h, h.s.st.drop_auth_missing, before);

	before = h.s.st.drop_auth_missing;
	n = mk_rs(b, sizeof(b), false, true, "mallory", "secret", false);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	expect_no_output(&h, h.s.st.drop_auth_missing, before);

	before = h.s.st.drop_auth_bad;
	n = mk_rs(b, sizeof(b), false, true, "alice", "secret", true);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	expect_no_output(&h, h.s.st.drop_auth_bad, before);

	before = h.s.st.drop_auth_bad;
	n = mk_rs(b, sizeof(b), false, true, "alice", "wrong key", false);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	expect_no_output(&h, h.s.st.drop_auth_bad, before);

	n = mk_rs(b, sizeof(b), false, true, "alice", "secret", false);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 1);
	sw_server_free(&h.s);
}

/* 65: a Teredo source whose mapping differs from the IPv4 source/port is dropped. */
static void test_s65_mapping_mismatch_dropped(void **state)
{
	static const struct {
		uint32_t ip;
		uint16_t port;
	} from[] = {
		{IP4(192, 0, 2, 2), 4096},  /* other address */
		{IP4(192, 0, 2, 1), 4097},  /* other port */
		{IP4(203, 0, 113, 9), 1},   /* both */
	};
	struct harness h;
	uint8_t b[128];
	size_t n;

	(void)state;
	h_init(&h);
	n = hex(A7_IN, b, sizeof(b)); /* source embeds 192.0.2.1:4096 */
	for (size_t i = 0; i < 3; i++) {
		uint64_t before = h.s.st.drop_mapping;

		h_in(&h, 0, ep(from[i].ip, from[i].port), b, n);
		expect_no_output(&h, h.s.st.drop_mapping, before);
	}
	h_in(&h, 0, ep(IP4(192, 0, 2, 1), 4096), b, n);
	assert_int_equal(h.out.n, 1);
	/* flags other than the mapping are not compared (RFC 5991 random bits) */
	b[16] = 0x3c;
	b[17] = 0xff;
	h_in(&h, 0, ep(IP4(192, 0, 2, 1), 4096), b, n);
	assert_int_equal(h.out.n, 1);
	sw_server_free(&h.s);
}

/* 66: non-Teredo source: to a client of another server dropped, of this server forwarded. */
static void test_s66_non_teredo_source(void **state)
{
	struct harness h;
	uint8_t b[128], src[16], dst[16];
	size_t n;
	uint64_t before;

	(void)state;
	h_init(&h);
	a6("2001:db8::10", src); /* e.g. a relay's bubble */
	teredo(dst, OTHER_SRV, 0, CLIENT_IP, CLIENT_PORT);
	n = mk_bubble(b, src, dst, NULL, 0);
	before = h.s.st.drop_not_served;
	h_in(&h, 0, ep(IP4(203, 0, 113, 50), 3545), b, n);
	expect_no_output(&h, h.s.st.drop_not_served, before);

	a6("2001:db8::1", dst); /* non-Teredo to non-Teredo: not an open IPv6 relay */
	n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REQUEST, 8);
	before = h.s.st.drop_not_served;
	h_in(&h, 0, ep(IP4(203, 0, 113, 50), 3545), b, n);
	expect_no_output(&h, h.s.st.drop_not_served, before);

	teredo(dst, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	n = mk_bubble(b, src, dst, NULL, 0);
	h_in(&h, 0, ep(IP4(203, 0, 113, 50), 3545), b, n);
	assert_int_equal(h.out.n, 1);
	assert_true(sw_endpoint_eq(h.out.pkt[0].dst, ep(CLIENT_IP, CLIENT_PORT)));

	/* a Miredo relay's bubble comes from fe80::<hash>: not Teredo, so rule 6 admits it */
	a6("fe80::1234:5678:9abc:def0", src);
	n = mk_bubble(b, src, dst, NULL, 0);
	h_in(&h, 0, ep(IP4(203, 0, 113, 50), 3545), b, n);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(h.out.pkt[0].len, 8 + n);

	/* unspecified, loopback and multicast sources are never admitted */
	for (int i = 0; i < 3; i++) {
		before = h.s.st.drop_src6_scope;
		a6(i == 0 ? "::" : i == 1 ? "::1" : "ff02::1", src);
		n = mk_bubble(b, src, dst, NULL, 0);
		h_in(&h, 0, ep(IP4(203, 0, 113, 50), 3545), b, n);
		expect_no_output(&h, h.s.st.drop_src6_scope, before);
	}
	sw_server_free(&h.s);
}

/* 67: non-global IPv6 destinations (other than ff02::2 / the server's link-local) are
 * never forwarded. */
static void test_s67_nonglobal_dst_not_forwarded(void **state)
{
	static const char *dsts[] = {
		"fe80::1", "fe80::8000:f227:39cc:9b8a", "ff02::1", "ff0e::1", "::1", "::", "fec0::1",
		"::ffff:192.0.2.1",
	};
	struct harness h;
	uint8_t b[128], src[16], dst[16];
	size_t n;

	(void)state;
	h_init(&h);
	teredo(src, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	for (size_t i = 0; i < sizeof(dsts) / sizeof(dsts[0]); i++) {
		uint64_t before = h.s.st.drop_dst_nonglobal;

		fprintf(stderr, "destination %s\n", dsts[i]);
		a6(dsts[i], dst);
		n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REQUEST, 8);
		h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
		expect_no_output(&h, h.s.st.drop_dst_nonglobal, before);
	}
	/* the server's own link-local: processed locally (echo answered), not forwarded */
	sw_addr_server_linklocal(dst, SRV1);
	n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REQUEST, 8);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(h.out.pkt[0].kind, SW_OUT_UDP);
	assert_int_equal(h.s.st.echo_local, 1);
	assert_int_equal(h.s.st.fwd_ipv6 + h.s.st.fwd_teredo, 0);
	sw_server_free(&h.s);
}

/* 68 (and SEC-11 for the server): a Teredo destination embedding a non-global IPv4 is
 * dropped; one case per excluded range. */
static void test_s68_dst_mapped_nonglobal(void **state)
{
	static const uint32_t ips[] = {
		IP4(0, 0, 0, 1), IP4(127, 0, 0, 1), IP4(10, 0, 0, 1), IP4(172, 16, 5, 4),
		IP4(192, 168, 0, 1), IP4(169, 254, 0, 1), IP4(192, 88, 99, 1), IP4(224, 0, 0, 1),
		IP4(239, 1, 2, 3), IP4(255, 255, 255, 255),
	};
	struct harness h;
	uint8_t b[128], src[16], dst[16];
	size_t n;

	(void)state;
	h_init(&h);
	teredo(src, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		uint64_t before = h.s.st.drop_dst_mapped_nonglobal;

		fprintf(stderr, "embedded %08x\n", ips[i]);
		teredo(dst, SRV1, 0, ips[i], 5000);
		n = mk_bubble(b, src, dst, NULL, 0);
		h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
		expect_no_output(&h, h.s.st.drop_dst_mapped_nonglobal, before);
		/* and from the IPv6 side */
		before = h.s.st.drop_dst_mapped_nonglobal;
		a6("2001:db8::2", src);
		n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REPLY, 8);
		sw_out_reset(&h.out);
		sw_server_tun_input(&h.s, b, n, NOW, &h.out);
		expect_no_output(&h, h.s.st.drop_dst_mapped_nonglobal, before);
		teredo(src, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	}
	sw_server_free(&h.s);
}

/* 69: forwarding to a Teredo client: to the embedded mapping, from the primary socket,
 * origin indication iff the client is served here. */
static void test_s69_forward_origin(void **state)
{
	struct harness h;
	uint8_t b[128], want[128], src[16], dst[16];
	size_t n;

	(void)state;
	h_init(&h);
	teredo(src, OTHER_SRV, 0, IP4(192, 0, 2, 1), 4096);
	teredo(dst, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	n = mk_bubble(b, src, dst, NULL, 0);
	h_in(&h, 1, ep(IP4(192, 0, 2, 1), 4096), b, n); /* arrives on the secondary */
	assert_int_equal(h.out.n, 1);
	assert_int_equal(h.out.pkt[0].sock, SW_SERVER_SOCK_PRIMARY);
	assert_true(sw_endpoint_eq(h.out.pkt[0].dst, ep(CLIENT_IP, CLIENT_PORT)));
	sw_origin_put(want, want + 8, ep(IP4(192, 0, 2, 1), 4096));
	memcpy(want + 8, b, n);
	expect_bytes(&h.out.pkt[0], want, n + 8);

	/* client of another server: forwarded without an origin indication */
	teredo(src, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	teredo(dst, OTHER_SRV, 0x8000, IP4(203, 0, 113, 7), 6000);
	n = mk_bubble(b, src, dst, NULL, 0);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 1);
	assert_true(sw_endpoint_eq(h.out.pkt[0].dst, ep(IP4(203, 0, 113, 7), 6000)));
	expect_bytes(&h.out.pkt[0], b, n);
	assert_int_equal(h.s.st.fwd_teredo, 2);
	sw_server_free(&h.s);
}

/* Parse an RA datagram the server sent. */
static void parse_ra(const struct sw_out_pkt *o, struct sw_pkt *pkt, struct sw_ip6 *ip,
		     struct sw_ra *ra)
{
	if (sw_pkt_parse(o->data, o->len, pkt) != 0 || sw_ip6_parse(pkt->ip6, pkt->ip6_len, ip) != 0 ||
	    sw_ra_parse(ip, ra) != 0)
		dump("unparsable RA", o->data, o->len);
	assert_int_equal(sw_pkt_parse(o->data, o->len, pkt), 0);
	assert_int_equal(sw_ip6_parse(pkt->ip6, pkt->ip6_len, ip), 0);
	assert_int_equal(sw_ra_parse(ip, ra), 0);
}

/* 70: RA prefix 2001:0:<primary>::/64, source the server link-local, destination the RS
 * source; whichever address answered. */
static void test_s70_ra_prefix_and_addresses(void **state)
{
	struct harness h;
	uint8_t b[128], want[16];
	struct sw_pkt pkt;
	struct sw_ip6 ip;
	struct sw_ra ra;
	size_t n;

	(void)state;
	h_init(&h);
	for (int cone = 0; cone < 2; cone++) {
		for (unsigned sock = 0; sock < 2; sock++) {
			n = mk_rs(b, sizeof(b), cone, true, NULL, NULL, false);
			h_in(&h, sock, ep(CLIENT_IP, CLIENT_PORT), b, n);
			assert_int_equal(h.out.n, 1);
			parse_ra(&h.out.pkt[0], &pkt, &ip, &ra);
			sw_addr_prefix(want, SRV1);
			assert_memory_equal(ra.prefix, want, 16);
			assert_int_equal(ra.prefix_len, 64);
			a6("fe80::8000:f227:39cc:9b89", want);
			assert_memory_equal(ip.src, want, 16);
			sw_addr_rs_source(want, cone);
			assert_memory_equal(ip.dst, want, 16);
		}
	}
	sw_server_free(&h.s);
}

/* 71 (with 75, 77): origin indication = RS source; sent back to it. Byte-exact against
 * the requirements' Appendix A-3 (answer to A-1 from 192.0.2.10:8192). */
static void test_s71_ra_origin_and_destination(void **state)
{
	struct harness h;
	uint8_t b[128], want[160];
	size_t n, wn;
	struct sw_pkt pkt;
	struct sw_ip6 ip;
	struct sw_ra ra;

	(void)state;
	h_init(&h);
	n = hex(A1, b, sizeof(b));
	wn = hex(A3, want, sizeof(want));
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 1);
	assert_true(sw_endpoint_eq(h.out.pkt[0].dst, ep(CLIENT_IP, CLIENT_PORT)));
	expect_bytes(&h.out.pkt[0], want, wn);
	parse_ra(&h.out.pkt[0], &pkt, &ip, &ra);
	assert_true(pkt.has_origin);
	assert_true(sw_endpoint_eq(pkt.origin, ep(CLIENT_IP, CLIENT_PORT)));
	sw_server_free(&h.s);
}

/* 72 / 90: C=1 → answered from the other address; C=0 → from the same one. */
static void test_s72_cone_bit_selects_address(void **state)
{
	static const struct {
		bool cone;
		unsigned in, out;
	} cases[] = {{false, 0, 0}, {false, 1, 1}, {true, 0, 1}, {true, 1, 0}};
	struct harness h;
	uint8_t b[128];
	size_t n;

	(void)state;
	h_init(&h);
	for (size_t i = 0; i < 4; i++) {
		fprintf(stderr, "cone %d in %u\n", cases[i].cone, cases[i].in);
		n = mk_rs(b, sizeof(b), cases[i].cone, true, NULL, NULL, false);
		h_in(&h, cases[i].in, ep(CLIENT_IP, CLIENT_PORT), b, n);
		assert_int_equal(h.out.n, 1);
		assert_int_equal(h.out.pkt[0].sock, cases[i].out);
	}
	assert_int_equal(h.s.st.ra_primary, 2);
	assert_int_equal(h.s.st.ra_secondary, 2);
	sw_server_free(&h.s);
}

/* 73: no RA to a non-global IPv4 (every excluded range; the counter says why). */
static void test_s73_no_ra_to_nonglobal(void **state)
{
	static const uint32_t dsts[] = {
		IP4(0, 0, 0, 0), IP4(127, 1, 1, 1), IP4(10, 255, 255, 255), IP4(172, 20, 0, 1),
		IP4(192, 168, 200, 1), IP4(169, 254, 169, 254), IP4(192, 88, 99, 200),
		IP4(230, 0, 0, 1), IP4(255, 255, 255, 255),
	};
	struct harness h;
	uint8_t b[128];
	size_t n;

	(void)state;
	h_init(&h);
	for (size_t i = 0; i < sizeof(dsts) / sizeof(dsts[0]); i++) {
		for (int cone = 0; cone < 2; cone++) {
			n = mk_rs(b, sizeof(b), cone, true, NULL, NULL, false);
			h_in(&h, 0, ep(dsts[i], 3544), b, n);
			assert_int_equal(h.out.n, 0);
		}
	}
	assert_int_equal(h.s.st.rs_answered, 0);
	sw_server_free(&h.s);
}

/* 74: secure RA: id and nonce echoed, confirmation 0 (valid) / non-zero (expired), valid
 * MAC with the identifier's secret over nonce‖conf‖origin‖RA. */
static void test_s74_secure_ra_auth(void **state)
{
	static const struct {
		const char *id, *key;
		uint8_t conf;
	} cases[] = {{"alice", "secret", 0}, {"bob", "old", 1}};
	struct harness h;
	struct sw_server_config cfg = {.secure = true};
	uint8_t b[256];
	struct sw_pkt pkt;
	struct sw_ip6 ip;
	struct sw_ra ra;
	size_t n;

	(void)state;
	cfg.secrets = secrets(&cfg.n_secrets);
	h_init_cfg(&h, &cfg);
	for (size_t i = 0; i < 2; i++) {
		n = mk_rs(b, sizeof(b), false, true, cases[i].id, cases[i].key, false);
		h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
		assert_int_equal(h.out.n, 1);
		parse_ra(&h.out.pkt[0], &pkt, &ip, &ra);
		assert_true(pkt.has_auth);
		assert_int_equal(pkt.auth.id_len, strlen(cases[i].id));
		assert_memory_equal(pkt.auth.id, cases[i].id, pkt.auth.id_len);
		assert_memory_equal(pkt.auth.nonce, ((uint8_t[8]){1, 2, 3, 4, 5, 6, 7, 8}), 8);
		assert_int_equal(pkt.auth.conf, cases[i].conf);
		assert_int_equal(pkt.auth.au_len, SW_HMAC_LEN);
		assert_true(sw_auth_verify(&pkt, NULL, (const uint8_t *)cases[i].key,
					   strlen(cases[i].key)));
		assert_false(sw_auth_verify(&pkt, NULL, (const uint8_t *)"nope", 4));
	}
	assert_int_equal(h.s.st.ra_auth, 2);
	assert_int_equal(h.s.st.ra_conf_renew, 1);
	sw_server_free(&h.s);
}

/* 75: an RS with a bare auth header gets its nonce back (13-byte header, no MAC); a
 * non-secure server given an unknown identifier echoes it with confirmation non-zero. */
static void test_s75_nonce_echoed(void **state)
{
	struct harness h;
	uint8_t b[256];
	struct sw_pkt pkt;
	struct sw_ip6 ip;
	struct sw_ra ra;
	size_t n;

	(void)state;
	h_init(&h);
	n = mk_rs(b, sizeof(b), false, true, NULL, NULL, false);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 1);
	parse_ra(&h.out.pkt[0], &pkt, &ip, &ra);
	assert_true(pkt.has_auth);
	assert_int_equal(pkt.auth.id_len + pkt.auth.au_len, 0);
	assert_int_equal(pkt.auth.conf, 0);
	assert_memory_equal(pkt.auth.nonce, ((uint8_t[8]){1, 2, 3, 4, 5, 6, 7, 8}), 8);

	n = mk_rs(b, sizeof(b), false, true, "stranger", NULL, false);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 1);
	parse_ra(&h.out.pkt[0], &pkt, &ip, &ra);
	assert_int_equal(pkt.auth.id_len, 8);
	assert_int_not_equal(pkt.auth.conf, 0);

	/* no auth header in the RS: none in the RA */
	n = mk_rs(b, sizeof(b), false, false, NULL, NULL, false);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	parse_ra(&h.out.pkt[0], &pkt, &ip, &ra);
	assert_false(pkt.has_auth);
	assert_true(pkt.has_origin);
	sw_server_free(&h.s);
}

/* 76: RFC 6081 trailers after a forwarded bubble are forwarded unchanged. */
static void test_s76_trailers_forwarded(void **state)
{
	struct harness h;
	uint8_t b[128], want[128], src[16], dst[16];
	uint8_t tr[40];
	size_t n, wn, tn;

	(void)state;
	h_init(&h);
	n = hex(A7_IN, b, sizeof(b));
	wn = hex(A7_OUT, want, sizeof(want));
	h_in(&h, 0, ep(IP4(192, 0, 2, 1), 4096), b, n);
	assert_int_equal(h.out.n, 1);
	assert_true(sw_endpoint_eq(h.out.pkt[0].dst, ep(CLIENT_IP, CLIENT_PORT)));
	expect_bytes(&h.out.pkt[0], want, wn);

	/* nonce + alternate address + unknown skippable type, all kept */
	tn = hex("01 04 de ad be ef 03 0e 00 00 c0 a8 01 0a c7 38 c6 33 64 07 9c 41 "
		 "c0 02 aa bb", tr, sizeof(tr));
	teredo(src, OTHER_SRV, 0, IP4(192, 0, 2, 1), 4096);
	teredo(dst, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	n = mk_bubble(b, src, dst, tr, tn);
	h_in(&h, 0, ep(IP4(192, 0, 2, 1), 4096), b, n);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(h.out.pkt[0].len, 8 + n);
	assert_memory_equal(h.out.pkt[0].data + 8, b, n);
	sw_server_free(&h.s);
}

/* 77: the RA carries an MTU option of 1280. */
static void test_s77_ra_mtu_1280(void **state)
{
	struct harness h;
	uint8_t b[128];
	struct sw_pkt pkt;
	struct sw_ip6 ip;
	struct sw_ra ra;
	size_t n;

	(void)state;
	h_init(&h);
	n = hex(A1, b, sizeof(b));
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	parse_ra(&h.out.pkt[0], &pkt, &ip, &ra);
	assert_int_equal(ra.mtu, 1280);
	sw_server_free(&h.s);
}

/* 90: the cone bit of the RS is honoured (see 72) and the server link-local has C = 1. */
static void test_s90_cone_honoured_server_ll_cone(void **state)
{
	struct harness h;
	uint8_t b[128];
	struct sw_pkt pkt;
	struct sw_ip6 ip;
	struct sw_ra ra;
	size_t n;

	(void)state;
	h_init(&h);
	n = mk_rs(b, sizeof(b), true, true, NULL, NULL, false);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(h.out.pkt[0].sock, 1);
	parse_ra(&h.out.pkt[0], &pkt, &ip, &ra);
	assert_int_equal(ip.src[8] & 0x80, 0x80);
	assert_int_equal(ip.src[8], 0x80);
	assert_int_equal(ip.src[9], 0x00);
	sw_server_free(&h.s);
}

/* The RS validity rules of ND §6.1.1 apply: hop limit, checksum, code. */
static void test_rs_nd_validity(void **state)
{
	struct harness h;
	uint8_t b[128];
	size_t n;
	const size_t ip6 = 13; /* after the auth header */

	(void)state;
	h_init(&h);
	for (int k = 0; k < 3; k++) {
		uint64_t before = h.s.st.drop_rs_invalid;

		n = hex(A1, b, sizeof(b));
		if (k == 0)
			b[ip6 + 7] = 64; /* hop limit */
		else if (k == 1)
			b[ip6 + 42] ^= 1; /* checksum */
		else
			b[ip6 + 41] = 1; /* code */
		h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
		expect_no_output(&h, h.s.st.drop_rs_invalid, before);
	}
	sw_server_free(&h.s);
}

static void test_secret_parse(void **state)
{
	static const struct {
		const char *line;
		int want;
	} cases[] = {
		{"", 0}, {"   # comment", 0}, {"\n", 0}, {"id 00", 1}, {"id 0011ff expired", 1},
		{"id\t0011FF  # trailing", 1}, {"id", -EINVAL}, {"id 0", -EINVAL}, {"id zz", -EINVAL},
		{"id 00 bogus", -EINVAL}, {"id 00 expired extra", -EINVAL},
		{"0123456789012345678901234567890123456789012345678901234567890123456789 00", -EINVAL},
	};
	struct sw_server_secret s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = sw_server_secret_parse(cases[i].line, &s);

		if (r != cases[i].want)
			fprintf(stderr, "line \"%s\": %d, want %d\n", cases[i].line, r, cases[i].want);
		assert_int_equal(r, cases[i].want);
	}
	assert_int_equal(sw_server_secret_parse("client-7 0011ff expired", &s), 1);
	assert_int_equal(s.id_len, 8);
	assert_memory_equal(s.id, "client-7", 8);
	assert_int_equal(s.key_len, 3);
	assert_int_equal(s.key[2], 0xff);
	assert_true(s.expired);
}

static void test_stats_named(void **state)
{
	struct harness h;
	struct sw_stat st[64];
	size_t n;

	(void)state;
	h_init(&h);
	n = sw_server_stats(&h.s, st, 64);
	assert_true(n > 20);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(st[i].name);
		assert_non_null(st[i].help);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(st[i].name, st[j].name);
	}
	assert_int_equal(sw_server_stats(&h.s, st, 3), 3);
	assert_int_equal(sw_server_next_timeout(&h.s), SW_TIME_NEVER);
	sw_server_free(&h.s);
}

static void test_init_rejects(void **state)
{
	struct sw_server s;
	uint64_t seed = 1;
	struct sw_rand r = {h_fill, &seed};
	struct sw_server_config bad[] = {
		{.primary = SRV1, .secondary = SRV1, .rand = &r},
		{.primary = IP4(10, 0, 0, 1), .secondary = SRV2, .rand = &r},
		{.primary = SRV1, .secondary = 0, .rand = &r},
		{.primary = SRV1, .secondary = SRV2, .rand = NULL},
	};

	(void)state;
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(sw_server_init(&s, &bad[i]), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s60_malformed_dropped),
		cmocka_unit_test(test_s61_non_icmp_dropped),
		cmocka_unit_test(test_s62_src_nonglobal_dropped),
		cmocka_unit_test(test_s63_rs_answered),
		cmocka_unit_test(test_s64_secure_rs_checked),
		cmocka_unit_test(test_s65_mapping_mismatch_dropped),
		cmocka_unit_test(test_s66_non_teredo_source),
		cmocka_unit_test(test_s67_nonglobal_dst_not_forwarded),
		cmocka_unit_test(test_s68_dst_mapped_nonglobal),
		cmocka_unit_test(test_s69_forward_origin),
		cmocka_unit_test(test_s70_ra_prefix_and_addresses),
		cmocka_unit_test(test_s71_ra_origin_and_destination),
		cmocka_unit_test(test_s72_cone_bit_selects_address),
		cmocka_unit_test(test_s73_no_ra_to_nonglobal),
		cmocka_unit_test(test_s74_secure_ra_auth),
		cmocka_unit_test(test_s75_nonce_echoed),
		cmocka_unit_test(test_s76_trailers_forwarded),
		cmocka_unit_test(test_s77_ra_mtu_1280),
		cmocka_unit_test(test_s90_cone_honoured_server_ll_cone),
		cmocka_unit_test(test_rs_nd_validity),
		cmocka_unit_test(test_secret_parse),
		cmocka_unit_test(test_stats_named),
		cmocka_unit_test(test_init_rejects),
	};

	return cmocka_run_group_tests_name("server", tests, NULL, NULL);
}
