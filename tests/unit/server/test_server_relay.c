/*
 * Combined server+relay (RFC 4380 §5.4.3): the server engine's sw_server_input_combined
 * verdict and the relay engine's local_server hook, composed the way role_server.c does
 * (one output batch, the relay on the primary socket). Statements 61, 63, 66, 69, 81, 84,
 * 85 of requirements §10 as they read for a server that is also a relay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "engine/relay.h"
#include "srv_test.h"

#define CLI_IP IP4(203, 0, 113, 7)
#define CLI_PORT 40000

struct combo {
	struct harness h; /* server, batch and randomness */
	struct sw_relay r;
};

static void combo_init(struct combo *c, uint32_t rl_rate, uint32_t rl_burst)
{
	struct sw_server_config sc = {.relay = true, .rl_rate = rl_rate, .rl_burst = rl_burst};
	struct sw_relay_config rc = {.local_server = SRV1, .local_server2 = SRV2,
				     .sock = SW_SERVER_SOCK_PRIMARY};
	int err;

	h_init_cfg(&c->h, &sc);
	rc.rand = &c->h.rand;
	err = sw_relay_init(&c->r, &rc);
	if (err) {
		fprintf(stderr, "sw_relay_init: %d\n", err);
		abort();
	}
}

static void combo_free(struct combo *c)
{
	sw_relay_free(&c->r);
	sw_server_free(&c->h.s);
}

/* What role_server.c does with a datagram: server rules, else the relay's. */
static enum sw_server_verdict combo_udp(struct combo *c, unsigned sock, struct sw_endpoint from,
					const uint8_t *b, size_t n, sw_time now)
{
	enum sw_server_verdict v;

	sw_out_reset(&c->h.out);
	v = sw_server_input_combined(&c->h.s, sock, from, b, n, now, &c->h.out);
	if (v == SW_SERVER_TO_RELAY) {
		if (c->h.out.n != 0) {
			fprintf(stderr, "the server output %zu packets and passed to the relay\n",
				c->h.out.n);
			fail();
		}
		sw_relay_udp_input(&c->r, from, b, n, now, &c->h.out);
	}
	return v;
}

static void combo_tun(struct combo *c, const uint8_t *b, size_t n, sw_time now)
{
	sw_out_reset(&c->h.out);
	sw_relay_tun_input(&c->r, b, n, now, &c->h.out);
}

static void expect_out(const struct combo *c, size_t n, const char *what, const uint8_t *in,
		       size_t len)
{
	if (c->h.out.n != n) {
		fprintf(stderr, "%s: %zu outputs, expected %zu\n", what, c->h.out.n, n);
		dump("input", in, len);
		fail();
	}
}

/* 61 (relaxed): a client's TCP segment to a native host is left to the relay, which
 * forwards it to the IPv6 side; it is not under the server's per-source limit. The same
 * from a client of another server (anyone may use a relay). */
static void test_s61_s543_client_data_relayed(void **state)
{
	struct combo c;
	uint8_t src[16], dst[16], b[128];
	size_t n;
	uint32_t servers[2] = {SRV1, OTHER_SRV};

	(void)state;
	combo_init(&c, 1, 1); /* one packet per second per source: RSes would be limited */
	a6("2001:db8::2", dst);
	for (int i = 0; i < 2; i++) {
		teredo(src, servers[i], 0, CLI_IP, CLI_PORT);
		n = mk_l4(b, src, dst, 6);
		for (int k = 0; k < 10; k++) {
			assert_int_equal(combo_udp(&c, 0, ep(CLI_IP, CLI_PORT), b, n, NOW),
					 SW_SERVER_TO_RELAY);
			expect_out(&c, 1, "client TCP to native", b, n);
			assert_int_equal(c.h.out.pkt[0].kind, SW_OUT_TUN);
			assert_int_equal(c.h.out.pkt[0].len, n);
			assert_memory_equal(c.h.out.pkt[0].data, b, n);
		}
	}
	assert_int_equal(c.h.s.st.to_relay, 20);
	assert_int_equal(c.h.s.st.drop_rate_limited, 0);
	assert_int_equal(c.r.st.fwd_ipv6, 20);
	/* the plain entry point never leaves anything to a relay */
	teredo(src, SRV1, 0, CLI_IP, CLI_PORT);
	n = mk_l4(b, src, dst, 6);
	h_in(&c.h, 0, ep(CLI_IP, CLI_PORT), b, n);
	assert_int_equal(c.h.s.st.to_relay, 20);
	combo_free(&c);
}

/* 84: the relay's rule for a Teredo source whose mapping is not the UDP source. */
static void test_s84_s543_mapping_mismatch_dropped(void **state)
{
	struct combo c;
	uint8_t src[16], dst[16], b[128];
	size_t n;

	(void)state;
	combo_init(&c, 0, 0);
	a6("2001:db8::2", dst);
	teredo(src, SRV1, 0, CLI_IP, CLI_PORT);
	n = mk_l4(b, src, dst, 17);
	assert_int_equal(combo_udp(&c, 0, ep(CLI_IP, CLI_PORT + 1), b, n, NOW),
			 SW_SERVER_TO_RELAY);
	expect_out(&c, 0, "mismatched mapping", b, n);
	assert_int_equal(c.r.st.drop_mapping, 1);
	combo_free(&c);
}

