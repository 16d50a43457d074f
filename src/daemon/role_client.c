/* role_client: the daemon adapter of the Teredo client engine, for RelayType client and
 * autoclient. Resolves ServerAddress(2) without blocking (sys/resolve), installs the
 * default route at a metric above native IPv6's, and shows state, NAT type and mapping. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/json.h"
#include "daemon/log.h"
#include "daemon/role.h"
#include "daemon/secret.h"
#include "engine/client.h"
#include "engine/client_tx.h"
#include "sys/resolve.h"

#define ROUTE_METRIC 1029     /* native default routes use 1024: they win (as Miredo) */
#define RESOLVE_POLL_MS 100
#define RESOLVE_RETRY_MIN_MS 1000
#define RESOLVE_RETRY_MAX_MS 60000
#define PEERS_SHOWN 4096
#define NATIVE_CHECK_MS 5000 /* NativeIPv6Check: route dump period */

struct client_role {
	struct sw_client c;
	struct sw_client_conf k;
	struct sw_daemon *d;
	bool native_check;       /* NativeIPv6Check */
	sw_time native_at;       /* next route check */
	bool started;            /* qualification begun (first timer, after daemon()) */
	bool reconf;             /* a reload waits for the next timer */
	bool lookup;             /* a name lookup is due at retry_at */
	uint8_t last_state;
	int disc_sock;           /* local discovery: 224.0.0.253:3544, or -1 */
	struct sw_resolve res;
	uint8_t resolving;       /* 0 none, 1 ServerAddress, 2 ServerAddress2 */
	uint32_t ip1, ip2;       /* results of this resolution round */
	sw_time retry_at, retry_ms, now;
	char name[SW_CFG_NAME], name2[SW_CFG_NAME];
	/* secure qualification: two slots, the engine's and the one a reload fills */
	struct client_secret {
		char id[SW_CFG_ID];
		uint8_t key[SW_SECRET_HEX_MAX];
		size_t key_len;
	} sec[2];
	char secret_file[SW_CFG_NAME]; /* ClientSecretFile read at open (or the last reload) */
};

/* ClientIdentifier and ClientSecretFile into slot s. 0 or -errno (logged). */
static int secret_load(const struct sw_config *cfg, struct client_secret *s)
{
	struct client_secret t = {.key_len = 0};
	int n = 0;

	snprintf(t.id, sizeof t.id, "%s", cfg->client_id);
	if (cfg->client_secret_file[0])
		n = sw_secret_read_hex(cfg->client_secret_file, t.key, sizeof t.key);
	if (n >= 0) {
		t.key_len = (size_t)n;
		*s = t;
	}
	explicit_bzero(&t, sizeof t);
	return n < 0 ? n : 0;
}

static void secret_conf(const struct client_secret *s, struct sw_client_conf *k)
{
	k->id = (const uint8_t *)s->id;
	k->id_len = (uint8_t)strlen(s->id);
	k->key = s->key_len ? s->key : NULL;
	k->key_len = s->key_len;
}

/* The slot the engine does not use (a reload fills it). */
static struct client_secret *secret_spare(struct client_role *r)
{
	return r->c.conf.id == (const uint8_t *)r->sec[0].id ? &r->sec[1] : &r->sec[0];
}

static void client_conf(const struct sw_config *cfg, uint16_t port, struct sw_client_conf *k)
{
	memset(k, 0, sizeof *k);
	k->server = cfg->server_ip; /* 0 while a name is not resolved: the engine waits */
	k->server2 = cfg->server_ip2;
	k->local_port = port;
	k->local_ip = cfg->bind_ip;
	k->local_plen = 24; /* the subnet filter of local discovery (SEC-7) */
	k->refresh_ms = cfg->refresh_interval * 1000u;
	k->cone_phase = cfg->cone_probe;
	k->no_symmetric_test = !cfg->symmetric_test;
	k->local_discovery = cfg->local_discovery;
	k->rfc6890 = cfg->global_rfc6890;
	k->max_peers = cfg->max_peers;
	k->queue_bytes = (uint32_t)(cfg->queue_bytes > UINT16_MAX ? UINT16_MAX : cfg->queue_bytes);
}

static bool by_name(const struct client_role *r)
{
	return r->name[0] != '\0';
}

static void set_names(struct client_role *r, const struct sw_config *cfg)
{
	snprintf(r->name, sizeof r->name, "%s", cfg->server_ip == 0 ? cfg->server_name : "");
	snprintf(r->name2, sizeof r->name2, "%s", cfg->server_ip2 == 0 ? cfg->server_name2 : "");
}

