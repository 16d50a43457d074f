/* server: security statements SEC-9, SEC-10, SEC-11, SEC-14 (requirements §9), the 2006
 * server-loop regression, the open-relay bound, the IPv6 side, and the per-source rate
 * limit under a flood. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "srv_test.h"

#define CLIENT_IP IP4(192, 0, 2, 10)
#define CLIENT_PORT 8192

/* SEC-9: nothing is ever sent to a non-global IPv4; every RA leaves a server socket
 * (bound to port 3544 by the daemon) and carries an origin indication. */
static void test_sec9_ra_global_3544_origin(void **state)
{
	static const uint32_t from[] = {CLIENT_IP, IP4(10, 0, 0, 5), IP4(203, 0, 113, 4),
					IP4(192, 168, 1, 1), IP4(100, 64, 0, 1)};
	struct harness h;
	uint8_t b[128];
	size_t n;

	(void)state;
	h_init(&h);
	for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
		for (int cone = 0; cone < 2; cone++) {
			struct sw_pkt pkt;

			n = mk_rs(b, sizeof(b), cone, cone, NULL, NULL, false);
			h_in(&h, (unsigned)i & 1, ep(from[i], 1234), b, n);
			if (!sw_ipv4_is_global(from[i], 0)) {
				assert_int_equal(h.out.n, 0);
				continue;
			}
			assert_int_equal(h.out.n, 1);
			assert_true(h.out.pkt[0].sock <= SW_SERVER_SOCK_SECONDARY);
			assert_true(sw_ipv4_is_global(h.out.pkt[0].dst.ip, 0));
			assert_int_equal(sw_pkt_parse(h.out.pkt[0].data, h.out.pkt[0].len, &pkt), 0);
			assert_true(pkt.has_origin);
			assert_true(sw_endpoint_eq(pkt.origin, ep(from[i], 1234)));
		}
	}
	sw_server_free(&h.s);
}

/* SEC-10: a Teredo source not matching the IPv4 source/port is dropped; only Teredo
 * sources reach the IPv6 side, and only Echo (no other ICMPv6, no UDP/TCP). */
static void test_sec10_spoofed_and_ipv6_side(void **state)
{
	struct harness h;
	uint8_t b[256], src[16], dst[16];
	size_t n;
	uint64_t before;

	(void)state;
	h_init(&h);
	a6("2001:db8::1", dst);
	teredo(src, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REQUEST, 8);
	before = h.s.st.drop_mapping;
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT + 1), b, n); /* spoofed */
	assert_int_equal(h.out.n, 0);
	assert_int_equal(h.s.st.drop_mapping, before + 1);

	a6("2001:db8:5::5", src); /* non-Teredo source to a native destination */
	n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REQUEST, 8);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 0);

	teredo(src, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	{ /* an ICMPv6 error (Destination Unreachable) is not relayed to the IPv6 side */
		uint8_t inv[64], *p;

		n = mk_l4(inv, dst, src, SW_NH_UDP);
		p = sw_icmp6_error_put(b, b + sizeof(b), src, SW_ICMP6_DST_UNREACH, 3, 0, inv, n);
		before = h.s.st.drop_relay_bound;
		h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, (size_t)(p - b));
		assert_int_equal(h.out.n, 0);
		assert_int_equal(h.s.st.drop_relay_bound, before + 1);
	}
	n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REQUEST, 8);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(h.out.pkt[0].kind, SW_OUT_TUN);

	/* a client of another server does not get its echo test relayed here */
	teredo(src, OTHER_SRV, 0, CLIENT_IP, CLIENT_PORT);
	n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REQUEST, 8);
	before = h.s.st.drop_not_served;
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 0);
	assert_int_equal(h.s.st.drop_not_served, before + 1);
	sw_server_free(&h.s);
}

/* SEC-11: the server never sends to a Teredo destination embedding an excluded IPv4,
 * whatever the packet and wherever it came from; one case per range of §2.4. */
