/* offload: virtio-net headers, TCP/IPv6 segmentation and joining (see offload.h). */
#include <errno.h>
#include <string.h>

#include "sys/offload.h"

#define IP6_HLEN 40
#define NH_TCP 6
#define NH_UDP 17
#define TCP_HLEN 20
#define UDP_HLEN 8
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_CWR 0x80

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static uint16_t host16(const uint8_t *b)
{
	uint16_t v;

	memcpy(&v, b, sizeof(v));
	return v;
}

void sw_vnet_decode(const uint8_t b[SW_VNET_HLEN], struct sw_vnet *h)
{
	h->flags = b[0];
	h->gso_type = b[1] & (uint8_t)~SW_VNET_GSO_ECN;
	h->hdr_len = host16(b + 2);
	h->gso_size = host16(b + 4);
	h->csum_start = host16(b + 6);
	h->csum_offset = host16(b + 8);
}

void sw_vnet_encode(uint8_t b[SW_VNET_HLEN], const struct sw_vnet *h)
{
	b[0] = h->flags;
	b[1] = h->gso_type;
	memcpy(b + 2, &h->hdr_len, 2);
	memcpy(b + 4, &h->gso_size, 2);
	memcpy(b + 6, &h->csum_start, 2);
	memcpy(b + 8, &h->csum_offset, 2);
}

/*
 * The Internet checksum in the host's byte order: summing native 16-bit words and storing
 * the folded result natively gives the right bytes (RFC 1071 §2(B)). Only the last piece of
 * a chain may have an odd length.
 */
static uint64_t sum_native(const uint8_t *b, size_t len, uint64_t acc)
{
	uint32_t w;
	uint16_t h;

	for (; len >= 4; b += 4, len -= 4) {
		memcpy(&w, b, 4);
		acc += w;
	}
	if (len >= 2) {
		memcpy(&h, b, 2);
		acc += h;
		b += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = {b[0], 0};

		memcpy(&h, last, 2);
		acc += h;
	}
	return acc;
}

