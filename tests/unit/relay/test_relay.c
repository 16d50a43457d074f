/* relay engine: conformance statements 78-88 and SEC-6, SEC-8, SEC-11..14 of
 * teredo-requirements.md, with a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "relay_fix.h"
#include "wire/addr.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"

#define SERVER IP4(198, 51, 100, 1)
#define CIP IP4(203, 0, 113, 7)
#define CPORT 40000
/* above 2^32 ms, 3 s before the 32-bit stamps of the peer table wrap: the bubble
 * retries and most of the tests run across the wrap */
#define W32 ((sw_time)1 << 32)
#define T0 (5 * W32 - 3000)

static struct fix F;
static uint8_t client[16], host[16], buf[2048];

static int setup(void **state)
{
	(void)state;
	fix_defaults(&F);
	fix_teredo(client, SERVER, CIP, CPORT, 0);
	fix_native(host, 2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fix_free(&F);
	return 0;
}

static struct sw_relay_stats *st(void)
{
	return &F.r.st;
}

/* A packet from the IPv6 host to dst. */
static void from_ipv6(const uint8_t dst[16], size_t plen, uint8_t tag, sw_time now)
{
	size_t len = fix_ip6(buf, host, dst, plen, tag);

	sw_relay_tun_input(&F.r, buf, len, now, &F.out);
}

/* The client's direct bubble back to our hashed source. */
static void client_bubble(const uint8_t src[16], struct sw_endpoint from, sw_time now)
{
	uint8_t ll[16];
	size_t len;

	sw_relay_bubble_src(&F.r, src, ll);
	len = fix_bubble(buf, src, ll);
	sw_relay_udp_input(&F.r, from, buf, len, now, &F.out);
}

static void make_trusted(sw_time now)
{
	from_ipv6(client, 20, 0x11, now);
	client_bubble(client, fix_ep(CIP, CPORT), now + 100);
	fix_reset(&F);
}

static void assert_bubble(const struct sw_out_pkt *o, const uint8_t dst[16],
			  struct sw_endpoint to)
{
	struct sw_ip6 ip;
	uint8_t ll[16];

	if (o->kind != SW_OUT_UDP || !sw_endpoint_eq(o->dst, to))
		fix_dump(&F);
	assert_int_equal(o->kind, SW_OUT_UDP);
	assert_int_equal(o->dst.ip, to.ip);
	assert_int_equal(o->dst.port, to.port);
	assert_int_equal(sw_ip6_parse(o->data, o->len, &ip), 0);
	assert_true(sw_ip6_is_bubble(&ip));
	assert_memory_equal(ip.dst, dst, 16);
	sw_relay_bubble_src(&F.r, dst, ll);
	assert_memory_equal(ip.src, ll, 16);
	assert_true(sw_ip6_is_linklocal(ip.src));
}

/* 78: only Teredo destinations go over UDP. */
static void test_s78_only_teredo_destinations(void **state)
{
	uint8_t dst[16];

	(void)state;
	fix_init(&F);
	fix_native(dst, 9);
	from_ipv6(dst, 20, 1, T0);
	assert_int_equal(F.out.n, 0);
	assert_int_equal(st()->drop_dst_not_teredo, 1);
}

/* 78 / SEC-11: nothing is ever sent to an embedded IPv4 in an excluded range, neither
 * as mapping nor as server. */
static void test_sec11_nonglobal_embedded_ipv4_never_sent_to(void **state)
{
	static const uint32_t bad[] = {
		IP4(0, 0, 0, 1), IP4(0, 255, 255, 255), IP4(127, 0, 0, 1), IP4(10, 1, 2, 3),
		IP4(172, 16, 0, 1), IP4(172, 31, 255, 254), IP4(192, 168, 1, 1),
		IP4(169, 254, 1, 1), IP4(192, 88, 99, 1), IP4(224, 0, 0, 1),
		IP4(239, 255, 255, 255), IP4(255, 255, 255, 255),
	};
	uint8_t dst[16];
	uint64_t want = 0;

	(void)state;
	fix_init(&F);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fix_teredo(dst, SERVER, bad[i], 5000, 0);
		from_ipv6(dst, 20, 1, T0);
		fix_teredo(dst, bad[i], CIP, 5000, 0);
		from_ipv6(dst, 20, 1, T0);
		want += 2;
		if (F.out.n != 0 || st()->drop_dst_nonglobal != want)
			fprintf(stderr, "excluded IPv4 %08x was not dropped\n", bad[i]);
		assert_int_equal(F.out.n, 0);
		assert_int_equal(st()->drop_dst_nonglobal, want);
	}
	sw_relay_timer(&F.r, T0 + 10000, &F.out);
	assert_int_equal(F.out.n, 0);
	assert_int_equal(F.r.peers.n, 0);
}