static void test_sec11_excluded_ranges(void **state)
{
	static const uint32_t ips[] = {
		IP4(0, 0, 0, 0), IP4(0, 255, 255, 255), IP4(127, 0, 0, 1), IP4(10, 20, 30, 40),
		IP4(172, 16, 0, 0), IP4(172, 31, 255, 255), IP4(192, 168, 0, 0), IP4(169, 254, 0, 1),
		IP4(192, 88, 99, 1), IP4(224, 0, 0, 1), IP4(239, 255, 255, 250), IP4(255, 255, 255, 255),
	};
	struct harness h;
	uint8_t b[256], src[16], dst[16], n6[16];
	size_t n;

	(void)state;
	h_init(&h);
	a6("2001:db8::2", n6);
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		fprintf(stderr, "range case %08x\n", ips[i]);
		for (int cone = 0; cone < 2; cone++) {
			teredo(dst, SRV1, cone ? 0x8000 : 0, ips[i], 40000);
			teredo(src, SRV1, 0, CLIENT_IP, CLIENT_PORT);
			n = mk_bubble(b, src, dst, NULL, 0);
			h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
			assert_int_equal(h.out.n, 0);
			n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REPLY, 8);
			h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
			assert_int_equal(h.out.n, 0);
			n = mk_bubble(b, n6, dst, NULL, 0); /* rule 6 source */
			h_in(&h, 1, ep(IP4(203, 0, 113, 1), 3545), b, n);
			assert_int_equal(h.out.n, 0);
			n = mk_echo(b, sizeof(b), n6, dst, SW_ICMP6_ECHO_REPLY, 8);
			sw_out_reset(&h.out);
			sw_server_tun_input(&h.s, b, n, NOW, &h.out);
			assert_int_equal(h.out.n, 0);
		}
	}
	assert_int_equal(h.s.st.fwd_teredo + h.s.st.tun_fwd, 0);
	assert_int_equal(h.s.st.drop_dst_mapped_nonglobal, 4 * 2 * (sizeof(ips) / sizeof(ips[0])));
	sw_server_free(&h.s);
}

/* SEC-14: everything the server emits to the IPv6 side has a Teredo source. */
static void test_sec14_ipv6_side_teredo_source(void **state)
{
	struct harness h;
	struct sw_server_config cfg = {.relay = true};
	uint8_t b[256], src[16], dst[16];
	size_t n;

	(void)state;
	for (int relay = 0; relay < 2; relay++) {
		if (relay)
			h_init_cfg(&h, &cfg);
		else
			h_init(&h);
		a6("2001:db8::1", dst);
		for (int s = 0; s < 3; s++) {
			if (s == 0)
				teredo(src, SRV1, 0, CLIENT_IP, CLIENT_PORT);
			else if (s == 1)
				a6("2001:db8:9::9", src);
			else
				a6("fe80::1", src);
			n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REQUEST, 8);
			h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
			for (size_t i = 0; i < h.out.n; i++)
				if (h.out.pkt[i].kind == SW_OUT_TUN)
					assert_memory_equal(h.out.pkt[i].data + 8, src, 8);
			n = mk_l4(b, src, dst, SW_NH_UDP);
			h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
			for (size_t i = 0; i < h.out.n; i++)
				if (h.out.pkt[i].kind == SW_OUT_TUN)
					assert_memory_equal(h.out.pkt[i].data + 8, src, 8);
		}
		assert_int_equal(h.s.st.fwd_ipv6, relay ? 2 : 1);
		sw_server_free(&h.s);
	}
}

/* The 2006 server-loop advisory: a datagram whose source is one of the server's own
 * addresses at port 3544 is dropped, and nothing is forwarded to a Teredo destination
 * whose mapping is the server itself. */
