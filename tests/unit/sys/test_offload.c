/* sys/offload: TCP/IPv6 superpackets split into segments and joined back, partial
 * checksums finished; every checksum checked with wire/csum (an independent sum). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sys/offload.h"
#include "wire/csum.h"

#define SLOT 2048
#define MAXSEG 64

static uint8_t super[SW_OFFLOAD_MAX + 64];
static uint8_t segs[MAXSEG * SLOT];
static uint16_t lens[MAXSEG];

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* IPv6/TCP from 2001:db8::1 port 5000 to 2001:0:c633:6401::1 port 80, seq 1000, with a
 * 12-byte timestamp option when opts, `flags`, payload bytes i*7+3; the checksum field holds
 * the pseudo-header partial sum as the kernel leaves it. Returns the length. */
static size_t build(uint8_t *p, size_t payload, uint8_t flags, bool opts)
{
	size_t doff = opts ? 32 : 20, len = 40 + doff + payload;
	uint8_t *t = p + 40;

	memset(p, 0, 40 + doff);
	p[0] = 0x60;
	p[4] = (uint8_t)((len - 40) >> 8);
	p[5] = (uint8_t)(len - 40);
	p[6] = 6;
	p[7] = 64;
	p[8] = 0x20, p[9] = 0x01, p[10] = 0x0d, p[11] = 0xb8, p[23] = 1;
	p[24] = 0x20, p[25] = 0x01, p[28] = 0xc6, p[29] = 0x33, p[30] = 0x64, p[31] = 0x01;
	p[39] = 1;
	t[0] = 0x13, t[1] = 0x88, t[2] = 0, t[3] = 80;
	t[4] = 0, t[5] = 0, t[6] = 0x03, t[7] = 0xe8; /* seq 1000 */
	t[8] = 0, t[9] = 0, t[10] = 0x10, t[11] = 0; /* ack 4096 */
	t[12] = (uint8_t)((doff / 4) << 4);
	t[13] = flags;
	t[14] = 0xff, t[15] = 0xff;
	if (opts) {
		t[20] = 1, t[21] = 1, t[22] = 8, t[23] = 10;
		memset(t + 24, 0x5a, 8);
	}
	for (size_t i = 0; i < payload; i++)
		p[40 + doff + i] = (uint8_t)(i * 7 + 3);
	return len;
}

/* A valid checksum on a whole packet, as wire/csum checks it. */
static bool tcp_ok(const uint8_t *p, size_t len)
{
	return sw_csum_ip6(p + 8, p + 24, 6, p + 40, len - 40) == 0;
}

static void set_full_csum(uint8_t *p, size_t len)
{
	uint16_t c;

	p[56] = p[57] = 0;
	c = sw_csum_ip6(p + 8, p + 24, 6, p + 40, len - 40);
	p[56] = (uint8_t)(c >> 8);
	p[57] = (uint8_t)c;
}

static struct sw_vnet gso(uint16_t size)
{
	return (struct sw_vnet){.flags = SW_VNET_F_NEEDS_CSUM, .gso_type = SW_VNET_GSO_TCPV6,
				.hdr_len = 72, .gso_size = size, .csum_start = 40,
				.csum_offset = 16};
}

static void check_segments(const uint8_t *p, size_t len, size_t hl, uint16_t g, int n,
			   uint8_t flags)
{
	size_t payload = len - hl;

	for (int i = 0; i < n; i++) {
		const uint8_t *s = segs + (size_t)i * SLOT;
		size_t chunk = payload - (size_t)i * g < g ? payload - (size_t)i * g : g;
		uint8_t want = flags;

		if (i + 1 < n)
			want &= (uint8_t)~0x09; /* FIN, PSH: last only */
		if (i > 0)
			want &= (uint8_t)~0x80; /* CWR: first only */
		if (lens[i] != hl + chunk || !tcp_ok(s, lens[i]) ||
		    rd32(s + 44) != 1000u + (uint32_t)i * g || s[53] != want)
			print_error("segment %d of %d (payload %zu, gso %u): len %u seq %u flags "
				    "%#x csum %s\n", i, n, payload, g, lens[i], rd32(s + 44), s[53],
				    tcp_ok(s, lens[i]) ? "ok" : "bad");
		assert_int_equal(lens[i], hl + chunk);
		assert_int_equal((s[4] << 8 | s[5]), hl - 40 + chunk);
		assert_int_equal(rd32(s + 44), 1000u + (uint32_t)i * g);
		assert_int_equal(s[53], want);
		assert_true(tcp_ok(s, lens[i]));
		assert_memory_equal(s + hl, p + hl + (size_t)i * g, chunk);
		assert_memory_equal(s + 8, p + 8, 32);
	}
}

