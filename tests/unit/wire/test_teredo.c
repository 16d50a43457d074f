/* Unit tests of wire/teredo: demultiplexing, auth/origin, HMAC (requirements §3.2-3.4,
 * §10 items 3-7, Appendix ). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vec_hex.h"
#include "wire/ip6.h"
#include "wire/teredo.h"
#include "wire/trailer.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static const char A1[] =
	"00 01 00 00 01 02 03 04 05 06 07 08 00 60 00 00 00 00 08 3a ff fe 80 00 00 00 00 00 00 00 00 ff ff ff ff ff ff ff"
	"02 00 00 00 00 00 00 00 00 00 00 00 00 00 02 85 00 7d 37 00 00 00 00";
static const char A3[] =
	"00 01 00 00 01 02 03 04 05 06 07 08 00 00 00 df ff 3f ff fd f5 60 00 00 00 00 38 3a ff fe 80 00 00 00 00 00 00 80 00"
	"f2 27 39 cc 9b 89 fe 80 00 00 00 00 00 00 00 00 ff ff ff ff ff ff 86 00 95 4c 00 00 00 00 00 00 00 00 00 00 07 d0 03"
	"04 40 40 ff ff ff ff ff ff ff ff 00 00 00 00 20 01 00 00 c6 33 64 76 00 00 00 00 00 00 00 00 05 01 00 00 00 00 05 00";
static const char BUBBLE[] = /* */
	"60 00 00 00 00 00 3b ff 20 01 00 00 c6 33 64 76 00 00 df ff 3f ff fd f5 20 01 00 00 cb 00 71 78 00 00 ef ff 3f ff fd fe";
static const char A7_SENT[] =
	"60 00 00 00 00 00 3b ff 20 01 00 00 cb 00 71 78 00 00 ef ff 3f ff fd fe 20 01 00 00 c6 33 64 76 00 00 df ff 3f ff fd f5 01 04 12 34 56 78";
static const char A7_FWD[] =
	"00 00 ef ff 3f ff fd fe 60 00 00 00 00 00 3b ff 20 01 00 00 cb 00 71 78 00 00 ef ff 3f ff fd fe 20 01 00 00 c6 33 64 76 00 00 df ff 3f ff fd f5 01 04 12 34 56 78";

static void test_s3_origin_encode(void **state)
{
	uint8_t buf[16], want[8];
	struct sw_endpoint ep = { .ip = IP(1, 2, 3, 4), .port = 337 };

	(void)state;
	vec_hex("0000FEAEFEFDFCFB", want, sizeof(want));
	assert_ptr_equal(sw_origin_put(buf, buf + sizeof(buf), ep), buf + 8);
	if (memcmp(buf, want, 8) != 0)
		vec_dump("origin", buf, 8);
	assert_memory_equal(buf, want, 8);
	/* too short: nothing written past end */
	assert_null(sw_origin_put(buf, buf + 7, ep));
	assert_null(sw_origin_put(NULL, buf + 8, ep));
}

static void test_s3_origin_decode(void **state)
{
	uint8_t buf[64];
	size_t n = vec_hex("0000FEAEFEFDFCFB", buf, sizeof(buf));
	struct sw_pkt pkt;

	(void)state;
	n += vec_hex(BUBBLE, buf + n, sizeof(buf) - n);
	assert_int_equal(sw_pkt_parse(buf, n, &pkt), 0);
	assert_true(pkt.has_origin);
	assert_false(pkt.has_auth);
	assert_int_equal(pkt.origin.ip, IP(1, 2, 3, 4));
	assert_int_equal(pkt.origin.port, 337);
	assert_ptr_equal(pkt.ip6, buf + 8);
	assert_int_equal(pkt.ip6_len, 40);
	assert_int_equal(pkt.trailers_len, 0);
}