/* 62, 63, 66, 69 and the loop rule keep the server's rule set in combined mode. */
static void test_s63_s543_server_rules_kept(void **state)
{
	struct combo c;
	uint8_t b[512], src[16], dst[16];
	size_t n;
	struct sw_pkt pkt;

	(void)state;
	combo_init(&c, 0, 0);
	n = mk_rs(b, sizeof(b), false, false, NULL, NULL, false); /* 63: RS answered */
	assert_int_equal(combo_udp(&c, 0, ep(CLI_IP, CLI_PORT), b, n, NOW), SW_SERVER_DONE);
	expect_out(&c, 1, "RS", b, n);
	assert_int_equal(c.h.s.st.rs_answered, 1);
	/* 66, 69: a native relay's bubble for a client of this server: forwarded with origin */
	a6("2001:db8::10", src);
	teredo(dst, SRV1, 0, CLI_IP, CLI_PORT);
	n = mk_bubble(b, src, dst, NULL, 0);
	assert_int_equal(combo_udp(&c, 0, ep(IP4(192, 0, 2, 50), 3544), b, n, NOW),
			 SW_SERVER_DONE);
	expect_out(&c, 1, "relay bubble", b, n);
	assert_int_equal(sw_pkt_parse(c.h.out.pkt[0].data, c.h.out.pkt[0].len, &pkt), 0);
	assert_true(pkt.has_origin);
	assert_int_equal(pkt.origin.ip, IP4(192, 0, 2, 50));
	/* a data packet between Teredo clients is no relay's business: dropped */
	teredo(src, OTHER_SRV, 0, IP4(192, 0, 2, 9), 5000);
	n = mk_l4(b, src, dst, 6);
	assert_int_equal(combo_udp(&c, 0, ep(IP4(192, 0, 2, 9), 5000), b, n, NOW),
			 SW_SERVER_DONE);
	expect_out(&c, 0, "Teredo-to-Teredo TCP", b, n);
	assert_int_equal(c.h.s.st.drop_not_icmp, 1);
	/* 62 and the 2006 loop: dropped before any rule set */
	teredo(src, SRV1, 0, IP4(10, 0, 0, 1), CLI_PORT);
	a6("2001:db8::2", dst);
	n = mk_l4(b, src, dst, 6);
	assert_int_equal(combo_udp(&c, 0, ep(IP4(10, 0, 0, 1), CLI_PORT), b, n, NOW),
			 SW_SERVER_DONE);
	assert_int_equal(c.h.s.st.drop_src_nonglobal, 1);
	teredo(src, SRV1, 0, SRV2, 3544);
	n = mk_l4(b, src, dst, 6);
	assert_int_equal(combo_udp(&c, 0, ep(SRV2, 3544), b, n, NOW), SW_SERVER_DONE);
	assert_int_equal(c.h.s.st.drop_own_source, 1);
	assert_int_equal(c.h.s.st.to_relay, 0);
	combo_free(&c);
}

/* 81 for the server's own client: the bubble does not go to ourselves but straight to
 * the mapping, with an origin indication of the server's primary address:3544; a client
 * of another server gets the usual indirect bubble. */
static void test_s81_s543_bubble_to_own_client(void **state)
{
	struct combo c;
	uint8_t src[16], dst[16], b[256], ll[16];
	size_t n;
	struct sw_pkt pkt;
	struct sw_ip6 ip;

	(void)state;
	combo_init(&c, 0, 0);
	a6("2001:db8::2", src);
	teredo(dst, SRV1, 0, CLI_IP, CLI_PORT);
	n = mk_l4(b, src, dst, 6);
	combo_tun(&c, b, n, NOW);
	expect_out(&c, 1, "tun to own client", b, n);
	assert_int_equal(c.h.out.pkt[0].kind, SW_OUT_UDP);
	assert_int_equal(c.h.out.pkt[0].sock, SW_SERVER_SOCK_PRIMARY);
	assert_int_equal(c.h.out.pkt[0].dst.ip, CLI_IP);
	assert_int_equal(c.h.out.pkt[0].dst.port, CLI_PORT);
	assert_int_equal(sw_pkt_parse(c.h.out.pkt[0].data, c.h.out.pkt[0].len, &pkt), 0);
	assert_true(pkt.has_origin);
	assert_int_equal(pkt.origin.ip, SRV1);
	assert_int_equal(pkt.origin.port, 3544);
	assert_int_equal(sw_ip6_parse(pkt.ip6, pkt.ip6_len, &ip), 0);
	assert_true(sw_ip6_is_bubble(&ip));
	sw_relay_bubble_src(&c.r, dst, ll);
	assert_memory_equal(ip.src, ll, 16);
	assert_memory_equal(ip.dst, dst, 16);
	assert_int_equal(c.r.st.bubbles_local, 1);
	assert_int_equal(c.r.st.bubbles_indirect, 0);
	/* another server's client: indirect bubble to that server, no origin indication */
	teredo(dst, OTHER_SRV, 0, IP4(192, 0, 2, 77), 6000);
	n = mk_l4(b, src, dst, 6);
	combo_tun(&c, b, n, NOW);
	expect_out(&c, 1, "tun to another server's client", b, n);
	assert_int_equal(c.h.out.pkt[0].dst.ip, OTHER_SRV);
	assert_int_equal(c.h.out.pkt[0].dst.port, 3544);
	assert_int_equal(sw_pkt_parse(c.h.out.pkt[0].data, c.h.out.pkt[0].len, &pkt), 0);
	assert_false(pkt.has_origin);
	assert_int_equal(c.r.st.bubbles_indirect, 1);
	combo_free(&c);
}

