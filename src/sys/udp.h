/*
 * udp: IPv4 UDP sockets for Teredo: bound to ip:port, nonblocking, DF never set
 * (IP_PMTUDISC_DONT), the local address of each datagram reported (IP_PKTINFO), batched
 * receive and send (recvmmsg/sendmmsg) with a per-datagram source address and TTL;
 * optionally offloads: runs of equal-sized datagrams to one destination leave as one UDP GSO
 * send, and coalesced datagrams (UDP GRO) are split back on receive.
 * Never logs; failures are counted or returned as -errno.
 */
#ifndef SW_SYS_UDP_H
#define SW_SYS_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/addr.h"

#define SW_UDP_BATCH 64          /* receive buffers / send messages per system call */
#define SW_UDP_RX_MSGS 4096      /* datagrams out of one receive call (after GRO) */
#define SW_UDP_GSO_SEGS 64       /* datagrams per GSO send (the kernel's UDP_MAX_SEGMENTS) */
#define SW_UDP_GSO_BYTES 65000   /* payload bytes per GSO send */
#define SW_UDP_GRO_BUFSIZE 65536 /* receive buffer size a GRO socket needs */

#define SW_UDP_REUSEPORT 0x1u
#define SW_UDP_OFFLOAD 0x2u /* GSO sends and GRO receives where the kernel has them */

/* One datagram. rx: peer = source, local_ip = destination (IP_PKTINFO), ttl unused.
 * tx: peer = destination, local_ip = source (0: the kernel's choice), ttl (0: default). */
struct sw_udp_msg {
	struct sw_endpoint peer;
	uint32_t local_ip;
	uint8_t ttl;
	uint8_t *data;
	size_t len;
};

#define SW_UDP_STATS(X)                                                                     \
	X(rx_packets, "udp_rx_packets", "datagrams received")                              \
	X(rx_truncated, "udp_rx_truncated", "datagrams dropped: larger than the buffer")  \
	X(rx_errors, "udp_rx_errors", "receive calls that failed")                         \
	X(tx_packets, "udp_tx_packets", "datagrams sent")                                  \
	X(tx_again, "udp_tx_again", "datagrams dropped: socket buffer full")              \
	X(tx_errors, "udp_tx_errors", "datagrams the kernel refused")                       \
	X(rx_gro, "udp_rx_gro", "coalesced receives (GRO) split into datagrams")            \
	X(rx_gro_datagrams, "udp_rx_gro_datagrams", "datagrams split from coalesced receives") \
	X(rx_overflow, "udp_rx_overflow",                                                    \
	  "datagrams dropped: more coalesced datagrams than one receive call takes")       \
	X(tx_gso, "udp_tx_gso", "GSO sends (several datagrams in one)")                      \
	X(tx_gso_datagrams, "udp_tx_gso_datagrams", "datagrams sent in GSO sends")          \
	X(tx_gso_refused, "udp_tx_gso_refused", "GSO sends refused (GSO then turned off)")

struct sw_udp_stats {
#define SW_UDP_FIELD(f, name, help) uint64_t f;
	SW_UDP_STATS(SW_UDP_FIELD)
#undef SW_UDP_FIELD
};

struct sw_udp {
	int fd;
	uint32_t ip;   /* bound address (host order) */
	uint16_t port; /* bound port (after a random bind) */
	int last_tx_err; /* the last errno of a refused datagram */
	bool gso, gro;   /* offloads in use */
	bool rx_more;    /* the last receive filled every buffer: more may be waiting */
	struct sw_udp_stats stats;
};

/* A receive batch: SW_UDP_BATCH buffers of bufsize bytes (SW_UDP_GRO_BUFSIZE for a GRO
 * socket: smaller buffers would truncate coalesced datagrams), allocated once. */
struct sw_udp_rx;
struct sw_udp_rx *sw_udp_rx_alloc(size_t bufsize);
void sw_udp_rx_free(struct sw_udp_rx *rx);

/* Open and bind (ip, port in host order; 0 = any / random). 0 or -errno. */
int sw_udp_open(struct sw_udp *u, uint32_t ip, uint16_t port, unsigned flags);
void sw_udp_close(struct sw_udp *u);
/* Receive up to SW_UDP_BATCH buffers without blocking, coalesced ones split (at most
 * SW_UDP_RX_MSGS datagrams in all). *msgs points into rx and is valid until the next call.
 * Returns the count (0 when none), or -errno. */
int sw_udp_recv(struct sw_udp *u, struct sw_udp_rx *rx, struct sw_udp_msg **msgs);
/* Send n datagrams in batches (consecutive ones of equal size to one destination as one GSO
 * send); datagrams the kernel refuses are counted and skipped. Returns how many were sent. */
size_t sw_udp_send(struct sw_udp *u, const struct sw_udp_msg *msgs, size_t n);
/* Join an IPv4 multicast group on any interface (local discovery). 0 or -errno. */
int sw_udp_join(struct sw_udp *u, uint32_t group);

#endif
