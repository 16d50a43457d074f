/* daemon: lifecycle, the services of role.h, and status (see daemon.h; the loop and the
 * output flush are in dispatch.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/control.h"
#include "daemon/daemon.h"
#include "daemon/daemon_int.h"
#include "daemon/json.h"
#include "daemon/log.h"
#include "daemon/role.h"
#include "sw_config.h"
#include "sys/clock.h"
#include "sys/rand.h"

int sw_daemon_create(struct sw_daemon **dp, const struct sw_config *cfg,
		     const struct sw_role_ops *role)
{
	struct sw_daemon *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->cfg = *cfg;
	d->role = role;
	d->tun.fd = -1;
	d->wakefd = -1;
	d->loop.epfd = d->loop.timerfd = d->loop.sigfd = -1;
	d->main = d;
	d->worker[0] = d;
	d->nworkers = 1;
	d->want = sw_workers_want(cfg, role);
	d->started = sw_clock_now();
	sw_out_init(&d->out, d->pkt, SW_DAEMON_OUT, d->arena, sizeof(d->arena), d->ev,
		    SW_DAEMON_EVENTS);
	*dp = d;
	return 0;
}

/* Buffer size for one datagram: the largest IPv6 packet plus Teredo headers; with
 * offloads, a run of coalesced datagrams (UDP GRO). */
static size_t udp_bufsize(const struct sw_daemon *d)
{
	size_t mtu = d->cfg.mtu < 2048 ? 2048 : d->cfg.mtu; /* as tun_slot: MTU may grow to it */

	if (d->cfg.offload && mtu + 1024 < SW_UDP_GRO_BUFSIZE)
		return SW_UDP_GRO_BUFSIZE;
	return mtu + 1024;
}

int sw_daemon_udp_open(struct sw_daemon *d, uint32_t ip, uint16_t port)
{
	struct sw_daemon_sock *s;
	unsigned flags;
	int err;

	if (d->nudp >= SW_DAEMON_MAX_SOCKS)
		return -ENOSPC;
	if (!d->rx) {
		d->rx = sw_udp_rx_alloc(udp_bufsize(d));
		if (!d->rx)
			return -ENOMEM;
	}
	s = &d->udp[d->nudp];
	if (d->main != d && !port && d->nudp < d->main->nudp)
		port = d->main->udp[d->nudp].u.port; /* a worker: the same port as the first */
	flags = d->cfg.offload ? SW_UDP_OFFLOAD : 0;
	if (d->main->want > 1)
		flags |= SW_UDP_REUSEPORT;
	err = sw_udp_open(&s->u, ip, port, flags);
	if (err) {
		sw_log_errno(err, "cannot bind UDP %u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 255,
			     (ip >> 8) & 255, ip & 255, port);
		return err;
	}
	s->d = d;
	s->index = d->nudp;
	err = sw_loop_add(&d->loop, s->u.fd, EPOLLIN, sw_daemon_on_udp, s);
	if (err) {
		sw_udp_close(&s->u);
		return err;
	}
	if (d->main == d)
		sw_log_info("UDP socket %u bound to %u.%u.%u.%u:%u", s->index, s->u.ip >> 24,
			    (s->u.ip >> 16) & 255, (s->u.ip >> 8) & 255, s->u.ip & 255,
			    s->u.port);
	else
		sw_log_debug("worker %u: UDP socket %u bound to the same address", d->index,
			     s->index);
	return (int)d->nudp++;
}

uint16_t sw_daemon_udp_port(struct sw_daemon *d, unsigned sock)
{
	return sock < d->nudp ? d->udp[sock].u.port : 0;
}

int sw_daemon_udp_join(struct sw_daemon *d, unsigned sock, uint32_t group)
{
	int err;

	if (sock >= d->nudp)
		return -EBADF;
	err = sw_udp_join(&d->udp[sock].u, group);
	if (err)
		sw_log_errno(err, "cannot join multicast group %u.%u.%u.%u", group >> 24,
			     (group >> 16) & 255, (group >> 8) & 255, group & 255);
	return err;
}

static int tun_buffers(struct sw_daemon *d, unsigned mtu)
{
	d->tun_slot = mtu < 2048 ? 2048 : mtu;
	d->tunbuf = malloc(d->tun_slot * SW_DAEMON_TUN_SLOTS);
	if (!d->tunbuf)
		return -ENOMEM;
	if (!d->tun.vnet)
		return 0;
	d->superbuf = malloc(d->tun_slot + SW_OFFLOAD_MAX);
	d->gro.buf = malloc(SW_OFFLOAD_MAX);
	return d->superbuf && d->gro.buf ? 0 : -ENOMEM;
}

