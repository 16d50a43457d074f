/* dispatch: the daemon's loop: inputs into the role, output batches out to the sockets
 * and the tunnel, role events onto the interface, timers, signals, reload. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "daemon/control.h"
#include "daemon/daemon_int.h"
#include "daemon/log.h"
#include "daemon/role.h"
#include "sys/clock.h"
#include "sys/notify.h"

/* A new tunnel MTU (from the role, or InterfaceMTU on reload). 0 or -errno. */
static int apply_mtu(struct sw_daemon *d, unsigned mtu)
{
	int err;

	if (d->tun.fd < 0)
		return -ENODEV;
	if (mtu == d->mtu)
		return 0;
	if (mtu < 1280 || mtu > d->tun_slot) {
		sw_log_warnx("MTU %u refused (1280 to %zu with this tunnel)", mtu, d->tun_slot);
		return -EINVAL;
	}
	err = sw_nl_link_mtu(&d->nl, d->ifindex, mtu);
	if (err) {
		d->stats.netlink_errors++;
		sw_log_errno(err, "cannot set MTU %u on %s", mtu, d->tun.name);
		return err;
	}
	d->mtu = mtu;
	sw_log_notice("MTU %u on %s", mtu, d->tun.name);
	return 0;
}

/* SW_EV_ADDR_ADD / SW_EV_ADDR_DEL on the tunnel. 0 or -errno (logged). */
static int apply_addr(struct sw_daemon *d, const struct sw_event *ev)
{
	bool add = ev->kind == SW_EV_ADDR_ADD;
	char a[INET6_ADDRSTRLEN];
	int err;

	if (d->tun.fd < 0)
		return -ENODEV;
	inet_ntop(AF_INET6, ev->addr, a, sizeof(a));
	if (add)
		err = sw_nl_addr_add(&d->nl, d->ifindex, ev->addr, ev->prefix_len);
	else
		err = sw_nl_addr_del(&d->nl, d->ifindex, ev->addr, ev->prefix_len);
	if (err) {
		d->stats.netlink_errors++;
		sw_log_errno(err, "cannot %s %s/%u on %s%s%s", add ? "add" : "remove", a,
			     ev->prefix_len, d->tun.name, d->nl.err[0] ? ": " : "", d->nl.err);
		return err;
	}
	if (add)
		d->stats.addr_added++;
	else
		d->stats.addr_removed++;
	sw_log_notice("%s %s/%u on %s", add ? "address" : "removed address", a, ev->prefix_len,
		      d->tun.name);
	return 0;
}

static void apply_event(struct sw_daemon *d, const struct sw_event *ev)
{
	const char *state = NULL;
	int err = -EINVAL;

	if (ev->kind == SW_EV_STATE && d->role->state_name)
		state = d->role->state_name(ev->state);
	sw_ctl_engine_event(d->ctl, ev, state, sw_clock_now());
	switch (ev->kind) {
	case SW_EV_STATE:
		if (state) {
			sw_log_notice("%s: %s", d->role->name, state);
			sw_notifyf("STATUS=%s: %s", d->role->name, state);
		} else {
			sw_log_notice("%s: state %u", d->role->name, ev->state);
		}
		return;
	case SW_EV_ADDR_ADD:
	case SW_EV_ADDR_DEL:
		err = apply_addr(d, ev);
		break;
	case SW_EV_MTU:
		err = apply_mtu(d, ev->mtu);
		break;
	}
	if (err)
		d->stats.events_dropped++;
}

/* Send every UDP output of one socket in one sendmmsg run. */
static void flush_udp(struct sw_daemon *d, unsigned sock)
{
	size_t n = 0;

	for (size_t i = 0; i < d->out.n; i++) {
		const struct sw_out_pkt *p = &d->out.pkt[i];

		if (p->kind != SW_OUT_UDP || p->sock != sock)
			continue;
		d->tx[n++] = (struct sw_udp_msg){.peer = p->dst,
						 .ttl = p->ttl,
						 .data = (uint8_t *)(uintptr_t)p->data,
						 .len = p->len};
	}
	if (n)
		sw_udp_send(&d->udp[sock].u, d->tx, n);
}