/* 79: a trusted, valid entry sends straight to its mapping and updates last-tx. */
static void test_s79_trusted_valid_entry_direct(void **state)
{
	struct sw_peer *p;

	(void)state;
	fix_init(&F);
	make_trusted(T0);
	from_ipv6(client, 100, 0x22, T0 + 5000);
	assert_int_equal(F.out.n, 1);
	assert_int_equal(F.pkt[0].kind, SW_OUT_UDP);
	assert_int_equal(F.pkt[0].dst.ip, CIP);
	assert_int_equal(F.pkt[0].dst.port, CPORT);
	assert_int_equal(F.pkt[0].len, 140);
	assert_memory_equal(F.pkt[0].data, buf, 140);
	p = sw_peers_find(&F.r.peers, client);
	assert_non_null(p);
	assert_int_equal(p->last_tx, sw_stamp_of(T0 + 5000));
	assert_int_equal(st()->fwd_teredo, 2); /* the queued one, then this one */
}

/* 39-like for relays: an entry silent for 30 s is no longer valid: bubble again. */
static void test_s79_stale_trusted_entry_bubbles_again(void **state)
{
	(void)state;
	fix_init(&F);
	make_trusted(T0);
	from_ipv6(client, 20, 0x22, T0 + 100 + SW_PEER_VALID_MS);
	assert_int_equal(F.out.n, 1);
	assert_bubble(&F.pkt[0], client, fix_ep(SERVER, SW_TEREDO_PORT));
	assert_int_equal(st()->queued, 2);
}

/* 80: 4380 mode honours C = 1 (direct, trusted); 5991 mode (default) does not. */
static void test_s80_cone_destination(void **state)
{
	uint8_t cone[16];
	struct sw_peer *p;

	(void)state;
	fix_teredo(cone, SERVER, CIP, CPORT, SW_FLAG_CONE);
	F.cfg.honor_cone = true;
	fix_init(&F);
	from_ipv6(cone, 20, 1, T0);
	assert_int_equal(F.out.n, 1);
	assert_int_equal(F.pkt[0].dst.ip, CIP);
	assert_int_equal(F.pkt[0].dst.port, CPORT);
	assert_int_equal(F.pkt[0].len, 60);
	p = sw_peers_find(&F.r.peers, cone);
	assert_non_null(p);
	assert_true(sw_peer_trusted(p));
	fix_free(&F);

	fix_defaults(&F);
	fix_init(&F);
	from_ipv6(cone, 20, 1, T0);
	assert_int_equal(F.out.n, 1);
	assert_bubble(&F.pkt[0], cone, fix_ep(SERVER, SW_TEREDO_PORT));
}

/* 81: C = 0: untrusted entry, bubble to the embedded server:3544, repeated every 2 s,
 * 1 + 3 bubbles, then the entry and its queue go, with Destination Unreachable code 3. */