/* A worker's queue of the main instance's (multi-queue) tunnel. */
static int tun_queue_open(struct sw_daemon *d)
{
	const struct sw_daemon *m = d->main;
	int err = sw_tun_open(&d->tun, m->tun.name,
			      SW_TUN_MULTI_QUEUE | (d->cfg.offload ? SW_TUN_OFFLOAD : 0));

	if (err) {
		sw_log_errno(err, "worker %u: cannot open a queue of tunnel %s", d->index,
			     m->tun.name);
		return err;
	}
	d->ifindex = m->ifindex;
	d->mtu = m->mtu;
	err = tun_buffers(d, m->mtu);
	if (!err)
		err = sw_loop_add(&d->loop, d->tun.fd, EPOLLIN, sw_daemon_on_tun, d);
	if (err)
		sw_tun_close(&d->tun);
	return err;
}

int sw_daemon_tun_open(struct sw_daemon *d, const char *name, unsigned mtu)
{
	unsigned flags = d->cfg.offload ? SW_TUN_OFFLOAD : 0;
	int err;

	if (d->tun.fd >= 0)
		return -EBUSY;
	if (d->main != d)
		return d->main->tun.fd >= 0 ? tun_queue_open(d) : -ENODEV;
	if (d->want > 1)
		flags |= SW_TUN_MULTI_QUEUE;
	err = sw_tun_open(&d->tun, name, flags);
	if (err) {
		sw_log_errno(err, "cannot create tunnel %s", name);
		return err;
	}
	if (d->tun.vnet && !d->tun.offload)
		sw_log_info("tunnel %s: no offloads from this kernel", d->tun.name);
	err = sw_nl_ifindex(&d->nl, d->tun.name);
	if (err < 0)
		goto fail;
	d->ifindex = err;
	err = sw_nl_link_up(&d->nl, d->ifindex, mtu);
	if (err)
		goto fail;
	d->mtu = mtu;
	err = tun_buffers(d, mtu);
	if (!err)
		err = sw_loop_add(&d->loop, d->tun.fd, EPOLLIN, sw_daemon_on_tun, d);
	if (err)
		goto fail;
	sw_log_info("tunnel %s up, MTU %u%s", d->tun.name, mtu,
		    d->tun.offload ? ", offloads (superpackets)" : "");
	return 0;
fail:
	sw_log_errno(err, "cannot set up tunnel %s%s%s", d->tun.name, d->nl.err[0] ? ": " : "",
		     d->nl.err);
	sw_tun_close(&d->tun);
	return err;
}

int sw_daemon_native_ipv6(struct sw_daemon *d)
{
	int r;

	if (d->main != d)
		return -EOPNOTSUPP; /* netlink is the main thread's */
	r = sw_nl_default_route6(&d->nl, d->tun.fd >= 0 ? d->ifindex : 0);
	if (r < 0)
		d->stats.netlink_errors++;
	return r;
}

int sw_daemon_route_add(struct sw_daemon *d, const uint8_t prefix[16], unsigned len,
			unsigned metric)
{
	int err;

	if (d->tun.fd < 0)
		return -ENODEV;
	if (d->main != d)
		return -EOPNOTSUPP; /* routes are the main instance's */
	err = sw_nl_route_add(&d->nl, d->ifindex, prefix, len, metric);
	if (err) {
		d->stats.netlink_errors++;
		sw_log_errno(err, "cannot add route /%u metric %u on %s%s%s", len, metric,
			     d->tun.name, d->nl.err[0] ? ": " : "", d->nl.err);
	}
	return err;
}

unsigned sw_daemon_workers(const struct sw_daemon *d)
{
	return d->main->want;
}

const struct sw_rand *sw_daemon_rand(struct sw_daemon *d)
{
	(void)d;
	return &sw_sysrand;
}

static void ctl_status(void *ctx, struct sw_json *j, sw_time now)
{
	sw_daemon_status(ctx, j, now);
}

static void ctl_peers(void *ctx, struct sw_json *j, sw_time now)
{
	sw_daemon_peers(ctx, j, now);
}

static size_t ctl_stats(void *ctx, struct sw_stat *out, size_t cap)
{
	return sw_daemon_stats(ctx, out, cap);
}

static void on_ctl(void *ctx, uint32_t events)
{
	struct sw_daemon *d = ctx;

	(void)events;
	sw_ctl_run(d->ctl, sw_clock_now());
	sw_daemon_rearm(d);
}

static int start_ctl(struct sw_daemon *d, gid_t group)
{
	struct sw_ctl_provider p = {d, d->cfg.instance, ctl_status, ctl_peers, ctl_stats};
	int err = sw_ctl_open(&d->ctl, d->cfg.control_socket, group, &p);

	if (err) {
		sw_log_errno(err, "control socket %s", d->cfg.control_socket);
		return err;
	}
	return sw_loop_add(&d->loop, sw_ctl_fd(d->ctl), EPOLLIN, on_ctl, d);
}

