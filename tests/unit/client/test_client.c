/* Client reception and transmission: statements 31-57 of requirements §10, SEC-1, SEC-4,
 * SEC-5, SEC-11, SEC-20. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/client_tx.h"
#include "fixture.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/teredo.h"

#define PEER_SRV 0xC6336476u /* 198.51.100.118: the peer's server */
#define PEER_IP 0xC000020Au  /* 192.0.2.10 */
#define PEER_PORT 8192
#define RELAY_IP 0xC0000263u /* 192.0.2.99 */
#define RELAY_PORT 3545

static struct fx F;
static uint8_t peer[16], native[16];

static int setup_with(const struct sw_client_conf *k)
{
	fx_init(&F, k);
	fx_qualify(&F);
	fx_reset(&F);
	fx_teredo(peer, PEER_SRV, 0, PEER_IP, PEER_PORT);
	fx_native(native, 1);
	return 0;
}

static int setup(void **st)
{
	(void)st;
	return setup_with(NULL);
}

static int setup_ld(void **st)
{
	struct sw_client_conf k;

	(void)st;
	fx_default_conf(&k);
	k.local_discovery = true;
	return setup_with(&k);
}

static int teardown(void **st)
{
	(void)st;
	fx_free(&F);
	return 0;
}

/* Answer a maintenance RS if the batch holds one, so the client stays qualified. */
static void keepalive(void)
{
	if (fx_count_rs(&F))
		fx_answer(&F, SRV1, ep(MAP_IP, MAP_PORT));
}

static struct sw_peer *find(const uint8_t a[16])
{
	return sw_peers_find(&F.c.peers, a);
}

/* Data from peer (Teredo, from its own mapping): case 3. */
static void peer_sends(uint8_t tag)
{
	uint8_t b[64];
	size_t n = fx_data(b, peer, F.c.addr, tag);

	fx_udp(&F, ep(PEER_IP, PEER_PORT), 0, b, n);
}

static void tun_to(const uint8_t dst[16], uint8_t tag)
{
	uint8_t b[64];
	size_t n = fx_data(b, F.c.addr, dst, tag);

	fx_tun(&F, b, n);
}

/* The echo request last sent to our server: nonce and id. */
static bool last_echo(uint8_t nonce[8], uint16_t *id, const uint8_t dst[16])
{
	for (size_t i = F.out.n; i-- > 0;) {
		const struct sw_out_pkt *o = &F.out.pkt[i];
		struct sw_pkt pk;
		struct sw_ip6 ip;
		struct sw_echo e;

		if (o->kind != SW_OUT_UDP || o->dst.ip != SRV1 || o->dst.port != 3544 ||
		    sw_pkt_parse(o->data, o->len, &pk) != 0 ||
		    sw_ip6_parse(pk.ip6, pk.ip6_len, &ip) != 0 || sw_echo_parse(&ip, &e) != 0 ||
		    e.type != SW_ICMP6_ECHO_REQUEST)
			continue;
		assert_memory_equal(ip.src, F.c.addr, 16);
		if (dst)
			assert_memory_equal(ip.dst, dst, 16);
		assert_true(e.data_len >= 8);
		if (nonce)
			memcpy(nonce, e.data, 8);
		if (id)
			*id = e.id;
		return true;
	}
	return false;
}

static size_t count_echo(void)
{
	size_t n = 0;

	for (size_t i = 0; i < F.out.n; i++) {
		const struct sw_out_pkt *o = &F.out.pkt[i];
		struct sw_pkt pk;
		struct sw_ip6 ip;
		struct sw_echo e;

		n += o->kind == SW_OUT_UDP && sw_pkt_parse(o->data, o->len, &pk) == 0 &&
		     sw_ip6_parse(pk.ip6, pk.ip6_len, &ip) == 0 && sw_echo_parse(&ip, &e) == 0;
	}
	return n;
}

static void test_s34_case3_creates_trusted_entry(void **st)
{
	struct sw_peer *p;

	(void)st;
	peer_sends(7);
	p = find(peer);
	assert_non_null(p);
	assert_true(sw_peer_trusted(p));
	assert_int_equal(p->mapping.ip, PEER_IP);
	assert_int_equal(p->mapping.port, PEER_PORT);
	assert_int_equal(p->last_rx, sw_stamp_of(F.now));
	assert_int_equal(p->last_tx, sw_stamp_of(F.now - 30000));
	assert_int_equal(p->bubbles, 0);
	assert_int_equal(fx_count_tun(&F), 1);
	assert_int_equal(F.c.stats.rx_delivered, 1);
}

