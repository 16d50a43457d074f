/* Unit tests of wire/ip6: header validation, extension chain bound, bubbles. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vec_hex.h"
#include "wire/ip6.h"

static const char *a2 = "60 00 00 00 00 00 3b ff 20 01 00 00 c6 33 64 76 00 00 df ff 3f ff fd f5"
			" 20 01 00 00 cb 00 71 78 00 00 ef ff 3f ff fd fe";
static const char *a8 = "60 00 00 00 00 00 3b 01 20 01 00 00 c6 33 64 76 00 00 df ff 3f ff fd f5"
			" ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 01";

static void test_a2_bubble(void **state)
{
	uint8_t want[64], got[64], e1[16], e2[16];
	size_t n = vec_hex(a2, want, sizeof want);
	struct sw_ip6 ip;
	(void)state;
	vec_ip6("2001:0:c633:6476:0:dfff:3fff:fdf5", e1);
	vec_ip6("2001:0:cb00:7178:0:efff:3fff:fdfe", e2);
	assert_ptr_equal(sw_bubble_put(got, got + sizeof got, e1, e2, 255), got + 40);
	assert_true(vec_same("A-2", got, 40, want, n));
	assert_int_equal(sw_ip6_parse(got, 40, &ip), 0);
	assert_true(sw_ip6_is_bubble(&ip));
	assert_int_equal(ip.hlim, 255);
	assert_int_equal(ip.proto, SW_NH_NONE);
	assert_null(ip.l4);
	assert_int_equal(ip.l4_len, 0);
	assert_ptr_equal(ip.src, got + 8);
	assert_ptr_equal(ip.dst, got + 24);
	assert_false(ip.fragment);
	/* does not fit: NULL, nothing beyond end written */
	memset(got, 0xAA, sizeof got);
	assert_null(sw_bubble_put(got, got + 39, e1, e2, 255));
	assert_null(sw_ip6_put(got, got + 39, 0, SW_NH_NONE, 0, e1, e2));
	assert_int_equal(got[39], 0xAA);
	assert_null(sw_bubble_put(NULL, NULL, e1, e2, 0));
}

static void test_a8_discovery_bubble(void **state)
{
	uint8_t want[64], got[40], e1[16], all[16];
	size_t n = vec_hex(a8, want, sizeof want);
	struct sw_ip6 ip;
	(void)state;
	vec_ip6("2001:0:c633:6476:0:dfff:3fff:fdf5", e1);
	vec_ip6("ff02::1", all);
	assert_ptr_equal(sw_bubble_put(got, got + sizeof got, e1, all, 1), got + 40);
	assert_true(vec_same("A-8", got, 40, want, n));
	assert_int_equal(sw_ip6_parse(got, 40, &ip), 0);
	assert_true(sw_ip6_is_bubble(&ip));
	assert_int_equal(ip.hlim, 1);
}

/* Statement 7: 40 + PayloadLength > remaining → discard; ≤ → accept (trailers). */
static void test_s07_payload_length(void **state)
{
	uint8_t pkt[128];
	struct sw_ip6 ip;
	(void)state;
	memset(pkt, 0, sizeof pkt);
	pkt[0] = 0x60;
	pkt[6] = SW_NH_UDP;
	pkt[5] = 8;
	assert_int_equal(sw_ip6_parse(pkt, 48, &ip), 0);
	assert_int_equal(ip.len, 48);
	assert_int_equal(ip.plen, 8);
	assert_int_equal(ip.proto, SW_NH_UDP);
	assert_ptr_equal(ip.l4, pkt + 40);
	assert_int_equal(ip.l4_len, 8);
	assert_int_equal(sw_ip6_parse(pkt, 54, &ip), 0); /* 6 trailer bytes */
	assert_int_equal(ip.len, 48);
	assert_int_equal(ip.l4_len, 8);
	assert_int_equal(sw_ip6_parse(pkt, 47, &ip), -EINVAL);
	pkt[4] = 0xff; /* 40 + 65288 */
	assert_int_equal(sw_ip6_parse(pkt, sizeof pkt, &ip), -EINVAL);
	pkt[4] = 0;
	for (size_t len = 0; len < 40; len++)
		assert_int_equal(sw_ip6_parse(pkt, len, &ip), -EINVAL);
	/* version must be 6 */
	for (int v = 0; v < 16; v++) {
		pkt[0] = (uint8_t)(v << 4 | 0x0f);
		print_message("version %d\n", v);
		assert_int_equal(sw_ip6_parse(pkt, 48, &ip), v == 6 ? 0 : -EINVAL);
	}
	assert_int_equal(sw_ip6_parse(NULL, 48, &ip), -EINVAL);
}

