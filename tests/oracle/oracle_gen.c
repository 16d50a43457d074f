/*
 * oracle_gen: builds one packet of each kind Teredo uses with wire/, wraps each in IPv4+UDP
 * (headers built here, port 3544 on one side so tshark decodes Teredo) and writes them to a
 * classic pcap file (LINKTYPE_RAW). check.sh then compares tshark's decoding with
 * expected.txt, whose values are written by hand from the requirements, not from wire/.
 * Usage: oracle_gen out.pcap
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wire/addr.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/teredo.h"
#include "wire/trailer.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define LINKTYPE_RAW 101
#define PKT_MAX 2048

/* The cast of Appendix A: server 198.51.100.118, E1 = client 192.0.2.10:8192 of that
 * server, E2 = client 192.0.2.1:4096 of server 203.0.113.120, a relay 203.0.113.5. */
static const struct sw_endpoint SERVER = { IP(198, 51, 100, 118), SW_TEREDO_PORT };
static const struct sw_endpoint E1_MAP = { IP(192, 0, 2, 10), 8192 };
static const struct sw_endpoint E2_MAP = { IP(192, 0, 2, 1), 4096 };
static const struct sw_endpoint E2_SERVER = { IP(203, 0, 113, 120), SW_TEREDO_PORT };
static const struct sw_endpoint RELAY = { IP(203, 0, 113, 5), SW_TEREDO_PORT };
static const uint8_t NONCE[SW_NONCE_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };

