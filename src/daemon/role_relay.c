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

static void relay_config(const struct sw_config *cfg, const struct sw_rand *rand,
			 struct sw_relay_config *rc)
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
	rc->queue_bytes = (uint32_t)(cfg->queue_bytes > UINT16_MAX ? UINT16_MAX : cfg->queue_bytes);
	rc->rand = rand;
}

static int relay_open(struct sw_daemon *d, const struct sw_config *cfg, void **state)
{
	struct sw_relay_config rc;
	struct sw_relay *r;
	uint8_t route[16] = {0};
	int err, sock;

	relay_config(cfg, sw_daemon_rand(d), &rc);
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	sock = sw_daemon_udp_open(d, cfg->bind_ip, cfg->bind_port);
	if (sock < 0) {
		free(r);
		return sock;
	}
	rc.sock = (uint8_t)sock;
	err = sw_relay_init(r, &rc);
	if (!err)
		err = sw_daemon_tun_open(d, cfg->ifname, cfg->mtu);
	memcpy(route, cfg->prefix, 4);
	if (!err)
		err = sw_daemon_route_add(d, route, 32, ROUTE_METRIC);
	if (err) {
		sw_relay_free(r);
		free(r);
		return err;
	}
	*state = r;
	return 0;
}

static void relay_udp_input(void *state, unsigned sock, struct sw_endpoint from,
			    uint32_t local_ip, const uint8_t *buf, size_t len, sw_time now,
			    struct sw_out *out)
{
	(void)sock;
	(void)local_ip;
	sw_relay_udp_input(state, from, buf, len, now, out);
}

static void relay_tun_input(void *state, const uint8_t *buf, size_t len, sw_time now,
			    struct sw_out *out)
{
	sw_relay_tun_input(state, buf, len, now, out);
}

static void relay_timer(void *state, sw_time now, struct sw_out *out)
{
	sw_relay_timer(state, now, out);
}

static sw_time relay_next_deadline(void *state)
{
	return sw_relay_next_deadline(state);
}

/* What changes without a restart: direct bubbles, MTU, the global test, the queue bound. */
static int relay_reload(void *state, const struct sw_config *cfg)
{
	struct sw_relay *r = state;

	if (cfg->max_peers != r->peers.max) {
		sw_log_warnx("MaxPeers changed: the peer table is sized at start (restart to apply)");
		return -EINVAL;
	}
	r->cfg.direct_bubbles = cfg->restricted;
	r->cfg.mtu = (uint16_t)(cfg->mtu > 65535 ? 65535 : cfg->mtu < 1280 ? 1280 : cfg->mtu);
	r->cfg.global_opts = cfg->global_rfc6890 ? SW_GLOBAL_RFC6890 : 0;
	r->pool.per_queue_bytes =
		(uint32_t)(cfg->queue_bytes > UINT16_MAX ? UINT16_MAX : cfg->queue_bytes);
	return 0;
}

static void relay_status(void *state, struct sw_json *j, sw_time now)
{
	struct sw_relay *r = state;

	(void)now;
	sw_json_str(j, "state", "relaying");
	sw_json_bool(j, "direct_bubbles", r->cfg.direct_bubbles);
	sw_json_u64(j, "peers", r->peers.n);
	sw_json_u64(j, "max_peers", r->peers.max);
	sw_json_u64(j, "queue_buffers_used", r->pool.nbufs - r->pool.nfree);
}

static void relay_peers(void *state, struct sw_json *j, sw_time now)
{
	struct sw_relay *r = state;
	struct sw_peer *p;
	size_t it = 0, shown = 0;

	while ((p = sw_peers_next(&r->peers, &it)) != NULL && shown < PEERS_SHOWN) {
		if (sw_peers_expired(&r->peers, p, now))
			continue; /* reclaimed lazily, when met or when room is needed */
		shown++;
		sw_json_obj_begin(j, NULL);
		sw_json_ip6(j, "address", p->addr);
		sw_json_endpoint(j, "mapping", p->mapping);
		sw_json_bool(j, "trusted", sw_peer_trusted(p));
		if (p->aux & SW_RELAY_HEARD) /* else nothing ever came: no age to show */
			sw_json_u64(j, "last_rx_ms", now - p->last_rx);
		sw_json_u64(j, "last_tx_ms", now - p->last_tx);
		sw_json_u64(j, "queued_bytes", p->q.bytes);
		sw_json_u64(j, "queued_packets", p->q.n);
		sw_json_u64(j, "bubbles", p->bubbles);
		sw_json_obj_end(j);
	}
}

static size_t relay_stats(void *state, struct sw_stat *out, size_t cap)
{
	return sw_relay_stats(state, out, cap);
}

static void relay_close(void *state)
{
	sw_relay_free(state);
	free(state);
}

/* The relay and the host-specific relay share every operation; open() tells them apart
 * by RelayType. */
#define RELAY_OPS(role_name)                                                                \
	{                                                                                   \
		.name = (role_name), .open = relay_open, .udp_input = relay_udp_input,      \
		.tun_input = relay_tun_input, .timer = relay_timer,                         \
		.next_deadline = relay_next_deadline, .reload = relay_reload,               \
		.status = relay_status, .peers = relay_peers, .stats = relay_stats,         \
		.close = relay_close,                                                       \
	}

const struct sw_role_ops sw_role_relay = RELAY_OPS("relay");
const struct sw_role_ops sw_role_host_relay = RELAY_OPS("host-relay");
