/* trailer: RFC 6081 trailers, parsed in order with the rules of its §5.1.2. */
#include "wire/trailer.h"

#include <errno.h>
#include <string.h>

#define TR_HDR 2
#define TR_NONCE_LEN 4
#define TR_ND_LEN 4
#define TR_PORT_LEN 2
#define TR_ALT_RSVD 2
#define TR_ALT_ENTRY 6
#define TR_DISCARD_BITS 0x40 /* top bits 01: an unknown type means "drop the packet" */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* "Valid unicast" for an alternate (local) address: private ranges are fine here. */
static bool alt_ip_ok(uint32_t ip)
{
	uint8_t top = (uint8_t)(ip >> 24);

	return top != 0 && top != 127 && top < 224;
}

static bool alt_parse(const uint8_t *v, uint8_t len, struct sw_trailers *t)
{
	size_t n, i;

	if (len < TR_ALT_RSVD + TR_ALT_ENTRY || (len - TR_ALT_RSVD) % TR_ALT_ENTRY != 0)
		return false;
	n = (size_t)(len - TR_ALT_RSVD) / TR_ALT_ENTRY;
	if (n > SW_ALT_MAX)
		return false;
	for (i = 0; i < n; i++) {
		const uint8_t *e = v + TR_ALT_RSVD + i * TR_ALT_ENTRY;
		struct sw_endpoint ep = { .ip = get32(e), .port = get16(e + 4) };

		if (!alt_ip_ok(ep.ip) || ep.port == 0)
			return false;
		t->alt[i] = ep;
	}
	t->n_alt = (uint8_t)n;
	t->has_alt = true;
	return true;
}

/* One known trailer; returns false when its length or value is invalid. */
static bool known_parse(uint8_t type, const uint8_t *v, uint8_t len, struct sw_trailers *t)
{
	switch (type) {
	case SW_TR_NONCE:
		if (len != TR_NONCE_LEN)
			return false;
		t->nonce = get32(v);
		t->has_nonce = true;
		return true;
	case SW_TR_RANDOM_PORT:
	case SW_TR_RANDOM_PORT_IANA:
		if (len != TR_PORT_LEN)
			return false;
		t->random_port = get16(v);
		t->has_random_port = true;
		return true;
	case SW_TR_ND:
		if (len != TR_ND_LEN || (v[0] != SW_ND_SOLICIT && v[0] != SW_ND_ADVERT))
			return false;
		t->nd_type = v[0];
		t->has_nd = true;
		return true;
	case SW_TR_ALT_ADDR:
		if (alt_parse(v, len, t))
			return true;
		t->has_alt = false;
		t->n_alt = 0;
		t->alt_bad = true;
		return false;
	default:
		return false;
	}
}

static bool is_known(uint8_t type)
{
	return type == SW_TR_NONCE || type == SW_TR_RANDOM_PORT || type == SW_TR_RANDOM_PORT_IANA ||
	       type == SW_TR_ND || type == SW_TR_ALT_ADDR;
}

int sw_trailers_parse(const uint8_t *p, size_t len, struct sw_trailers *out)
{
	memset(out, 0, sizeof(*out));
	if (p == NULL)
		return 0;
	while (len > 0) {
		uint8_t type, tlen;

		if (len < TR_HDR || len - TR_HDR < p[1]) {
			out->truncated = true;
			return 0;
		}
		type = p[0];
		tlen = p[1];
		if (!is_known(type)) {
			if ((type & 0xC0) == TR_DISCARD_BITS)
				return -EPROTO;
		} else if (!known_parse(type, p + TR_HDR, tlen, out)) {
			out->truncated = true;
			return 0;
		}
		p += TR_HDR + tlen;
		len -= TR_HDR + (size_t)tlen;
	}
	return 0;
}

static uint8_t *tr_begin(uint8_t *p, const uint8_t *end, uint8_t type, uint8_t len)
{
	if (p == NULL || end < p || (size_t)(end - p) < (size_t)TR_HDR + len)
		return NULL;
	p[0] = type;
	p[1] = len;
	return p + TR_HDR;
}

uint8_t *sw_trailer_put_nonce(uint8_t *p, const uint8_t *end, uint32_t nonce)
{
	p = tr_begin(p, end, SW_TR_NONCE, TR_NONCE_LEN);
	if (p == NULL)
		return NULL;
	p[0] = (uint8_t)(nonce >> 24);
	p[1] = (uint8_t)(nonce >> 16);
	p[2] = (uint8_t)(nonce >> 8);
	p[3] = (uint8_t)nonce;
	return p + TR_NONCE_LEN;
}

uint8_t *sw_trailer_put_random_port(uint8_t *p, const uint8_t *end, uint16_t port)
{
	p = tr_begin(p, end, SW_TR_RANDOM_PORT_SEND, TR_PORT_LEN);
	if (p == NULL)
		return NULL;
	p[0] = (uint8_t)(port >> 8);
	p[1] = (uint8_t)port;
	return p + TR_PORT_LEN;
}

uint8_t *sw_trailer_put_nd(uint8_t *p, const uint8_t *end, uint8_t type)
{
	p = tr_begin(p, end, SW_TR_ND, TR_ND_LEN);
	if (p == NULL)
		return NULL;
	p[0] = type;
	p[1] = p[2] = p[3] = 0;
	return p + TR_ND_LEN;
}

uint8_t *sw_trailer_put_alt(uint8_t *p, const uint8_t *end, const struct sw_endpoint *alt,
			    size_t n)
{
	size_t i;

	if (alt == NULL || n == 0 || n > SW_ALT_MAX)
		return NULL;
	p = tr_begin(p, end, SW_TR_ALT_ADDR, (uint8_t)(TR_ALT_RSVD + n * TR_ALT_ENTRY));
	if (p == NULL)
		return NULL;
	*p++ = 0;
	*p++ = 0;
	for (i = 0; i < n; i++, p += TR_ALT_ENTRY) {
		p[0] = (uint8_t)(alt[i].ip >> 24);
		p[1] = (uint8_t)(alt[i].ip >> 16);
		p[2] = (uint8_t)(alt[i].ip >> 8);
		p[3] = (uint8_t)alt[i].ip;
		p[4] = (uint8_t)(alt[i].port >> 8);
		p[5] = (uint8_t)alt[i].port;
	}
	return p;
}
