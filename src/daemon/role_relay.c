/* role_relay: the daemon adapter of the relay engine, for RelayType relay, cone,
 * restricted (direct bubbles too) and host-relay (host-specific relay). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/json.h"
#include "daemon/log.h"
#include "daemon/role.h"
#include "engine/relay.h"
#include "wire/addr.h"

#define ROUTE_METRIC 1024
#define PEERS_SHOWN 4096 /* entries listed by `shipworm peers` at most */

/* One worker's relay; the first worker's also knows the group (Workers). */
struct relay_role {
	struct sw_relay r;
	unsigned index, n;                          /* n: the first worker only */
	struct relay_role *group[SW_CFG_MAX_WORKERS]; /* the first worker only */
};

static void relay_config(const struct sw_config *cfg, const struct sw_rand *rand,
			 unsigned workers, struct sw_relay_config *rc)
{
	memset(rc, 0, sizeof(*rc));
	memcpy(rc->prefix, cfg->prefix, 16);
	rc->direct_bubbles = cfg->restricted;
	rc->mtu = (uint16_t)(cfg->mtu > 65535 ? 65535 : cfg->mtu);
	rc->host = cfg->role == SW_CFG_HOST_RELAY;
	rc->accept_symmetric = true;
	rc->zero_copy = true; /* the daemon flushes before reusing its receive buffers */
	rc->global_opts = cfg->global_rfc6890 ? SW_GLOBAL_RFC6890 : 0;
	rc->max_peers = cfg->max_peers;
	if (workers > 1) /* MaxPeers bounds the whole: each worker holds its share */
		rc->max_peers = (cfg->max_peers + workers - 1) / workers;
	rc->queue_bytes = (uint32_t)(cfg->queue_bytes > UINT16_MAX ? UINT16_MAX : cfg->queue_bytes);
	rc->rand = rand;
}

/* One worker's engine, socket and tunnel (a queue of the first worker's on the others). */
static int relay_start(struct sw_daemon *d, const struct sw_config *cfg,
		       struct relay_role **out)
{
	struct sw_relay_config rc;
	struct relay_role *rr;
	int err, sock;

	relay_config(cfg, sw_daemon_rand(d), sw_daemon_workers(d), &rc);
	rr = calloc(1, sizeof(*rr));
	if (!rr)
		return -ENOMEM;
	sock = sw_daemon_udp_open(d, cfg->bind_ip, cfg->bind_port);
	if (sock < 0) {
		free(rr);
		return sock;
	}
	rc.sock = (uint8_t)sock;
	err = sw_relay_init(&rr->r, &rc);
	if (!err)
		err = sw_daemon_tun_open(d, cfg->ifname, cfg->mtu);
	if (err) {
		sw_relay_free(&rr->r);
		free(rr);
		return err;
	}
	*out = rr;
	return 0;
}

static void relay_close(void *state)
{
	struct relay_role *rr = state;

	sw_relay_free(&rr->r);
	free(rr);
}

static int relay_open(struct sw_daemon *d, const struct sw_config *cfg, void **state)
{
	struct relay_role *rr;
	uint8_t route[16] = {0};
	int err = relay_start(d, cfg, &rr);

	if (err)
		return err;
	memcpy(route, cfg->prefix, 4);
	err = sw_daemon_route_add(d, route, 32, ROUTE_METRIC);
	if (err) {
		relay_close(rr);
		return err;
	}
	rr->group[0] = rr;
	rr->n = 1;
	*state = rr;
	return 0;
}

static int relay_open_worker(struct sw_daemon *d, const struct sw_config *cfg, void *first,
			     void **state)
{
	struct relay_role *f = first, *rr;
	int err;

	if (f->n >= SW_CFG_MAX_WORKERS)
		return -ENOSPC;
	err = relay_start(d, cfg, &rr);
	if (err)
		return err;
	rr->index = f->n;
	f->group[f->n++] = rr;
	*state = rr;
	return 0;
}

static struct sw_relay *engine(void *state)
{
	return &((struct relay_role *)state)->r;
}

static void relay_udp_input(void *state, unsigned sock, struct sw_endpoint from,
			    uint32_t local_ip, const uint8_t *buf, size_t len, sw_time now,
			    struct sw_out *out)
{
	(void)sock;
	(void)local_ip;
	sw_relay_udp_input(engine(state), from, buf, len, now, out);
}

static void relay_tun_input(void *state, const uint8_t *buf, size_t len, sw_time now,
			    struct sw_out *out)
{
	sw_relay_tun_input(engine(state), buf, len, now, out);
}

static void relay_timer(void *state, sw_time now, struct sw_out *out)
{
	sw_relay_timer(engine(state), now, out);
}

static sw_time relay_next_deadline(void *state)
{
	return sw_relay_next_deadline(engine(state));
}