/* 85: the client's answer to that bubble (to fe80::<hash>) reaches the relay through the
 * server's socket, makes the peer trusted and flushes the queue; later packets go
 * straight to the mapping. The server alone would have dropped it (67). */
static void test_s85_s543_answer_flushes_queue(void **state)
{
	struct combo c;
	uint8_t host[16], cli[16], ll[16], b[256], bub[64], data[256];
	size_t n, bn;

	(void)state;
	combo_init(&c, 0, 0);
	a6("2001:db8::2", host);
	teredo(cli, SRV1, 0, CLI_IP, CLI_PORT);
	n = mk_l4(data, host, cli, 17);
	combo_tun(&c, data, n, NOW);
	assert_int_equal(c.r.st.queued, 1);
	sw_relay_bubble_src(&c.r, cli, ll);
	bn = mk_bubble(bub, cli, ll, NULL, 0);
	/* the pure server path drops it: not global, not the server's own */
	h_in(&c.h, 0, ep(CLI_IP, CLI_PORT), bub, bn);
	assert_int_equal(c.h.out.n, 0);
	assert_int_equal(c.h.s.st.drop_dst_nonglobal, 1);
	assert_int_equal(combo_udp(&c, 0, ep(CLI_IP, CLI_PORT), bub, bn, NOW + 100),
			 SW_SERVER_TO_RELAY);
	expect_out(&c, 1, "answer bubble", bub, bn);
	assert_int_equal(c.h.out.pkt[0].dst.ip, CLI_IP);
	assert_int_equal(c.h.out.pkt[0].len, n);
	assert_memory_equal(c.h.out.pkt[0].data, data, n);
	assert_int_equal(c.r.st.trusted, 1);
	assert_int_equal(c.r.st.flushed, 1);
	/* trusted now: the next packet goes straight to the mapping (79) */
	combo_tun(&c, data, n, NOW + 200);
	expect_out(&c, 1, "trusted", data, n);
	assert_int_equal(c.h.out.pkt[0].dst.port, CLI_PORT);
	assert_int_equal(c.h.out.pkt[0].len, n);
	/* the server's own link-local stays the server's (echo to the server) */
	teredo(cli, SRV1, 0, CLI_IP, CLI_PORT);
	n = mk_echo(b, sizeof(b), cli, c.h.s.ll, SW_ICMP6_ECHO_REQUEST, 8);
	assert_int_equal(combo_udp(&c, 0, ep(CLI_IP, CLI_PORT), b, n, NOW + 300),
			 SW_SERVER_DONE);
	assert_int_equal(c.h.s.st.echo_local, 1);
	combo_free(&c);
}

/* 78 with the loop rule of the server: IPv6-side packets that would make the relay send
 * to its own server (a mapping onto either address, or the secondary as the client's
 * server, which no client has) are dropped and counted, not sent to ourselves. */
static void test_s78_s543_no_sending_to_self(void **state)
{
	struct combo c;
	uint8_t src[16], dst[16], b[128];
	size_t n;
	const struct {
		uint32_t server, mapped;
		uint16_t port;
	} cases[] = {
		{SRV2, CLI_IP, CLI_PORT}, {SRV1, SRV1, 3544}, {SRV1, SRV2, 3544},
		{OTHER_SRV, SRV1, 40000}, {OTHER_SRV, SRV2, 3544},
	};

	(void)state;
	combo_init(&c, 0, 0);
	a6("2001:db8::2", src);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		teredo(dst, cases[i].server, 0, cases[i].mapped, cases[i].port);
		n = mk_l4(b, src, dst, 6);
		combo_tun(&c, b, n, NOW);
		if (c.h.out.n != 0 || c.r.st.drop_dst_self != i + 1) {
			fprintf(stderr, "case %zu: %zu outputs, drop_dst_self %llu\n", i,
				c.h.out.n, (unsigned long long)c.r.st.drop_dst_self);
			dump("packet", b, n);
			fail();
		}
	}
	combo_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s61_s543_client_data_relayed),
		cmocka_unit_test(test_s84_s543_mapping_mismatch_dropped),
		cmocka_unit_test(test_s63_s543_server_rules_kept),
		cmocka_unit_test(test_s81_s543_bubble_to_own_client),
		cmocka_unit_test(test_s85_s543_answer_flushes_queue),
		cmocka_unit_test(test_s78_s543_no_sending_to_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