static void test_s81_bubble_retries_then_unreachable(void **state)
{
	struct sw_peer *p;
	struct sw_ip6 ip;
	uint8_t pkt[60];
	sw_time t;

	(void)state;
	fix_init(&F);
	memcpy(pkt, buf, 0);
	from_ipv6(client, 20, 0x33, T0);
	memcpy(pkt, buf, 60);
	assert_int_equal(F.out.n, 1);
	assert_bubble(&F.pkt[0], client, fix_ep(SERVER, SW_TEREDO_PORT));
	p = sw_peers_find(&F.r.peers, client);
	assert_non_null(p);
	assert_false(sw_peer_trusted(p));
	assert_int_equal(p->q.n, 1);
	for (unsigned k = 1; k <= 3; k++) {
		t = T0 + k * SW_RELAY_BUBBLE_MS;
		fix_reset(&F);
		assert_int_equal(sw_relay_next_deadline(&F.r), t);
		sw_relay_timer(&F.r, t - 1, &F.out);
		assert_int_equal(F.out.n, 0);
		sw_relay_timer(&F.r, t, &F.out);
		assert_int_equal(F.out.n, 1);
		assert_bubble(&F.pkt[0], client, fix_ep(SERVER, SW_TEREDO_PORT));
	}
	assert_int_equal(st()->bubbles_indirect, 4);
	fix_reset(&F);
	t = T0 + 4 * SW_RELAY_BUBBLE_MS;
	sw_relay_timer(&F.r, t, &F.out);
	assert_int_equal(F.out.n, 1);
	assert_int_equal(F.pkt[0].kind, SW_OUT_TUN);
	assert_int_equal(sw_ip6_parse(F.pkt[0].data, F.pkt[0].len, &ip), 0);
	assert_int_equal(ip.proto, SW_NH_ICMP6);
	assert_int_equal(ip.l4[0], SW_ICMP6_DST_UNREACH);
	assert_int_equal(ip.l4[1], SW_UNREACH_ADDR);
	assert_true(sw_icmp6_csum_ok(&ip));
	assert_memory_equal(ip.dst, host, 16);
	assert_memory_equal(ip.l4 + 8, pkt, 60); /* quotes the invoking packet */
	assert_null(sw_peers_find(&F.r.peers, client));
	assert_int_equal(F.r.pool.nfree, F.r.pool.nbufs);
	assert_int_equal(st()->peer_failed, 1);
	assert_int_equal(st()->drop_unreachable, 1);
	assert_int_equal(sw_relay_next_deadline(&F.r), SW_TIME_NEVER);
}

/* 82: the queue is bounded per peer and sent in order once the peer is trusted. */
static void test_s82_queue_bounded_and_flushed_in_order(void **state)
{
	(void)state;
	F.cfg.queue_bytes = 3 * 140;
	fix_init(&F);
	for (uint8_t i = 1; i <= 5; i++)
		from_ipv6(client, 100, i, T0 + i);
	assert_int_equal(st()->queued, 3);
	assert_int_equal(st()->drop_queue_full, 2);
	assert_int_equal(st()->bubbles_indirect, 1); /* no bubble within 2 s of the last */
	fix_reset(&F);
	client_bubble(client, fix_ep(CIP, CPORT), T0 + 500);
	assert_int_equal(F.out.n, 3);
	for (uint8_t i = 0; i < 3; i++) {
		assert_int_equal(F.pkt[i].kind, SW_OUT_UDP);
		assert_int_equal(F.pkt[i].dst.ip, CIP);
		assert_int_equal(F.pkt[i].len, 140);
		assert_int_equal(F.pkt[i].data[40], i + 1);
	}
	assert_int_equal(st()->flushed, 3);
	assert_int_equal(st()->bubbles_rx, 1);
	assert_int_equal(fix_count(&F, SW_OUT_TUN), 0); /* the bubble is consumed */
	assert_int_equal(F.r.pool.nfree, F.r.pool.nbufs);
}

/* 83: RelayType restricted: a direct bubble to the mapping as well. */
static void test_s83_restricted_sends_direct_bubble(void **state)
{
	(void)state;
	F.cfg.direct_bubbles = true;
	fix_init(&F);
	from_ipv6(client, 20, 1, T0);
	assert_int_equal(F.out.n, 2);
	assert_bubble(&F.pkt[0], client, fix_ep(SERVER, SW_TEREDO_PORT));
	assert_bubble(&F.pkt[1], client, fix_ep(CIP, CPORT));
	fix_reset(&F);
	sw_relay_timer(&F.r, T0 + SW_RELAY_BUBBLE_MS, &F.out);
	assert_int_equal(F.out.n, 2);
	assert_int_equal(st()->bubbles_direct, 2);
}

/* 84 / SEC-12: non-Teredo source, or a mapping that is not the UDP source: dropped. */
static void test_s84_sec12_spoofed_mapping_dropped(void **state)
{
	static const struct {
		uint32_t ip;
		uint16_t port;
	} from[] = {
		{CIP + 1, CPORT}, {CIP, CPORT + 1}, {SERVER, SW_TEREDO_PORT}, {CIP, 0},
	};
	uint8_t dst[16];
	size_t len;

	(void)state;
	fix_init(&F);
	fix_native(dst, 3);
	for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
		len = fix_ip6(buf, client, dst, 20, 1);
		sw_relay_udp_input(&F.r, fix_ep(from[i].ip, from[i].port), buf, len, T0, &F.out);
		assert_int_equal(F.out.n, 0);
		assert_int_equal(st()->drop_mapping, i + 1);
	}
	/* an echo service reflecting our own packet: native source */
	len = fix_ip6(buf, host, client, 20, 1);
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len, T0, &F.out);
	assert_int_equal(F.out.n, 0);
	assert_int_equal(st()->drop_src_not_teredo, 1);
	assert_int_equal(F.r.peers.n, 0);
	/* a bubble with a wrong mapping that does not answer our hashed source */
	len = fix_bubble(buf, client, dst);
	sw_relay_udp_input(&F.r, fix_ep(CIP + 1, CPORT), buf, len, T0, &F.out);
	assert_int_equal(st()->drop_mapping, 5);
	assert_int_equal(F.r.peers.n, 0);
}

