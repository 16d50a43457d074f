/* libFuzzer target: a whole Teredo UDP payload through sw_pkt_parse, then the IPv6 packet
 * through sw_ip6_parse and the ICMPv6 parsers, the trailers through sw_trailers_parse.
 * Checks the invariants the engines rely on and aborts when one breaks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/teredo.h"
#include "wire/trailer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_headers(const uint8_t *data, const struct sw_pkt *pkt)
{
	uint8_t buf[13 + 255 + 255 + SW_ORIGIN_LEN], *p = buf, *end = buf + sizeof(buf);

	/* Re-encoding the parsed headers gives back the bytes before the IPv6 packet. */
	if (pkt->has_auth)
		p = sw_auth_put(p, end, &pkt->auth);
	if (p != NULL && pkt->has_origin)
		p = sw_origin_put(p, end, pkt->origin);
	if (p == NULL || p - buf != pkt->ip6 - data || memcmp(buf, data, (size_t)(p - buf)) != 0)
		abort();
}

static void check_ip6(const struct sw_pkt *pkt)
{
	struct sw_ip6 ip;
	struct sw_echo echo;
	struct sw_ra ra;

	if (sw_ip6_parse(pkt->ip6, pkt->ip6_len, &ip) != 0)
		return;
	if (ip.len != pkt->ip6_len)
		abort();
	(void)sw_ip6_is_bubble(&ip);
	if (sw_icmp6_type(&ip) < 0)
		return;
	(void)sw_icmp6_csum_ok(&ip);
	(void)sw_rs_check(&ip);
	(void)sw_ra_parse(&ip, &ra);
	(void)sw_echo_parse(&ip, &echo);
	(void)sw_icmp6_may_error(&ip, false);
}

static void check_trailers(const struct sw_pkt *pkt)
{
	struct sw_trailers tr;

	if (sw_trailers_parse(pkt->trailers, pkt->trailers_len, &tr) != 0)
		return;
	if (tr.n_alt > SW_ALT_MAX || (tr.has_alt && (tr.n_alt == 0 || tr.alt_bad)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[] = "fuzz key";
	struct sw_pkt pkt;

	if (sw_pkt_parse(data, size, &pkt) != 0)
		return 0;
	if (pkt.ip6 < data || pkt.ip6_len < SW_IP6_HLEN ||
	    pkt.ip6 + pkt.ip6_len != pkt.trailers || pkt.trailers + pkt.trailers_len != data + size)
		abort();
	check_headers(data, &pkt);
	if (pkt.has_auth)
		(void)sw_auth_verify(&pkt, pkt.has_origin ? pkt.ip6 - SW_ORIGIN_LEN : NULL, key,
				     sizeof(key) - 1);
	check_ip6(&pkt);
	check_trailers(&pkt);
	return 0;
}
