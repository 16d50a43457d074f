#include "wire/icmp6.h"

#include <errno.h>
#include <string.h>

#include "wire/csum.h"
#include "wire/ip6.h"

#define RA_HLEN 16   /* type, code, csum, hop limit, flags, lifetime, reachable, retrans */
#define PIO_LEN 32
#define MTUO_LEN 8
#define ND_HLIM 255
#define ERR_HLIM 64
#define RA_RETRANS_MS 2000u

static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 0x02 };

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	return put16(p + 2, (uint16_t)v);
}

static bool fits(const uint8_t *p, const uint8_t *end, size_t n)
{
	return p != NULL && end != NULL && end >= p && (size_t)(end - p) >= n;
}

/* Fills the ICMPv6 checksum of the packet at pkt (ICMPv6 right after the fixed header). */
static void icmp_finish(uint8_t *pkt, size_t icmp_len)
{
	uint8_t *m = pkt + SW_IP6_HLEN;

	m[2] = m[3] = 0;
	put16(m + 2, sw_csum_ip6(pkt + 8, pkt + 24, SW_NH_ICMP6, m, icmp_len));
}

/* An ICMPv6 message of the given type, not fragmented, with at least min bytes. */
static bool is_icmp(const struct sw_ip6 *ip, uint8_t type, size_t min)
{
	return ip->proto == SW_NH_ICMP6 && !ip->fragment && ip->l4 != NULL &&
	       ip->l4_len >= min && ip->l4[0] == type;
}

int sw_icmp6_type(const struct sw_ip6 *ip)
{
	if (ip->proto != SW_NH_ICMP6 || ip->fragment || ip->l4 == NULL || ip->l4_len < 4)
		return -1;
	return ip->l4[0];
}

bool sw_icmp6_csum_ok(const struct sw_ip6 *ip)
{
	return ip->proto == SW_NH_ICMP6 && !ip->fragment && ip->l4 != NULL && ip->l4_len >= 4 &&
	       sw_csum_ip6(ip->src, ip->dst, SW_NH_ICMP6, ip->l4, ip->l4_len) == 0;
}

/* ND options from opt to end: every length > 0 and inside the message (ND §6.1). */
static bool nd_opts_ok(const uint8_t *opt, const uint8_t *end)
{
	while (opt < end) {
		if (end - opt < 8 || opt[1] == 0 || (size_t)opt[1] * 8 > (size_t)(end - opt))
			return false;
		opt += (size_t)opt[1] * 8;
	}
	return true;
}

/* Common ND checks: hop limit 255, type, code 0, minimum length, checksum, options. */
static bool nd_ok(const struct sw_ip6 *ip, uint8_t type, size_t hlen)
{
	return ip->hlim == ND_HLIM && is_icmp(ip, type, hlen) && ip->l4[1] == 0 &&
	       sw_icmp6_csum_ok(ip) && nd_opts_ok(ip->l4 + hlen, ip->l4 + ip->l4_len);
}

uint8_t *sw_rs_put(uint8_t *p, const uint8_t *end, const uint8_t src[16])
{
	uint8_t *m = sw_ip6_put(p, end, 8, SW_NH_ICMP6, ND_HLIM, src, all_routers);

	if (m == NULL || !fits(m, end, 8))
		return NULL;
	memset(m, 0, 8);
	m[0] = SW_ICMP6_RS;
	icmp_finish(p, 8);
	return m + 8;
}

int sw_rs_check(const struct sw_ip6 *ip)
{
	if (!nd_ok(ip, SW_ICMP6_RS, 8) || !sw_ip6_is_linklocal(ip->src) ||
	    memcmp(ip->dst, all_routers, 16) != 0)
		return -EINVAL;
	return 0;
}

static uint8_t *put_pio(uint8_t *o, uint32_t server)
{
	o[0] = 3;
	o[1] = PIO_LEN / 8;
	o[2] = 64;
	o[3] = 0x40; /* A only (Miredo) */
	put32(o + 4, 0xffffffffu);
	put32(o + 8, 0xffffffffu);
	put32(o + 12, 0);
	sw_addr_prefix(o + 16, server);
	return o + PIO_LEN;
}

static uint8_t *put_mtu(uint8_t *o, uint32_t mtu)
{
	o[0] = 5;
	o[1] = MTUO_LEN / 8;
	put16(o + 2, 0);
	return put32(o + 4, mtu);
}

uint8_t *sw_ra_put(uint8_t *p, const uint8_t *end, const struct sw_ra_params *ra)
{
	size_t mlen = RA_HLEN + PIO_LEN + (ra->mtu ? MTUO_LEN : 0);
	uint8_t src[16], *m;

	sw_addr_server_linklocal(src, ra->server);
	m = sw_ip6_put(p, end, (uint16_t)mlen, SW_NH_ICMP6, ND_HLIM, src, ra->dst);
	if (m == NULL || !fits(m, end, mlen))
		return NULL;
	memset(m, 0, RA_HLEN);
	m[0] = SW_ICMP6_RA;
	put32(m + 12, RA_RETRANS_MS);
	m = put_pio(m + RA_HLEN, ra->server);
	if (ra->mtu)
		m = put_mtu(m, ra->mtu);
	icmp_finish(p, mlen);
	return m;
}