static void test_bubble_predicate(void **state)
{
	uint8_t pkt[64] = { 0x60 };
	struct sw_ip6 ip;
	(void)state;
	pkt[6] = SW_NH_NONE;
	pkt[5] = 8; /* NH 59 with a payload: not a bubble */
	assert_int_equal(sw_ip6_parse(pkt, 48, &ip), 0);
	assert_false(sw_ip6_is_bubble(&ip));
	assert_null(ip.l4);
	pkt[5] = 0;
	pkt[6] = SW_NH_UDP; /* empty payload with another NH: not a bubble */
	assert_int_equal(sw_ip6_parse(pkt, 40, &ip), 0);
	assert_false(sw_ip6_is_bubble(&ip));
	/* a bubble followed by a trailer is a bubble */
	pkt[6] = SW_NH_NONE;
	assert_int_equal(sw_ip6_parse(pkt, 46, &ip), 0);
	assert_true(sw_ip6_is_bubble(&ip));
}

/* Builds a packet with the given extension headers (nh, length in bytes) then 8 UDP bytes. */
static size_t build_chain(uint8_t *pkt, size_t max, const uint8_t *nhs, const size_t *lens,
			  size_t n)
{
	size_t off = 40;
	uint8_t *prev = pkt + 6;

	memset(pkt, 0, max);
	pkt[0] = 0x60;
	for (size_t i = 0; i < n; i++) {
		*prev = nhs[i];
		prev = pkt + off;
		if (nhs[i] == 51)
			pkt[off + 1] = (uint8_t)(lens[i] / 4 - 2);
		else if (nhs[i] != SW_NH_FRAGMENT)
			pkt[off + 1] = (uint8_t)(lens[i] / 8 - 1);
		off += lens[i];
	}
	*prev = SW_NH_UDP;
	off += 8;
	pkt[4] = (uint8_t)((off - 40) >> 8);
	pkt[5] = (uint8_t)(off - 40);
	return off;
}

static void test_ext_chain(void **state)
{
	uint8_t pkt[1024];
	uint8_t nhs[12] = { 0 };
	size_t lens[12] = { 0 }, n;
	struct sw_ip6 ip;
	(void)state;
	/* up to SW_IP6_MAX_EXT destination-options headers are walked; one more is refused */
	for (size_t k = 0; k <= SW_IP6_MAX_EXT + 1; k++) {
		for (size_t i = 0; i < k; i++) {
			nhs[i] = SW_NH_DSTOPTS;
			lens[i] = 8 * (i + 1);
		}
		n = build_chain(pkt, sizeof pkt, nhs, lens, k);
		print_message("%zu extension headers\n", k);
		if (k <= SW_IP6_MAX_EXT) {
			assert_int_equal(sw_ip6_parse(pkt, n, &ip), 0);
			assert_int_equal(ip.proto, SW_NH_UDP);
			assert_ptr_equal(ip.l4, pkt + n - 8);
			assert_int_equal(ip.l4_len, 8);
		} else {
			assert_int_equal(sw_ip6_parse(pkt, n, &ip), -EINVAL);
		}
	}
	/* every kind: HBH, routing, AH ((len+2)*4), fragment (first), dst opts */
	nhs[0] = SW_NH_HOPOPTS, lens[0] = 8;
	nhs[1] = SW_NH_ROUTING, lens[1] = 24;
	nhs[2] = 51, lens[2] = 20;
	nhs[3] = SW_NH_FRAGMENT, lens[3] = 8;
	nhs[4] = SW_NH_DSTOPTS, lens[4] = 16;
	n = build_chain(pkt, sizeof pkt, nhs, lens, 5);
	assert_int_equal(sw_ip6_parse(pkt, n, &ip), 0);
	assert_int_equal(ip.nh, SW_NH_HOPOPTS);
	assert_int_equal(ip.proto, SW_NH_UDP);
	assert_true(ip.fragment);
	assert_ptr_equal(ip.l4, pkt + 40 + 8 + 24 + 20 + 8 + 16);
	/* a later fragment: the walk stops at the fragment header */
	pkt[40 + 8 + 24 + 20 + 3] = 0x08; /* offset 1 */
	assert_int_equal(sw_ip6_parse(pkt, n, &ip), 0);
	assert_true(ip.fragment);
	assert_int_equal(ip.proto, SW_NH_DSTOPTS);
	assert_ptr_equal(ip.l4, pkt + 40 + 8 + 24 + 20 + 8);
	/* hop-by-hop anywhere but first is refused */
	nhs[0] = SW_NH_DSTOPTS, nhs[1] = SW_NH_HOPOPTS, lens[0] = lens[1] = 8;
	n = build_chain(pkt, sizeof pkt, nhs, lens, 2);
	assert_int_equal(sw_ip6_parse(pkt, n, &ip), -EINVAL);
}