/* Superpackets of several sizes (odd payloads, exact multiples, one short segment) split
 * into segments of gso_size with fixed lengths, sequence numbers, flags and checksums. */
static void test_offload_split_table(void **state)
{
	static const struct {
		size_t payload;
		uint16_t gso;
		bool opts;
		uint8_t flags;
		int want;
	} t[] = {
		{5000, 1200, true, 0x19, 5},  {2400, 1200, false, 0x18, 2}, {1, 1200, true, 0x10, 1},
		{65000, 1208, true, 0x98, 54}, {1221, 1220, false, 0x11, 2}, {777, 100, false, 0x18, 8},
		{0, 1200, false, 0x11, 1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t len = build(super, t[i].payload, t[i].flags, t[i].opts);
		size_t hl = t[i].opts ? 72 : 60;
		struct sw_vnet h = gso(t[i].gso);
		int n = sw_offload_count(&h, super, len, SLOT);

		if (n != t[i].want)
			print_error("case %zu: payload %zu gso %u: %d segments\n", i, t[i].payload,
				    t[i].gso, n);
		assert_int_equal(n, t[i].want);
		assert_int_equal(sw_offload_split(&h, super, len, 0, MAXSEG, segs, SLOT, lens), n);
		check_segments(super, len, hl, t[i].gso, n, t[i].flags);
	}
}

/* A superpacket split a few segments at a time gives the same segments as all at once. */
static void test_offload_split_in_pieces(void **state)
{
	size_t len = build(super, 6000, 0x19, true);
	struct sw_vnet h = gso(1000);
	static uint8_t whole[8 * SLOT];

	(void)state;
	assert_int_equal(sw_offload_split(&h, super, len, 0, MAXSEG, segs, SLOT, lens), 6);
	memcpy(whole, segs, sizeof(whole));
	for (size_t first = 0; first < 6; first += 4) {
		int k = sw_offload_split(&h, super, len, first, 4, segs, SLOT, lens);

		assert_int_equal(k, first == 0 ? 4 : 2);
		for (int j = 0; j < k; j++)
			assert_memory_equal(segs + (size_t)j * SLOT, whole + (first + (size_t)j) * SLOT,
					    lens[j]);
	}
	assert_int_equal(sw_offload_split(&h, super, len, 6, 4, segs, SLOT, lens), 0);
}

/* Malformed headers and superpackets are refused, never read past their end. */
static void test_offload_bounds(void **state)
{
	size_t len = build(super, 3000, 0x10, true);
	struct sw_vnet h = gso(1200), b;

	(void)state;
	assert_int_equal(sw_offload_count(&h, super, 59, SLOT), -EINVAL); /* no TCP header */
	assert_int_equal(sw_offload_count(&h, super, 70, SLOT), -EINVAL); /* options cut */
	b = h, b.gso_size = 0;
	assert_int_equal(sw_offload_count(&b, super, len, SLOT), -EINVAL);
	b = h, b.gso_type = 1; /* TCPv4 */
	assert_int_equal(sw_offload_count(&b, super, len, SLOT), -EPROTONOSUPPORT);
	b = h, b.gso_type = SW_VNET_GSO_UDP_L4; /* UDP, but the checksum field of TCP */
	assert_int_equal(sw_offload_count(&b, super, len, SLOT), -EINVAL);
	b = h, b.gso_size = 2000; /* 72 + 2000 > one slot */
	assert_int_equal(sw_offload_count(&b, super, len, SLOT), -EMSGSIZE);
	b = h, b.csum_start = 30;
	assert_int_equal(sw_offload_count(&b, super, len, SLOT), -EINVAL);
	b = h, b.csum_start = (uint16_t)(len - 10);
	assert_int_equal(sw_offload_count(&b, super, len, SLOT), -EINVAL);
	b = h, b.csum_offset = 6;
	assert_int_equal(sw_offload_count(&b, super, len, SLOT), -EINVAL);
	assert_int_equal(sw_offload_split(&b, super, len, 0, MAXSEG, segs, SLOT, lens), -EINVAL);
	super[52] = 0x40; /* doff 16 bytes */
	assert_int_equal(sw_offload_count(&h, super, len, SLOT), -EINVAL);
	super[52] = 0xf0; /* doff 60 bytes: fits in the packet */
	assert_int_equal(sw_offload_count(&h, super, len, SLOT), 3);
	super[0] = 0x45;
	assert_int_equal(sw_offload_count(&h, super, len, SLOT), -EINVAL);
	/* without GSO: one packet, if it fits a slot */
	b = (struct sw_vnet){0};
	assert_int_equal(sw_offload_count(&b, super, 1500, SLOT), 1);
	assert_int_equal(sw_offload_count(&b, super, 3000, SLOT), -EMSGSIZE);
	assert_int_equal(sw_offload_count(&b, super, 20, SLOT), -EINVAL);
}

/* A partial checksum (the pseudo-header sum in the field) is finished in place. */
static void test_offload_csum_partial(void **state)
{
	uint8_t p[100] = {0};
	struct sw_vnet h = {.flags = SW_VNET_F_NEEDS_CSUM, .csum_start = 40, .csum_offset = 6};
	uint32_t sum = 0;
	uint16_t c;

	(void)state;
	p[0] = 0x60, p[5] = 60, p[6] = 17, p[8] = 0x20, p[23] = 9, p[24] = 0x20, p[39] = 7;
	p[40] = 0x12, p[42] = 0x34, p[45] = 60;
	for (int i = 48; i < 100; i++)
		p[i] = (uint8_t)(i * 13);
	/* the kernel's partial value: the pseudo-header sum, folded, not inverted */
	sum = sw_csum_partial(p + 8, 32, 0) + 60 + 17;
	c = (uint16_t)~sw_csum_fold(sum);
	p[46] = (uint8_t)(c >> 8), p[47] = (uint8_t)c;
	assert_int_equal(sw_offload_csum(&h, p, sizeof(p)), 0);
	assert_int_equal(sw_csum_ip6(p + 8, p + 24, 17, p + 40, 60), 0);
	h.csum_offset = 59; /* odd, and past the end */
	assert_int_equal(sw_offload_csum(&h, p, sizeof(p)), -EINVAL);
	h.csum_offset = 60;
	assert_int_equal(sw_offload_csum(&h, p, sizeof(p)), -EINVAL);
	h.csum_start = 20, h.csum_offset = 6;
	assert_int_equal(sw_offload_csum(&h, p, sizeof(p)), -EINVAL);
	h.flags = 0; /* nothing to do */
	assert_int_equal(sw_offload_csum(&h, p, sizeof(p)), 0);
}

/* Segments joined back make the superpacket they came from (but its partial checksum and
 * the header saying how to split it), and splitting that again gives the same segments. */
static void test_offload_gro_round_trip(void **state)
{
	static uint8_t gbuf[SW_OFFLOAD_MAX], first[MAXSEG * SLOT];
	uint16_t first_len[MAXSEG];
	size_t len = build(super, 6100, 0x18, true);
	struct sw_vnet h = gso(1200), out;
	struct sw_gro g = {.buf = gbuf};
	int n = sw_offload_split(&h, super, len, 0, MAXSEG, segs, SLOT, lens);

	(void)state;
	assert_int_equal(n, 6);
	memcpy(first, segs, sizeof(first));
	memcpy(first_len, lens, sizeof(first_len));
	for (int i = 0; i < n; i++)
		assert_true(sw_gro_add(&g, first + (size_t)i * SLOT, first_len[i]));
	assert_int_equal(g.n, 6);
	assert_true(g.closed);
	assert_int_equal(g.len, len);
	sw_gro_finish(&g, &out);
	assert_int_equal(out.gso_type, SW_VNET_GSO_TCPV6);
	assert_int_equal(out.gso_size, 1200);
	assert_int_equal(out.csum_start, 40);
	assert_int_equal(out.csum_offset, 16);
	assert_int_equal(out.flags, SW_VNET_F_NEEDS_CSUM);
	assert_memory_equal(gbuf, super, 56);
	assert_memory_equal(gbuf + 58, super + 58, len - 58);
	assert_int_equal(sw_offload_split(&out, gbuf, g.len, 0, MAXSEG, segs, SLOT, lens), n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(lens[i], first_len[i]);
		assert_memory_equal(segs + (size_t)i * SLOT, first + (size_t)i * SLOT, lens[i]);
	}
}

/* What may not be joined is not: another flow, a gap, a bad checksum, other flags or
 * options, a segment after a short or PSH one, a segment larger than the first. */
static void test_offload_gro_refuses(void **state)
{
	static uint8_t gbuf[SW_OFFLOAD_MAX], a[2000], b[2000];
	struct sw_gro g = {.buf = gbuf};
	struct sw_vnet h;
	size_t la = build(a, 1000, 0x10, true), lb;

	(void)state;
	set_full_csum(a, la);
	assert_true(sw_gro_add(&g, a, la));
#define NEXT(mod)                                                                            \
	do {                                                                                  \
		lb = build(b, 1000, 0x10, true);                                               \
		b[47] = 0xd0, b[46] = 0x07; /* seq 1000 + 1000 = 0x07d0 */                   \
		mod;                                                                           \
		set_full_csum(b, lb);                                                          \
	} while (0)
	NEXT(b[41] = 0x89); /* another source port */
	assert_false(sw_gro_add(&g, b, lb));
	NEXT(b[47] = 0xd1); /* a gap */
	assert_false(sw_gro_add(&g, b, lb));
	NEXT(b[53] = 0x11); /* FIN */
	assert_false(sw_gro_add(&g, b, lb));
	NEXT(b[70] = 0x5b); /* another timestamp */
	assert_false(sw_gro_add(&g, b, lb));
	NEXT(b[50] = 1); /* another ack number */
	assert_false(sw_gro_add(&g, b, lb));
	NEXT((void)0);
	b[100] ^= 1; /* corrupted after the checksum */
	assert_false(sw_gro_add(&g, b, lb));
	b[100] ^= 1;
	assert_true(sw_gro_add(&g, b, lb)); /* the right one */
	assert_int_equal(g.n, 2);
	/* a longer one than the first segment never joins */
	lb = build(b, 1001, 0x10, true);
	b[46] = 0x0b, b[47] = 0xb8; /* 3000 */
	set_full_csum(b, lb);
	assert_false(sw_gro_add(&g, b, lb));
	/* a shorter one closes the superpacket */
	lb = build(b, 500, 0x10, true);
	b[46] = 0x0b, b[47] = 0xb8;
	set_full_csum(b, lb);
	assert_true(sw_gro_add(&g, b, lb));
	assert_true(g.closed);
	lb = build(b, 500, 0x10, true);
	b[46] = 0x0d, b[47] = 0xac; /* 3500 */
	set_full_csum(b, lb);
	assert_false(sw_gro_add(&g, b, lb));
	sw_gro_finish(&g, &h);
	assert_int_equal(h.gso_size, 1000);
	assert_int_equal(g.len, 72 + 2500);
	/* never started by a packet that is not a checksummed TCP segment with data */
	g.len = 0;
	lb = build(b, 0, 0x10, false);
	set_full_csum(b, lb);
	assert_false(sw_gro_add(&g, b, lb));
	lb = build(b, 10, 0x02, false); /* SYN */
	set_full_csum(b, lb);
	assert_false(sw_gro_add(&g, b, lb));
	lb = build(b, 10, 0x10, false);
	assert_false(sw_gro_add(&g, b, lb)); /* partial checksum only */
	set_full_csum(b, lb);
	assert_false(sw_gro_add(&g, b, lb - 1)); /* length disagrees with the header */
	assert_true(sw_gro_add(&g, b, lb));
	sw_gro_finish(&g, &h); /* one packet: written as it is */
	assert_int_equal(h.gso_type, SW_VNET_GSO_NONE);
	assert_true(tcp_ok(gbuf, g.len));
}

/* IPv6/UDP from 2001:db8::1 port 5000 to 2001:0:c633:6401::1 port 53 with a payload of
 * bytes i*5+1, its checksum complete. */
static size_t build_udp(uint8_t *p, size_t payload, uint16_t len_field)
{
	size_t len = 48 + payload;
	uint16_t c;

	memset(p, 0, 48);
	p[0] = 0x60;
	p[4] = (uint8_t)((len - 40) >> 8), p[5] = (uint8_t)(len - 40);
	p[6] = 17, p[7] = 64;
	p[8] = 0x20, p[9] = 0x01, p[10] = 0x0d, p[11] = 0xb8, p[23] = 1;
	p[24] = 0x20, p[25] = 0x01, p[28] = 0xc6, p[29] = 0x33, p[30] = 0x64, p[31] = 0x01;
	p[39] = 1;
	p[40] = 0x13, p[41] = 0x88, p[43] = 53;
	p[44] = (uint8_t)(len_field >> 8), p[45] = (uint8_t)len_field;
	for (size_t i = 0; i < payload; i++)
		p[48 + i] = (uint8_t)(i * 5 + 1);
	c = sw_csum_ip6(p + 8, p + 24, 17, p + 40, len - 40);
	p[46] = (uint8_t)(c >> 8), p[47] = (uint8_t)c;
	return len;
}

/* UDP datagrams of one flow join into a UDP superpacket (at most SW_GRO_UDP_SEGS), which
 * splits back into the same datagrams with their own lengths and checksums. */
static void test_offload_udp_round_trip(void **state)
{
	static uint8_t gbuf[SW_OFFLOAD_MAX], first[MAXSEG * SLOT];
	uint8_t d[1500];
	struct sw_gro g = {.buf = gbuf};
	struct sw_vnet h;
	size_t len;
	int n;

	(void)state;
	for (int i = 0; i < 70; i++) {
		len = build_udp(d, i == 69 ? 40 : 100, (uint16_t)(i == 69 ? 48 : 108));
		if (i < MAXSEG)
			memcpy(first + (size_t)i * SLOT, d, len);
		if (i < SW_GRO_UDP_SEGS)
			assert_true(sw_gro_add(&g, d, len));
		else
			assert_false(sw_gro_add(&g, d, len));
	}
	assert_int_equal(g.n, SW_GRO_UDP_SEGS);
	sw_gro_finish(&g, &h);
	assert_int_equal(h.gso_type, SW_VNET_GSO_UDP_L4);
	assert_int_equal(h.gso_size, 100);
	assert_int_equal(h.csum_offset, 6);
	assert_int_equal(g.len, 48 + 100 * SW_GRO_UDP_SEGS);
	assert_int_equal(sw_offload_count(&h, gbuf, g.len, SLOT), SW_GRO_UDP_SEGS);
	n = sw_offload_split(&h, gbuf, g.len, 0, MAXSEG, segs, SLOT, lens);
	assert_int_equal(n, SW_GRO_UDP_SEGS);
	for (int i = 0; i < n; i++) {
		assert_int_equal(lens[i], 148);
		assert_memory_equal(segs + (size_t)i * SLOT, first + (size_t)i * SLOT, 148);
	}
	/* a shorter last datagram, another port, a bad checksum, a UDP length that lies */
	g.len = 0;
	len = build_udp(d, 100, 108);
	assert_true(sw_gro_add(&g, d, len));
	len = build_udp(d, 100, 108);
	d[41] = 0x89;
	assert_false(sw_gro_add(&g, d, len));
	len = build_udp(d, 100, 108);
	d[60] ^= 1;
	assert_false(sw_gro_add(&g, d, len));
	len = build_udp(d, 100, 100);
	assert_false(sw_gro_add(&g, d, len));
	len = build_udp(d, 30, 38);
	assert_true(sw_gro_add(&g, d, len));
	assert_true(g.closed);
	sw_gro_finish(&g, &h);
	n = sw_offload_split(&h, gbuf, g.len, 0, MAXSEG, segs, SLOT, lens);
	assert_int_equal(n, 2);
	assert_int_equal(lens[1], 78);
	assert_int_equal(sw_csum_ip6(segs + SLOT + 8, segs + SLOT + 24, 17, segs + SLOT + 40, 38), 0);
	assert_int_equal(segs[SLOT + 45], 38);
	/* with UDP joining off, UDP never starts a superpacket */
	g = (struct sw_gro){.buf = gbuf, .no_udp = true};
	len = build_udp(d, 100, 108);
	assert_false(sw_gro_add(&g, d, len));
}

static void test_vnet_header_round_trip(void **state)
{
	struct sw_vnet a = {.flags = 1, .gso_type = 4, .hdr_len = 72, .gso_size = 1208,
			    .csum_start = 40, .csum_offset = 16}, b;
	uint8_t raw[SW_VNET_HLEN];

	(void)state;
	sw_vnet_encode(raw, &a);
	raw[1] |= SW_VNET_GSO_ECN;
	sw_vnet_decode(raw, &b);
	assert_memory_equal(&a, &b, sizeof(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offload_split_table),
		cmocka_unit_test(test_offload_split_in_pieces),
		cmocka_unit_test(test_offload_bounds),
		cmocka_unit_test(test_offload_csum_partial),
		cmocka_unit_test(test_offload_gro_round_trip),
		cmocka_unit_test(test_offload_gro_refuses),
		cmocka_unit_test(test_offload_udp_round_trip),
		cmocka_unit_test(test_vnet_header_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