/* Reads the RA options (already checked by nd_opts_ok); counts PIOs. */
static int ra_opts(const uint8_t *o, const uint8_t *end, struct sw_ra *out)
{
	int npio = 0;

	for (; o < end; o += (size_t)o[1] * 8) {
		if (o[0] == 3) {
			if (o[1] != PIO_LEN / 8)
				return -EINVAL;
			npio++;
			out->prefix_len = o[2];
			memcpy(out->prefix, o + 16, 16);
		} else if (o[0] == 5) {
			if (o[1] != MTUO_LEN / 8)
				return -EINVAL;
			out->mtu = get32(o + 4);
		}
	}
	return npio;
}

int sw_ra_parse(const struct sw_ip6 *ip, struct sw_ra *out)
{
	memset(out, 0, sizeof *out);
	if (!sw_ip6_is_linklocal(ip->src) || !nd_ok(ip, SW_ICMP6_RA, RA_HLEN))
		return -EINVAL;
	if (ra_opts(ip->l4 + RA_HLEN, ip->l4 + ip->l4_len, out) != 1 ||
	    !sw_addr_is_teredo(out->prefix)) {
		memset(out, 0, sizeof *out);
		return -EINVAL;
	}
	out->router_lifetime = get16(ip->l4 + 6);
	return 0;
}

uint8_t *sw_echo_put(uint8_t *p, const uint8_t *end, const uint8_t src[16], const uint8_t dst[16],
		     uint8_t hlim, const struct sw_echo *e)
{
	size_t mlen = 8 + e->data_len;
	uint8_t *m;

	if ((e->type != SW_ICMP6_ECHO_REQUEST && e->type != SW_ICMP6_ECHO_REPLY) ||
	    mlen > 0xffff || (e->data_len && e->data == NULL))
		return NULL;
	m = sw_ip6_put(p, end, (uint16_t)mlen, SW_NH_ICMP6, hlim, src, dst);
	if (m == NULL || !fits(m, end, mlen))
		return NULL;
	m[0] = e->type;
	m[1] = 0;
	put16(m + 4, e->id);
	put16(m + 6, e->seq);
	if (e->data_len)
		memmove(m + 8, e->data, e->data_len);
	icmp_finish(p, mlen);
	return m + mlen;
}

int sw_echo_parse(const struct sw_ip6 *ip, struct sw_echo *out)
{
	memset(out, 0, sizeof *out);
	if (!(is_icmp(ip, SW_ICMP6_ECHO_REQUEST, 8) || is_icmp(ip, SW_ICMP6_ECHO_REPLY, 8)) ||
	    ip->l4[1] != 0 || !sw_icmp6_csum_ok(ip))
		return -EINVAL;
	out->type = ip->l4[0];
	out->id = get16(ip->l4 + 4);
	out->seq = get16(ip->l4 + 6);
	out->data = ip->l4 + 8;
	out->data_len = ip->l4_len - 8;
	return 0;
}

/* ICMPv6 errors and redirects never draw an error; unknown fragments are treated alike. */
static bool is_error_or_redirect(const struct sw_ip6 *ip)
{
	if (ip->proto != SW_NH_ICMP6)
		return false;
	if (ip->fragment || ip->l4 == NULL || ip->l4_len < 1)
		return true;
	return ip->l4[0] < 128 || ip->l4[0] == SW_ICMP6_REDIRECT;
}

bool sw_icmp6_may_error(const struct sw_ip6 *invoking, bool allow_mcast_dst)
{
	const struct sw_ip6 *ip = invoking;

	if (sw_ip6_is_unspecified(ip->src) || sw_ip6_is_multicast(ip->src))
		return false;
	if (sw_ip6_is_multicast(ip->dst) && !allow_mcast_dst)
		return false;
	return !is_error_or_redirect(ip);
}

uint8_t *sw_icmp6_error_put(uint8_t *p, const uint8_t *end, const uint8_t src[16], uint8_t type,
			    uint8_t code, uint32_t param, const uint8_t *invoking, size_t inv_len)
{
	const size_t hdr = SW_IP6_HLEN + 8;
	size_t quote = inv_len < SW_ICMP6_ERR_MAX - hdr ? inv_len : SW_ICMP6_ERR_MAX - hdr;
	uint8_t s[16], d[16];

	if (invoking == NULL || inv_len < SW_IP6_HLEN || !fits(p, end, hdr + quote))
		return NULL;
	/* addresses and quote first: the invoking packet may sit in p (built in place) */
	memcpy(s, src, 16);
	memcpy(d, invoking + 8, 16);
	memmove(p + hdr, invoking, quote);
	sw_ip6_put(p, end, (uint16_t)(8 + quote), SW_NH_ICMP6, ERR_HLIM, s, d);
	p[40] = type;
	p[41] = code;
	put32(p + 44, param);
	icmp_finish(p, 8 + quote);
	return p + hdr + quote;
}
