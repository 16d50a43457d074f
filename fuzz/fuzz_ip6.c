/* libFuzzer target: arbitrary bytes through sw_ip6_parse, then the error builder over the
 * parsed packet. Aborts when an invariant the engines rely on breaks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/addr.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_bounds(const uint8_t *data, size_t size, const struct sw_ip6 *ip)
{
	if (ip->pkt != data || ip->len != (size_t)SW_IP6_HLEN + ip->plen || ip->len > size)
		abort();
	if (ip->src != data + 8 || ip->dst != data + 24 || ip->nh != data[6] || ip->hlim != data[7])
		abort();
	if (ip->l4 == NULL) {
		if (ip->proto != SW_NH_NONE || ip->l4_len != 0)
			abort();
		return;
	}
	if (ip->l4 < data + SW_IP6_HLEN || ip->l4 + ip->l4_len != data + ip->len)
		abort();
	if (sw_ip6_is_bubble(ip) && ip->len != SW_IP6_HLEN)
		abort();
}

static void check_rebuild(const uint8_t *data, const struct sw_ip6 *ip)
{
	uint8_t hdr[SW_IP6_HLEN];

	if (sw_ip6_put(hdr, hdr + sizeof hdr, ip->plen, ip->nh, ip->hlim, ip->src, ip->dst) !=
	    hdr + sizeof hdr)
		abort();
	if (memcmp(hdr + 4, data + 4, SW_IP6_HLEN - 4) != 0)
		abort();
}

static void check_error(const struct sw_ip6 *ip)
{
	static uint8_t out[SW_ICMP6_ERR_MAX];
	static const uint8_t src[16] = { 0x20, 0x01, [15] = 1 };
	struct sw_ip6 e;
	uint8_t *end;

	if (!sw_icmp6_may_error(ip, false))
		return;
	end = sw_icmp6_error_put(out, out + sizeof out, src, SW_ICMP6_DST_UNREACH,
				 SW_UNREACH_ADDR, 0, ip->pkt, ip->len);
	if (end == NULL || end - out > SW_ICMP6_ERR_MAX)
		abort();
	if (sw_ip6_parse(out, (size_t)(end - out), &e) != 0 || !sw_icmp6_csum_ok(&e) ||
	    sw_icmp6_type(&e) != SW_ICMP6_DST_UNREACH || sw_icmp6_may_error(&e, true))
		abort();
	if (memcmp(e.dst, ip->src, 16) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_ip6 ip;

	if (sw_ip6_parse(data, size, &ip) != 0)
		return 0;
	check_bounds(data, size, &ip);
	check_rebuild(data, &ip);
	check_error(&ip);
	(void)sw_icmp6_type(&ip);
	(void)sw_icmp6_csum_ok(&ip);
	return 0;
}