/* RFC 4380 5.2.8: a socket on port 3544 in the group 224.0.0.253. Its index or -errno. */
static int open_discovery(struct sw_daemon *d)
{
	int sock = sw_daemon_udp_open(d, 0, SW_TEREDO_PORT);
	int err = sock < 0 ? sock : sw_daemon_udp_join(d, (unsigned)sock, SW_CLIENT_DISCOVERY_IP);

	return err ? (err < -1 ? err : -EIO) : sock;
}

/* Sockets, tunnel and the default route (metric 1029: native IPv6 wins). */
static int open_io(struct sw_daemon *d, const struct sw_config *cfg, int *sock, int *disc)
{
	static const uint8_t any[16];
	int err;

	*sock = sw_daemon_udp_open(d, cfg->bind_ip, cfg->bind_port);
	err = *sock < 0 ? *sock : sw_daemon_tun_open(d, cfg->ifname, cfg->mtu);
	if (!err)
		err = sw_daemon_route_add(d, any, 0, ROUTE_METRIC);
	*disc = !err && cfg->local_discovery ? open_discovery(d) : -1;
	return err ? err : (*disc < -1 ? *disc : 0);
}

static int client_open(struct sw_daemon *d, const struct sw_config *cfg, void **state)
{
	struct client_role *r;
	int sock, err;

	if (cfg->server_name[0] == '\0')
		return -EDESTADDRREQ;
	r = calloc(1, sizeof *r);
	if (!r)
		return -ENOMEM;
	err = secret_load(cfg, &r->sec[0]);
	if (!err)
		err = open_io(d, cfg, &sock, &r->disc_sock);
	if (!err) {
		client_conf(cfg, sw_daemon_udp_port(d, (unsigned)sock), &r->k);
		secret_conf(&r->sec[0], &r->k);
		err = sw_client_init(&r->c, &r->k, sw_daemon_rand(d));
	}
	if (err) {
		explicit_bzero(r->sec, sizeof r->sec);
		free(r);
		return err;
	}
	set_names(r, cfg);
	snprintf(r->secret_file, sizeof r->secret_file, "%s", cfg->client_secret_file);
	r->d = d;
	r->native_check = cfg->native_ipv6_check;
	r->lookup = by_name(r);
	r->retry_ms = RESOLVE_RETRY_MIN_MS;
	*state = r;
	return 0;
}

static void resolve_failed(struct client_role *r, int err, const char *name, sw_time now);

static void resolve_begin(struct client_role *r, sw_time now)
{
	int err = sw_resolve_start(&r->res, r->name);

	r->lookup = false;
	r->ip1 = r->ip2 = 0;
	r->resolving = err ? 0 : 1;
	if (err)
		resolve_failed(r, err, r->name, now);
}

static void resolve_failed(struct client_role *r, int err, const char *name, sw_time now)
{
	sw_log_errno(err, "client: cannot resolve %s (retry in %llu s)", name,
		     (unsigned long long)(r->retry_ms / 1000));
	r->resolving = 0;
	r->lookup = true;
	r->retry_at = now + r->retry_ms;
	r->retry_ms = r->retry_ms * 2 > RESOLVE_RETRY_MAX_MS ? RESOLVE_RETRY_MAX_MS : r->retry_ms * 2;
}

static void resolved(struct client_role *r, sw_time now, struct sw_out *out)
{
	r->retry_ms = RESOLVE_RETRY_MIN_MS;
	if (r->ip1 == r->c.conf.server && (r->ip2 == 0 || r->ip2 == r->c.conf.server2))
		return;
	if (r->c.conf.server)
		sw_log_notice("client: server %s now resolves to a new address", r->name);
	r->k.server = r->ip1;
	if (r->name2[0])
		r->k.server2 = r->ip2; /* else ServerAddress2's literal, or 0 for primary + 1 */
	sw_client_reconf(&r->c, &r->k, now, out); /* requalifies with the new address */
}

/* One step of the resolution round (ServerAddress, then ServerAddress2 if named). */
static void resolve_step(struct client_role *r, sw_time now, struct sw_out *out)
{
	uint32_t ip = 0;
	int err = sw_resolve_poll(&r->res, &ip);

	if (err == -EINPROGRESS)
		return;
	if (err) {
		resolve_failed(r, err, r->resolving == 1 ? r->name : r->name2, now);
		return;
	}
	if (r->resolving == 1) {
		r->ip1 = ip;
		if (r->name2[0] && sw_resolve_start(&r->res, r->name2) == 0) {
			r->resolving = 2;
			return;
		}
	} else {
		r->ip2 = ip;
	}
	r->resolving = 0;
	resolved(r, now, out);
}

