/*
 * tun: the Teredo tunnel device: a Linux TUN interface (IFF_TUN | IFF_NO_PI, so reads and
 * writes are bare IPv6 packets), opened or created by name, optionally multi-queue.
 * Configuration (up, MTU, addresses) is netlink's job, not this module's.
 */
#ifndef SW_SYS_TUN_H
#define SW_SYS_TUN_H

#include <stddef.h>
#include <stdint.h>

#define SW_TUN_MULTI_QUEUE 0x1u

#define SW_TUN_STATS(X)                                                                     \
	X(rx_packets, "tun_rx_packets", "packets read from the tunnel")                    \
	X(tx_packets, "tun_tx_packets", "packets written to the tunnel")                   \
	X(tx_errors, "tun_tx_errors", "packets the tunnel refused")

struct sw_tun_stats {
#define SW_TUN_FIELD(f, name, help) uint64_t f;
	SW_TUN_STATS(SW_TUN_FIELD)
#undef SW_TUN_FIELD
};

struct sw_tun {
	int fd;
	char name[16]; /* the kernel's name for it (IFNAMSIZ) */
	struct sw_tun_stats stats;
};

/* Open /dev/net/tun and attach to (or create) interface `name`, nonblocking. 0 or -errno. */
int sw_tun_open(struct sw_tun *t, const char *name, unsigned flags);
void sw_tun_close(struct sw_tun *t);
/* One packet into buf: its length, 0 when none is ready, or -errno. */
long sw_tun_read(struct sw_tun *t, uint8_t *buf, size_t len);
/* One packet out: 0 or -errno (counted). */
int sw_tun_write(struct sw_tun *t, const uint8_t *buf, size_t len);

#endif