/* 85: a matching packet for a known entry: trusted, last-rx updated, queue flushed,
 * and the packet itself forwarded after the queue. */
static void test_s85_known_entry_trusted_and_flushed(void **state)
{
	struct sw_peer *p;
	size_t len;

	(void)state;
	fix_init(&F);
	from_ipv6(client, 20, 0x44, T0);
	fix_reset(&F);
	len = fix_ip6(buf, client, host, 30, 0x55);
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len, T0 + 700, &F.out);
	p = sw_peers_find(&F.r.peers, client);
	assert_true(sw_peer_trusted(p));
	assert_int_equal(p->last_rx, sw_stamp_of(T0 + 700));
	assert_int_equal(F.out.n, 2);
	assert_int_equal(F.pkt[0].kind, SW_OUT_UDP);
	assert_int_equal(F.pkt[0].data[40], 0x44);
	assert_int_equal(F.pkt[1].kind, SW_OUT_TUN);
	assert_int_equal(F.pkt[1].len, 70);
	/* no bubble due: only the table's sweep step (an hour away at most) */
	assert_int_equal(sw_relay_next_deadline(&F.r), sw_peers_next_expiry(&F.r.peers));
	assert_true(sw_relay_next_deadline(&F.r) > T0 + 700 + SW_PEER_LIFETIME_MS);
	assert_true(sw_relay_next_deadline(&F.r) <= T0 + SW_PEERS_SWEEP_MS);
}

/* 86 / SEC-13 relay: destinations outside the served range are dropped. */
static void test_s86_sec13_relay_dst_not_served(void **state)
{
	uint8_t other[16], ll[16] = {0xfe, 0x80, [15] = 1}, mc[16] = {0xff, 0x02, [15] = 1};
	const uint8_t *bad[] = {other, ll, mc};
	size_t len;

	(void)state;
	fix_teredo(other, SERVER, IP4(203, 0, 113, 9), 1234, 0);
	fix_init(&F);
	for (size_t i = 0; i < 3; i++) {
		len = fix_ip6(buf, client, bad[i], 20, 1);
		sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len, T0, &F.out);
		assert_int_equal(fix_count(&F, SW_OUT_TUN), 0);
		assert_int_equal(st()->drop_not_served, i + 1);
	}
	len = fix_ip6(buf, client, host, 20, 1);
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len, T0, &F.out);
	assert_int_equal(fix_count(&F, SW_OUT_TUN), 1);
	fix_free(&F);

	/* with a served list, only those prefixes */
	fix_defaults(&F);
	fix_native(F.cfg.served[0].addr, 0);
	F.cfg.served[0].len = 120;
	F.cfg.n_served = 1;
	fix_init(&F);
	fix_native(other, 0x1ff);
	len = fix_ip6(buf, client, other, 20, 1);
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len, T0, &F.out);
	assert_int_equal(st()->drop_not_served, 1);
	len = fix_ip6(buf, client, host, 20, 1);
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len, T0, &F.out);
	assert_int_equal(fix_count(&F, SW_OUT_TUN), 1);
}

/* 86 / SEC-13 host relay: only the host's own addresses (configured or learned). */
static void test_s86_sec13_host_relay_only_own_addresses(void **state)
{
	uint8_t other[16], mine[16];
	size_t len;

	(void)state;
	F.cfg.host = true;
	fix_native(mine, 7);
	memcpy(F.cfg.served[0].addr, mine, 16);
	F.cfg.served[0].len = 128;
	F.cfg.n_served = 1;
	fix_init(&F);
	fix_native(other, 8);
	len = fix_ip6(buf, client, other, 20, 1);
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len, T0, &F.out);
	assert_int_equal(st()->drop_not_served, 1);
	len = fix_ip6(buf, client, mine, 20, 1);
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len, T0, &F.out);
	assert_int_equal(fix_count(&F, SW_OUT_TUN), 1);
	/* host (2001:db8::2) is learned when it sends through the tunnel */
	len = fix_ip6(buf, client, host, 20, 1);
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len, T0, &F.out);
	assert_int_equal(st()->drop_not_served, 2);
	from_ipv6(client, 20, 1, T0 + 1);
	len = fix_ip6(buf, client, host, 20, 1);
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len, T0 + 2, &F.out);
	assert_int_equal(fix_count(&F, SW_OUT_TUN), 2);
}

