/* offload: virtio-net headers, TCP/IPv6 segmentation and joining (see offload.h). */
#include <errno.h>
#include <string.h>

#include "sys/offload.h"

#define IP6_HLEN 40
#define NH_TCP 6
#define TCP_HLEN 20
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

/* Checksum a TCP segment (header at tcp, tlen bytes) from scratch into its field. */
static void tcp_csum(const uint8_t *ip6, uint8_t *tcp, size_t tlen)
{
	uint64_t acc = sum_pseudo(ip6, (uint32_t)tlen, NH_TCP);

	tcp[16] = tcp[17] = 0;
	store_csum(tcp + 16, (uint16_t)~fold_native(sum_native(tcp, tlen, acc)));
}

/* Where the TCP header starts and how long the headers are; -EINVAL when malformed. */
static int tcp_layout(const struct sw_vnet *h, const uint8_t *pkt, size_t len, size_t *tcpoff,
		      size_t *hl)
{
	size_t off = IP6_HLEN, doff;

	if (len < IP6_HLEN + TCP_HLEN || (pkt[0] >> 4) != 6)
		return -EINVAL;
	if (h->flags & SW_VNET_F_NEEDS_CSUM) {
		off = h->csum_start;
		if (h->csum_offset != 16 || off < IP6_HLEN)
			return -EINVAL;
	} else if (pkt[6] != NH_TCP) {
		return -EINVAL;
	}
	if (off + TCP_HLEN > len)
		return -EINVAL;
	doff = (size_t)(pkt[off + 12] >> 4) * 4;
	if (doff < TCP_HLEN || off + doff > len)
		return -EINVAL;
	*tcpoff = off;
	*hl = off + doff;
	return 0;
}