/* Origin round-trip over edge values. */
static void test_s3_origin_roundtrip(void **state)
{
	static const struct sw_endpoint eps[] = {
		{ 0, 0 }, { 0xFFFFFFFFu, 0xFFFF }, { IP(192, 0, 2, 1), 4096 }, { IP(198, 51, 100, 7), 1 },
	};
	uint8_t buf[48], bub[40];

	(void)state;
	vec_hex(BUBBLE, bub, sizeof(bub));
	for (size_t i = 0; i < sizeof(eps) / sizeof(eps[0]); i++) {
		struct sw_pkt pkt;

		assert_non_null(sw_origin_put(buf, buf + 8, eps[i]));
		memcpy(buf + 8, bub, 40);
		assert_int_equal(sw_pkt_parse(buf, 48, &pkt), 0);
		if (!sw_endpoint_eq(pkt.origin, eps[i]))
			fprintf(stderr, "case %zu: %08x:%u\n", i, eps[i].ip, eps[i].port);
		assert_true(sw_endpoint_eq(pkt.origin, eps[i]));
	}
}

static void test_s4_auth_before_origin(void **state)
{
	uint8_t auth[13], orig[8], bub[40], buf[128];
	struct sw_auth a = { .nonce = { 1, 2, 3, 4, 5, 6, 7, 8 } };
	struct sw_endpoint ep = { IP(192, 0, 2, 10), 8192 };
	struct sw_pkt pkt;

	(void)state;
	assert_ptr_equal(sw_auth_put(auth, auth + 13, &a), auth + 13);
	sw_origin_put(orig, orig + 8, ep);
	vec_hex(BUBBLE, bub, sizeof(bub));

	/* auth + origin + IPv6: accepted */
	memcpy(buf, auth, 13);
	memcpy(buf + 13, orig, 8);
	memcpy(buf + 21, bub, 40);
	assert_int_equal(sw_pkt_parse(buf, 61, &pkt), 0);
	assert_true(pkt.has_auth && pkt.has_origin);
	assert_true(sw_endpoint_eq(pkt.origin, ep));
	assert_memory_equal(pkt.auth.nonce, a.nonce, 8);
	assert_ptr_equal(pkt.ip6, buf + 21);

	/* origin + auth + IPv6: rejected */
	memcpy(buf, orig, 8);
	memcpy(buf + 8, auth, 13);
	assert_int_equal(sw_pkt_parse(buf, 61, &pkt), -EINVAL);

	/* auth + auth + IPv6, origin + origin + IPv6: rejected */
	memcpy(buf, auth, 13);
	memcpy(buf + 13, auth, 13);
	memcpy(buf + 26, bub, 40);
	assert_int_equal(sw_pkt_parse(buf, 66, &pkt), -EINVAL);
	memcpy(buf, orig, 8);
	memcpy(buf + 8, orig, 8);
	memcpy(buf + 16, bub, 40);
	assert_int_equal(sw_pkt_parse(buf, 56, &pkt), -EINVAL);

	/* auth + IPv6 and plain IPv6: accepted */
	memcpy(buf, auth, 13);
	memcpy(buf + 13, bub, 40);
	assert_int_equal(sw_pkt_parse(buf, 53, &pkt), 0);
	assert_true(pkt.has_auth && !pkt.has_origin);
	assert_int_equal(sw_pkt_parse(bub, 40, &pkt), 0);
	assert_true(!pkt.has_auth && !pkt.has_origin);
}

/* Every first two bytes: only 6x.., 00 00 and 00 01 may start a Teredo payload. */
static void test_s5_demux(void **state)
{
	uint8_t bub[40], buf[80];
	struct sw_pkt pkt;

	(void)state;
	vec_hex(BUBBLE, bub, sizeof(bub));
	for (unsigned b0 = 0; b0 < 256; b0++) {
		for (unsigned b1 = 0; b1 < 256; b1++) {
			bool want;
			int r;

			/* the bytes after the first two make a valid auth or origin header
			 * followed by a bubble, so only the demux decides */
			memset(buf, 0, sizeof(buf));
			memcpy(buf + 13, bub, 40);
			buf[0] = (uint8_t)b0;
			buf[1] = (uint8_t)b1;
			if (b0 == 0 && b1 == 0) {
				memcpy(buf + 8, bub, 40); /* origin: IPv6 at offset 8 */
				r = sw_pkt_parse(buf, 48, &pkt);
			} else if (b0 >> 4 == 6) {
				memcpy(buf, bub, 40);
				buf[0] = (uint8_t)b0;
				buf[1] = (uint8_t)b1;
				r = sw_pkt_parse(buf, 40, &pkt);
			} else {
				r = sw_pkt_parse(buf, 53, &pkt);
			}
			want = b0 >> 4 == 6 || (b0 == 0 && (b1 == 0 || b1 == 1));
			if ((r == 0) != want)
				fprintf(stderr, "first bytes %02x %02x: r=%d\n", b0, b1, r);
			assert_int_equal(r == 0, want);
		}
	}
	assert_int_equal(sw_pkt_parse(buf, 0, &pkt), -EINVAL);
	assert_int_equal(sw_pkt_parse(NULL, 0, &pkt), -EINVAL);
}