/* 87: the host relay engine configures no address of its own and announces nothing. */
static void test_s87_host_relay_has_no_teredo_address(void **state)
{
	size_t len;

	(void)state;
	F.cfg.host = true;
	fix_init(&F);
	from_ipv6(client, 20, 1, T0);
	client_bubble(client, fix_ep(CIP, CPORT), T0 + 1);
	len = fix_ip6(buf, client, host, 20, 1);
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len, T0 + 2, &F.out);
	sw_relay_timer(&F.r, T0 + 10000, &F.out);
	assert_int_equal(F.out.n_ev, 0);
	assert_int_equal(st()->fwd_ipv6, 1);
	for (size_t i = 0; i < F.out.n; i++)
		if (F.pkt[i].kind == SW_OUT_UDP) {
			struct sw_ip6 ip;

			assert_int_equal(sw_ip6_parse(F.pkt[i].data, F.pkt[i].len, &ip), 0);
			assert_false(sw_addr_is_teredo(ip.src));
		}
}

/* 88: the service socket carries everything; entries follow the client's semantics. */
static void test_s88_service_port_and_peer_semantics(void **state)
{
	struct sw_peer *p;

	(void)state;
	F.cfg.sock = 3;
	fix_init(&F);
	from_ipv6(client, 20, 1, T0);
	assert_int_equal(F.pkt[0].sock, 3);
	p = sw_peers_find(&F.r.peers, client);
	assert_int_equal(sw_stamp_age(T0, p->last_rx), SW_PEER_VALID_MS);
	assert_int_equal(p->last_tx, sw_stamp_of(T0));
	assert_int_equal(p->bubbles, 1);
	make_trusted(T0 + 50000);
	from_ipv6(client, 20, 1, T0 + 51000);
	assert_int_equal(F.pkt[0].sock, 3);
}

/* SEC-6: a flood of new destinations never evicts a trusted, active peer. */
static void test_sec6_table_full_keeps_trusted_peers(void **state)
{
	uint8_t dst[16];

	(void)state;
	F.cfg.max_peers = 8;
	fix_init(&F);
	for (uint16_t i = 0; i < 8; i++) {
		fix_teredo(dst, SERVER, CIP, (uint16_t)(1000 + i), 0);
		from_ipv6(dst, 20, 1, T0);
		client_bubble(dst, fix_ep(CIP, (uint16_t)(1000 + i)), T0 + 10);
	}
	assert_int_equal(F.r.peers.n, 8);
	assert_int_equal(st()->trusted, 8);
	for (uint16_t i = 0; i < 1000; i++) {
		fix_reset(&F);
		fix_teredo(dst, SERVER, IP4(192, 0, 2, 1), (uint16_t)(2000 + i), 0);
		from_ipv6(dst, 20, 1, T0 + 1000);
	}
	assert_int_equal(st()->table_full, 1000);
	assert_int_equal(st()->drop_no_entry, 1000);
	for (uint16_t i = 0; i < 8; i++) {
		fix_teredo(dst, SERVER, CIP, (uint16_t)(1000 + i), 0);
		assert_non_null(sw_peers_find(&F.r.peers, dst));
	}
	/* once they fall silent for 30 s, newcomers get their slots */
	fix_teredo(dst, SERVER, IP4(192, 0, 2, 1), 5000, 0);
	from_ipv6(dst, 20, 1, T0 + 10 + SW_PEER_VALID_MS);
	assert_non_null(sw_peers_find(&F.r.peers, dst));
}

/* SEC-6: datagrams from clients the relay never sent to (spoofable) make no entry, so
 * they can neither fill the table nor displace anybody; they are still forwarded. */