/* The peer table's wraparound guarantee in the client: its next deadline includes the
 * table's sweep step, and that step, run by sw_client_timer, removes an entry idle past
 * its lifetime, long before its 32-bit stamps could wrap and make it look fresh. */
static void test_s34_idle_entry_swept_by_client_timer(void **st)
{
	sw_time sweep;

	(void)st;
	peer_sends(7);
	assert_non_null(find(peer));
	sweep = sw_peers_next_expiry(&F.c.peers);
	assert_true(sweep != SW_TIME_NEVER);
	assert_true(sweep <= F.now + SW_PEERS_SWEEP_MS);
	assert_true(sw_client_next_deadline(&F.c) <= sweep);
	if (sweep < F.now + F.c.peers.lifetime + 1)
		sweep = F.now + F.c.peers.lifetime + 1;
	fx_timer(&F, sweep - F.now);
	for (int k = 0; k < 100 && F.c.peers.n && sw_peers_next_expiry(&F.c.peers) > F.now; k++)
		fx_timer(&F, sw_peers_next_expiry(&F.c.peers) - F.now);
	assert_null(find(peer));
	assert_int_equal(F.c.peers.stats.expired, 1);
	assert_int_equal(sw_peers_next_expiry(&F.c.peers), SW_TIME_NEVER);
}

static void test_s31_case1_trusted_delivered(void **st)
{
	struct sw_peer *p;

	(void)st;
	peer_sends(1);
	F.now += 5000;
	fx_reset(&F);
	peer_sends(2);
	p = find(peer);
	assert_int_equal(p->last_rx, sw_stamp_of(F.now));
	assert_int_equal(fx_count_tun(&F), 1);
	assert_int_equal(fx_tun_pkt(&F, 0)->data[40], 2);
}

static void test_s35_bubbles_consumed_queue_flushed(void **st)
{
	uint8_t b[64];
	size_t n;

	(void)st;
	tun_to(peer, 0x11);
	tun_to(peer, 0x22);
	assert_int_equal(F.c.stats.tx_queued, 2);
	fx_reset(&F);
	n = fx_bubble(b, peer, F.c.addr);
	fx_udp(&F, ep(PEER_IP, PEER_PORT), 0, b, n);
	assert_int_equal(fx_count_tun(&F), 0); /* consumed */
	assert_int_equal(F.c.stats.rx_bubbles, 1);
	assert_int_equal(fx_count_udp(&F, ep(PEER_IP, PEER_PORT)), 2);
	/* in order */
	assert_int_equal(fx_udp_to(&F, ep(PEER_IP, PEER_PORT), 0)->data[40], 0x11);
	assert_int_equal(fx_udp_to(&F, ep(PEER_IP, PEER_PORT), 1)->data[40], 0x22);
	assert_true(sw_peer_trusted(find(peer)));
}

static void test_s40_s32_echo_test_then_trusted(void **st)
{
	uint8_t nonce[8], b[128];
	uint16_t id;
	size_t n;
	struct sw_peer *p;

	(void)st;
	tun_to(native, 0x33);
	assert_int_equal(F.c.stats.tx_queued, 1);
	assert_true(last_echo(nonce, &id, native));
	assert_int_equal(fx_count_udp(&F, ep(0, 0)), 1); /* only the echo request */
	fx_reset(&F);
	n = fx_echo_reply(b, native, F.c.addr, id, nonce, 8);
	fx_udp(&F, ep(RELAY_IP, RELAY_PORT), 0, b, n);
	p = find(native);
	assert_true(sw_peer_trusted(p));
	assert_int_equal(p->mapping.ip, RELAY_IP);
	assert_int_equal(p->mapping.port, RELAY_PORT);
	assert_int_equal(p->last_rx, sw_stamp_of(F.now));
	assert_int_equal(fx_count_udp(&F, ep(RELAY_IP, RELAY_PORT)), 1);
	assert_int_equal(fx_udp_to(&F, ep(RELAY_IP, RELAY_PORT), 0)->data[40], 0x33);
	assert_int_equal(F.c.stats.echo_ok, 1);
}