static void test_s6_short_headers(void **state)
{
	static const uint8_t id[3] = { 0xa, 0xb, 0xc }, au[20] = { 0x55 };
	uint8_t bub[40], buf[128];
	struct sw_auth a = { .id = id, .au = au, .id_len = 3, .au_len = 20, .conf = 1,
			     .nonce = { 9, 8, 7, 6, 5, 4, 3, 2 } };
	struct sw_pkt pkt;
	uint8_t *p;
	size_t hl;

	(void)state;
	vec_hex(BUBBLE, bub, sizeof(bub));
	p = sw_auth_put(buf, buf + sizeof(buf), &a);
	assert_non_null(p);
	hl = (size_t)(p - buf);
	assert_int_equal(hl, 13 + 3 + 20);
	memcpy(p, bub, 40);
	assert_int_equal(sw_pkt_parse(buf, hl + 40, &pkt), 0);
	assert_int_equal(pkt.auth.id_len, 3);
	assert_int_equal(pkt.auth.au_len, 20);
	assert_memory_equal(pkt.auth.id, id, 3);
	assert_memory_equal(pkt.auth.au, au, 20);
	assert_memory_equal(pkt.auth.nonce, a.nonce, 8);
	assert_int_equal(pkt.auth.conf, 1);
	/* every truncation of the header alone is rejected */
	for (size_t n = 0; n < hl; n++) {
		if (sw_pkt_parse(buf, n, &pkt) != -EINVAL)
			fprintf(stderr, "auth truncated to %zu accepted\n", n);
		assert_int_equal(sw_pkt_parse(buf, n, &pkt), -EINVAL);
	}
	/* lengths pointing past the end: id_len 255 */
	buf[2] = 255;
	assert_int_equal(sw_pkt_parse(buf, hl + 40, &pkt), -EINVAL);
	buf[2] = 3;
	buf[3] = 255;
	assert_int_equal(sw_pkt_parse(buf, hl + 40, &pkt), -EINVAL);
	/* origin shorter than 8 */
	memset(buf, 0, 8);
	for (size_t n = 0; n < 8; n++)
		assert_int_equal(sw_pkt_parse(buf, n, &pkt), -EINVAL);
	/* auth + short origin */
	a.id_len = a.au_len = 0;
	p = sw_auth_put(buf, buf + sizeof(buf), &a);
	memset(p, 0, 8);
	for (size_t n = 13; n < 13 + 8; n++)
		assert_int_equal(sw_pkt_parse(buf, n, &pkt), -EINVAL);
	/* writer refuses a buffer one byte short and NULL data with a length */
	a.id_len = 3;
	a.au_len = 20;
	assert_null(sw_auth_put(buf, buf + 35, &a));
	assert_non_null(sw_auth_put(buf, buf + 36, &a));
	a.id = NULL;
	assert_null(sw_auth_put(buf, buf + sizeof(buf), &a));
}