/* The kernel refused a UDP superpacket (no USO on write): its datagrams one by one, and
 * UDP joined no more. */
static void gro_unjoin(struct sw_daemon *d, const struct sw_vnet *h)
{
	uint8_t seg[2048];
	uint16_t len;

	d->gro.no_udp = true;
	for (size_t i = 0; i < d->gro.n; i++) {
		if (sw_offload_split(h, d->gro.buf, d->gro.len, i, 1, seg, sizeof(seg), &len) != 1)
			break;
		sw_tun_write(&d->tun, seg, len);
	}
}

/* Write the joined superpacket (or the one packet) waiting in d->gro. */
static void gro_write(struct sw_daemon *d)
{
	struct sw_vnet h;
	int err;

	if (!d->gro.len)
		return;
	sw_gro_finish(&d->gro, &h);
	err = sw_tun_write_vnet(&d->tun, &h, d->gro.buf, d->gro.len);
	if (!err && d->gro.n > 1) {
		d->tun.stats.tx_superpackets++;
		d->tun.stats.tx_joined += d->gro.n;
	} else if (err == -EINVAL && h.gso_type == SW_VNET_GSO_UDP_L4) {
		gro_unjoin(d, &h);
	}
	d->gro.len = 0;
}

/* One packet for the tunnel: joined to its flow's previous segments where it can be, in
 * order with everything else. */
static void tun_out(struct sw_daemon *d, const uint8_t *data, size_t len)
{
	if (d->tun.fd < 0) {
		d->stats.tun_dropped++;
		return;
	}
	if (!d->gro.buf) {
		sw_tun_write(&d->tun, data, len);
		return;
	}
	if (sw_gro_add(&d->gro, data, len))
		return;
	gro_write(d);
	if (!sw_gro_add(&d->gro, data, len))
		sw_tun_write(&d->tun, data, len);
}

static void flush(struct sw_daemon *d)
{
	for (size_t i = 0; i < d->out.n; i++) {
		const struct sw_out_pkt *p = &d->out.pkt[i];

		if (p->kind == SW_OUT_TUN) {
			tun_out(d, p->data, p->len);
		} else if (p->kind == SW_OUT_UDP && p->sock >= d->nudp) {
			d->stats.udp_bad_sock++;
		}
	}
	if (d->gro.buf)
		gro_write(d);
	for (unsigned s = 0; s < d->nudp; s++)
		flush_udp(d, s);
	for (size_t i = 0; i < d->out.n_ev; i++) {
		if (d->main == d)
			apply_event(d, &d->out.ev[i]);
		else
			d->stats.events_dropped++; /* netlink and control are the main thread's */
	}
	d->out_full_total += d->out.full;
	d->out.full = 0;
	sw_out_reset(&d->out);
}

/* Flush before the batch could overflow on the next input. */
static void maybe_flush(struct sw_daemon *d)
{
	if (d->out.n + 16 > d->out.cap || d->out.arena_cap - d->out.used < 64 * 1024 ||
	    d->out.n_ev + 4 > d->out.ev_cap)
		flush(d);
}

void sw_daemon_rearm(struct sw_daemon *d)
{
	sw_time at = d->role->next_deadline ? d->role->next_deadline(d->state) : SW_TIME_NEVER;
	sw_time c = d->ctl ? sw_ctl_next_deadline(d->ctl) : SW_TIME_NEVER;
	int err = sw_loop_timer(&d->loop, c < at ? c : at);

	if (err)
		sw_log_errno(err, "timer");
}