/* An ICMPv6 error from a router behind the relay, quoting our echo request. */
static void test_s32_echo_error_through_relay(void **st)
{
	uint8_t nonce[8], router[16], b[256], q[128], *e;
	const struct sw_out_pkt *o;
	struct sw_pkt pk;
	size_t n;

	(void)st;
	fx_native(router, 200);
	tun_to(native, 0x34);
	o = fx_udp_to(&F, ep(SRV1, 3544), 0);
	assert_non_null(o);
	assert_int_equal(sw_pkt_parse(o->data, o->len, &pk), 0);
	assert_true(last_echo(nonce, NULL, native));
	e = sw_icmp6_error_put(b, b + sizeof b, router, SW_ICMP6_DST_UNREACH, SW_UNREACH_ADMIN, 0,
			       pk.ip6, pk.ip6_len);
	assert_non_null(e);
	n = (size_t)(e - b); /* from the router to the echo's source: us */
	assert_memory_equal(b + 24, F.c.addr, 16);
	fx_reset(&F);
	fx_udp(&F, ep(RELAY_IP, RELAY_PORT), 0, b, n);
	assert_true(sw_peer_trusted(find(native)));
	assert_int_equal(find(native)->mapping.ip, RELAY_IP);
	assert_int_equal(fx_count_udp(&F, ep(RELAY_IP, RELAY_PORT)), 1);
	/* a quoted echo with another nonce does nothing */
	fx_native(native, 2);
	tun_to(native, 0x35);
	{
		struct sw_echo er = {.type = SW_ICMP6_ECHO_REQUEST, .data = nonce, .data_len = 8};
		uint8_t *qe;

		assert_true(last_echo(nonce, &er.id, native));
		nonce[7] ^= 0xff; /* a valid echo request, but not with our nonce */
		qe = sw_echo_put(q, q + sizeof q, F.c.addr, native, 64, &er);
		assert_non_null(qe);
		e = sw_icmp6_error_put(b, b + sizeof b, router, SW_ICMP6_DST_UNREACH,
				       SW_UNREACH_ADMIN, 0, q, (size_t)(qe - q));
	}
	assert_non_null(e);
	fx_reset(&F);
	fx_udp(&F, ep(RELAY_IP, RELAY_PORT), 0, b, (size_t)(e - b));
	assert_false(sw_peer_trusted(find(native)));
	assert_int_equal(fx_count_udp(&F, ep(RELAY_IP, RELAY_PORT)), 0);
}

static void test_s33_wrong_nonce_not_trusted(void **st)
{
	uint8_t nonce[8], b[128];
	uint16_t id;
	size_t n;
	struct sw_peer *p;

	(void)st;
	tun_to(native, 0x33);
	assert_true(last_echo(nonce, &id, native));
	nonce[0] ^= 1;
	fx_reset(&F);
	n = fx_echo_reply(b, native, F.c.addr, id, nonce, 8);
	fx_udp(&F, ep(RELAY_IP, RELAY_PORT), 0, b, n);
	p = find(native);
	assert_false(sw_peer_trusted(p));
	assert_int_equal(p->mapping.ip, 0);
	assert_int_equal(fx_count_udp(&F, ep(RELAY_IP, RELAY_PORT)), 0);
	assert_int_equal(F.c.stats.rx_echo_bad_nonce, 1);
}

static void test_s36_origin_indication_answered(void **st)
{
	uint8_t b[128], *p = b;
	const struct sw_out_pkt *o;
	struct sw_ip6 ip;
	size_t n;

	(void)st;
	p = sw_origin_put(p, b + sizeof b, ep(RELAY_IP, RELAY_PORT));
	n = fx_bubble(p, native, F.c.addr);
	fx_udp(&F, ep(SRV1, 3544), 0, b, (size_t)(p - b) + n);
	assert_int_equal(fx_count_udp(&F, ep(RELAY_IP, RELAY_PORT)), 1);
	o = fx_udp_to(&F, ep(RELAY_IP, RELAY_PORT), 0);
	assert_int_equal(sw_ip6_parse(o->data, o->len, &ip), 0);
	assert_true(sw_ip6_is_bubble(&ip));
	assert_memory_equal(ip.src, F.c.addr, 16);
	assert_memory_equal(ip.dst, native, 16);
	assert_int_equal(fx_count_tun(&F), 0);
	/* a non-global origin gets nothing */
	fx_reset(&F);
	p = sw_origin_put(b, b + sizeof b, ep(0x0A000001, RELAY_PORT));
	n = fx_bubble(p, native, F.c.addr);
	fx_udp(&F, ep(SRV1, 3544), 0, b, (size_t)(p - b) + n);
	assert_int_equal(F.out.n, 0);
	/* a relay's bubble from a link-local source (Miredo's keyed hash) is answered too */
	{
		uint8_t ll[16] = {0xfe, 0x80, [8] = 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};

		fx_reset(&F);
		p = sw_origin_put(b, b + sizeof b, ep(RELAY_IP, RELAY_PORT));
		n = fx_bubble(p, ll, F.c.addr);
		fx_udp(&F, ep(SRV1, 3544), 0, b, (size_t)(p - b) + n);
		o = fx_udp_to(&F, ep(RELAY_IP, RELAY_PORT), 0);
		assert_non_null(o);
		assert_int_equal(sw_ip6_parse(o->data, o->len, &ip), 0);
		assert_memory_equal(ip.dst, ll, 16);
	}
}