static void test_loop_regression_own_source(void **state)
{
	struct harness h;
	uint8_t b[256], src[16], dst[16];
	size_t n;

	(void)state;
	h_init(&h);
	for (int own = 0; own < 2; own++) {
		uint32_t ip = own ? SRV2 : SRV1;

		/* Teredo source "matching" the spoofed own address, destination the server too */
		teredo(src, SRV1, 0x8000, ip, SW_TEREDO_PORT);
		teredo(dst, SRV1, 0x8000, own ? SRV1 : SRV2, SW_TEREDO_PORT);
		n = mk_bubble(b, src, dst, NULL, 0);
		for (unsigned sock = 0; sock < 2; sock++) {
			uint64_t before = h.s.st.drop_own_source;

			h_in(&h, sock, ep(ip, SW_TEREDO_PORT), b, n);
			assert_int_equal(h.out.n, 0);
			assert_int_equal(h.s.st.drop_own_source, before + 1);
		}
		/* an RS "from" the server itself */
		n = hex("00 01 00 00 01 02 03 04 05 06 07 08 00", b, sizeof(b));
		n += mk_rs(b + n, sizeof(b) - n, true, false, NULL, NULL, false);
		h_in(&h, 0, ep(ip, SW_TEREDO_PORT), b, n);
		assert_int_equal(h.out.n, 0);
		/* nor from any other port of the server's addresses (RA would go to itself) */
		h_in(&h, 0, ep(ip, 8192), b, n);
		assert_int_equal(h.out.n, 0);
	}
	/* a legitimate client asking the server to bubble itself */
	teredo(src, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	for (int own = 0; own < 2; own++) {
		uint64_t before = h.s.st.drop_dst_self;

		teredo(dst, SRV1, 0x8000, own ? SRV2 : SRV1, SW_TEREDO_PORT);
		n = mk_bubble(b, src, dst, NULL, 0);
		h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
		assert_int_equal(h.out.n, 0);
		assert_int_equal(h.s.st.drop_dst_self, before + 1);
	}
	assert_int_equal(h.s.st.rs_answered + h.s.st.fwd_teredo, 0);
	sw_server_free(&h.s);
}

/* The open-relay bound: bubbles (≤ 64 bytes of trailers) and Echo with ≤ 88 bytes of
 * IPv6 payload pass; bigger echoes and other ICMPv6 do not; relay mode lifts it towards
 * the IPv6 side only. */
static void test_relay_bound(void **state)
{
	struct harness h;
	uint8_t b[2048], src[16], dst[16], tr[80];
	size_t n;

	(void)state;
	h_init(&h);
	teredo(src, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	a6("2001:db8::1", dst);
	n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REQUEST, 80); /* plen 88 */
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 1);
	n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REQUEST, 81); /* plen 89 */
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 0);
	assert_int_equal(h.s.st.drop_relay_bound, 1);

	teredo(dst, OTHER_SRV, 0, IP4(203, 0, 113, 77), 7000);
	memset(tr, 0, sizeof(tr)); /* type-0 trailers, skippable */
	for (size_t i = 0; i + 2 <= sizeof(tr); i += 2)
		tr[i + 1] = 0;
	n = mk_bubble(b, src, dst, tr, 64);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 1);
	n = mk_bubble(b, src, dst, tr, 66);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 0);
	assert_int_equal(h.s.st.drop_relay_bound, 2);
	n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REPLY, 200);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 0);
	/* a bubble is never sent to the IPv6 side */
	a6("2001:db8::1", dst);
	n = mk_bubble(b, src, dst, NULL, 0);
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 0);
	sw_server_free(&h.s);

	{
		struct sw_server_config cfg = {.relay = true};

		h_init_cfg(&h, &cfg);
		a6("2001:db8::1", dst);
		n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REQUEST, 1000);
		h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
		assert_int_equal(h.out.n, 1);
		teredo(dst, OTHER_SRV, 0, IP4(203, 0, 113, 77), 7000);
		n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REQUEST, 1000);
		h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
		assert_int_equal(h.out.n, 0);
		sw_server_free(&h.s);
	}
}

/* Client echo test to the IPv6 side: byte-exact A-4 goes out as an IPv6 packet. */
static void test_echo_request_to_ipv6_a4(void **state)
{
	static const char *A4 =
		"60 00 00 00 00 10 3a 40 20 01 00 00 c6 33 64 76 00 00 df ff 3f ff fd f5 20 01 0d b8"
		"00 00 00 00 00 00 00 00 00 00 00 01 80 00 56 c4 00 00 00 00 a1 a2 a3 a4 a5 a6 a7 a8";
	struct harness h;
	uint8_t b[128];
	size_t n;

	(void)state;
	h_init(&h);
	n = hex(A4, b, sizeof(b));
	h_in(&h, 0, ep(CLIENT_IP, CLIENT_PORT), b, n);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(h.out.pkt[0].kind, SW_OUT_TUN);
	assert_int_equal(h.out.pkt[0].len, n);
	assert_memory_equal(h.out.pkt[0].data, b, n);
	assert_int_equal(h.s.st.fwd_ipv6, 1);
	sw_server_free(&h.s);
}

/* The IPv6 side: echo replies to a client of this server go to its mapping from the
 * primary socket (no origin indication: there is no IPv4 origin); others are dropped. */