static void test_sec6_unknown_clients_make_no_entry(void **state)
{
	uint8_t src[16];
	size_t len;

	(void)state;
	F.cfg.max_peers = 8;
	fix_init(&F);
	make_trusted(T0);
	for (uint16_t i = 0; i < 1000; i++) {
		fix_reset(&F);
		fix_teredo(src, SERVER, IP4(192, 0, 2, 1), (uint16_t)(2000 + i), 0);
		len = fix_ip6(buf, src, host, 20, 1);
		sw_relay_udp_input(&F.r, fix_ep(IP4(192, 0, 2, 1), (uint16_t)(2000 + i)), buf, len,
				   T0 + 200, &F.out);
		assert_int_equal(fix_count(&F, SW_OUT_TUN), 1);
	}
	assert_int_equal(F.r.peers.n, 1);
	assert_int_equal(st()->rx_no_entry, 1000);
	fix_reset(&F);
	from_ipv6(client, 20, 1, T0 + 300);
	assert_int_equal(F.pkt[0].dst.port, CPORT); /* still trusted: straight out */
}

/* SEC-8: state for untrusted peers is bounded: per-peer queue and the shared pool. */
static void test_sec8_untrusted_state_bounded(void **state)
{
	uint8_t dst[16];

	(void)state;
	F.cfg.queue_bufs = 4;
	F.cfg.queue_bytes = 140;
	F.cfg.max_peers = 16;
	fix_init(&F);
	for (uint16_t i = 0; i < 100; i++) {
		fix_teredo(dst, SERVER, CIP, (uint16_t)(3000 + i), 0);
		fix_reset(&F);
		from_ipv6(dst, 100, 1, T0);
		from_ipv6(dst, 100, 2, T0); /* over the per-peer bound */
		assert_true(F.r.peers.n <= 16);
		assert_true(F.r.pool.nbufs - F.r.pool.nfree <= 4);
	}
	assert_int_equal(st()->queued + st()->drop_queue_full, 200);
	assert_true(st()->drop_queue_full >= 100);
	assert_true(F.r.pool.dropped_big > 0);  /* per-peer bound hit */
	assert_true(F.r.pool.dropped_full > 0); /* shared pool bound hit */
}

/* SEC-14: what goes to the IPv6 side carries the client's own Teredo source, unchanged. */
static void test_sec14_forwarded_packet_unchanged(void **state)
{
	size_t len;

	(void)state;
	fix_init(&F);
	len = fix_ip6(buf, client, host, 200, 0x66);
	memcpy(buf + len, "\x01\x04\x01\x02\x03\x04", 6); /* a nonce trailer after it */
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len + 6, T0, &F.out);
	assert_int_equal(F.out.n, 1);
	assert_int_equal(F.pkt[0].kind, SW_OUT_TUN);
	assert_int_equal(F.pkt[0].len, len);
	assert_memory_equal(F.pkt[0].data, buf, len);
	assert_memory_equal(F.pkt[0].data + 8, client, 16);
}

/* Packets too big for the Teredo link: ICMPv6 Packet Too Big (MTU 1280), rate-limited. */
static void test_ptb_and_icmp_rate_limit(void **state)
{
	struct sw_ip6 ip;

	(void)state;
	F.cfg.icmp_rate = 1;
	F.cfg.icmp_burst = 2;
	fix_init(&F);
	from_ipv6(client, 1400, 1, T0);
	assert_int_equal(F.out.n, 1);
	assert_int_equal(sw_ip6_parse(F.pkt[0].data, F.pkt[0].len, &ip), 0);
	assert_int_equal(ip.l4[0], SW_ICMP6_PKT_TOO_BIG);
	assert_int_equal(ip.l4[4] << 24 | ip.l4[5] << 16 | ip.l4[6] << 8 | ip.l4[7], 1280);
	assert_true(ip.len <= 1280);
	from_ipv6(client, 1400, 1, T0);
	from_ipv6(client, 1400, 1, T0);
	assert_int_equal(st()->icmp_ptb, 2);
	assert_int_equal(st()->icmp_limited, 1);
	assert_int_equal(st()->drop_too_big, 3);
	from_ipv6(client, 1400, 1, T0 + 1000);
	assert_int_equal(st()->icmp_ptb, 3);
	assert_int_equal(F.r.peers.n, 0);
}

/* Forged packets to many fake clients of one "server" (a third party's port 3544) get
 * only a bounded number of bubbles towards it; the retry cycle still ends in time. */