static void test_origin_bubbles_rate_limited(void **st)
{
	uint8_t b[128], *p;
	size_t n, sent = 0;

	(void)st;
	for (int i = 0; i < 1000; i++) { /* 1000 relayed bubbles at once, one target */
		p = sw_origin_put(b, b + sizeof b, ep(RELAY_IP, RELAY_PORT));
		n = fx_bubble(p, native, F.c.addr);
		fx_reset(&F);
		fx_udp(&F, ep(SRV1, 3544), 0, b, (size_t)(p - b) + n);
		sent += fx_count_udp(&F, ep(RELAY_IP, RELAY_PORT));
	}
	if (sent > 32)
		fail_msg("%zu bubbles for 1000 origin indications in one instant", sent);
	assert_int_equal(sent, 32);
	F.now += 1000; /* refilled over time */
	fx_reset(&F);
	fx_udp(&F, ep(SRV1, 3544), 0, b, (size_t)(p - b) + n);
	assert_int_equal(fx_count_udp(&F, ep(RELAY_IP, RELAY_PORT)), 1);
}

static void test_s37_sec4_case6_no_data_to_injector(void **st)
{
	uint8_t b[64];
	size_t n;

	(void)st;
	n = fx_data(b, native, F.c.addr, 9);
	fx_udp(&F, ep(RELAY_IP, RELAY_PORT), 0, b, n);
	assert_int_equal(fx_count_tun(&F), 0);
	assert_int_equal(F.c.stats.rx_untrusted, 1);
	assert_int_equal(fx_count_udp(&F, ep(RELAY_IP, RELAY_PORT)), 0);
	assert_true(last_echo(NULL, NULL, native)); /* a test through our server instead */
	fx_reset(&F);
	tun_to(native, 1);
	assert_int_equal(fx_count_udp(&F, ep(RELAY_IP, RELAY_PORT)), 0);
	fx_timer(&F, 2000);
	fx_timer(&F, 2000);
	fx_timer(&F, 2000);
	fx_timer(&F, 2000);
	assert_int_equal(fx_count_udp(&F, ep(RELAY_IP, RELAY_PORT)), 0);
}

static void test_s38_case1_trusted_send(void **st)
{
	struct sw_peer *p;

	(void)st;
	peer_sends(1);
	F.now += 1000;
	fx_reset(&F);
	tun_to(peer, 0x44);
	assert_int_equal(fx_count_udp(&F, ep(PEER_IP, PEER_PORT)), 1);
	assert_int_equal(F.out.n, 1);
	p = find(peer);
	assert_int_equal(p->last_tx, sw_stamp_of(F.now));
}

static void test_s39_stale_entry_not_used(void **st)
{
	(void)st;
	peer_sends(1);
	F.now += 30000;
	fx_reset(&F);
	tun_to(peer, 0x44);
	assert_int_equal(F.c.stats.tx_queued, 1);
	assert_int_equal(fx_count_udp(&F, ep(PEER_SRV, 3544)), 1); /* bubbles again */
}

static void test_s41_echo_repeats_then_unreachable(void **st)
{
	const struct sw_out_pkt *o;
	struct sw_ip6 ip;
	size_t total = 1;

	(void)st;
	tun_to(native, 0x55);
	for (int i = 0; i < 3; i++) {
		fx_reset(&F);
		fx_timer(&F, 1999);
		assert_int_equal(count_echo(), 0);
		fx_timer(&F, 1);
		total += count_echo();
	}
	assert_int_equal(total, 4);
	fx_reset(&F);
	fx_timer(&F, 2000);
	assert_int_equal(count_echo(), 0);
	assert_int_equal(fx_count_tun(&F), 1);
	o = fx_tun_pkt(&F, 0);
	assert_int_equal(sw_ip6_parse(o->data, o->len, &ip), 0);
	assert_int_equal(ip.l4[0], SW_ICMP6_DST_UNREACH);
	assert_int_equal(ip.l4[1], SW_UNREACH_ADDR);
	assert_memory_equal(ip.dst, F.c.addr, 16);
	assert_true(sw_icmp6_csum_ok(&ip));
	assert_int_equal(find(native)->q.n, 0);
	assert_int_equal(F.c.stats.tx_unreachable, 1);
}

