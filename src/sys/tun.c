/* tun: /dev/net/tun (see tun.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sys/tun.h"

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
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		close(t->fd);
		t->fd = -1;
		return err;
	}
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
	ssize_t n = read(t->fd, buf, len);

	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
	if (n > 0)
		t->stats.rx_packets++;
	return n;
}

int sw_tun_write(struct sw_tun *t, const uint8_t *buf, size_t len)
{
	ssize_t n = write(t->fd, buf, len);

	if (n < 0 || (size_t)n != len) {
		t->stats.tx_errors++;
		return n < 0 ? -errno : -EIO;
	}
	t->stats.tx_packets++;
	return 0;
}