/* RFC 4380 5.5: no Teredo client while the host has IPv6 by other means. */
static void native_check(struct client_role *r, sw_time now, struct sw_out *out)
{
	int native = r->native_check ? sw_daemon_native_ipv6(r->d) : 0;

	r->native_at = r->native_check ? now + NATIVE_CHECK_MS : SW_TIME_NEVER;
	if (native < 0)
		return; /* counted as a netlink error; keep the last answer */
	if (native != r->c.native)
		sw_log_notice(native ? "client: native IPv6 default route found: Teredo client "
				       "disabled (RFC 4380 5.5)"
				     : "client: no native IPv6 default route: Teredo client enabled");
	sw_client_native(&r->c, native != 0, now, out);
}

static void client_timer(void *state, sw_time now, struct sw_out *out)
{
	struct client_role *r = state;

	r->now = now;
	if (now >= r->native_at)
		native_check(r, now, out);
	if (!r->started) {
		r->started = true;
		sw_client_start(&r->c, now, out);
	}
	if (r->reconf && sw_client_reconf(&r->c, &r->k, now, out) == 0)
		r->reconf = false;
	if (r->lookup && !r->resolving && now >= r->retry_at)
		resolve_begin(r, now);
	if (r->resolving)
		resolve_step(r, now, out);
	sw_client_timer(&r->c, now, out);
	/* going off-line: look the name up again before requalifying */
	if (r->c.state == SW_CLIENT_OFFLINE && r->last_state != SW_CLIENT_OFFLINE && by_name(r) &&
	    !r->resolving && !r->lookup) {
		r->lookup = true;
		r->retry_at = now;
	}
	r->last_state = r->c.state;
}

static sw_time client_next_deadline(void *state)
{
	struct client_role *r = state;
	sw_time d = sw_client_next_deadline(&r->c);

	if (!r->started || r->reconf)
		return 0;
	if (r->native_at < d)
		d = r->native_at;
	if (r->lookup && r->retry_at < d)
		d = r->retry_at;
	if (r->resolving && r->now + RESOLVE_POLL_MS < d)
		d = r->now + RESOLVE_POLL_MS;
	return d;
}

static void client_udp_input(void *state, unsigned sock, struct sw_endpoint from,
			     uint32_t local_ip, const uint8_t *buf, size_t len, sw_time now,
			     struct sw_out *out)
{
	struct client_role *r = state;

	r->now = now;
	/* the discovery socket takes discovery bubbles only (SEC-7: not unicast ones) */
	if (r->disc_sock >= 0 && sock == (unsigned)r->disc_sock && local_ip != SW_CLIENT_DISCOVERY_IP)
		return;
	sw_client_udp(&r->c, from, local_ip, buf, len, now, out);
}

static void client_tun_input(void *state, const uint8_t *buf, size_t len, sw_time now,
			     struct sw_out *out)
{
	struct client_role *r = state;

	r->now = now;
	sw_client_tun(&r->c, buf, len, now, out);
}

static int client_reload(void *state, const struct sw_config *cfg)
{
	struct client_role *r = state;
	bool renamed = cfg->server_ip == 0 && strcmp(cfg->server_name, r->name) != 0;
	struct client_secret *spare = secret_spare(r);
	/* the last configuration's (the engine's, or a reload's still waiting) */
	struct client_secret *latest = r->k.id == (const uint8_t *)r->sec[0].id ? &r->sec[0]
									    : &r->sec[1];
	struct sw_client_conf k;
	int err;

	client_conf(cfg, r->k.local_port, &k);
	if (k.refresh_ms < 4000 || k.refresh_ms > 3600000)
		return -EINVAL;
	/* unchanged: keep the secret (the file is root's, we may not be any more) */
	if (strcmp(cfg->client_secret_file, r->secret_file) == 0 &&
	    strcmp(cfg->client_id, latest->id) == 0) {
		if (latest != spare)
			*spare = *latest;
	} else if ((err = secret_load(cfg, spare)) != 0)
		return err;
	snprintf(r->secret_file, sizeof r->secret_file, "%s", cfg->client_secret_file);
	secret_conf(spare, &k);
	if (cfg->server_ip == 0) { /* keep what the name resolved to until it resolves again */
		k.server = r->k.server;
		k.server2 = r->k.server2;
	}
	set_names(r, cfg);
	if (renamed) {
		r->lookup = true;
		r->retry_at = 0;
		r->retry_ms = RESOLVE_RETRY_MIN_MS;
	}
	r->k = k;
	r->reconf = true;
	r->native_check = cfg->native_ipv6_check;
	r->native_at = 0; /* check again (or enable again) at the next timer */
	return 0;
}