/* What changes without a restart: direct bubbles, MTU, the global test, the queue bound;
 * on every worker (the daemon holds them still). */
static int relay_reload(void *state, const struct sw_config *cfg)
{
	struct relay_role *f = state;
	struct sw_relay_config rc;

	relay_config(cfg, f->r.cfg.rand, f->n, &rc);
	if (rc.max_peers != f->r.peers.max) {
		sw_log_warnx("MaxPeers changed: the peer table is sized at start (restart to apply)");
		return -EINVAL;
	}
	for (unsigned i = 0; i < f->n; i++) {
		struct sw_relay *r = &f->group[i]->r;

		r->cfg.direct_bubbles = rc.direct_bubbles;
		r->cfg.mtu = rc.mtu < 1280 ? 1280 : rc.mtu;
		r->cfg.global_opts = rc.global_opts;
		r->pool.per_queue_bytes = rc.queue_bytes;
	}
	return 0;
}

static void relay_status(void *state, struct sw_json *j, sw_time now)
{
	struct relay_role *f = state;
	size_t peers = 0, max = 0, used = 0;

	(void)now;
	for (unsigned i = 0; i < f->n; i++) {
		const struct sw_relay *r = &f->group[i]->r;

		peers += r->peers.n;
		max += r->peers.max;
		used += r->pool.nbufs - r->pool.nfree;
	}
	sw_json_str(j, "state", "relaying");
	sw_json_bool(j, "direct_bubbles", f->r.cfg.direct_bubbles);
	sw_json_u64(j, "peers", peers);
	sw_json_u64(j, "max_peers", max);
	sw_json_u64(j, "queue_buffers_used", used);
	if (f->n > 1) {
		sw_json_arr_begin(j, "worker_peers");
		for (unsigned i = 0; i < f->n; i++)
			sw_json_u64(j, NULL, f->group[i]->r.peers.n);
		sw_json_arr_end(j);
	}
}

static size_t worker_peers(struct relay_role *rr, unsigned workers, struct sw_json *j,
			   sw_time now, size_t shown)
{
	struct sw_relay *r = &rr->r;
	struct sw_peer *p;
	size_t it = 0;

	while ((p = sw_peers_next(&r->peers, &it)) != NULL && shown < PEERS_SHOWN) {
		if (sw_peers_expired(&r->peers, p, now))
			continue; /* reclaimed lazily, when met or when room is needed */
		shown++;
		sw_json_obj_begin(j, NULL);
		sw_json_ip6(j, "address", p->addr);
		sw_json_endpoint(j, "mapping", p->mapping);
		sw_json_bool(j, "trusted", sw_peer_trusted(p));
		if (p->aux & SW_RELAY_HEARD) /* else nothing ever came: no age to show */
			sw_json_u64(j, "last_rx_ms", sw_stamp_age(now, p->last_rx));
		sw_json_u64(j, "last_tx_ms", sw_stamp_age(now, p->last_tx));
		sw_json_u64(j, "queued_bytes", p->q.bytes);
		sw_json_u64(j, "queued_packets", p->q.n);
		sw_json_u64(j, "bubbles", p->bubbles);
		if (workers > 1)
			sw_json_u64(j, "worker", rr->index);
		sw_json_obj_end(j);
	}
	return shown;
}

static void relay_peers(void *state, struct sw_json *j, sw_time now)
{
	struct relay_role *f = state;
	size_t shown = 0;

	for (unsigned i = 0; i < f->n; i++)
		shown = worker_peers(f->group[i], f->n, j, now, shown);
}

/* The counters of every worker, summed (each worker lists them in the same order). */
static size_t relay_stats(void *state, struct sw_stat *out, size_t cap)
{
	struct relay_role *f = state;
	struct sw_stat more[64];
	size_t n = sw_relay_stats(&f->r, out, cap);

	for (unsigned i = 1; i < f->n; i++) {
		size_t m = sw_relay_stats(&f->group[i]->r, more, n < 64 ? n : 64);

		for (size_t k = 0; k < m; k++)
			out[k].value += more[k].value;
	}
	return n;
}

/* The relay and the host-specific relay share every operation; open() tells them apart
 * by RelayType. */
#define RELAY_OPS(role_name)                                                                \
	{                                                                                   \
		.name = (role_name), .open = relay_open, .open_worker = relay_open_worker,  \
		.udp_input = relay_udp_input, .tun_input = relay_tun_input,                 \
		.timer = relay_timer, .next_deadline = relay_next_deadline,                 \
		.reload = relay_reload, .status = relay_status, .peers = relay_peers,       \
		.stats = relay_stats, .close = relay_close,                                 \
	}

const struct sw_role_ops sw_role_relay = RELAY_OPS("relay");
const struct sw_role_ops sw_role_host_relay = RELAY_OPS("host-relay");
