/*
 * offload: the virtio-net header a TUN device opened with IFF_VNET_HDR puts before each
 * packet; splitting a TCP/IPv6 or UDP/IPv6 superpacket (GSO) into ordinary packets, finishing
 * a partial checksum, and joining consecutive packets of one flow back into a superpacket.
 * Pure functions over byte buffers: no system calls, no allocation, lengths never trusted.
 */
#ifndef SW_SYS_OFFLOAD_H
#define SW_SYS_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_VNET_HLEN 10           /* struct virtio_net_hdr, without num_buffers */
#define SW_VNET_F_NEEDS_CSUM 1    /* csum_start/csum_offset hold a partial checksum */
#define SW_VNET_GSO_NONE 0
#define SW_VNET_GSO_TCPV6 4
#define SW_VNET_GSO_UDP_L4 5      /* UDP segmentation (USO); IPv6 only here */
#define SW_VNET_GSO_ECN 0x80
#define SW_OFFLOAD_MAX 65536      /* the largest superpacket, bytes */

/* A virtio-net header, decoded (the tunnel's byte order is the host's). */
struct sw_vnet {
	uint8_t flags;
	uint8_t gso_type; /* without SW_VNET_GSO_ECN */
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

void sw_vnet_decode(const uint8_t b[SW_VNET_HLEN], struct sw_vnet *h);
void sw_vnet_encode(uint8_t b[SW_VNET_HLEN], const struct sw_vnet *h);

/* How many ordinary packets pkt[0..len) stands for: 1 without GSO, else the TCP segments or
 * UDP datagrams of gso_size payload bytes; -EINVAL when it is malformed, -EPROTONOSUPPORT for
 * a GSO type other than TCPv6 and UDP, -EMSGSIZE when one would exceed slot bytes. */
int sw_offload_count(const struct sw_vnet *h, const uint8_t *pkt, size_t len, size_t slot);
/* Finish a partial checksum in place (SW_VNET_F_NEEDS_CSUM without GSO). 0 or -EINVAL. */
int sw_offload_csum(const struct sw_vnet *h, uint8_t *pkt, size_t len);
/* Segments first..first+max of a superpacket (checked by sw_offload_count) into out, one per
 * slot bytes, their lengths in lens[]: payload length, checksum and for TCP the sequence
 * number and flags (FIN and PSH only on the last, CWR only on the first), for UDP the
 * length set. Returns how many, or -EINVAL. */
int sw_offload_split(const struct sw_vnet *h, const uint8_t *pkt, size_t len, size_t first,
		     size_t max, uint8_t *out, size_t slot, uint16_t *lens);

#define SW_GRO_UDP_SEGS 64 /* datagrams per UDP superpacket (older kernels' limit) */

/* Joining packets for a tunnel write: a superpacket under construction. */
struct sw_gro {
	uint8_t *buf;      /* SW_OFFLOAD_MAX bytes, caller-owned */
	size_t len;        /* 0: empty */
	size_t hl;         /* IPv6 + TCP/UDP header bytes of the first packet */
	uint16_t gso_size; /* payload bytes of the first packet */
	uint8_t proto;     /* 6 (TCP) or 17 (UDP) */
	unsigned n;        /* packets joined */
	bool closed;       /* the last one was shorter or carried PSH/FIN: no more */
	bool no_udp;       /* join TCP only (the kernel refused a UDP superpacket) */
};

/* Add one ordinary packet: true when it was joined into (or started) g, false when it does
 * not fit (another flow, not the next sequence number, other options or flags, not a valid
 * checksum, too big): then write out g first and try again. A packet that can never start a
 * superpacket (not TCP/UDP over IPv6, no payload, bad checksum) returns false on an empty g. */
bool sw_gro_add(struct sw_gro *g, const uint8_t *pkt, size_t len);
/* The header for writing g (GSO TCPv6 or UDP with a partial checksum when n > 1), and
 * prepares its checksum field accordingly. */
void sw_gro_finish(struct sw_gro *g, struct sw_vnet *h);

#endif