struct out {
	FILE *f;
	uint32_t n;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* RFC 1071, written here so the outer headers do not depend on wire/csum. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (; n > 1; p += 2, n -= 2)
		s += (uint32_t)p[0] << 8 | p[1];
	if (n)
		s += (uint32_t)p[0] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* IPv4 (20) + UDP (8) + payload into d; returns the total length. */
static size_t wrap(uint8_t *d, struct sw_endpoint from, struct sw_endpoint to,
		   const uint8_t *pl, size_t plen)
{
	uint8_t *u = d + 20;
	uint16_t c;
	uint32_t s;

	memset(d, 0, 28);
	d[0] = 0x45;
	put16(d + 2, (uint16_t)(28 + plen));
	d[8] = 64;
	d[9] = 17;
	put32(d + 12, from.ip);
	put32(d + 16, to.ip);
	put16(d + 10, fold(sum16(d, 20, 0)));
	put16(u, from.port);
	put16(u + 2, to.port);
	put16(u + 4, (uint16_t)(8 + plen));
	memcpy(u + 8, pl, plen);
	s = sum16(d + 12, 8, 17 + 8 + (uint32_t)plen);
	c = fold(sum16(u, 8 + plen, s));
	put16(u + 6, c ? c : 0xffff);
	return 28 + plen;
}

static int emit(struct out *o, struct sw_endpoint from, struct sw_endpoint to,
		const uint8_t *pl, const uint8_t *pl_end)
{
	uint8_t d[PKT_MAX + 28];
	uint32_t rec[4]; /* ts_sec, ts_usec, incl_len, orig_len in host order, like the magic */
	size_t n;

	if (pl_end == NULL || pl_end <= pl || (size_t)(pl_end - pl) > PKT_MAX) {
		fprintf(stderr, "oracle_gen: packet %u did not build\n", o->n + 1);
		return -EINVAL;
	}
	n = wrap(d, from, to, pl, (size_t)(pl_end - pl));
	o->n++;
	rec[0] = 1700000000u + o->n;
	rec[1] = 0;
	rec[2] = rec[3] = (uint32_t)n;
	return fwrite(rec, sizeof(rec), 1, o->f) == 1 && fwrite(d, n, 1, o->f) == 1 ? 0 : -EIO;
}

static void teredo_addr(uint8_t a[16], struct sw_endpoint server, struct sw_endpoint map)
{
	struct sw_teredo t = { .server = server.ip, .flags = 0, .mapped = map };

	sw_addr_encode(a, &t);
}

static uint8_t *rs_with_auth(uint8_t *p, const uint8_t *end)
{
	struct sw_auth a = { .conf = 0 };
	uint8_t src[16];

	memcpy(a.nonce, NONCE, sizeof(NONCE));
	sw_addr_rs_source(src, false);
	return sw_rs_put(sw_auth_put(p, end, &a), end, src);
}

/* RA answering the RS: auth (client id "clnt", HMAC-SHA1 with key "secret") + origin + RA. */
static uint8_t *ra_with_auth_origin(uint8_t *p, const uint8_t *end)
{
	static const uint8_t id[4] = { 'c', 'l', 'n', 't' };
	uint8_t dst[16], mac[SW_HMAC_LEN], o8[SW_ORIGIN_LEN], ra[256], *ra_end, *q;
	struct sw_ra_params rp = { .server = SERVER.ip, .dst = dst, .mtu = SW_TEREDO_MTU };
	struct sw_auth a = { .id = id, .id_len = 4, .au = mac, .au_len = SW_HMAC_LEN };

	memcpy(a.nonce, NONCE, sizeof(NONCE));
	sw_addr_rs_source(dst, false);
	ra_end = sw_ra_put(ra, ra + sizeof(ra), &rp);
	if (ra_end == NULL || sw_origin_put(o8, o8 + sizeof(o8), E1_MAP) == NULL)
		return NULL;
	sw_auth_hmac((const uint8_t *)"secret", 6, a.nonce, a.conf, o8, ra, (size_t)(ra_end - ra),
		     mac);
	q = sw_origin_put(sw_auth_put(p, end, &a), end, E1_MAP);
	if (q == NULL || end - q < ra_end - ra)
		return NULL;
	memcpy(q, ra, (size_t)(ra_end - ra));
	return q + (ra_end - ra);
}

/* E1 -> E2 bubble, hop limit 255, sent as an indirect bubble to E2's server. */
static uint8_t *bubble(uint8_t *p, const uint8_t *end)
{
	uint8_t e1[16], e2[16];

	teredo_addr(e1, SERVER, E1_MAP);
	teredo_addr(e2, E2_SERVER, E2_MAP);
	return sw_bubble_put(p, end, e1, e2, 255);
}

/* E2 -> E1 bubble with a Nonce trailer, forwarded by E1's server with an origin. */
static uint8_t *indirect_bubble(uint8_t *p, const uint8_t *end)
{
	uint8_t e1[16], e2[16];

	teredo_addr(e1, SERVER, E1_MAP);
	teredo_addr(e2, E2_SERVER, E2_MAP);
	p = sw_bubble_put(sw_origin_put(p, end, E2_MAP), end, e2, e1, 255);
	return sw_trailer_put_nonce(p, end, 0x12345678);
}

static const uint8_t NATIVE[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t RELAY6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xff, [15] = 0xff };
static const uint8_t ECHO_DATA[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };

/* echo request E1 -> 2001:db8::1, hop limit 64, id 0, seq 0. */
static uint8_t *echo_request(uint8_t *p, const uint8_t *end)
{
	struct sw_echo e = { .type = SW_ICMP6_ECHO_REQUEST, .data = ECHO_DATA, .data_len = 8 };
	uint8_t e1[16];

	teredo_addr(e1, SERVER, E1_MAP);
	return sw_echo_put(p, end, e1, NATIVE, 64, &e);
}

static uint8_t *echo_reply(uint8_t *p, const uint8_t *end)
{
	struct sw_echo e = { .type = SW_ICMP6_ECHO_REPLY, .id = 0x1234, .seq = 7,
			     .data = ECHO_DATA, .data_len = 8 };
	uint8_t e1[16];

	teredo_addr(e1, SERVER, E1_MAP);
	return sw_echo_put(p, end, NATIVE, e1, 58, &e);
}

/* Destination Unreachable (code 3) from the relay about E1's echo request. */
static uint8_t *dest_unreach(uint8_t *p, const uint8_t *end)
{
	uint8_t inv[128], *inv_end = echo_request(inv, inv + sizeof(inv));

	if (inv_end == NULL)
		return NULL;
	return sw_icmp6_error_put(p, end, RELAY6, SW_ICMP6_DST_UNREACH, SW_UNREACH_ADDR, 0, inv,
				  (size_t)(inv_end - inv));
}

/* Packet Too Big (MTU 1280) about a 1400-byte UDP packet E1 -> 2001:db8::1: the quote is
 * cut so that the error is exactly 1280 bytes. */
static uint8_t *too_big(uint8_t *p, const uint8_t *end)
{
	uint8_t inv[1400], e1[16], *q;

	teredo_addr(e1, SERVER, E1_MAP);
	q = sw_ip6_put(inv, inv + sizeof(inv), sizeof(inv) - SW_IP6_HLEN, SW_NH_UDP, 64, e1, NATIVE);
	if (q == NULL)
		return NULL;
	memset(q, 0x5a, (size_t)(inv + sizeof(inv) - q));
	put16(q, 8192);	      /* UDP source port */
	put16(q + 2, 9);      /* discard */
	put16(q + 4, sizeof(inv) - SW_IP6_HLEN);
	put16(q + 6, 0x0001); /* a checksum tshark won't verify on a truncated quote */
	return sw_icmp6_error_put(p, end, RELAY6, SW_ICMP6_PKT_TOO_BIG, 0, SW_TEREDO_MTU, inv,
				  sizeof(inv));
}

struct kind {
	uint8_t *(*build)(uint8_t *p, const uint8_t *end);
	const struct sw_endpoint *from, *to;
};

int main(int argc, char **argv)
{
	const struct kind kinds[] = {
		{ rs_with_auth, &E1_MAP, &SERVER },
		{ ra_with_auth_origin, &SERVER, &E1_MAP },
		{ bubble, &E1_MAP, &E2_SERVER },
		{ indirect_bubble, &SERVER, &E1_MAP },
		{ echo_request, &E1_MAP, &SERVER },
		{ echo_reply, &RELAY, &E1_MAP },
		{ dest_unreach, &RELAY, &E1_MAP },
		{ too_big, &RELAY, &E1_MAP },
	};
	/* magic, version 2.4 (two host-order 16-bit fields), zone, sigfigs, snaplen, link */
	uint32_t gh[6] = { 0xa1b2c3d4u, 0, 0, 0, 65535, LINKTYPE_RAW };
	const uint16_t ver[2] = { 2, 4 };
	struct out o = { 0 };
	uint8_t pl[PKT_MAX];
	int r = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: oracle_gen out.pcap\n");
		return 2;
	}
	o.f = fopen(argv[1], "wb");
	if (o.f == NULL) {
		perror(argv[1]);
		return 1;
	}
	memcpy(&gh[1], ver, sizeof(ver));
	if (fwrite(gh, sizeof(gh), 1, o.f) != 1)
		r = -EIO;
	for (size_t i = 0; r == 0 && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		r = emit(&o, *kinds[i].from, *kinds[i].to, pl, kinds[i].build(pl, pl + sizeof(pl)));
	if (fclose(o.f) != 0 && r == 0)
		r = -EIO;
	if (r != 0) {
		fprintf(stderr, "oracle_gen: %s\n", strerror(-r));
		return 1;
	}
	printf("oracle_gen: %u packets in %s\n", o.n, argv[1]);
	return 0;
}