static void test_bubbles_rate_limited_per_server(void **state)
{
	uint8_t dst[16];

	(void)state;
	F.cfg.bubble_rate = 1;
	F.cfg.bubble_burst = 2;
	fix_init(&F);
	for (uint16_t i = 0; i < 5; i++) {
		fix_teredo(dst, SERVER, CIP, (uint16_t)(7000 + i), 0);
		from_ipv6(dst, 20, 1, T0);
	}
	fix_teredo(dst, IP4(198, 51, 100, 99), CIP, 7100, 0); /* another server: its own bucket */
	from_ipv6(dst, 20, 1, T0);
	assert_int_equal(st()->bubbles_indirect, 3);
	assert_int_equal(st()->bubbles_limited, 3);
	assert_int_equal(sw_relay_next_deadline(&F.r), T0 + SW_RELAY_BUBBLE_MS);
	for (sw_time t = T0; t <= T0 + 4 * SW_RELAY_BUBBLE_MS; t += SW_RELAY_BUBBLE_MS)
		sw_relay_timer(&F.r, t, &F.out);
	assert_int_equal(F.r.peers.n, 0);
	assert_int_equal(st()->peer_failed, 6);
	assert_true(st()->bubbles_indirect <= 3 + 8 + 4); /* 1/s per server over 8 s, + the other */
}

/* InterfaceMTU above 1280: up to it, packets go out; beyond, Packet Too Big says it. */
static void test_ptb_follows_interface_mtu(void **state)
{
	struct sw_ip6 ip;

	(void)state;
	F.cfg.mtu = 1400;
	fix_init(&F);
	make_trusted(T0);
	from_ipv6(client, 1360, 1, T0 + 200);
	assert_int_equal(F.out.n, 1);
	assert_int_equal(F.pkt[0].kind, SW_OUT_UDP);
	assert_int_equal(F.pkt[0].len, 1400);
	fix_reset(&F);
	from_ipv6(client, 1361, 1, T0 + 200);
	assert_int_equal(F.out.n, 1);
	assert_int_equal(sw_ip6_parse(F.pkt[0].data, F.pkt[0].len, &ip), 0);
	assert_int_equal(ip.l4[0], SW_ICMP6_PKT_TOO_BIG);
	assert_int_equal(ip.l4[4] << 24 | ip.l4[5] << 16 | ip.l4[6] << 8 | ip.l4[7], 1400);
}

/* A client behind a symmetric NAT answers our indirect bubble from another port: the
 * hashed bubble source proves it saw our bubble (Miredo's stateless check). */
static void test_symmetric_client_answer_accepted(void **state)
{
	struct sw_peer *p;
	size_t len;

	(void)state;
	fix_init(&F);
	from_ipv6(client, 20, 0x77, T0);
	fix_reset(&F);
	client_bubble(client, fix_ep(CIP, 50000), T0 + 300);
	assert_int_equal(F.out.n, 1);
	assert_int_equal(F.pkt[0].dst.port, 50000);
	p = sw_peers_find(&F.r.peers, client);
	assert_true(sw_peer_trusted(p));
	fix_reset(&F);
	len = fix_ip6(buf, client, host, 20, 1);
	sw_relay_udp_input(&F.r, fix_ep(CIP, 50000), buf, len, T0 + 400, &F.out);
	assert_int_equal(fix_count(&F, SW_OUT_TUN), 1);
	sw_relay_udp_input(&F.r, fix_ep(CIP, 50001), buf, len, T0 + 400, &F.out);
	assert_int_equal(st()->drop_mapping, 1);
	fix_free(&F);

	fix_defaults(&F); /* off: dropped */
	F.cfg.accept_symmetric = false;
	fix_init(&F);
	from_ipv6(client, 20, 0x77, T0);
	client_bubble(client, fix_ep(CIP, 50000), T0 + 300);
	assert_int_equal(st()->drop_mapping, 1);
}

/* Zero-copy: outputs point into the caller's buffers. */
static void test_zero_copy_refs_input(void **state)
{
	size_t len;

	(void)state;
	F.cfg.zero_copy = true;
	fix_init(&F);
	make_trusted(T0);
	from_ipv6(client, 20, 1, T0 + 200);
	assert_ptr_equal(F.pkt[0].data, buf);
	fix_reset(&F);
	len = fix_ip6(buf, client, host, 20, 1);
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len, T0 + 300, &F.out);
	assert_ptr_equal(F.pkt[0].data, buf);
	assert_int_equal(F.out.used, 0);
}