static void test_tun_input(void **state)
{
	struct harness h;
	uint8_t b[2048], src[16], dst[16];
	size_t n;

	(void)state;
	h_init(&h);
	a6("2001:db8::1", src);
	teredo(dst, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REPLY, 8);
	sw_out_reset(&h.out);
	sw_server_tun_input(&h.s, b, n, NOW, &h.out);
	assert_int_equal(h.out.n, 1);
	assert_int_equal(h.out.pkt[0].kind, SW_OUT_UDP);
	assert_int_equal(h.out.pkt[0].sock, 0);
	assert_true(sw_endpoint_eq(h.out.pkt[0].dst, ep(CLIENT_IP, CLIENT_PORT)));
	assert_int_equal(h.out.pkt[0].len, n);
	assert_memory_equal(h.out.pkt[0].data, b, n);

	teredo(dst, OTHER_SRV, 0, CLIENT_IP, CLIENT_PORT);
	n = mk_echo(b, sizeof(b), src, dst, SW_ICMP6_ECHO_REPLY, 8);
	sw_out_reset(&h.out);
	sw_server_tun_input(&h.s, b, n, NOW, &h.out);
	assert_int_equal(h.out.n, 0);
	assert_int_equal(h.s.st.drop_tun_not_served, 1);

	teredo(dst, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	n = mk_l4(b, src, dst, SW_NH_TCP);
	sw_out_reset(&h.out);
	sw_server_tun_input(&h.s, b, n, NOW, &h.out);
	assert_int_equal(h.out.n, 0);
	assert_int_equal(h.s.st.drop_relay_bound, 1);

	sw_out_reset(&h.out);
	sw_server_tun_input(&h.s, b, 20, NOW, &h.out);
	assert_int_equal(h.s.st.drop_tun_malformed, 1);
	sw_server_free(&h.s);
}

/* Under a flood from one source (100 000 RS/s for 2 s), a legitimate client is still
 * answered every time, the flooder gets at most burst + rate·t answers, and the table
 * stays bounded while 50 000 spoofed sources churn through it. */
static void test_ratelimit_flood_legit_answered(void **state)
{
	struct harness h;
	struct sw_server_config cfg = {.rl_entries = 1024};
	uint8_t b[128];
	size_t n;
	uint64_t legit = 0, legit_ok = 0, flood_ok = 0;
	const uint32_t attacker = IP4(203, 0, 113, 66);

	(void)state;
	h_init_cfg(&h, &cfg);
	n = mk_rs(b, sizeof(b), false, true, NULL, NULL, false);
	for (uint64_t i = 0; i < 200000; i++) {
		sw_time now = NOW + i / 100; /* 100 per ms */

		sw_out_reset(&h.out);
		sw_server_input(&h.s, 0, ep(attacker, (uint16_t)(1024 + i % 60000)), b, n, now,
				&h.out);
		flood_ok += h.out.n;
		/* spoofed random sources churn the table */
		if (i % 4 == 0) {
			sw_out_reset(&h.out);
			sw_server_input(&h.s, 0, ep(IP4(198, 18, 0, 0) + (uint32_t)(i / 4), 5000), b,
					n, now, &h.out);
		}
		if (i % 2000 == 0) { /* the legitimate client: every 20 ms */
			sw_out_reset(&h.out);
			sw_server_input(&h.s, 0, ep(CLIENT_IP, CLIENT_PORT), b, n, now, &h.out);
			legit++;
			legit_ok += h.out.n;
		}
	}
	fprintf(stderr, "flood answered %llu, legit %llu/%llu, limited %llu, evicted %llu\n",
		(unsigned long long)flood_ok, (unsigned long long)legit_ok,
		(unsigned long long)legit, (unsigned long long)h.s.st.drop_rate_limited,
		(unsigned long long)h.s.rl.stats.evicted);
	assert_int_equal(legit_ok, legit);
	assert_true(flood_ok <= SW_SERVER_RL_BURST + SW_SERVER_RL_RATE * 2 + 1);
	assert_true(flood_ok >= SW_SERVER_RL_BURST);
	assert_true(h.s.st.drop_rate_limited >= 200000 - flood_ok);
	assert_true(h.s.rl.stats.evicted > 0);
	sw_server_free(&h.s);
}

/* Spoofed sources (one per packet, so the per-source limit never bites) flooding one client
 * through the server: forwarding to that client is capped per destination, while bubbles
 * to another client still get through. */
static void test_ratelimit_dst_flood_other_client_served(void **state)
{
	struct harness h;
	struct sw_server_config cfg = {.rl_entries = 1024};
	uint8_t b[128], src[16], victim[16], other[16];
	size_t n;
	uint64_t to_victim = 0, to_other = 0, other_sent = 0;

	(void)state;
	h_init_cfg(&h, &cfg);
	a6("2001:db8::77", src);
	teredo(victim, SRV1, 0, IP4(192, 0, 2, 99), 5000);
	teredo(other, SRV1, 0, CLIENT_IP, CLIENT_PORT);
	for (uint32_t i = 0; i < 100000; i++) {
		sw_time now = NOW + i / 50; /* 50 000 packets/s for 2 s */

		n = mk_bubble(b, src, victim, NULL, 0);
		sw_out_reset(&h.out);
		sw_server_input(&h.s, 0, ep(IP4(198, 18, 0, 0) + i, 3545), b, n, now, &h.out);
		to_victim += h.out.n;
		if (i % 500 == 0) {
			n = mk_bubble(b, src, other, NULL, 0);
			sw_out_reset(&h.out);
			sw_server_input(&h.s, 0, ep(IP4(203, 0, 113, 5), 3545), b, n, now, &h.out);
			to_other += h.out.n;
			other_sent++;
		}
	}
	fprintf(stderr, "to victim %llu of 100000, to other %llu of %llu, dst-limited %llu\n",
		(unsigned long long)to_victim, (unsigned long long)to_other,
		(unsigned long long)other_sent, (unsigned long long)h.s.st.drop_dst_rate_limited);
	assert_int_equal(h.s.st.drop_rate_limited, 0);
	assert_true(to_victim >= SW_SERVER_FWD_BURST);
	assert_true(to_victim <= SW_SERVER_FWD_BURST + 2 * SW_SERVER_FWD_RATE + 1);
	assert_int_equal(to_other, other_sent);
	assert_int_equal(h.s.st.drop_dst_rate_limited, 100000 - to_victim);
	sw_server_free(&h.s);
}

/* RFC 6081 hairpinning as the server sees it: two clients behind one NAT (same public
 * IPv4, two ports); A's indirect bubble with Alternate Address (private addresses) and
 * Nonce trailers reaches B at the shared address, origin = A, trailers untouched. And the
 * RFC 6081 Echo Test: RSs with two nonces to the two addresses are both answered, each
 * with its own nonce, from the address it went to. */
static void test_rfc6081_hairpin_and_echo_test(void **state)
{
	struct harness h;
	uint8_t b[256], src[16], dst[16], tr[32], want[256];
	size_t n, tn;
	const uint32_t nat = IP4(203, 0, 113, 9);

	(void)state;
	h_init(&h);
	teredo(src, SRV1, 0x0a5c, nat, 1000);
	teredo(dst, SRV1, 0x3c01, nat, 2000);
	tn = hex("03 08 00 00 c0 a8 01 0a 03 e8 01 04 ca fe f0 0d", tr, sizeof(tr));
	n = mk_bubble(b, src, dst, tr, tn);
	h_in(&h, 0, ep(nat, 1000), b, n);
	assert_int_equal(h.out.n, 1);
	assert_true(sw_endpoint_eq(h.out.pkt[0].dst, ep(nat, 2000)));
	sw_origin_put(want, want + 8, ep(nat, 1000));
	memcpy(want + 8, b, n);
	assert_int_equal(h.out.pkt[0].len, n + 8);
	assert_memory_equal(h.out.pkt[0].data, want, n + 8);

	for (unsigned sock = 0; sock < 2; sock++) {
		struct sw_pkt pkt;

		n = mk_rs(b, sizeof(b), false, true, NULL, NULL, false);
		b[4] = (uint8_t)(0xe0 + sock); /* nonce1 / nonce2 */
		h_in(&h, sock, ep(nat, 1200 + 2 * sock), b, n);
		assert_int_equal(h.out.n, 1);
		assert_int_equal(h.out.pkt[0].sock, sock);
		assert_int_equal(sw_pkt_parse(h.out.pkt[0].data, h.out.pkt[0].len, &pkt), 0);
		assert_int_equal(pkt.auth.nonce[0], 0xe0 + sock);
		assert_true(sw_endpoint_eq(pkt.origin, ep(nat, 1200 + 2 * sock)));
	}
	sw_server_free(&h.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sec9_ra_global_3544_origin),
		cmocka_unit_test(test_sec10_spoofed_and_ipv6_side),
		cmocka_unit_test(test_sec11_excluded_ranges),
		cmocka_unit_test(test_sec14_ipv6_side_teredo_source),
		cmocka_unit_test(test_loop_regression_own_source),
		cmocka_unit_test(test_relay_bound),
		cmocka_unit_test(test_echo_request_to_ipv6_a4),
		cmocka_unit_test(test_tun_input),
		cmocka_unit_test(test_ratelimit_flood_legit_answered),
		cmocka_unit_test(test_ratelimit_dst_flood_other_client_served),
		cmocka_unit_test(test_rfc6081_hairpin_and_echo_test),
	};

	return cmocka_run_group_tests_name("server_sec", tests, NULL, NULL);
}
