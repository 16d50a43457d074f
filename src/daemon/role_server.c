/* role_server: the daemon adapter of the server engine (RelayType server). Two UDP sockets
 * bound to ServerBindAddress:3544 and ServerBindAddress2:3544 (so every reply leaves with
 * the right source address), the tunnel for client echo tests to the IPv6 side, and the
 * client secrets file (ClientSecretsFile) for secure qualification. With ServerRelay yes
 * it composes the server and the relay engines (RFC 4380 §5.4.3): one relay on the
 * primary socket, the server handing it what its rules leave to a relay, the tunnel
 * routing 2001::/32 to the relay. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/json.h"
#include "daemon/log.h"
#include "daemon/role.h"
#include "daemon/secret.h"
#include "engine/relay.h"
#include "engine/server.h"
#include "wire/addr.h"

#define ROUTE_METRIC 1024
#define SECRETS_MAX 4096
#define PEERS_SHOWN 4096 /* entries listed by `shipworm peers` at most */

struct server_role {
	struct sw_server s;
	struct sw_relay *relay; /* ServerRelay: the co-located relay, else NULL */
	int sock[2];  /* daemon socket index of the primary and the secondary */
	size_t n_secrets;
};

static int secrets_lines(FILE *f, const char *path, struct sw_server_secret *tab, size_t *n)
{
	char line[1024];
	unsigned lineno = 0;
	int r, bad = 0;

	while (fgets(line, sizeof(line), f)) {
		lineno++;
		r = sw_server_secret_parse(line, &tab[*n]);
		if (r < 0) {
			sw_log_warnx("%s:%u: expected \"<client-id> <hex-secret> [expired]\"", path,
				     lineno);
			bad = -EINVAL;
		} else if (r > 0 && ++*n >= SECRETS_MAX) {
			sw_log_warnx("%s:%u: more than %u client identifiers", path, lineno,
				     SECRETS_MAX);
			return -E2BIG;
		}
	}
	return bad;
}

/* Read ClientSecretsFile into a new table (*tab, *n); nothing when unset. */
static int secrets_load(const char *path, struct sw_server_secret **tab, size_t *n)
{
	FILE *f;
	int err;

	*tab = NULL;
	*n = 0;
	if (!path[0])
		return 0;
	err = sw_secret_open(path, &f); /* refuses a file others may read (daemon/secret) */
	if (err)
		return err;
	*tab = calloc(SECRETS_MAX, sizeof(**tab));
	err = *tab ? secrets_lines(f, path, *tab, n) : -ENOMEM;
	fclose(f);
	if (!err && *n == 0) {
		sw_log_warnx("%s: no client identifier", path);
		err = -EINVAL;
	}
	return err;
}

static int server_sockets(struct sw_daemon *d, const struct sw_config *cfg,
			  struct server_role *r)
{
	uint32_t ip[2] = {cfg->server_bind_ip, cfg->server_bind_ip2};

	for (int i = 0; i < 2; i++) {
		if (!sw_ipv4_is_global(ip[i], cfg->global_rfc6890 ? SW_GLOBAL_RFC6890 : 0)) {
			sw_log_warnx("ServerBindAddress%s %u.%u.%u.%u is not a global unicast IPv4 "
				     "address", i ? "2" : "", ip[i] >> 24, (ip[i] >> 16) & 255,
				     (ip[i] >> 8) & 255, ip[i] & 255);
			return -EINVAL;
		}
		r->sock[i] = sw_daemon_udp_open(d, ip[i], SW_TEREDO_PORT);
		if (r->sock[i] < 0)
			return r->sock[i];
	}
	return 0;
}

static int server_engine(struct sw_daemon *d, const struct sw_config *cfg,
			 struct server_role *r)
{
	struct sw_server_config sc = {
		.primary = cfg->server_bind_ip,
		.secondary = cfg->server_bind_ip2,
		.global_opts = cfg->global_rfc6890 ? SW_GLOBAL_RFC6890 : 0,
		.relay = cfg->server_relay,
		.rl_rate = cfg->server_rate ? cfg->server_rate : UINT32_MAX, /* 0: no limit */
		.rl_burst = cfg->server_burst,
		.fwd_rate = cfg->server_fwd_rate ? cfg->server_fwd_rate : UINT32_MAX,
		.fwd_burst = cfg->server_fwd_burst,
		.rand = sw_daemon_rand(d),
	};
	struct sw_server_secret *tab;
	int err = secrets_load(cfg->client_secrets_file, &tab, &sc.n_secrets);

	if (!err) {
		sc.secrets = tab;
		sc.secure = sc.n_secrets > 0; /* a secrets file means: secure qualification only */
		err = sw_server_init(&r->s, &sc);
	}
	if (tab)
		explicit_bzero(tab, SECRETS_MAX * sizeof(*tab));
	free(tab);
	r->n_secrets = sc.n_secrets;
	return err;
}