static void test_s42_s43_bubbles_for_teredo_peer(void **st)
{
	const struct sw_out_pkt *o;
	struct sw_ip6 ip;

	(void)st;
	tun_to(peer, 0x66);
	assert_int_equal(F.c.stats.tx_queued, 1);
	assert_int_equal(fx_count_udp(&F, ep(SRV1, 3544)), 0); /* not our server */
	assert_int_equal(fx_count_udp(&F, ep(PEER_SRV, 3544)), 1);
	assert_int_equal(fx_count_udp(&F, ep(PEER_IP, PEER_PORT)), 1);
	o = fx_udp_to(&F, ep(PEER_SRV, 3544), 0);
	assert_int_equal(sw_ip6_parse(o->data, o->len, &ip), 0);
	assert_true(sw_ip6_is_bubble(&ip));
	assert_memory_equal(ip.src, F.c.addr, 16);
	assert_memory_equal(ip.dst, peer, 16);
	assert_int_equal(F.out.n, 2);
}

static void test_s44_cone_peer_direct_when_honoured(void **st)
{
	struct sw_client_conf k;
	uint8_t cone[16];

	(void)st;
	fx_free(&F);
	fx_default_conf(&k);
	k.honour_cone = true;
	setup_with(&k);
	fx_teredo(cone, PEER_SRV, SW_FLAG_CONE, PEER_IP, PEER_PORT);
	tun_to(cone, 0x77);
	assert_int_equal(F.out.n, 1);
	assert_int_equal(fx_count_udp(&F, ep(PEER_IP, PEER_PORT)), 1);
	assert_int_equal(fx_udp_to(&F, ep(PEER_IP, PEER_PORT), 0)->data[40], 0x77);
}

static void test_s45_cone_peer_as_case5_by_default(void **st)
{
	uint8_t cone[16];

	(void)st;
	fx_teredo(cone, PEER_SRV, SW_FLAG_CONE, PEER_IP, PEER_PORT);
	tun_to(cone, 0x77);
	assert_int_equal(F.c.stats.tx_queued, 1);
	assert_int_equal(fx_count_udp(&F, ep(PEER_SRV, 3544)), 1);
}

static void test_s46_sec11_nonglobal_peer_dropped(void **st)
{
	static const uint32_t bad[] = {
		0x00000001, 0x7F000001, 0x0A010203, 0xAC100001, 0xAC1FFFFF, 0xC0A80101,
		0xA9FE0101, 0xC0586301, 0xE0000001, 0xEFFFFFFF, 0xFFFFFFFF,
	};

	(void)st;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t a[16];

		fx_reset(&F);
		fx_teredo(a, PEER_SRV, 0, bad[i], PEER_PORT); /* embedded mapping */
		tun_to(a, 1);
		if (F.out.n != 0)
			fail_msg("mapped %08x: %zu outputs", bad[i], F.out.n);
		fx_teredo(a, bad[i], 0, PEER_IP, PEER_PORT); /* embedded server */
		tun_to(a, 1);
		if (F.out.n != 0)
			fail_msg("server %08x: %zu outputs", bad[i], F.out.n);
	}
	assert_int_equal(F.c.stats.tx_nonglobal, 2 * (sizeof bad / sizeof bad[0]));
	assert_int_equal(F.c.stats.tx_queued, 0);
}

static void test_s47_s50_direct_bubble_entry(void **st)
{
	struct sw_peer *p;

	(void)st;
	tun_to(peer, 1);
	p = find(peer);
	assert_non_null(p);
	assert_int_equal(p->last_rx, sw_stamp_of(F.now - 30000));
	assert_int_equal(p->last_tx, sw_stamp_of(F.now)); /* updated by the bubble */
	assert_int_equal(p->bubbles, 1);
	assert_false(sw_peer_trusted(p));
	fx_timer(&F, 2000);
	assert_int_equal(p->bubbles, 2);
	assert_int_equal(p->last_tx, sw_stamp_of(F.now));
}

static void test_s48_no_bubble_within_2s(void **st)
{
	(void)st;
	tun_to(peer, 1);
	fx_reset(&F);
	F.now += 1000;
	tun_to(peer, 2);
	fx_timer(&F, 0);
	assert_int_equal(fx_count_udp(&F, ep(PEER_SRV, 3544)), 0);
	fx_timer(&F, 999);
	assert_int_equal(fx_count_udp(&F, ep(PEER_SRV, 3544)), 0);
	fx_timer(&F, 1);
	assert_int_equal(fx_count_udp(&F, ep(PEER_SRV, 3544)), 1);
}