static void test_s7_ip6_length(void **state)
{
	uint8_t buf[128];
	struct sw_pkt pkt;
	size_t n;

	(void)state;
	n = vec_hex(BUBBLE, buf, sizeof(buf));
	/* plen 8, 8 bytes follow: accepted, no trailers */
	buf[5] = 8;
	memset(buf + 40, 0xAA, 16);
	assert_int_equal(sw_pkt_parse(buf, 48, &pkt), 0);
	assert_int_equal(pkt.ip6_len, 48);
	assert_int_equal(pkt.trailers_len, 0);
	/* plen 8, 16 bytes follow: accepted, 8 bytes of trailers */
	assert_int_equal(sw_pkt_parse(buf, 56, &pkt), 0);
	assert_int_equal(pkt.ip6_len, 48);
	assert_ptr_equal(pkt.trailers, buf + 48);
	assert_int_equal(pkt.trailers_len, 8);
	/* plen 8, 7 bytes follow: rejected */
	assert_int_equal(sw_pkt_parse(buf, 47, &pkt), -EINVAL);
	/* plen 0xFFFF: rejected; fewer than 40 bytes: rejected */
	buf[4] = buf[5] = 0xFF;
	assert_int_equal(sw_pkt_parse(buf, sizeof(buf), &pkt), -EINVAL);
	buf[4] = buf[5] = 0;
	assert_int_equal(sw_pkt_parse(buf, 40, &pkt), 0);
	assert_int_equal(sw_pkt_parse(buf, 39, &pkt), -EINVAL);
	/* version != 6 after an origin indication */
	memmove(buf + 8, buf, n);
	memset(buf, 0, 8);
	assert_int_equal(sw_pkt_parse(buf, 48, &pkt), 0);
	buf[8] = 0x40;
	assert_int_equal(sw_pkt_parse(buf, 48, &pkt), -EINVAL);
}

static void test_a1_rs_parse(void **state)
{
	uint8_t buf[128];
	size_t n = vec_hex(A1, buf, sizeof(buf));
	static const uint8_t nonce[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct sw_pkt pkt;
	struct sw_auth a = { .nonce = { 1, 2, 3, 4, 5, 6, 7, 8 } };
	uint8_t hdr[13];

	(void)state;
	assert_int_equal(n, 61);
	assert_int_equal(sw_pkt_parse(buf, n, &pkt), 0);
	assert_true(pkt.has_auth);
	assert_false(pkt.has_origin);
	assert_int_equal(pkt.auth.id_len, 0);
	assert_int_equal(pkt.auth.au_len, 0);
	assert_null(pkt.auth.id);
	assert_null(pkt.auth.au);
	assert_memory_equal(pkt.auth.nonce, nonce, 8);
	assert_int_equal(pkt.auth.conf, 0);
	assert_ptr_equal(pkt.ip6, buf + 13);
	assert_int_equal(pkt.ip6_len, 48);
	assert_int_equal(pkt.trailers_len, 0);
	/* and the other direction */
	assert_ptr_equal(sw_auth_put(hdr, hdr + 13, &a), hdr + 13);
	assert_memory_equal(hdr, buf, 13);
}

static void test_a3_ra_parse(void **state)
{
	uint8_t buf[160], out[32], *p;
	size_t n = vec_hex(A3, buf, sizeof(buf));
	struct sw_pkt pkt;
	struct sw_ip6 ip;

	(void)state;
	assert_int_equal(n, 117);
	assert_int_equal(sw_pkt_parse(buf, n, &pkt), 0);
	assert_true(pkt.has_auth && pkt.has_origin);
	assert_int_equal(pkt.origin.ip, IP(192, 0, 2, 10));
	assert_int_equal(pkt.origin.port, 8192);
	assert_ptr_equal(pkt.ip6, buf + 21);
	assert_int_equal(pkt.ip6_len, 96);
	assert_int_equal(pkt.trailers_len, 0);
	assert_int_equal(sw_ip6_parse(pkt.ip6, pkt.ip6_len, &ip), 0);
	assert_int_equal(ip.proto, SW_NH_ICMP6);
	/* build the same two headers */
	p = sw_auth_put(out, out + sizeof(out), &pkt.auth);
	p = sw_origin_put(p, out + sizeof(out), pkt.origin);
	assert_ptr_equal(p, out + 21);
	assert_memory_equal(out, buf, 21);
}

static void test_a5_hmac(void **state)
{
	uint8_t buf[128], want[20], mac[20];
	size_t n = vec_hex(A1, buf, sizeof(buf));
	struct sw_pkt pkt;

	(void)state;
	vec_hex("ccaeb133fca073a17af57ea3f3f48d6b26c99cbc", want, sizeof(want));
	assert_int_equal(sw_pkt_parse(buf, n, &pkt), 0);
	sw_auth_hmac((const uint8_t *)"secret", 6, pkt.auth.nonce, pkt.auth.conf, NULL, pkt.ip6,
		     pkt.ip6_len, mac);
	if (memcmp(mac, want, 20) != 0)
		vec_dump("hmac", mac, 20);
	assert_memory_equal(mac, want, 20);
}

/* Build auth(id, au = MAC) [+ origin] + RS and verify. */
static size_t build_signed(uint8_t *buf, size_t cap, const char *key, bool with_origin,
			   uint8_t conf)
{
	static const uint8_t id[4] = { 'c', 'l', 'n', 't' };
	uint8_t a1[128], mac[20], o8[8];
	size_t a1n = vec_hex(A1, a1, sizeof(a1));
	struct sw_endpoint ep = { IP(192, 0, 2, 10), 8192 };
	struct sw_auth a = { .id = id, .id_len = 4, .au = mac, .au_len = 20, .conf = conf,
			     .nonce = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 } };
	uint8_t *p;

	sw_origin_put(o8, o8 + 8, ep);
	sw_auth_hmac((const uint8_t *)key, strlen(key), a.nonce, conf, with_origin ? o8 : NULL,
		     a1 + 13, a1n - 13, mac);
	p = sw_auth_put(buf, buf + cap, &a);
	assert_non_null(p);
	if (with_origin)
		p = sw_origin_put(p, buf + cap, ep);
	assert_non_null(p);
	memcpy(p, a1 + 13, a1n - 13);
	return (size_t)(p - buf) + a1n - 13;
}

