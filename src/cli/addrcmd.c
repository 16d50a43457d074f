/* addrcmd: `shipworm addr`, see addrcmd.h. */
#include "addrcmd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/json.h"
#include "wire/addr.h"

struct addr_opts {
	bool json, encode, cone, have_server, have_mapped;
	uint32_t server;
	struct sw_endpoint mapped;
	uint16_t random;
};

/* The twelve RFC 5991 random bits packed: Random1 (bits 2-5) then Random2 (bits 8-15). */
static unsigned random12(uint16_t flags)
{
	return (unsigned)((flags >> 10) & 0xf) << 8 | (flags & 0xff);
}

static void print_json(const uint8_t a[16], const struct sw_teredo *t)
{
	char buf[1024], hex[8];
	struct sw_json j;

	sw_json_init(&j, buf, sizeof(buf));
	sw_json_obj_begin(&j, NULL);
	sw_json_ip6(&j, "address", a);
	sw_json_ip4(&j, "server", t->server);
	snprintf(hex, sizeof(hex), "0x%04x", t->flags);
	sw_json_str(&j, "flags", hex);
	sw_json_bool(&j, "cone", t->flags & SW_FLAG_CONE);
	snprintf(hex, sizeof(hex), "0x%04x", t->flags & SW_FLAG_RANDOM_MASK);
	sw_json_str(&j, "random", hex);
	snprintf(hex, sizeof(hex), "0x%03x", random12(t->flags));
	sw_json_str(&j, "random12", hex);
	sw_json_bool(&j, "z", t->flags & SW_FLAG_Z);
	sw_json_bool(&j, "u", t->flags & 0x0200);
	sw_json_bool(&j, "g", t->flags & 0x0100);
	sw_json_endpoint(&j, "mapped", t->mapped);
	sw_json_bool(&j, "mapped_global", sw_ipv4_is_global(t->mapped.ip, 0));
	sw_json_obj_end(&j);
	puts(sw_json_finish(&j));
}

static void print_text(const uint8_t a[16], const struct sw_teredo *t)
{
	char a6[INET6_ADDRSTRLEN], s4[16], ep[24];
	unsigned f = t->flags;

	inet_ntop(AF_INET6, a, a6, sizeof(a6));
	sw_ip4_str(t->server, s4, sizeof(s4));
	printf("address: %s\n", a6);
	printf("server:  %s\n", s4);
	printf("flags:   0x%04x (cone: %s, random: 0x%04x = 0x%03x, z: %u, U: %u, G: %u)\n", f,
	       f & SW_FLAG_CONE ? "yes" : "no", f & SW_FLAG_RANDOM_MASK, random12(f),
	       !!(f & SW_FLAG_Z), !!(f & 0x0200), !!(f & 0x0100));
	printf("mapped:  %s%s\n", sw_endpoint_str(t->mapped, ep, sizeof(ep)),
	       sw_ipv4_is_global(t->mapped.ip, 0) ? "" : " (not a global unicast IPv4 address)");
}

static void print(const uint8_t a[16], const struct sw_teredo *t, bool json)
{
	if (json)
		print_json(a, t);
	else
		print_text(a, t);
}

/* Accept what people paste: "[addr]" and "addr/len" (as `ip -6 addr` prints it). */
static int parse_ip6(const char *text, uint8_t a[16])
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t len = strlen(text);
	char *slash;

	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, len + 1);
	if (buf[0] == '[' && len > 2 && buf[len - 1] == ']') {
		buf[len - 1] = '\0';
		memmove(buf, buf + 1, len - 1);
	}
	slash = strchr(buf, '/');
	if (slash && slash[1] && strspn(slash + 1, "0123456789") == strlen(slash + 1) &&
	    strlen(slash + 1) <= 3 && atoi(slash + 1) <= 128)
		*slash = '\0';
	return inet_pton(AF_INET6, buf, a) == 1 ? 0 : -EINVAL;
}

static int decode(const char *text, bool json)
{
	uint8_t a[16];
	struct sw_teredo t;

	if (parse_ip6(text, a) < 0) {
		fprintf(stderr, "shipworm addr: '%s' is not an IPv6 address\n", text);
		return 1;
	}
	if (sw_addr_decode(a, &t) < 0) {
		fprintf(stderr, "shipworm addr: %s is not a Teredo address (not in 2001:0::/32)\n",
			text);
		return 1;
	}
	print(a, &t, json);
	return 0;
}

static int encode(const struct addr_opts *o)
{
	struct sw_teredo t = {.server = o->server, .mapped = o->mapped};
	uint8_t a[16];

	if (!o->have_server || !o->have_mapped) {
		fprintf(stderr, "shipworm addr: --encode needs --server and --mapped\n");
		return 2;
	}
	t.flags = sw_flags_make(o->cone, o->random);
	sw_addr_encode(a, &t);
	print(a, &t, o->json);
	return 0;
}

static int parse_random(const char *s, uint16_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || end == s || *end || v > 0xffff || (v & ~(unsigned long)SW_FLAG_RANDOM_MASK)) {
		fprintf(stderr, "shipworm addr: --random %s: hex bits within mask 0x3cff expected\n",
			s);
		return -EINVAL;
	}
	*out = (uint16_t)v;
	return 0;
}

static int parse_server(const char *s, uint32_t *out)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1) {
		fprintf(stderr, "shipworm addr: --server %s: an IPv4 address expected\n", s);
		return -EINVAL;
	}
	*out = ntohl(in.s_addr);
	return 0;
}

static int parse_mapped(const char *s, struct sw_endpoint *ep)
{
	if (sw_endpoint_parse(s, ep) < 0) {
		fprintf(stderr, "shipworm addr: --mapped %s: IPV4:PORT expected\n", s);
		return -EINVAL;
	}
	return 0;
}

static int parse_opt(int c, struct addr_opts *o)
{
	switch (c) {
	case 'j': o->json = true; return 0;
	case 'e': o->encode = true; return 0;
	case 'c': o->cone = true; return 0;
	case 's': o->have_server = true; return parse_server(optarg, &o->server);
	case 'm': o->have_mapped = true; return parse_mapped(optarg, &o->mapped);
	case 'r': return parse_random(optarg, &o->random);
	default: return -EINVAL;
	}
}

void sw_addrcmd_usage(FILE *f)
{
	fprintf(f, "Usage: shipworm addr ADDRESS [--json]\n"
		   "       shipworm addr --encode --server IPV4 --mapped IPV4:PORT [--cone]"
		   " [--random HEX] [--json]\n"
		   "Decode a Teredo address into its server, flags and mapped address, or build"
		   " one.\n");
}

int sw_addrcmd_main(int argc, char *argv[])
{
	static const struct option lo[] = {
		{"json", no_argument, NULL, 'j'},	  {"encode", no_argument, NULL, 'e'},
		{"cone", no_argument, NULL, 'c'},	  {"server", required_argument, NULL, 's'},
		{"mapped", required_argument, NULL, 'm'}, {"random", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0},
	};
	struct addr_opts o = {0};
	int c;

	while ((c = getopt_long(argc, argv, "jh", lo, NULL)) != -1) {
		if (c == 'h') {
			sw_addrcmd_usage(stdout);
			return 0;
		}
		if (parse_opt(c, &o) < 0)
			return 2;
	}
	if (o.encode && optind == argc)
		return encode(&o);
	if (!o.encode && optind + 1 == argc && !o.have_server && !o.have_mapped && !o.cone)
		return decode(argv[optind], o.json);
	sw_addrcmd_usage(stderr);
	return 2;
}
