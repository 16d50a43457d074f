#include "wire/ip6.h"

#include <errno.h>
#include <string.h>

#define SW_NH_AH 51

static bool is_ext(uint8_t nh)
{
	return nh == SW_NH_HOPOPTS || nh == SW_NH_ROUTING || nh == SW_NH_FRAGMENT ||
	       nh == SW_NH_DSTOPTS || nh == SW_NH_AH;
}

/* Length of the extension header at p (at least 8 bytes readable). */
static size_t ext_len(uint8_t nh, const uint8_t *p)
{
	if (nh == SW_NH_FRAGMENT)
		return 8;
	if (nh == SW_NH_AH)
		return ((size_t)p[1] + 2) * 4;
	return ((size_t)p[1] + 1) * 8;
}

static bool frag_is_first(const uint8_t *p)
{
	return ((p[2] << 8 | p[3]) & 0xfff8) == 0;
}

/* Walks the chain from the fixed header's Next Header; fills proto, l4, l4_len, fragment. */
static int walk_ext(struct sw_ip6 *ip)
{
	const uint8_t *p = ip->pkt + SW_IP6_HLEN, *end = ip->pkt + ip->len;
	uint8_t nh = ip->nh;

	for (int n = 0; is_ext(nh); n++) {
		if (n == SW_IP6_MAX_EXT || end - p < 8)
			return -EINVAL;
		if (nh == SW_NH_HOPOPTS && n != 0)
			return -EINVAL; /* RFC 8200 §4.3: only right after the fixed header */
		size_t hl = ext_len(nh, p);
		if (hl > (size_t)(end - p))
			return -EINVAL;
		bool stop = nh == SW_NH_FRAGMENT && !frag_is_first(p);
		ip->fragment |= nh == SW_NH_FRAGMENT;
		nh = p[0];
		p += hl;
		if (stop)
			break; /* a later fragment carries no headers, only data */
	}
	ip->proto = nh;
	ip->l4 = nh == SW_NH_NONE ? NULL : p;
	ip->l4_len = nh == SW_NH_NONE ? 0 : (size_t)(end - p);
	return 0;
}

int sw_ip6_parse(const uint8_t *buf, size_t len, struct sw_ip6 *out)
{
	memset(out, 0, sizeof *out);
	if (buf == NULL || len < SW_IP6_HLEN || buf[0] >> 4 != 6)
		return -EINVAL;
	out->plen = (uint16_t)(buf[4] << 8 | buf[5]);
	if ((size_t)SW_IP6_HLEN + out->plen > len)
		return -EINVAL;
	out->pkt = buf;
	out->len = (size_t)SW_IP6_HLEN + out->plen;
	out->nh = buf[6];
	out->hlim = buf[7];
	out->src = buf + 8;
	out->dst = buf + 24;
	return walk_ext(out);
}

bool sw_ip6_is_bubble(const struct sw_ip6 *ip)
{
	return ip->nh == SW_NH_NONE && ip->plen == 0;
}

uint8_t *sw_ip6_put(uint8_t *p, const uint8_t *end, uint16_t plen, uint8_t nh, uint8_t hlim,
		    const uint8_t src[16], const uint8_t dst[16])
{
	uint8_t s[16], d[16]; /* src/dst may point into p (a reply built in place) */

	if (p == NULL || end == NULL || end < p || end - p < SW_IP6_HLEN)
		return NULL;
	memcpy(s, src, 16);
	memcpy(d, dst, 16);
	p[0] = 0x60;
	p[1] = p[2] = p[3] = 0;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = nh;
	p[7] = hlim;
	memcpy(p + 8, s, 16);
	memcpy(p + 24, d, 16);
	return p + SW_IP6_HLEN;
}

uint8_t *sw_bubble_put(uint8_t *p, const uint8_t *end, const uint8_t src[16],
		       const uint8_t dst[16], uint8_t hlim)
{
	return sw_ip6_put(p, end, 0, SW_NH_NONE, hlim, src, dst);
}