void sw_daemon_on_udp(void *ctx, uint32_t events)
{
	struct sw_daemon_sock *s = ctx;
	struct sw_daemon *d = s->d;
	struct sw_udp_msg *m;
	sw_time now = sw_clock_now();
	int n;

	(void)events;
	for (int round = 0; round < SW_DAEMON_RX_ROUNDS; round++) {
		n = sw_udp_recv(&s->u, d->rx, &m);
		for (int i = 0; i < n; i++) {
			maybe_flush(d);
			d->role->udp_input(d->state, s->index, m[i].peer, m[i].local_ip, m[i].data,
					   m[i].len, now, &d->out);
		}
		flush(d); /* outputs may point into the receive buffers */
		if (!s->u.rx_more)
			break;
	}
	sw_daemon_rearm(d);
}

static uint8_t *tun_slot(struct sw_daemon *d, size_t i)
{
	return d->tunbuf + i * d->tun_slot;
}

/* Make room for k slots: flush the batch (nothing refers to the slots after) if needed. */
static void tun_room(struct sw_daemon *d, size_t k)
{
	if (d->tun_next + k > SW_DAEMON_TUN_SLOTS) {
		flush(d);
		d->tun_next = 0;
	}
}

static void tun_feed(struct sw_daemon *d, const uint8_t *pkt, size_t len, sw_time now)
{
	maybe_flush(d);
	if (d->role->tun_input)
		d->role->tun_input(d->state, pkt, len, now, &d->out);
}

/* A superpacket (its first tun_slot bytes in the current slot, the rest in superbuf after
 * them): its segments into slots, each to the role. */
static void tun_split(struct sw_daemon *d, const struct sw_vnet *h, size_t len, sw_time now)
{
	uint8_t *pkt = d->superbuf;
	int count, k;

	memcpy(pkt, tun_slot(d, d->tun_next), len < d->tun_slot ? len : d->tun_slot);
	count = sw_offload_count(h, pkt, len, d->tun_slot);
	if (count < 0) {
		d->tun.stats.rx_offload_errors++;
		return;
	}
	d->tun.stats.rx_superpackets++;
	tun_room(d, (size_t)count < SW_DAEMON_TUN_SLOTS ? (size_t)count : SW_DAEMON_TUN_SLOTS);
	for (int done = 0; done < count; done += k) {
		tun_room(d, 1);
		k = sw_offload_split(h, pkt, len, (size_t)done, SW_DAEMON_TUN_SLOTS - d->tun_next,
				     tun_slot(d, d->tun_next), d->tun_slot, d->seg_len + d->tun_next);
		if (k <= 0) {
			d->tun.stats.rx_offload_errors++;
			return;
		}
		for (int j = 0; j < k; j++, d->tun_next++)
			tun_feed(d, tun_slot(d, d->tun_next), d->seg_len[d->tun_next], now);
		d->tun.stats.rx_segments += (uint64_t)k;
	}
}

/* One packet read into the current slot (and superbuf): to the role. */
static void tun_packet(struct sw_daemon *d, const struct sw_vnet *h, size_t len, sw_time now)
{
	uint8_t *slot = tun_slot(d, d->tun_next);

	if (h->gso_type != SW_VNET_GSO_NONE) {
		tun_split(d, h, len, now);
		return;
	}
	if (len > d->tun_slot || sw_offload_csum(h, slot, len) < 0) {
		d->tun.stats.rx_offload_errors++;
		return;
	}
	d->tun_next++;
	tun_feed(d, slot, len, now);
}

void sw_daemon_on_tun(void *ctx, uint32_t events)
{
	struct sw_daemon *d = ctx;
	sw_time now = sw_clock_now();
	struct sw_vnet h;

	(void)events;
	for (int i = 0; i < SW_DAEMON_TUN_BATCH; i++) {
		long n;

		tun_room(d, 1);
		n = sw_tun_readv(&d->tun, &h, tun_slot(d, d->tun_next), d->tun_slot,
				 d->superbuf ? d->superbuf + d->tun_slot : NULL,
				 d->superbuf ? SW_OFFLOAD_MAX : 0);
		if (n < 0 && n != -EIO)
			break;
		if (n == 0)
			break;
		if (n > 0)
			tun_packet(d, &h, (size_t)n, now);
	}
	flush(d);
	d->tun_next = 0;
	sw_daemon_rearm(d);
}