int sw_offload_count(const struct sw_vnet *h, const uint8_t *pkt, size_t len, size_t slot)
{
	size_t tcpoff, hl, payload;
	int err;

	if (h->gso_type == SW_VNET_GSO_NONE)
		return len <= slot && len >= IP6_HLEN ? 1 : len < IP6_HLEN ? -EINVAL : -EMSGSIZE;
	if (h->gso_type != SW_VNET_GSO_TCPV6)
		return -EPROTONOSUPPORT;
	if (len > SW_OFFLOAD_MAX + IP6_HLEN || h->gso_size == 0)
		return -EINVAL;
	err = tcp_layout(h, pkt, len, &tcpoff, &hl);
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

int sw_offload_split(const struct sw_vnet *h, const uint8_t *pkt, size_t len, size_t first,
		     size_t max, uint8_t *out, size_t slot, uint16_t *lens)
{
	size_t tcpoff, hl, payload, g = h->gso_size, count;
	uint32_t seq;
	int k = 0;

	if (h->gso_type != SW_VNET_GSO_TCPV6 || g == 0 || tcp_layout(h, pkt, len, &tcpoff, &hl) ||
	    hl + g > slot)
		return -EINVAL;
	payload = len - hl;
	count = payload ? (payload + g - 1) / g : 1;
	seq = get32(pkt + tcpoff + 4);
	for (size_t i = first; i < count && (size_t)k < max; i++, k++) {
		uint8_t *s = out + (size_t)k * slot, *tcp = s + tcpoff;
		size_t chunk = payload - i * g < g ? payload - i * g : g;

		memcpy(s, pkt, hl);
		memcpy(s + hl, pkt + hl + i * g, chunk);
		put16(s + 4, (uint16_t)(hl - IP6_HLEN + chunk));
		put32(tcp + 4, seq + (uint32_t)(i * g));
		if (i + 1 < count)
			tcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (i > 0)
			tcp[13] &= (uint8_t)~TCP_CWR;
		tcp_csum(s, tcp, hl - tcpoff + chunk);
		lens[k] = (uint16_t)(hl + chunk);
	}
	return k;
}

/* A TCP/IPv6 packet without extension headers that may be joined: its header length and
 * payload length, or false. */
static bool gro_candidate(const uint8_t *pkt, size_t len, size_t *hl, size_t *payload)
{
	size_t doff;
	uint8_t fl;

	if (len < IP6_HLEN + TCP_HLEN || (pkt[0] >> 4) != 6 || pkt[6] != NH_TCP ||
	    get16(pkt + 4) != len - IP6_HLEN)
		return false;
	doff = (size_t)(pkt[IP6_HLEN + 12] >> 4) * 4;
	fl = pkt[IP6_HLEN + 13];
	if (doff < TCP_HLEN || IP6_HLEN + doff >= len || (fl & ~TCP_PSH) != TCP_ACK)
		return false;
	*hl = IP6_HLEN + doff;
	*payload = len - *hl;
	/* verify: the superpacket's checksum will be the kernel's, not the sender's */
	return fold_native(sum_native(pkt + IP6_HLEN, len - IP6_HLEN,
				      sum_pseudo(pkt, (uint32_t)(len - IP6_HLEN), NH_TCP))) ==
	       0xffff;
}

/* Same flow and same headers except payload length, sequence number, flags, checksum. */
static bool gro_same(const uint8_t *a, const uint8_t *b, size_t hl)
{
	const uint8_t *ta = a + IP6_HLEN, *tb = b + IP6_HLEN;

	return memcmp(a, b, 4) == 0 && memcmp(a + 6, b + 6, 34) == 0 &&
	       memcmp(ta, tb, 4) == 0 && memcmp(ta + 8, tb + 8, 5) == 0 &&
	       memcmp(ta + 14, tb + 14, 2) == 0 &&
	       memcmp(ta + 18, tb + 18, hl - IP6_HLEN - 18) == 0;
}

bool sw_gro_add(struct sw_gro *g, const uint8_t *pkt, size_t len)
{
	size_t hl, payload;
	uint32_t next;

	if (!gro_candidate(pkt, len, &hl, &payload))
		return false;
	if (g->len == 0) {
		if (len > SW_OFFLOAD_MAX)
			return false;
		memcpy(g->buf, pkt, len);
		g->len = len;
		g->hl = hl;
		g->gso_size = (uint16_t)payload;
		g->n = 1;
		g->closed = (pkt[IP6_HLEN + 13] & TCP_PSH) != 0;
		return true;
	}
	next = get32(g->buf + IP6_HLEN + 4) + (uint32_t)(g->len - g->hl);
	if (g->closed || hl != g->hl || payload > g->gso_size || g->len + payload > SW_OFFLOAD_MAX ||
	    get32(pkt + IP6_HLEN + 4) != next || !gro_same(g->buf, pkt, hl))
		return false;
	memcpy(g->buf + g->len, pkt + hl, payload);
	g->len += payload;
	g->n++;
	g->buf[IP6_HLEN + 13] |= pkt[IP6_HLEN + 13] & TCP_PSH;
	g->closed = payload < g->gso_size || (pkt[IP6_HLEN + 13] & TCP_PSH);
	return true;
}

void sw_gro_finish(struct sw_gro *g, struct sw_vnet *h)
{
	memset(h, 0, sizeof(*h));
	if (g->n < 2)
		return; /* as it came, its own checksum verified */
	put16(g->buf + 4, (uint16_t)(g->len - IP6_HLEN));
	/* a partial checksum: the pseudo-header sum, not inverted; the kernel finishes it */
	store_csum(g->buf + IP6_HLEN + 16,
		   fold_native(sum_pseudo(g->buf, (uint32_t)(g->len - IP6_HLEN), NH_TCP)));
	h->flags = SW_VNET_F_NEEDS_CSUM;
	h->gso_type = SW_VNET_GSO_TCPV6;
	h->hdr_len = (uint16_t)g->hl;
	h->gso_size = g->gso_size;
	h->csum_start = IP6_HLEN;
	h->csum_offset = 16;
}