/* The agreed members (control.h, shipworm(1) "JSON FIELDS"), then the client's own. */
static void status_engine(const struct sw_client *c, struct sw_json *j, sw_time now)
{
	static const char *const phase[] = {"idle", "cone", "primary", "secondary", "maintenance"};

	sw_json_str(j, "nat_type", sw_client_nat_name(c->nat));
	if (c->conf.server) { /* 0: the name is not resolved yet */
		sw_json_obj_begin(j, "server");
		sw_json_ip4(j, "primary", c->conf.server);
		sw_json_ip4(j, "secondary", c->conf.server2);
		sw_json_obj_end(j);
	}
	sw_json_endpoint(j, "local", (struct sw_endpoint){c->conf.local_ip ? c->conf.local_ip
									 : c->local_ip,
							    c->conf.local_port});
	if (c->have_addr) {
		sw_json_endpoint(j, "mapped", c->mapping);
		sw_json_ip6(j, "address", c->addr);
	}
	sw_json_u64(j, "refresh_interval_ms", c->conf.refresh_ms);
	if (c->last_server)
		sw_json_u64(j, "last_refresh_ms", now - c->last_server);
	sw_json_u64(j, "peers", c->peers.n);
	/* client-specific */
	sw_json_str(j, "phase", c->phase < 5 ? phase[c->phase] : "?");
	sw_json_bool(j, "failover", c->target != 0);
	if (c->have_addr) {
		sw_json_bool(j, "cone", c->cone);
		sw_json_u64(j, "qualified_for_ms", now - c->qualified_at);
	}
	sw_json_u64(j, "local_port", c->conf.local_port);
	sw_json_u64(j, "randomized_refresh_ms", c->rand_refresh);
	sw_json_u64(j, "max_peers", c->peers.max);
	sw_json_bool(j, "local_discovery", c->conf.local_discovery);
	sw_json_bool(j, "native_ipv6", c->native);
}

static void client_status(void *state, struct sw_json *j, sw_time now)
{
	struct client_role *r = state;

	sw_json_str(j, "state", r->c.state == SW_CLIENT_DISABLED ? "disabled: native IPv6"
								 : sw_client_state_name(r->c.state));
	status_engine(&r->c, j, now);
	if (by_name(r))
		sw_json_str(j, "server_name", r->name);
	sw_json_bool(j, "resolving", r->resolving != 0);
}

static void client_peers(void *state, struct sw_json *j, sw_time now)
{
	struct client_role *r = state;
	struct sw_peer *p;
	size_t it = 0, shown = 0;

	while ((p = sw_peers_next(&r->c.peers, &it)) != NULL && shown++ < PEERS_SHOWN) {
		sw_json_obj_begin(j, NULL);
		sw_json_ip6(j, "address", p->addr);
		sw_json_endpoint(j, "mapping", p->mapping);
		sw_json_bool(j, "trusted", sw_peer_trusted(p));
		sw_json_bool(j, "local", (p->flags & SW_PEER_LOCAL) != 0);
		sw_json_u64(j, "last_rx_ms", sw_stamp_age(now, p->last_rx));
		sw_json_u64(j, "last_tx_ms", sw_stamp_age(now, p->last_tx));
		sw_json_u64(j, "queued_bytes", p->q.bytes);
		sw_json_u64(j, "queued_packets", p->q.n);
		sw_json_u64(j, "bubbles", p->bubbles);
		sw_json_bool(j, "testing", sw_cpeer(p)->pending != 0);
		sw_json_obj_end(j);
	}
}

static const char *client_state_name(uint8_t state)
{
	return sw_client_state_name(state);
}

static size_t client_stats(void *state, struct sw_stat *out, size_t cap)
{
	struct client_role *r = state;

	return sw_client_stats(&r->c, out, cap);
}

static void client_close(void *state)
{
	struct client_role *r = state;

	sw_resolve_cancel(&r->res);
	sw_client_free(&r->c);
	explicit_bzero(r->sec, sizeof r->sec);
	free(r);
}

const struct sw_role_ops sw_role_client = {
	.name = "client",
	.open = client_open,
	.udp_input = client_udp_input,
	.tun_input = client_tun_input,
	.timer = client_timer,
	.next_deadline = client_next_deadline,
	.reload = client_reload,
	.status = client_status,
	.peers = client_peers,
	.stats = client_stats,
	.close = client_close,
	.state_name = client_state_name,
};
