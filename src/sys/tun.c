/* tun: /dev/net/tun (see tun.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sys/tun.h"

#ifndef TUN_F_USO6
#define TUN_F_USO4 0x20 /* Linux 6.2 */
#define TUN_F_USO6 0x40
#endif

/* Headers, partial checksums, TCP/IPv6 superpackets and, where the kernel has them (6.2),
 * UDP ones; 0 or -errno. */
static int enable_offload(struct sw_tun *t)
{
	unsigned long f = TUN_F_CSUM | TUN_F_TSO6;
	int hlen = SW_VNET_HLEN;

	if (ioctl(t->fd, TUNSETVNETHDRSZ, &hlen) < 0)
		return -errno;
	if (ioctl(t->fd, TUNSETOFFLOAD, f | TUN_F_USO4 | TUN_F_USO6) < 0 &&
	    ioctl(t->fd, TUNSETOFFLOAD, f) < 0)
		return -errno;
	t->offload = true;
	return 0;
}

int sw_tun_open(struct sw_tun *t, const char *name, unsigned flags)
{
	struct ifreq ifr = {0};
	int err;

	memset(t, 0, sizeof(*t));
	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0)
		return -errno;
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (flags & SW_TUN_MULTI_QUEUE)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	if (flags & SW_TUN_OFFLOAD)
		ifr.ifr_flags |= IFF_VNET_HDR;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		close(t->fd);
		t->fd = -1;
		return err;
	}
	t->vnet = (flags & SW_TUN_OFFLOAD) != 0;
	if (t->vnet)
		enable_offload(t); /* without it: plain packets behind zeroed headers */
	memcpy(t->name, ifr.ifr_name, sizeof(t->name));
	t->name[sizeof(t->name) - 1] = '\0';
	return 0;
}

void sw_tun_close(struct sw_tun *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

long sw_tun_read(struct sw_tun *t, uint8_t *buf, size_t len)
{
	ssize_t n;

	if (t->vnet)
		return -EINVAL;
	n = read(t->fd, buf, len);
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
	if (n > 0)
		t->stats.rx_packets++;
	return n;
}

long sw_tun_readv(struct sw_tun *t, struct sw_vnet *h, uint8_t *buf1, size_t len1,
		  uint8_t *buf2, size_t len2)
{
	uint8_t hdr[SW_VNET_HLEN];
	struct iovec iov[3] = {{hdr, sizeof(hdr)}, {buf1, len1}, {buf2, len2}};
	ssize_t n;

	memset(h, 0, sizeof(*h));
	if (!t->vnet) {
		n = readv(t->fd, iov + 1, 2);
	} else {
		n = readv(t->fd, iov, 3);
		if (n >= (ssize_t)sizeof(hdr)) {
			sw_vnet_decode(hdr, h);
			n -= (ssize_t)sizeof(hdr);
		} else if (n >= 0) {
			t->stats.rx_offload_errors++;
			return -EIO;
		}
	}
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
	if (n > 0)
		t->stats.rx_packets++;
	return n;
}

static int write_iov(struct sw_tun *t, struct iovec *iov, int n, size_t len)
{
	ssize_t w = writev(t->fd, iov, n);

	if (w < 0 || (size_t)w != len) {
		t->stats.tx_errors++;
		return w < 0 ? -errno : -EIO;
	}
	t->stats.tx_packets++;
	return 0;
}

int sw_tun_write(struct sw_tun *t, const uint8_t *buf, size_t len)
{
	static const uint8_t zero[SW_VNET_HLEN];
	struct iovec iov[2] = {{(void *)(uintptr_t)zero, sizeof(zero)},
			       {(void *)(uintptr_t)buf, len}};

	if (t->vnet)
		return write_iov(t, iov, 2, len + sizeof(zero));
	return write_iov(t, iov + 1, 1, len);
}

int sw_tun_write_vnet(struct sw_tun *t, const struct sw_vnet *h, const uint8_t *buf,
		      size_t len)
{
	uint8_t hdr[SW_VNET_HLEN];
	struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)(uintptr_t)buf, len}};

	if (!t->vnet)
		return h->gso_type || h->flags ? -EINVAL : sw_tun_write(t, buf, len);
	sw_vnet_encode(hdr, h);
	return write_iov(t, iov, 2, len + sizeof(hdr));
}