/* ServerRelay: a relay engine sharing the primary socket, like RelayType relay. */
static int relay_engine(struct sw_daemon *d, const struct sw_config *cfg, struct server_role *r)
{
	struct sw_relay_config rc = {
		.accept_symmetric = true,
		.zero_copy = true, /* the daemon flushes before reusing its receive buffers */
		.global_opts = cfg->global_rfc6890 ? SW_GLOBAL_RFC6890 : 0,
		.sock = (uint8_t)r->sock[0],
		.mtu = (uint16_t)(cfg->mtu > 65535 ? 65535 : cfg->mtu),
		.max_peers = cfg->max_peers,
		.queue_bytes = (uint32_t)(cfg->queue_bytes > UINT16_MAX ? UINT16_MAX : cfg->queue_bytes),
		.local_server = cfg->server_bind_ip,
		.local_server2 = cfg->server_bind_ip2,
		.rand = sw_daemon_rand(d),
	};
	int err;

	memcpy(rc.prefix, cfg->prefix, 16);
	r->relay = calloc(1, sizeof(*r->relay));
	if (!r->relay)
		return -ENOMEM;
	err = sw_relay_init(r->relay, &rc);
	if (err) {
		free(r->relay);
		r->relay = NULL;
	}
	return err;
}

/* IPv6-side packets for this server's clients (and, as a relay, for every Teredo
 * address) come back through the tunnel. */
static int server_routes(struct sw_daemon *d, const struct sw_config *cfg, struct server_role *r)
{
	uint8_t route[16] = {0};
	int err;

	sw_addr_prefix(route, cfg->server_bind_ip);
	err = sw_daemon_route_add(d, route, 64, ROUTE_METRIC);
	if (!err && r->relay) {
		memset(route, 0, sizeof(route));
		memcpy(route, cfg->prefix, 4);
		err = sw_daemon_route_add(d, route, 32, ROUTE_METRIC);
	}
	return err;
}

static void server_free(struct server_role *r)
{
	if (r->relay) {
		sw_relay_free(r->relay);
		free(r->relay);
	}
	sw_server_free(&r->s);
	free(r);
}

static int server_open(struct sw_daemon *d, const struct sw_config *cfg, void **state)
{
	struct server_role *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	err = server_sockets(d, cfg, r);
	if (!err)
		err = server_engine(d, cfg, r);
	if (!err && cfg->server_relay)
		err = relay_engine(d, cfg, r);
	if (!err)
		err = sw_daemon_tun_open(d, cfg->ifname, cfg->mtu);
	if (!err)
		err = server_routes(d, cfg, r);
	if (err) {
		server_free(r);
		return err;
	}
	sw_log_notice("Teredo server%s on %u.%u.%u.%u and %u.%u.%u.%u, port %u%s",
		      r->relay ? " and relay" : "",
		      cfg->server_bind_ip >> 24, (cfg->server_bind_ip >> 16) & 255,
		      (cfg->server_bind_ip >> 8) & 255, cfg->server_bind_ip & 255,
		      cfg->server_bind_ip2 >> 24, (cfg->server_bind_ip2 >> 16) & 255,
		      (cfg->server_bind_ip2 >> 8) & 255, cfg->server_bind_ip2 & 255,
		      SW_TEREDO_PORT, r->n_secrets ? ", secure qualification" : "");
	*state = r;
	return 0;
}

static void server_udp_input(void *state, unsigned sock, struct sw_endpoint from,
			     uint32_t local_ip, const uint8_t *buf, size_t len, sw_time now,
			     struct sw_out *out)
{
	struct server_role *r = state;
	size_t first = out->n;
	unsigned which = (int)sock == r->sock[1];
	enum sw_server_verdict v = SW_SERVER_DONE;

	(void)local_ip;
	if (r->relay)
		v = sw_server_input_combined(&r->s, which, from, buf, len, now, out);
	else
		sw_server_input(&r->s, which, from, buf, len, now, out);
	/* engine socket 0/1 → the daemon's socket indexes */
	for (size_t i = first; i < out->n; i++)
		if (out->pkt[i].kind == SW_OUT_UDP)
			out->pkt[i].sock = (uint8_t)r->sock[out->pkt[i].sock & 1];
	if (v == SW_SERVER_TO_RELAY) /* its outputs already name the daemon's primary socket */
		sw_relay_udp_input(r->relay, from, buf, len, now, out);
}

static void server_tun_input(void *state, const uint8_t *buf, size_t len, sw_time now,
			     struct sw_out *out)
{
	struct server_role *r = state;
	size_t first = out->n;

	if (r->relay) { /* every Teredo destination, this server's clients included */
		sw_relay_tun_input(r->relay, buf, len, now, out);
		return;
	}
	sw_server_tun_input(&r->s, buf, len, now, out);
	for (size_t i = first; i < out->n; i++)
		if (out->pkt[i].kind == SW_OUT_UDP)
			out->pkt[i].sock = (uint8_t)r->sock[out->pkt[i].sock & 1];
}

