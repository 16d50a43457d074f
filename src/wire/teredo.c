/* teredo: Teredo UDP payload demultiplexing, auth and origin encapsulations. */
#include "wire/teredo.h"

#include <errno.h>
#include <string.h>

#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "wire/ip6.h"

#define AUTH_TYPE 0x01 /* second byte of 00 01 */
#define ORIGIN_TYPE 0x00

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Auth header at p (n bytes left): 00 01 idlen aulen id au nonce(8) conf. Returns its
 * length or -EINVAL. */
static int auth_parse(const uint8_t *p, size_t n, struct sw_auth *a)
{
	size_t need;

	if (n < SW_AUTH_MIN)
		return -EINVAL;
	a->id_len = p[2];
	a->au_len = p[3];
	need = (size_t)SW_AUTH_MIN + a->id_len + a->au_len;
	if (n < need)
		return -EINVAL;
	a->id = a->id_len ? p + 4 : NULL;
	a->au = a->au_len ? p + 4 + a->id_len : NULL;
	memcpy(a->nonce, p + 4 + a->id_len + a->au_len, SW_NONCE_LEN);
	a->conf = p[need - 1];
	return (int)need;
}

static int origin_parse(const uint8_t *p, size_t n, struct sw_endpoint *ep)
{
	if (n < SW_ORIGIN_LEN)
		return -EINVAL;
	ep->port = (uint16_t)(get16(p + 2) ^ 0xFFFFu);
	ep->ip = get32(p + 4) ^ 0xFFFFFFFFu;
	return SW_ORIGIN_LEN;
}

/* The IPv6 packet at p: version 6, 40 + plen <= n. */
static int ip6_locate(const uint8_t *p, size_t n, struct sw_pkt *out)
{
	size_t total;

	if (n < SW_IP6_HLEN || p[0] >> 4 != 6)
		return -EINVAL;
	total = (size_t)SW_IP6_HLEN + get16(p + 4);
	if (total > n)
		return -EINVAL;
	out->ip6 = p;
	out->ip6_len = total;
	out->trailers = p + total;
	out->trailers_len = n - total;
	return 0;
}

static bool is_hdr(const uint8_t *p, size_t n, uint8_t type)
{
	return n >= 2 && p[0] == 0 && p[1] == type;
}

int sw_pkt_parse(const uint8_t *buf, size_t len, struct sw_pkt *out)
{
	size_t off = 0;
	int r;

	memset(out, 0, sizeof(*out));
	if (buf == NULL || len == 0)
		return -EINVAL;
	if (is_hdr(buf, len, AUTH_TYPE)) {
		r = auth_parse(buf, len, &out->auth);
		if (r < 0)
			return r;
		out->has_auth = true;
		off = (size_t)r;
	}
	if (is_hdr(buf + off, len - off, ORIGIN_TYPE)) {
		r = origin_parse(buf + off, len - off, &out->origin);
		if (r < 0)
			return r;
		out->has_origin = true;
		off += (size_t)r;
	}
	/* Whatever follows must be IPv6: a second header, or auth after origin, is rejected. */
	return ip6_locate(buf + off, len - off, out);
}

uint8_t *sw_origin_put(uint8_t *p, const uint8_t *end, struct sw_endpoint ep)
{
	if (p == NULL || end < p || (size_t)(end - p) < SW_ORIGIN_LEN)
		return NULL;
	p[0] = 0;
	p[1] = ORIGIN_TYPE;
	put16(p + 2, (uint16_t)(ep.port ^ 0xFFFFu));
	put32(p + 4, ep.ip ^ 0xFFFFFFFFu);
	return p + SW_ORIGIN_LEN;
}

uint8_t *sw_auth_put(uint8_t *p, const uint8_t *end, const struct sw_auth *a)
{
	size_t need;

	if (p == NULL || a == NULL || end < p)
		return NULL;
	if ((a->id_len && a->id == NULL) || (a->au_len && a->au == NULL))
		return NULL;
	need = (size_t)SW_AUTH_MIN + a->id_len + a->au_len;
	if ((size_t)(end - p) < need)
		return NULL;
	p[0] = 0;
	p[1] = AUTH_TYPE;
	p[2] = a->id_len;
	p[3] = a->au_len;
	p += 4;
	if (a->id_len)
		memcpy(p, a->id, a->id_len);
	p += a->id_len;
	if (a->au_len)
		memcpy(p, a->au, a->au_len);
	p += a->au_len;
	memcpy(p, a->nonce, SW_NONCE_LEN);
	p += SW_NONCE_LEN;
	*p++ = a->conf;
	return p;
}

void sw_auth_hmac(const uint8_t *key, size_t key_len, const uint8_t nonce[SW_NONCE_LEN],
		  uint8_t conf, const uint8_t *origin8, const uint8_t *ip6, size_t ip6_len,
		  uint8_t mac[SW_HMAC_LEN])
{
	struct hmac_sha1_ctx ctx;

	hmac_sha1_set_key(&ctx, key_len, key);
	hmac_sha1_update(&ctx, SW_NONCE_LEN, nonce);
	hmac_sha1_update(&ctx, 1, &conf);
	if (origin8 != NULL)
		hmac_sha1_update(&ctx, SW_ORIGIN_LEN, origin8);
	if (ip6_len)
		hmac_sha1_update(&ctx, ip6_len, ip6);
	hmac_sha1_digest(&ctx, SW_HMAC_LEN, mac);
}

bool sw_auth_verify(const struct sw_pkt *pkt, const uint8_t *origin8, const uint8_t *key,
		    size_t key_len)
{
	uint8_t mac[SW_HMAC_LEN], o8[SW_ORIGIN_LEN];

	if (!pkt->has_auth || pkt->auth.au_len != SW_HMAC_LEN || pkt->auth.au == NULL)
		return false;
	if (pkt->has_origin && origin8 == NULL) {
		/* The encoding is a bijection, so the raw bytes can be rebuilt exactly. */
		sw_origin_put(o8, o8 + sizeof(o8), pkt->origin);
		origin8 = o8;
	} else if (!pkt->has_origin) {
		origin8 = NULL;
	}
	sw_auth_hmac(key, key_len, pkt->auth.nonce, pkt->auth.conf, origin8, pkt->ip6,
		     pkt->ip6_len, mac);
	return memeql_sec(mac, pkt->auth.au, SW_HMAC_LEN) != 0;
}