/* Malformed input of every kind is dropped and counted. */
static void test_malformed_dropped(void **state)
{
	size_t len;

	(void)state;
	fix_init(&F);
	sw_relay_tun_input(&F.r, buf, 10, T0, &F.out);
	assert_int_equal(st()->drop_tun_malformed, 1);
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), (const uint8_t *)"\x12\x34", 2, T0, &F.out);
	assert_int_equal(st()->drop_malformed, 1);
	len = fix_ip6(buf, client, host, 20, 1);
	buf[len] = 0x41; /* unknown trailer, top bits 01: discard */
	buf[len + 1] = 0;
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len + 2, T0, &F.out);
	assert_int_equal(st()->drop_trailer, 1);
	memmove(buf + 13, buf, len);
	memcpy(buf, "\x00\x01\x00\x00\x01\x02\x03\x04\x05\x06\x07\x08\x00", 13);
	sw_relay_udp_input(&F.r, fix_ep(CIP, CPORT), buf, len + 13, T0, &F.out);
	assert_int_equal(st()->drop_encap, 1);
	assert_int_equal(F.out.n, 0);
}

static void test_stats_names(void **state)
{
	struct sw_stat s[64];
	size_t n;

	(void)state;
	fix_init(&F);
	n = sw_relay_stats(&F.r, s, 64);
	assert_true(n > 30);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(s[i].name);
		assert_non_null(s[i].help);
		assert_memory_equal(s[i].name, "relay_", 6);
	}
	assert_int_equal(sw_relay_stats(&F.r, s, 3), 3);
}

/* The peer table's wraparound guarantee seen from the relay: a trusted client that goes
 * silent is swept by the relay's own timer long before its 32-bit stamps wrap, so 2^32 ms
 * later (when its stamps would read "just now") a packet for it starts with bubbles
 * again instead of going straight to a stale mapping. */
static void test_sec6_silent_peer_swept_before_stamp_wrap(void **state)
{
	sw_time now = T0 + 100, end = T0 + W32 + 100;
	size_t steps = 0;

	(void)state;
	fix_init(&F);
	make_trusted(T0);
	assert_true(sw_peer_trusted(sw_peers_find(&F.r.peers, client)));
	while (now < end && steps < 5000) {
		now = sw_relay_next_deadline(&F.r);
		if (now == SW_TIME_NEVER || now > end)
			now = end;
		sw_relay_timer(&F.r, now, &F.out);
		fix_reset(&F);
		steps++;
	}
	print_message("  %zu timer calls over 49.7 days\n", steps);
	assert_true(steps < 2000);
	assert_null(sw_peers_find(&F.r.peers, client));
	assert_int_equal(F.r.peers.stats.expired, 1);
	assert_int_equal(sw_relay_next_deadline(&F.r), SW_TIME_NEVER);
	from_ipv6(client, 20, 0x66, end);
	assert_int_equal(F.out.n, 1);
	assert_bubble(&F.pkt[0], client, fix_ep(SERVER, SW_TEREDO_PORT));
	assert_int_equal(st()->fwd_teredo, 1); /* only the first, queued packet of make_trusted */
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_s78_only_teredo_destinations),
		T(test_sec6_silent_peer_swept_before_stamp_wrap),
		T(test_sec11_nonglobal_embedded_ipv4_never_sent_to),
		T(test_s79_trusted_valid_entry_direct),
		T(test_s79_stale_trusted_entry_bubbles_again),
		T(test_s80_cone_destination),
		T(test_s81_bubble_retries_then_unreachable),
		T(test_s82_queue_bounded_and_flushed_in_order),
		T(test_s83_restricted_sends_direct_bubble),
		T(test_s84_sec12_spoofed_mapping_dropped),
		T(test_s85_known_entry_trusted_and_flushed),
		T(test_s86_sec13_relay_dst_not_served),
		T(test_s86_sec13_host_relay_only_own_addresses),
		T(test_s87_host_relay_has_no_teredo_address),
		T(test_s88_service_port_and_peer_semantics),
		T(test_sec6_table_full_keeps_trusted_peers),
		T(test_sec6_unknown_clients_make_no_entry),
		T(test_sec8_untrusted_state_bounded),
		T(test_sec14_forwarded_packet_unchanged),
		T(test_ptb_and_icmp_rate_limit),
		T(test_ptb_follows_interface_mtu),
		T(test_bubbles_rate_limited_per_server),
		T(test_symmetric_client_answer_accepted),
		T(test_zero_copy_refs_input),
		T(test_malformed_dropped),
		T(test_stats_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