static void test_s49_four_bubbles_per_300s(void **st)
{
	size_t n = 0;

	(void)st;
	for (int i = 0; i < 149; i++) { /* 298 s of packets, one every 2 s */
		fx_reset(&F);
		tun_to(peer, 1);
		fx_timer(&F, 2000);
		n += fx_count_udp(&F, ep(PEER_SRV, 3544));
		keepalive();
	}
	if (n > 4)
		fail_msg("%zu indirect bubbles in 300 s", n);
	assert_int_equal(n, 4);
	assert_true(F.c.stats.bubbles_limited > 0);
	for (int i = 0; i < 5 && n == 4; i++) { /* a new window: bubbles again */
		fx_reset(&F);
		fx_timer(&F, 2000);
		tun_to(peer, 1);
		n += fx_count_udp(&F, ep(PEER_SRV, 3544));
	}
	assert_int_equal(n, 5);
	assert_int_equal(F.c.state, SW_CLIENT_QUALIFIED);
}

static void test_sec1_linklocal_from_peer_dropped(void **st)
{
	uint8_t ll[16] = {0xfe, 0x80, [15] = 1}, b[64];
	size_t n = fx_data(b, ll, F.c.addr, 1);

	(void)st;
	fx_udp(&F, ep(PEER_IP, PEER_PORT), 0, b, n);
	assert_int_equal(F.out.n, 0);
	assert_int_equal(F.c.stats.rx_linklocal, 1);
	n = fx_data(b, peer, ll, 1); /* to a link-local destination */
	fx_udp(&F, ep(PEER_IP, PEER_PORT), 0, b, n);
	assert_int_equal(F.out.n, 0);
}

static void test_sec5_echo_nonces_unpredictable(void **st)
{
	uint8_t seen[100][8];

	(void)st;
	for (int i = 0; i < 100; i++) {
		uint8_t a[16];

		fx_native(a, (uint8_t)(i + 10));
		fx_reset(&F);
		F.now += 200; /* stay under the global echo rate */
		tun_to(a, 1);
		assert_true(last_echo(seen[i], NULL, a));
		for (int j = 0; j < i; j++)
			if (memcmp(seen[i], seen[j], 8) == 0)
				fail_msg("nonce %d repeats nonce %d", i, j);
	}
	/* not a counter: consecutive nonces differ in many bits */
	for (int i = 1; i < 100; i++) {
		int bits = 0;

		for (int k = 0; k < 8; k++)
			bits += __builtin_popcount(seen[i][k] ^ seen[i - 1][k]);
		assert_true(bits > 8);
	}
}

static void test_sec20_case6_echo_rate_limited(void **st)
{
	uint8_t b[64];

	(void)st;
	/* one spoofed source, many packets: a single test cycle of at most 1 + 3 requests */
	for (int i = 0; i < 100; i++) {
		size_t n = fx_data(b, native, F.c.addr, 1);

		fx_udp(&F, ep(RELAY_IP, (uint16_t)(1000 + i)), 0, b, n);
		if (i % 10 == 9)
			fx_timer(&F, 500);
	}
	assert_true(count_echo() <= 4);
	assert_true(count_echo() >= 3);
	/* many spoofed sources at once: bounded by the global bucket */
	fx_reset(&F);
	for (int i = 0; i < 1000; i++) {
		uint8_t a[16];
		size_t n;

		fx_native(a, (uint8_t)i);
		a[14] = (uint8_t)(i >> 8);
		a[13] = 0x77;
		n = fx_data(b, a, F.c.addr, 1);
		fx_udp(&F, ep(RELAY_IP, 2000), 0, b, n);
	}
	if (count_echo() > 10)
		fail_msg("%zu echo requests for a 1000-packet burst", count_echo());
	assert_true(F.c.stats.echo_limited > 0);
}

static void test_s53_s54_discovery_bubbles(void **st)
{
	const struct sw_out_pkt *o;
	struct sw_ip6 ip;
	sw_time d;

	(void)st;
	assert_int_equal(F.c.next_discovery, F.now); /* the new address is announced at once */
	fx_timer(&F, 0);
	assert_int_equal(fx_count_udp(&F, ep(SW_CLIENT_DISCOVERY_IP, 3544)), 1);
	o = fx_udp_to(&F, ep(SW_CLIENT_DISCOVERY_IP, 3544), 0);
	assert_int_equal(o->ttl, 1);
	assert_int_equal(o->sock, 0);
	assert_int_equal(sw_ip6_parse(o->data, o->len, &ip), 0);
	assert_true(sw_ip6_is_bubble(&ip));
	assert_int_equal(ip.hlim, 1);
	assert_memory_equal(ip.src, F.c.addr, 16);
	assert_int_equal(ip.dst[0], 0xff);
	assert_int_equal(ip.dst[1], 0x02);
	assert_int_equal(ip.dst[15], 0x01);
	for (int i = 0; i < 50; i++) {
		d = F.c.next_discovery - F.now;
		assert_true(d >= 200000 && d <= 300000);
		if (i == 0) { /* nothing before the interval ends */
			fx_reset(&F);
			F.c.last_server = F.now + d;
			F.c.deadline = F.now + d + 1;
			fx_timer(&F, d - 1);
			assert_int_equal(fx_count_udp(&F, ep(SW_CLIENT_DISCOVERY_IP, 3544)), 0);
			d = 1;
		}
		fx_reset(&F);
		F.c.last_server = F.now + d;
		F.c.deadline = F.now + d + 1;
		fx_timer(&F, d);
		assert_int_equal(fx_count_udp(&F, ep(SW_CLIENT_DISCOVERY_IP, 3544)), 1);
	}
}