static void test_s23_auth_verify(void **state)
{
	uint8_t buf[160];
	struct sw_pkt pkt;
	const uint8_t *k = (const uint8_t *)"secret";
	size_t n;

	(void)state;
	for (int o = 0; o < 2; o++) {
		n = build_signed(buf, sizeof(buf), "secret", o, 0);
		assert_int_equal(sw_pkt_parse(buf, n, &pkt), 0);
		assert_int_equal(pkt.has_origin, o);
		assert_true(sw_auth_verify(&pkt, o ? buf + 37 : NULL, k, 6));
		/* origin rebuilt from the parsed value when not given */
		assert_true(sw_auth_verify(&pkt, NULL, k, 6));
		assert_false(sw_auth_verify(&pkt, NULL, (const uint8_t *)"secreT", 6));
		assert_false(sw_auth_verify(&pkt, NULL, k, 5));
		/* every single-bit flip of nonce, conf, origin, IPv6 or MAC is caught */
		for (size_t i = 8; i < n; i++) { /* id (4..7) is not covered */
			for (int bit = 0; bit < 8; bit++) {
				buf[i] ^= (uint8_t)(1u << bit);
				if (sw_pkt_parse(buf, n, &pkt) == 0 &&
				    sw_auth_verify(&pkt, NULL, k, 6)) {
					fprintf(stderr, "origin=%d flip byte %zu bit %d verified\n",
						o, i, bit);
					fail();
				}
				buf[i] ^= (uint8_t)(1u << bit);
			}
		}
	}
	/* conf != 0 is covered by the MAC too */
	n = build_signed(buf, sizeof(buf), "secret", true, 1);
	assert_int_equal(sw_pkt_parse(buf, n, &pkt), 0);
	assert_true(sw_auth_verify(&pkt, NULL, k, 6));
	/* no auth, or au_len != 20: never verifies */
	n = vec_hex(A1, buf, sizeof(buf));
	assert_int_equal(sw_pkt_parse(buf, n, &pkt), 0);
	assert_false(sw_auth_verify(&pkt, NULL, k, 6));
	assert_int_equal(sw_pkt_parse(buf + 13, n - 13, &pkt), 0);
	assert_false(sw_auth_verify(&pkt, NULL, k, 6));
}