static void test_ext_lengths_checked(void **state)
{
	uint8_t pkt[256];
	uint8_t nhs[2] = { SW_NH_DSTOPTS };
	size_t lens[2] = { 16 }, n;
	struct sw_ip6 ip;
	(void)state;
	n = build_chain(pkt, sizeof pkt, nhs, lens, 1);
	pkt[41] = 3; /* claims 32 bytes, 24 remain */
	assert_int_equal(sw_ip6_parse(pkt, n, &ip), -EINVAL);
	pkt[41] = 2; /* 24 bytes: exactly the rest, no upper-layer bytes left */
	assert_int_equal(sw_ip6_parse(pkt, n, &ip), 0);
	assert_int_equal(ip.l4_len, 0);
	/* fewer than 8 bytes for an extension header */
	static const uint8_t kinds[] = { SW_NH_HOPOPTS, SW_NH_ROUTING, SW_NH_FRAGMENT, 51,
					 SW_NH_DSTOPTS };
	for (size_t i = 0; i < sizeof kinds; i++) {
		for (uint16_t plen = 0; plen < 8; plen++) {
			memset(pkt, 0, sizeof pkt);
			pkt[0] = 0x60;
			pkt[5] = (uint8_t)plen;
			pkt[6] = kinds[i];
			print_message("nh %u plen %u\n", kinds[i], plen);
			assert_int_equal(sw_ip6_parse(pkt, 40 + plen, &ip), -EINVAL);
		}
	}
	/* AH whose (len + 2) * 4 overruns the payload */
	nhs[0] = 51, lens[0] = 12;
	n = build_chain(pkt, sizeof pkt, nhs, lens, 1);
	assert_int_equal(sw_ip6_parse(pkt, n, &ip), 0);
	assert_ptr_equal(ip.l4, pkt + 52);
	pkt[41] = 4; /* 24 bytes; 20 remain */
	assert_int_equal(sw_ip6_parse(pkt, n, &ip), -EINVAL);
	/* the header length never reads past 40 + plen even when the buffer goes on */
	n = build_chain(pkt, sizeof pkt, nhs, lens, 1);
	pkt[41] = 5;
	assert_int_equal(sw_ip6_parse(pkt, sizeof pkt, &ip), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a2_bubble),
		cmocka_unit_test(test_a8_discovery_bubble),
		cmocka_unit_test(test_s07_payload_length),
		cmocka_unit_test(test_bubble_predicate),
		cmocka_unit_test(test_ext_chain),
		cmocka_unit_test(test_ext_lengths_checked),
	};
	return cmocka_run_group_tests_name("wire_ip6", tests, NULL, NULL);
}