static void discovery_from(const uint8_t src[16], struct sw_endpoint from, uint32_t dst_ip)
{
	uint8_t b[64], all[16] = {0xff, 0x02, [15] = 1};
	size_t n;

	sw_bubble_put(b, b + 40, src, all, 1);
	n = 40;
	fx_udp(&F, from, dst_ip, b, n);
}

static void test_s55_sec7_discovery_filters(void **st)
{
	(void)st;
	discovery_from(native, ep(0xC0A80105, 3544), SW_CLIENT_DISCOVERY_IP); /* not Teredo */
	discovery_from(peer, ep(0xC0A80205, 3544), SW_CLIENT_DISCOVERY_IP);   /* off-subnet */
	discovery_from(peer, ep(0xC0A80105, 3544), LOCAL_IP);                /* unicast dst */
	assert_int_equal(F.out.n, 0);
	assert_null(find(peer));
	assert_int_equal(F.c.stats.local_rx, 0);
}

static void test_s56_discovery_creates_local_entry(void **st)
{
	struct sw_peer *p;
	const struct sw_out_pkt *o;
	struct sw_ip6 ip;

	(void)st;
	discovery_from(peer, ep(0xC0A80105, 3544), SW_CLIENT_DISCOVERY_IP);
	p = find(peer);
	assert_non_null(p);
	assert_false(sw_peer_trusted(p));
	assert_true(p->flags & SW_PEER_LOCAL);
	assert_int_equal(sw_cpeer(p)->local.ip, 0xC0A80105);
	assert_int_equal(p->last_rx, sw_stamp_of(F.now));
	assert_int_equal(p->last_tx, sw_stamp_of(F.now - 30000));
	assert_int_equal(p->bubbles, 0);
	assert_int_equal(fx_count_udp(&F, ep(0xC0A80105, 3544)), 1);
	o = fx_udp_to(&F, ep(0xC0A80105, 3544), 0);
	assert_int_equal(sw_ip6_parse(o->data, o->len, &ip), 0);
	assert_true(sw_ip6_is_bubble(&ip));
	assert_memory_equal(ip.dst, peer, 16);
	/* a newcomer gets our own announcement at once, at most one per second */
	fx_reset(&F);
	fx_timer(&F, 0);
	assert_int_equal(fx_count_udp(&F, ep(SW_CLIENT_DISCOVERY_IP, 3544)), 1);
	for (int i = 0; i < 20; i++) {
		uint8_t other[16];

		fx_teredo(other, PEER_SRV, 0, PEER_IP, (uint16_t)(9000 + i));
		F.now += 100;
		discovery_from(other, ep(0xC0A80106, (uint16_t)(4000 + i)), SW_CLIENT_DISCOVERY_IP);
		fx_reset(&F);
		fx_timer(&F, 0);
		if (fx_count_udp(&F, ep(SW_CLIENT_DISCOVERY_IP, 3544)) != (i % 10 == 9))
			fail_msg("newcomer %d: %zu announcements", i,
				 fx_count_udp(&F, ep(SW_CLIENT_DISCOVERY_IP, 3544)));
	}
}

static void test_s57_case5_local_peer(void **st)
{
	uint8_t b[64];
	size_t n;

	(void)st;
	discovery_from(peer, ep(0xC0A80105, 3544), SW_CLIENT_DISCOVERY_IP);
	fx_reset(&F);
	F.now += 3000;
	tun_to(peer, 0x88);
	assert_int_equal(F.c.stats.tx_queued, 1);
	assert_int_equal(fx_count_udp(&F, ep(0xC0A80105, 3544)), 1);
	assert_int_equal(fx_count_udp(&F, ep(SW_CLIENT_DISCOVERY_IP, 3544)), 1);
	/* reception case 5: the answer comes from the local address, not the mapping */
	fx_reset(&F);
	n = fx_bubble(b, peer, F.c.addr);
	fx_udp(&F, ep(0xC0A80105, 3544), 0, b, n);
	assert_true(sw_peer_trusted(find(peer)));
	assert_int_equal(fx_count_udp(&F, ep(0xC0A80105, 3544)), 1);
	assert_int_equal(fx_udp_to(&F, ep(0xC0A80105, 3544), 0)->data[40], 0x88);
	assert_int_equal(fx_count_tun(&F), 0);
}

