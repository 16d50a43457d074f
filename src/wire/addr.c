#include "wire/addr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

bool sw_addr_is_teredo(const uint8_t a[16])
{
	return a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0;
}

int sw_addr_decode(const uint8_t a[16], struct sw_teredo *out)
{
	if (!sw_addr_is_teredo(a))
		return -EINVAL;
	out->server = get32(a + 4);
	out->flags = get16(a + 8);
	out->mapped.port = (uint16_t)~get16(a + 10);
	out->mapped.ip = ~get32(a + 12);
	return 0;
}

/* The 64-bit identifier: flags, ~port, ~ip. */
static void put_ident(uint8_t *p, uint16_t flags, struct sw_endpoint ep)
{
	put16(p, flags);
	put16(p + 2, (uint16_t)~ep.port);
	put32(p + 4, ~ep.ip);
}

void sw_addr_encode(uint8_t a[16], const struct sw_teredo *t)
{
	sw_addr_prefix(a, t->server);
	put_ident(a + 8, t->flags, t->mapped);
}

bool sw_addr_mapping_eq(const uint8_t a[16], struct sw_endpoint ep)
{
	uint16_t port = (uint16_t)~get16(a + 10);
	uint32_t ip = ~get32(a + 12);

	return port == ep.port && ip == ep.ip;
}

uint16_t sw_flags_make(bool cone, uint16_t random12)
{
	return (uint16_t)((cone ? SW_FLAG_CONE : 0) | (random12 & SW_FLAG_RANDOM_MASK));
}

static void put_linklocal_prefix(uint8_t a[16])
{
	memset(a, 0, 8);
	a[0] = 0xfe;
	a[1] = 0x80;
}

void sw_addr_linklocal(uint8_t a[16], uint16_t flags, struct sw_endpoint ep)
{
	put_linklocal_prefix(a);
	put_ident(a + 8, flags, ep);
}

void sw_addr_server_linklocal(uint8_t a[16], uint32_t server)
{
	struct sw_endpoint ep = { .ip = server, .port = SW_TEREDO_PORT };

	sw_addr_linklocal(a, SW_FLAG_CONE, ep);
}

void sw_addr_rs_source(uint8_t a[16], bool cone)
{
	static const uint8_t c0[8] = { 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t c1[8] = { 0x80, 0, 0x54, 0x45, 0x52, 0x45, 0x44, 0x4f };

	put_linklocal_prefix(a);
	memcpy(a + 8, cone ? c1 : c0, 8);
}

void sw_addr_prefix(uint8_t a[16], uint32_t server)
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	put32(a + 4, server);
}

struct v4net {
	uint32_t net;
	uint8_t len;
};

static bool in_net(uint32_t ip, const struct v4net *n)
{
	uint32_t mask = n->len ? ~0u << (32 - n->len) : 0;

	return (ip & mask) == n->net;
}

static bool in_any(uint32_t ip, const struct v4net *n, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (in_net(ip, &n[i]))
			return true;
	return false;
}

#define V4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static const struct v4net rfc4380_excl[] = {
	{ V4(0, 0, 0, 0), 8 },      { V4(127, 0, 0, 0), 8 },     { V4(10, 0, 0, 0), 8 },
	{ V4(172, 16, 0, 0), 12 },  { V4(192, 168, 0, 0), 16 },  { V4(169, 254, 0, 0), 16 },
	{ V4(192, 88, 99, 0), 24 }, { V4(224, 0, 0, 0), 4 },     { V4(255, 255, 255, 255), 32 },
};

static const struct v4net rfc6890_excl[] = {
	{ V4(100, 64, 0, 0), 10 },
	{ V4(192, 0, 0, 0), 24 },
	{ V4(198, 18, 0, 0), 15 },
	{ V4(240, 0, 0, 0), 4 },
};

bool sw_ipv4_is_global(uint32_t ip, unsigned opts)
{
	if (in_any(ip, rfc4380_excl, sizeof rfc4380_excl / sizeof rfc4380_excl[0]))
		return false;
	if ((opts & SW_GLOBAL_RFC6890) &&
	    in_any(ip, rfc6890_excl, sizeof rfc6890_excl / sizeof rfc6890_excl[0]))
		return false;
	return true;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

bool sw_ip6_is_unspecified(const uint8_t a[16])
{
	return all_zero(a, 16);
}

bool sw_ip6_is_loopback(const uint8_t a[16])
{
	return all_zero(a, 15) && a[15] == 1;
}

bool sw_ip6_is_linklocal(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

bool sw_ip6_is_multicast(const uint8_t a[16])
{
	return a[0] == 0xff;
}

static bool is_sitelocal(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0xc0;
}

static bool is_v4mapped(const uint8_t a[16])
{
	return all_zero(a, 10) && a[10] == 0xff && a[11] == 0xff;
}

bool sw_ip6_is_global(const uint8_t a[16])
{
	return !sw_ip6_is_unspecified(a) && !sw_ip6_is_loopback(a) && !sw_ip6_is_linklocal(a) &&
	       !is_sitelocal(a) && !sw_ip6_is_multicast(a) && !is_v4mapped(a);
}

/* Reads a decimal number of at most max; advances *s. */
static int parse_num(const char **s, unsigned long max, unsigned long *out)
{
	const char *p = *s;
	unsigned long v = 0;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return -EINVAL;
	}
	*s = p;
	*out = v;
	return 0;
}

int sw_endpoint_parse(const char *s, struct sw_endpoint *ep)
{
	unsigned long v;
	uint32_t ip = 0;

	for (int i = 0; i < 4; i++) {
		if (parse_num(&s, 255, &v) < 0)
			return -EINVAL;
		ip = ip << 8 | (uint32_t)v;
		if (*s++ != (i < 3 ? '.' : ':'))
			return -EINVAL;
	}
	if (parse_num(&s, 65535, &v) < 0 || *s != '\0')
		return -EINVAL;
	ep->ip = ip;
	ep->port = (uint16_t)v;
	return 0;
}

char *sw_ip4_str(uint32_t ip, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
		 ip & 0xff);
	return buf;
}

char *sw_endpoint_str(struct sw_endpoint ep, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	snprintf(buf, len, "%u.%u.%u.%u:%u", ep.ip >> 24, (ep.ip >> 16) & 0xff,
		 (ep.ip >> 8) & 0xff, ep.ip & 0xff, ep.port);
	return buf;
}