int sw_daemon_start(struct sw_daemon *d, gid_t ctl_group)
{
	int err;

	/* held until the loop reads them (its signalfd is made in sw_daemon_run, after a
	 * possible fork: a signalfd made before it would not wake the child's epoll) */
	err = sw_daemon_block_signals();
	if (!err)
		err = sw_loop_init(&d->loop, sw_daemon_on_timer, d);
	if (err) {
		sw_log_errno(err, "event loop");
		return err;
	}
	err = sw_nl_open(&d->nl);
	if (err) {
		sw_log_errno(err, "netlink");
		return err;
	}
	err = start_ctl(d, ctl_group);
	if (err)
		return err;
	err = d->role->open(d, &d->cfg, &d->state);
	if (err) {
		sw_log_errno(err, "role %s cannot start", d->role->name);
		d->state = NULL;
		return err;
	}
	d->opened = true;
	return sw_workers_open(d);
}

void sw_daemon_destroy(struct sw_daemon *d)
{
	unsigned failed;

	if (!d)
		return;
	sw_workers_stop(d);
	sw_workers_close(d);
	if (d->opened && d->role->close)
		d->role->close(d->state);
	if (d->nl.sock) {
		failed = sw_nl_cleanup(&d->nl);
		if (failed)
			sw_log_warnx("%u addresses or routes could not be removed", failed);
		sw_nl_close(&d->nl);
	}
	sw_ctl_close(d->ctl);
	sw_tun_close(&d->tun);
	for (unsigned i = 0; i < d->nudp; i++)
		sw_udp_close(&d->udp[i].u);
	sw_udp_rx_free(d->rx);
	if (d->wakefd >= 0)
		close(d->wakefd);
	free(d->tunbuf);
	free(d->superbuf);
	free(d->gro.buf);
	sw_loop_close(&d->loop);
	free(d);
}

void sw_daemon_status(struct sw_daemon *d, struct sw_json *j, sw_time now)
{
	sw_json_str(j, "role", d->role->name);
	sw_json_str(j, "relay_type", d->cfg.relay_type);
	sw_json_str(j, "instance", d->cfg.instance);
	sw_json_str(j, "version", SW_VERSION);
	sw_json_u64(j, "pid", (uint64_t)getpid());
	sw_json_u64(j, "uptime_ms", now - d->started);
	sw_json_str(j, "config", d->cfg.path);
	if (d->tun.fd >= 0) {
		sw_json_str(j, "interface", d->tun.name);
		sw_json_u64(j, "ifindex", (uint64_t)d->ifindex);
		sw_json_u64(j, "mtu", d->mtu);
	}
	sw_json_arr_begin(j, "sockets");
	for (unsigned i = 0; i < d->nudp; i++)
		sw_json_endpoint(j, NULL, (struct sw_endpoint){d->udp[i].u.ip, d->udp[i].u.port});
	sw_json_arr_end(j);
	sw_json_u64(j, "workers", d->nworkers);
	if (d->role->status && d->state) {
		sw_workers_lock(d);
		d->role->status(d->state, j, now);
		sw_workers_unlock(d);
	}
}

void sw_daemon_peers(struct sw_daemon *d, struct sw_json *j, sw_time now)
{
	if (d->role->peers && d->state) {
		sw_workers_lock(d);
		d->role->peers(d->state, j, now);
		sw_workers_unlock(d);
	}
}

#define STAT_APPEND(f, nm, hp)                                                               \
	if (n < cap)                                                                          \
		out[n++] = (struct sw_stat){nm, hp, src->f};

size_t sw_daemon_stats(struct sw_daemon *d, struct sw_stat *out, size_t cap)
{
	struct sw_daemon_stats ds = {0};
	struct sw_udp_stats udp = {0};
	struct sw_tun_stats tun = {0};
	size_t n = 0;

	/* the data path's counters summed over the workers; the role sums its own */
	sw_workers_lock(d);
	for (unsigned w = 0; w < d->nworkers; w++) {
		struct sw_daemon *x = d->worker[w];

		x->stats.out_full = x->out_full_total + x->out.full;
#define SUM(f, nm, hp) ds.f += x->stats.f;
		SW_DAEMON_STATS(SUM)
#undef SUM
#define SUM(f, nm, hp) tun.f += x->tun.stats.f;
		SW_TUN_STATS(SUM)
#undef SUM
		for (unsigned i = 0; i < x->nudp; i++) {
#define SUM(f, nm, hp) udp.f += x->udp[i].u.stats.f;
			SW_UDP_STATS(SUM)
#undef SUM
		}
	}
	{
		const struct sw_daemon_stats *src = &ds;
		SW_DAEMON_STATS(STAT_APPEND)
	}
	{
		const struct sw_udp_stats *src = &udp;
		SW_UDP_STATS(STAT_APPEND)
	}
	{
		const struct sw_tun_stats *src = &tun;
		SW_TUN_STATS(STAT_APPEND)
	}
	if (d->role->stats && d->state && n < cap)
		n += d->role->stats(d->state, out + n, cap - n);
	sw_workers_unlock(d);
	return n;
}