static void test_tx_bad_source_rejected(void **st)
{
	uint8_t b[64], other[16];
	size_t n;

	(void)st;
	fx_native(other, 99);
	n = fx_data(b, other, peer, 1);
	fx_tun(&F, b, n);
	assert_int_equal(F.c.stats.tx_bad_src, 1);
	assert_int_equal(fx_count_udp(&F, ep(0, 0)), 0);
	assert_int_equal(fx_count_tun(&F), 1); /* administratively prohibited */
}

static void test_sec6_flood_keeps_active_peers(void **st)
{
	struct sw_client_conf k;
	uint8_t keep[4][16], b[64];

	(void)st;
	fx_free(&F);
	fx_default_conf(&k);
	k.max_peers = 16;
	k.pool_bufs = 8;
	setup_with(&k);
	for (int i = 0; i < 4; i++) { /* four established, active peers */
		fx_teredo(keep[i], PEER_SRV, 0, PEER_IP + (uint32_t)i, PEER_PORT);
		fx_udp(&F, ep(PEER_IP + (uint32_t)i, PEER_PORT), 0, b, fx_bubble(b, keep[i], F.c.addr));
		assert_true(sw_peer_trusted(find(keep[i])));
	}
	for (int i = 0; i < 1000; i++) { /* spoofed Teredo sources, each from its mapping */
		uint8_t a[16];
		uint32_t ip = 0x0B000000u + (uint32_t)i;

		fx_teredo(a, PEER_SRV, 0, ip, 4000);
		fx_reset(&F);
		fx_udp(&F, ep(ip, 4000), 0, b, fx_data(b, a, F.c.addr, 1));
		fx_teredo(a, PEER_SRV, 0, ip, 4001); /* and packets queued for new peers */
		fx_tun(&F, b, fx_data(b, F.c.addr, a, 2));
	}
	for (int i = 0; i < 4; i++) {
		struct sw_peer *p = find(keep[i]);

		if (p == NULL || !sw_peer_trusted(p))
			fail_msg("established peer %d evicted by the flood", i);
	}
	assert_true(F.c.peers.n <= 16);
	assert_true(F.c.stats.tx_queue_full + F.c.stats.tx_peer_full > 0);
	assert_true(F.c.pool.nfree <= F.c.pool.nbufs);
}

static void test_stats_names(void **st)
{
	struct sw_stat s[128];
	size_t n = sw_client_stats(&F.c, s, 128);

	(void)st;
	assert_true(n > 30);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(s[i].help);
		assert_memory_equal(s[i].name, "client_", 7);
	}
}

int main(void)
{
	const struct CMUnitTest t[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define L(f) cmocka_unit_test_setup_teardown(f, setup_ld, teardown)
		T(test_s34_case3_creates_trusted_entry),
		T(test_s34_idle_entry_swept_by_client_timer),
		T(test_s31_case1_trusted_delivered),
		T(test_s35_bubbles_consumed_queue_flushed),
		T(test_s40_s32_echo_test_then_trusted),
		T(test_s32_echo_error_through_relay),
		T(test_s33_wrong_nonce_not_trusted),
		T(test_s36_origin_indication_answered),
		T(test_origin_bubbles_rate_limited),
		T(test_s37_sec4_case6_no_data_to_injector),
		T(test_s38_case1_trusted_send),
		T(test_s39_stale_entry_not_used),
		T(test_s41_echo_repeats_then_unreachable),
		T(test_s42_s43_bubbles_for_teredo_peer),
		T(test_s44_cone_peer_direct_when_honoured),
		T(test_s45_cone_peer_as_case5_by_default),
		T(test_s46_sec11_nonglobal_peer_dropped),
		T(test_s47_s50_direct_bubble_entry),
		T(test_s48_no_bubble_within_2s),
		T(test_s49_four_bubbles_per_300s),
		T(test_sec1_linklocal_from_peer_dropped),
		T(test_sec5_echo_nonces_unpredictable),
		T(test_sec20_case6_echo_rate_limited),
		L(test_s53_s54_discovery_bubbles),
		L(test_s55_sec7_discovery_filters),
		L(test_s56_discovery_creates_local_entry),
		L(test_s57_case5_local_peer),
		T(test_tx_bad_source_rejected),
		T(test_sec6_flood_keeps_active_peers),
		T(test_stats_names),
#undef T
#undef L
	};

	return cmocka_run_group_tests(t, NULL, NULL);
}