void sw_daemon_on_timer(void *ctx, uint32_t events)
{
	struct sw_daemon *d = ctx;
	sw_time now = sw_clock_now();

	(void)events;
	if (d->ctl)
		sw_ctl_run(d->ctl, now);
	if (d->role->timer &&
	    (!d->role->next_deadline || d->role->next_deadline(d->state) <= now))
		d->role->timer(d->state, now, &d->out);
	flush(d);
	sw_daemon_rearm(d);
}

static void report(void *ctx, const char *msg)
{
	(void)ctx;
	sw_log(SW_LOG_ERR, "%s", msg);
}

/* What a reload cannot change: the resources opened in the privileged phase. */
static bool needs_restart(const struct sw_config *a, const struct sw_config *b)
{
	return a->role != b->role || strcmp(a->relay_type, b->relay_type) != 0 ||
	       strcmp(a->ifname, b->ifname) != 0 || a->bind_ip != b->bind_ip ||
	       a->bind_port != b->bind_port || a->server_bind_ip != b->server_bind_ip ||
	       a->server_bind_ip2 != b->server_bind_ip2 ||
	       strcmp(a->control_socket, b->control_socket) != 0 ||
	       strcmp(a->user, b->user) != 0 || memcmp(a->prefix, b->prefix, 16) != 0 ||
	       a->offload != b->offload || a->workers != b->workers ||
	       a->seccomp != b->seccomp;
}

static void reload(struct sw_daemon *d)
{
	struct sw_config next;
	int err;

	sw_notifyf("RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)sw_clock_now() * 1000ull);
	sw_log_notice("reloading %s", d->cfg.path);
	err = sw_config_load(&next, d->cfg.path, report, NULL);
	if (!err && needs_restart(&d->cfg, &next)) {
		sw_log_warnx("reload refused: RelayType, InterfaceName, Prefix, addresses, ports, "
			     "ControlSocket, User, Offload, Workers or Seccomp changed "
			     "(restart to apply)");
		err = -EINVAL;
	}
	if (!err && d->role->reload) {
		sw_workers_lock(d);
		err = d->role->reload(d->state, &next);
		for (unsigned i = 1; !err && i < d->nworkers; i++)
			d->worker[i]->cfg = next;
		sw_workers_unlock(d);
	}
	if (err) {
		d->stats.reload_errors++;
		sw_log_warnx("reload failed, the previous configuration stays in force");
		sw_ctl_reload_event(d->ctl, false, sw_clock_now());
	} else {
		if (next.mtu != d->cfg.mtu)
			apply_mtu(d, next.mtu);
		d->cfg = next;
		d->stats.reloads++;
		sw_log_notice("configuration reloaded");
		sw_ctl_reload_event(d->ctl, true, sw_clock_now());
	}
	sw_notify("READY=1");
}

void sw_daemon_on_signal(void *ctx, int sig)
{
	struct sw_daemon *d = ctx;

	if (sig == SIGHUP) {
		reload(d);
		sw_daemon_rearm(d);
		return;
	}
	sw_log_notice("signal %d: stopping", sig);
	d->stop = true;
}

static const int handled[] = {SIGTERM, SIGINT, SIGHUP};

int sw_daemon_block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		sigaddset(&set, handled[i]);
	return sigprocmask(SIG_BLOCK, &set, NULL) < 0 ? -errno : 0;
}

int sw_daemon_run(struct sw_daemon *d)
{
	int err = sw_loop_signals(&d->loop, handled, sizeof(handled) / sizeof(handled[0]),
				  sw_daemon_on_signal, d);

	if (err) {
		sw_log_errno(err, "signals");
		return err;
	}
	err = sw_workers_start(d);
	if (err)
		return err;
	sw_daemon_rearm(d);
	while (!d->stop) {
		err = sw_loop_run_once(&d->loop, -1);
		if (err < 0) {
			sw_log_errno(err, "event loop");
			break;
		}
		err = 0;
	}
	sw_notify("STOPPING=1");
	sw_workers_stop(d);
	return err;
}