static void test_a7_forwarded_bubble(void **state)
{
	uint8_t buf[64];
	size_t n = vec_hex(A7_FWD, buf, sizeof(buf));
	struct sw_pkt pkt;
	struct sw_ip6 ip;
	struct sw_trailers tr;

	(void)state;
	assert_int_equal(n, 54);
	assert_int_equal(sw_pkt_parse(buf, n, &pkt), 0);
	assert_true(pkt.has_origin);
	assert_false(pkt.has_auth);
	assert_int_equal(pkt.origin.ip, IP(192, 0, 2, 1));
	assert_int_equal(pkt.origin.port, 4096);
	assert_int_equal(pkt.ip6_len, 40);
	assert_int_equal(pkt.trailers_len, 6);
	assert_int_equal(sw_ip6_parse(pkt.ip6, pkt.ip6_len, &ip), 0);
	assert_true(sw_ip6_is_bubble(&ip));
	assert_int_equal(sw_trailers_parse(pkt.trailers, pkt.trailers_len, &tr), 0);
	assert_true(tr.has_nonce);
	assert_int_equal(tr.nonce, 0x12345678);
	assert_false(tr.truncated);
	/* the packet as sent by E2 (46 bytes) is the same without the origin */
	n = vec_hex(A7_SENT, buf, sizeof(buf));
	assert_int_equal(n, 46);
	assert_int_equal(sw_pkt_parse(buf, n, &pkt), 0);
	assert_false(pkt.has_origin);
	assert_int_equal(pkt.trailers_len, 6);
	assert_int_equal(sw_trailers_parse(pkt.trailers, pkt.trailers_len, &tr), 0);
	assert_int_equal(tr.nonce, 0x12345678);
}

/* Build A-7 forwarded from parts and compare byte for byte. */
static void test_a7_build(void **state)
{
	uint8_t want[64], out[64], *p, *end = out + sizeof(out);
	uint8_t bub[40];
	size_t n = vec_hex(A7_FWD, want, sizeof(want));

	(void)state;
	memcpy(bub, want + 8, 40);
	p = sw_origin_put(out, end, (struct sw_endpoint){ IP(192, 0, 2, 1), 4096 });
	memcpy(p, bub, 40);
	p = sw_trailer_put_nonce(p + 40, end, 0x12345678);
	assert_ptr_equal(p, out + n);
	assert_memory_equal(out, want, n);
}

/* Every prefix of every vector, each in a heap buffer of exactly its size (ASan sees any
 * read past len): a prefix is accepted iff it still holds the whole IPv6 packet. */
static void test_s6_s7_every_prefix_exact(void **state)
{
	static const char *const vec[] = { A1, A3, BUBBLE, A7_SENT, A7_FWD };
	static const size_t need[] = { 61, 117, 40, 40, 48 }; /* headers + 40 + plen */

	(void)state;
	for (size_t v = 0; v < sizeof(vec) / sizeof(vec[0]); v++) {
		uint8_t full[160];
		size_t n = vec_hex(vec[v], full, sizeof(full));

		for (size_t k = 0; k <= n; k++) {
			uint8_t *b = malloc(k ? k : 1);
			struct sw_pkt pkt;
			struct sw_trailers tr;
			int r;

			assert_non_null(b);
			memcpy(b, full, k);
			r = sw_pkt_parse(b, k, &pkt);
			if ((r == 0) != (k >= need[v]))
				fprintf(stderr, "vector %zu prefix %zu: r=%d\n", v, k, r);
			assert_int_equal(r == 0, k >= need[v]);
			if (r == 0) {
				assert_ptr_equal(pkt.trailers + pkt.trailers_len, b + k);
				(void)sw_trailers_parse(pkt.trailers, pkt.trailers_len, &tr);
			}
			free(b);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s3_origin_encode),
		cmocka_unit_test(test_s3_origin_decode),
		cmocka_unit_test(test_s3_origin_roundtrip),
		cmocka_unit_test(test_s4_auth_before_origin),
		cmocka_unit_test(test_s5_demux),
		cmocka_unit_test(test_s6_short_headers),
		cmocka_unit_test(test_s7_ip6_length),
		cmocka_unit_test(test_s6_s7_every_prefix_exact),
		cmocka_unit_test(test_a1_rs_parse),
		cmocka_unit_test(test_a3_ra_parse),
		cmocka_unit_test(test_a5_hmac),
		cmocka_unit_test(test_s23_auth_verify),
		cmocka_unit_test(test_a7_forwarded_bubble),
		cmocka_unit_test(test_a7_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
