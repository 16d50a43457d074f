/* libFuzzer target: arbitrary bytes as an IPv6 packet through the RS, RA and echo parsers.
 * Input byte 0 bit 0 set: the ICMPv6 checksum of the rest is fixed first, so the fuzzer
 * reaches the checks behind it. Aborts when an accepted packet breaks an invariant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/addr.h"
#include "wire/csum.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXPKT 2048

static void fix_csum(uint8_t *p, size_t n)
{
	size_t plen;
	uint16_t c;

	if (n < 44 || p[6] != SW_NH_ICMP6)
		return;
	plen = (size_t)(p[4] << 8 | p[5]);
	if (40 + plen > n || plen < 4)
		return;
	p[42] = p[43] = 0;
	c = sw_csum_ip6(p + 8, p + 24, SW_NH_ICMP6, p + 40, plen);
	p[42] = (uint8_t)(c >> 8);
	p[43] = (uint8_t)c;
}

/* Only plain packets (no extension header, zero traffic class and flow label) rebuild
 * byte for byte. */
static int plain(const struct sw_ip6 *ip)
{
	return ip->nh == SW_NH_ICMP6 && ip->pkt[0] == 0x60 && ip->pkt[1] == 0 && ip->pkt[2] == 0 &&
	       ip->pkt[3] == 0;
}

/* Equal apart from the checksum field (0x0000 and 0xffff both verify). */
static int same_but_csum(const uint8_t *a, const uint8_t *b, size_t n)
{
	return memcmp(a, b, 42) == 0 && memcmp(a + 44, b + 44, n - 44) == 0;
}

static void check_rs(const struct sw_ip6 *ip)
{
	uint8_t b[48];

	if (sw_rs_check(ip) != 0)
		return;
	if (ip->hlim != 255 || !sw_ip6_is_linklocal(ip->src) || ip->l4_len < 8 || ip->l4[1])
		abort();
	if (plain(ip) && ip->plen == 8 && !memcmp(ip->l4 + 4, "\0\0\0\0", 4) &&
	    (sw_rs_put(b, b + sizeof b, ip->src) == NULL || !same_but_csum(b, ip->pkt, 48)))
		abort();
}

static void check_ra(const struct sw_ip6 *ip)
{
	struct sw_ra ra;

	if (sw_ra_parse(ip, &ra) != 0)
		return;
	if (!sw_addr_is_teredo(ra.prefix) || ip->hlim != 255 || !sw_ip6_is_linklocal(ip->src) ||
	    ip->l4_len < 16 || !sw_icmp6_csum_ok(ip))
		abort();
}

static void check_echo(const struct sw_ip6 *ip)
{
	static uint8_t b[MAXPKT];
	struct sw_echo e;
	uint8_t *end;

	if (sw_echo_parse(ip, &e) != 0)
		return;
	if (e.data < ip->l4 || e.data + e.data_len != ip->l4 + ip->l4_len)
		abort();
	end = sw_echo_put(b, b + sizeof b, ip->src, ip->dst, ip->hlim, &e);
	if (end == NULL || (plain(ip) && !same_but_csum(b, ip->pkt, ip->len)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[MAXPKT];
	struct sw_ip6 ip;

	if (size < 1 || size - 1 > sizeof pkt)
		return 0;
	size--;
	memcpy(pkt, data + 1, size);
	if (data[0] & 1)
		fix_csum(pkt, size);
	if (sw_ip6_parse(pkt, size, &ip) != 0)
		return 0;
	check_rs(&ip);
	check_ra(&ip);
	check_echo(&ip);
	return 0;
}
