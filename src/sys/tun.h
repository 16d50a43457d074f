/*
 * tun: the Teredo tunnel device: a Linux TUN interface (IFF_TUN | IFF_NO_PI, so reads and
 * writes are bare IPv6 packets), opened or created by name, optionally multi-queue, optionally
 * with offloads (IFF_VNET_HDR: each packet behind a virtio-net header, TCP superpackets of up
 * to 64 KB and partial checksums; sys/offload splits and joins them).
 * Configuration (up, MTU, addresses) is netlink's job, not this module's.
 */
#ifndef SW_SYS_TUN_H
#define SW_SYS_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys/offload.h"

#define SW_TUN_MULTI_QUEUE 0x1u
#define SW_TUN_OFFLOAD 0x2u /* ask for offloads; t->offload says whether the kernel agreed */

#define SW_TUN_STATS(X)                                                                     \
	X(rx_packets, "tun_rx_packets", "packets read from the tunnel")                    \
	X(tx_packets, "tun_tx_packets", "packets written to the tunnel")                   \
	X(tx_errors, "tun_tx_errors", "packets the tunnel refused")                        \
	X(rx_superpackets, "tun_rx_superpackets", "TCP superpackets read (offload)")        \
	X(rx_segments, "tun_rx_segments", "segments split from superpackets")              \
	X(rx_offload_errors, "tun_rx_offload_errors",                                      \
	  "packets dropped: malformed virtio-net header or superpacket")                  \
	X(tx_superpackets, "tun_tx_superpackets", "TCP superpackets written (offload)")     \
	X(tx_joined, "tun_tx_joined", "segments joined into written superpackets")

struct sw_tun_stats {
#define SW_TUN_FIELD(f, name, help) uint64_t f;
	SW_TUN_STATS(SW_TUN_FIELD)
#undef SW_TUN_FIELD
};

struct sw_tun {
	int fd;
	char name[16]; /* the kernel's name for it (IFNAMSIZ) */
	bool vnet;     /* every packet behind a virtio-net header */
	bool offload;  /* ... and the kernel hands us superpackets and partial checksums */
	struct sw_tun_stats stats;
};

/* Open /dev/net/tun and attach to (or create) interface `name`, nonblocking. 0 or -errno. */
int sw_tun_open(struct sw_tun *t, const char *name, unsigned flags);
void sw_tun_close(struct sw_tun *t);
/* One packet into buf: its length, 0 when none is ready, or -errno. Without offload only. */
long sw_tun_read(struct sw_tun *t, uint8_t *buf, size_t len);
/* One packet, maybe a superpacket: its header into h (zeroed without vnet), its first len1
 * bytes into buf1 and the rest into buf2. Its length, 0 when none is ready, or -errno. */
long sw_tun_readv(struct sw_tun *t, struct sw_vnet *h, uint8_t *buf1, size_t len1,
		  uint8_t *buf2, size_t len2);
/* One packet out (behind a zeroed header with vnet): 0 or -errno (counted). */
int sw_tun_write(struct sw_tun *t, const uint8_t *buf, size_t len);
/* One packet or superpacket out behind header h (vnet only): 0 or -errno (counted). */
int sw_tun_write_vnet(struct sw_tun *t, const struct sw_vnet *h, const uint8_t *buf,
		      size_t len);

#endif