static void server_timer(void *state, sw_time now, struct sw_out *out)
{
	struct server_role *r = state;

	if (r->relay) /* bubble repeats; the server itself is stateless */
		sw_relay_timer(r->relay, now, out);
}

static sw_time server_next_deadline(void *state)
{
	struct server_role *r = state;

	return r->relay ? sw_relay_next_deadline(r->relay) : sw_server_next_timeout(&r->s);
}

/* Addresses, secrets, ServerRelay and the limits (tables sized at start) need a restart:
 * a reload changes nothing else. */
static int server_reload(void *state, const struct sw_config *cfg)
{
	struct server_role *r = state;

	if (cfg->server_bind_ip != r->s.ip[0] || cfg->server_bind_ip2 != r->s.ip[1])
		return -EINVAL;
	if (cfg->server_relay != (r->relay != NULL) || cfg->server_rate != r->s.rl.rate || /* 0 = none in both */
	    cfg->server_fwd_rate != r->s.rl_dst.rate ||
	    cfg->server_burst != r->s.rl.burst || cfg->server_fwd_burst != r->s.rl_dst.burst) {
		sw_log_warnx("ServerRelay and the server limits are set at start (restart to apply)");
		return -EINVAL;
	}
	r->s.global_opts = cfg->global_rfc6890 ? SW_GLOBAL_RFC6890 : 0;
	return 0;
}

static void server_status(void *state, struct sw_json *j, sw_time now)
{
	struct server_role *r = state;

	(void)now;
	sw_json_str(j, "state", "serving");
	sw_json_obj_begin(j, "server");
	sw_json_ip4(j, "primary", r->s.ip[0]);
	sw_json_ip4(j, "secondary", r->s.ip[1]);
	sw_json_obj_end(j);
	sw_json_ip6(j, "prefix", (const uint8_t[16]){0x20, 0x01, 0, 0, (uint8_t)(r->s.ip[0] >> 24),
						   (uint8_t)(r->s.ip[0] >> 16),
						   (uint8_t)(r->s.ip[0] >> 8), (uint8_t)r->s.ip[0]});
	sw_json_bool(j, "secure_qualification", r->s.secure);
	sw_json_u64(j, "client_identifiers", r->n_secrets);
	sw_json_u64(j, "relay_max_bytes", r->s.relay_max);
	sw_json_u64(j, "rate_limit_pps", r->s.rl.rate);
	sw_json_u64(j, "rate_limit_burst", r->s.rl.burst);
	sw_json_u64(j, "forward_limit_pps", r->s.rl_dst.rate);
	sw_json_u64(j, "forward_limit_burst", r->s.rl_dst.burst);
	sw_json_bool(j, "relay", r->relay != NULL);
	if (r->relay) {
		sw_json_u64(j, "peers", r->relay->peers.n);
		sw_json_u64(j, "max_peers", r->relay->peers.max);
	}
}

/* ServerRelay: the relay's peers, as `shipworm peers` shows them for RelayType relay. */
static void server_peers(void *state, struct sw_json *j, sw_time now)
{
	struct server_role *r = state;
	struct sw_peer *p;
	size_t it = 0, shown = 0;

	while (r->relay && (p = sw_peers_next(&r->relay->peers, &it)) != NULL &&
	       shown < PEERS_SHOWN) {
		if (sw_peers_expired(&r->relay->peers, p, now))
			continue;
		shown++;
		sw_json_obj_begin(j, NULL);
		sw_json_ip6(j, "address", p->addr);
		sw_json_endpoint(j, "mapping", p->mapping);
		sw_json_bool(j, "trusted", sw_peer_trusted(p));
		if (p->aux & SW_RELAY_HEARD)
			sw_json_u64(j, "last_rx_ms", sw_stamp_age(now, p->last_rx));
		sw_json_u64(j, "last_tx_ms", sw_stamp_age(now, p->last_tx));
		sw_json_u64(j, "queued_packets", p->q.n);
		sw_json_obj_end(j);
	}
}

static size_t server_stats(void *state, struct sw_stat *out, size_t cap)
{
	struct server_role *r = state;
	size_t n = sw_server_stats(&r->s, out, cap);

	if (r->relay && n < cap)
		n += sw_relay_stats(r->relay, out + n, cap - n);
	return n;
}

static void server_close(void *state)
{
	struct server_role *r = state;

	if (r->s.secrets)
		explicit_bzero(r->s.secrets, r->s.n_secrets * sizeof(*r->s.secrets));
	server_free(r);
}

const struct sw_role_ops sw_role_server = {
	.name = "server",
	.open = server_open,
	.udp_input = server_udp_input,
	.tun_input = server_tun_input,
	.timer = server_timer,
	.next_deadline = server_next_deadline,
	.reload = server_reload,
	.status = server_status,
	.peers = server_peers,
	.stats = server_stats,
	.close = server_close,
};