static uint16_t fold_native(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/* The pseudo-header sum (RFC 8200 §8.1) of an IPv6 packet for an upper layer of len bytes. */
static uint64_t sum_pseudo(const uint8_t *ip6, uint32_t len, uint8_t nh)
{
	uint8_t tail[8] = {0};

	put32(tail, len);
	tail[7] = nh;
	return sum_native(tail, 8, sum_native(ip6 + 8, 32, 0));
}

static void store_csum(uint8_t *field, uint16_t native)
{
	memcpy(field, &native, 2);
}

/* Where the TCP or UDP header starts, how long the headers are and which protocol the
 * superpacket carries; -EINVAL when malformed. */
static int l4_layout(const struct sw_vnet *h, const uint8_t *pkt, size_t len, size_t *l4off,
		     size_t *hl, uint8_t *proto)
{
	bool udp = h->gso_type == SW_VNET_GSO_UDP_L4;
	size_t off = IP6_HLEN, l4len;

	*proto = udp ? NH_UDP : NH_TCP;
	if (len < IP6_HLEN + (udp ? UDP_HLEN : TCP_HLEN) || (pkt[0] >> 4) != 6)
		return -EINVAL;
	if (h->flags & SW_VNET_F_NEEDS_CSUM) {
		off = h->csum_start;
		if (h->csum_offset != (udp ? 6 : 16) || off < IP6_HLEN)
			return -EINVAL;
	} else if (pkt[6] != *proto) {
		return -EINVAL;
	}
	if (off + (udp ? UDP_HLEN : TCP_HLEN) > len)
		return -EINVAL;
	l4len = udp ? UDP_HLEN : (size_t)(pkt[off + 12] >> 4) * 4;
	if (l4len < (udp ? UDP_HLEN : TCP_HLEN) || off + l4len > len)
		return -EINVAL;
	*l4off = off;
	*hl = off + l4len;
	return 0;
}

int sw_offload_count(const struct sw_vnet *h, const uint8_t *pkt, size_t len, size_t slot)
{
	size_t l4off, hl, payload;
	uint8_t proto;
	int err;

	if (h->gso_type == SW_VNET_GSO_NONE)
		return len <= slot && len >= IP6_HLEN ? 1 : len < IP6_HLEN ? -EINVAL : -EMSGSIZE;
	if (h->gso_type != SW_VNET_GSO_TCPV6 && h->gso_type != SW_VNET_GSO_UDP_L4)
		return -EPROTONOSUPPORT;
	if (len > SW_OFFLOAD_MAX + IP6_HLEN || h->gso_size == 0)
		return -EINVAL;
	err = l4_layout(h, pkt, len, &l4off, &hl, &proto);
	if (err)
		return err;
	if (hl + h->gso_size > slot)
		return -EMSGSIZE;
	payload = len - hl;
	return payload ? (int)((payload + h->gso_size - 1) / h->gso_size) : 1;
}

int sw_offload_csum(const struct sw_vnet *h, uint8_t *pkt, size_t len)
{
	size_t start = h->csum_start, field = start + h->csum_offset;
	uint16_t c;

	if (!(h->flags & SW_VNET_F_NEEDS_CSUM))
		return 0;
	if (start < IP6_HLEN || field + 2 > len || h->csum_offset & 1)
		return -EINVAL;
	/* the field holds the pseudo-header sum: add the rest and invert (virtio-net §5.1.6.2) */
	c = (uint16_t)~fold_native(sum_native(pkt + start, len - start, 0));
	if (c == 0 && h->csum_offset == 6) /* UDP: zero means "no checksum" */
		c = 0xffff;
	store_csum(pkt + field, c);
	return 0;
}

/* Segment i of count: the per-protocol fields and the checksum from scratch. */
static void fix_segment(uint8_t *s, size_t l4off, size_t hl, size_t chunk, uint8_t proto,
			uint32_t seq, size_t i, size_t count)
{
	uint8_t *l4 = s + l4off;
	size_t l4len = hl - l4off + chunk;
	uint8_t *field = l4 + (proto == NH_UDP ? 6 : 16);
	uint16_t c;

	put16(s + 4, (uint16_t)(hl - IP6_HLEN + chunk));
	if (proto == NH_UDP) {
		put16(l4 + 4, (uint16_t)l4len);
	} else {
		put32(l4 + 4, seq);
		if (i + 1 < count)
			l4[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (i > 0)
			l4[13] &= (uint8_t)~TCP_CWR;
	}
	field[0] = field[1] = 0;
	c = (uint16_t)~fold_native(sum_native(l4, l4len, sum_pseudo(s, (uint32_t)l4len, proto)));
	if (c == 0 && proto == NH_UDP)
		c = 0xffff;
	store_csum(field, c);
}

int sw_offload_split(const struct sw_vnet *h, const uint8_t *pkt, size_t len, size_t first,
		     size_t max, uint8_t *out, size_t slot, uint16_t *lens)
{
	size_t l4off, hl, payload, g = h->gso_size, count;
	uint8_t proto;
	uint32_t seq;
	int k = 0;

	if ((h->gso_type != SW_VNET_GSO_TCPV6 && h->gso_type != SW_VNET_GSO_UDP_L4) || g == 0 ||
	    l4_layout(h, pkt, len, &l4off, &hl, &proto) || hl + g > slot)
		return -EINVAL;
	payload = len - hl;
	count = payload ? (payload + g - 1) / g : 1;
	seq = get32(pkt + l4off + 4);
	for (size_t i = first; i < count && (size_t)k < max; i++, k++) {
		uint8_t *s = out + (size_t)k * slot;
		size_t chunk = payload - i * g < g ? payload - i * g : g;

		memcpy(s, pkt, hl);
		memcpy(s + hl, pkt + hl + i * g, chunk);
		fix_segment(s, l4off, hl, chunk, proto, seq + (uint32_t)(i * g), i, count);
		lens[k] = (uint16_t)(hl + chunk);
	}
	return k;
}

/* A TCP or UDP packet over IPv6 without extension headers that may be joined: its header
 * length, payload length and protocol, or false. Its checksum must verify: the superpacket's
 * will be the kernel's, not the sender's. */
static bool gro_candidate(const uint8_t *pkt, size_t len, bool udp_ok, size_t *hl,
			  size_t *payload, uint8_t *proto)
{
	size_t l4len;

	if (len < IP6_HLEN + UDP_HLEN || (pkt[0] >> 4) != 6 || get16(pkt + 4) != len - IP6_HLEN)
		return false;
	*proto = pkt[6];
	if (*proto == NH_UDP && udp_ok) {
		if (get16(pkt + IP6_HLEN + 4) != len - IP6_HLEN || get16(pkt + IP6_HLEN + 6) == 0)
			return false;
		l4len = UDP_HLEN;
	} else if (*proto == NH_TCP && len >= IP6_HLEN + TCP_HLEN) {
		l4len = (size_t)(pkt[IP6_HLEN + 12] >> 4) * 4;
		if (l4len < TCP_HLEN || (pkt[IP6_HLEN + 13] & ~TCP_PSH) != TCP_ACK)
			return false;
	} else {
		return false;
	}
	if (IP6_HLEN + l4len >= len)
		return false;
	*hl = IP6_HLEN + l4len;
	*payload = len - *hl;
	return fold_native(sum_native(pkt + IP6_HLEN, len - IP6_HLEN,
				      sum_pseudo(pkt, (uint32_t)(len - IP6_HLEN), *proto))) ==
	       0xffff;
}

/* Same flow and same headers except payload length, TCP sequence number and flags,
 * UDP length, checksum. */
static bool gro_same(const uint8_t *a, const uint8_t *b, size_t hl, uint8_t proto)
{
	const uint8_t *ta = a + IP6_HLEN, *tb = b + IP6_HLEN;

	if (memcmp(a, b, 4) != 0 || memcmp(a + 6, b + 6, 34) != 0 || memcmp(ta, tb, 4) != 0)
		return false;
	if (proto == NH_UDP)
		return true;
	return memcmp(ta + 8, tb + 8, 5) == 0 && memcmp(ta + 14, tb + 14, 2) == 0 &&
	       memcmp(ta + 18, tb + 18, hl - IP6_HLEN - 18) == 0;
}

bool sw_gro_add(struct sw_gro *g, const uint8_t *pkt, size_t len)
{
	size_t hl, payload;
	uint8_t proto;
	bool psh;

	if (!gro_candidate(pkt, len, !g->no_udp, &hl, &payload, &proto))
		return false;
	psh = proto == NH_TCP && (pkt[IP6_HLEN + 13] & TCP_PSH);
	if (g->len == 0) {
		if (len > SW_OFFLOAD_MAX)
			return false;
		memcpy(g->buf, pkt, len);
		g->len = len;
		g->hl = hl;
		g->gso_size = (uint16_t)payload;
		g->proto = proto;
		g->n = 1;
		g->closed = psh;
		return true;
	}
	if (g->closed || proto != g->proto || hl != g->hl || payload > g->gso_size ||
	    g->len + payload > SW_OFFLOAD_MAX || !gro_same(g->buf, pkt, hl, proto))
		return false;
	if (proto == NH_TCP &&
	    get32(pkt + IP6_HLEN + 4) != get32(g->buf + IP6_HLEN + 4) + (uint32_t)(g->len - g->hl))
		return false;
	if (proto == NH_UDP && g->n >= SW_GRO_UDP_SEGS)
		return false;
	memcpy(g->buf + g->len, pkt + hl, payload);
	g->len += payload;
	g->n++;
	if (psh)
		g->buf[IP6_HLEN + 13] |= TCP_PSH;
	g->closed = payload < g->gso_size || psh;
	return true;
}

void sw_gro_finish(struct sw_gro *g, struct sw_vnet *h)
{
	bool udp = g->proto == NH_UDP;
	uint8_t *field = g->buf + IP6_HLEN + (udp ? 6 : 16);

	memset(h, 0, sizeof(*h));
	if (g->n < 2)
		return; /* as it came, its own checksum verified */
	put16(g->buf + 4, (uint16_t)(g->len - IP6_HLEN));
	if (udp)
		put16(g->buf + IP6_HLEN + 4, (uint16_t)(g->len - IP6_HLEN));
	/* a partial checksum: the pseudo-header sum, not inverted; the kernel finishes it */
	store_csum(field, fold_native(sum_pseudo(g->buf, (uint32_t)(g->len - IP6_HLEN), g->proto)));
	h->flags = SW_VNET_F_NEEDS_CSUM;
	h->gso_type = udp ? SW_VNET_GSO_UDP_L4 : SW_VNET_GSO_TCPV6;
	h->hdr_len = (uint16_t)g->hl;
	h->gso_size = g->gso_size;
	h->csum_start = IP6_HLEN;
	h->csum_offset = udp ? 6 : 16;
}
