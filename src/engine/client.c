/* client: lifecycle, input dispatch, timers and status of the Teredo client engine. */
#include <errno.h>
#include <string.h>

#include "engine/client.h"
#include "engine/client_rx.h"
#include "engine/client_tx.h"
#include "engine/qualify.h"
#include "wire/ip6.h"
#include "wire/teredo.h"
#include "wire/trailer.h"

#define DEF_REFRESH_MS 30000u
#define DEF_PEERS 1024u
#define DEF_QUEUE 1280u
#define DEF_BUFS 256u

static int conf_check(struct sw_client_conf *k)
{
	if (k->server != 0 && !sw_ipv4_is_global(k->server, 0)) /* 0: not known yet */
		return -EINVAL;
	if (k->server2 == 0 && k->server != 0)
		k->server2 = k->server + 1;
	if (k->refresh_ms == 0)
		k->refresh_ms = DEF_REFRESH_MS;
	if (k->refresh_ms < 4000 || k->refresh_ms > 3600000 || k->key_len > 255 ||
	    (k->id_len && k->id == NULL) || (k->key_len && k->key == NULL))
		return -EINVAL;
	if (k->key_len == 0)
		k->key = NULL;
	if (k->max_peers == 0)
		k->max_peers = DEF_PEERS;
	if (k->queue_bytes == 0)
		k->queue_bytes = DEF_QUEUE;
	if (k->pool_bufs == 0)
		k->pool_bufs = DEF_BUFS;
	return 0;
}

int sw_client_init(struct sw_client *c, const struct sw_client_conf *conf,
		   const struct sw_rand *rand)
{
	uint8_t key[16];
	int err;

	memset(c, 0, sizeof *c);
	c->conf = *conf;
	c->rand = rand;
	if ((err = conf_check(&c->conf)) != 0)
		return err;
	rand->fill(rand->ctx, key, sizeof key);
	if ((err = sw_peers_init(&c->peers, c->conf.max_peers, sizeof(struct sw_client_peer),
				 key)) != 0)
		return err;
	if ((err = sw_pktq_pool_init(&c->pool, c->conf.pool_bufs, c->conf.queue_bytes)) != 0) {
		sw_peers_free(&c->peers, NULL);
		return err;
	}
	/* entries outlive the 300 s bubble window, so its cap survives expiry (§5.2.6) */
	c->peers.lifetime = c->conf.local_discovery ? SW_CLIENT_LOCAL_MS : SW_CLIENT_BUBBLE_WINDOW_MS;
	c->mtu = 1280;
	c->backoff = SW_CLIENT_BACKOFF_MIN_MS;
	c->deadline = SW_TIME_NEVER;
	c->peer_deadline = SW_TIME_NEVER;
	c->echo_bucket = (struct sw_bucket){.tokens = 10, .burst = 10, .per_sec = 10};
	c->icmp_bucket = (struct sw_bucket){.tokens = 10, .burst = 10, .per_sec = 10};
	/* bubbles answering origin indications: a spoofed "server" cannot aim many at one */
	c->origin_bucket = (struct sw_bucket){.tokens = 32, .burst = 32, .per_sec = 32};
	return 0;
}

void sw_client_free(struct sw_client *c)
{
	sw_peers_free(&c->peers, &c->pool);
	sw_pktq_pool_free(&c->pool);
}

void sw_client_start(struct sw_client *c, sw_time now, struct sw_out *out)
{
	if (c->native)
		sw_qualify_disable(c, out);
	else
		sw_qualify_begin(c, now, out);
}

void sw_client_native(struct sw_client *c, bool native, sw_time now, struct sw_out *out)
{
	if (native == c->native)
		return;
	c->native = native;
	if (c->state == SW_CLIENT_INITIAL) /* not started yet: sw_client_start decides */
		return;
	if (native)
		sw_qualify_disable(c, out);
	else
		sw_qualify_begin(c, now, out);
}

static bool from_server(const struct sw_client *c, struct sw_endpoint from)
{
	return from.port == SW_TEREDO_PORT && (from.ip == c->conf.server || from.ip == c->conf.server2);
}

void sw_client_udp(struct sw_client *c, struct sw_endpoint from, uint32_t dst_ip,
		   const uint8_t *buf, size_t len, sw_time now, struct sw_out *out)
{
	struct sw_trailers tr;
	struct sw_pkt pkt;
	struct sw_ip6 ip;

	c->stats.rx_packets++;
	if (from.port == 0 || sw_pkt_parse(buf, len, &pkt) != 0 || sw_ip6_parse(pkt.ip6, pkt.ip6_len, &ip) != 0) {
		c->stats.rx_malformed++;
		return;
	}
	if (pkt.trailers_len && sw_trailers_parse(pkt.trailers, pkt.trailers_len, &tr) != 0) {
		c->stats.rx_trailer_discard++;
		return;
	}
	if (dst_ip != 0 && (dst_ip >> 28) != 0xE)
		c->local_ip = dst_ip;
	if (from_server(c, from)) {
		sw_crx_server(c, from, &pkt, &ip, now, out);
		return;
	}
	if (c->state != SW_CLIENT_QUALIFIED || !c->have_addr) {
		c->stats.rx_not_qualified++;
		return;
	}
	sw_crx_peer(c, from, dst_ip, &ip, now, out);
}

void sw_client_tun(struct sw_client *c, const uint8_t *buf, size_t len, sw_time now,
		   struct sw_out *out)
{
	sw_ctx_tun(c, buf, len, now, out);
}

void sw_client_timer(struct sw_client *c, sw_time now, struct sw_out *out)
{
	sw_qualify_timer(c, now, out);
	sw_ctx_timer(c, now, out);
}

sw_time sw_client_next_deadline(const struct sw_client *c)
{
	sw_time d = sw_ctx_deadline(c);

	return c->deadline < d ? c->deadline : d;
}

static bool same(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

int sw_client_reconf(struct sw_client *c, const struct sw_client_conf *conf, sw_time now,
		     struct sw_out *out)
{
	struct sw_client_conf k = *conf;
	bool requalify;

	if (conf_check(&k) != 0)
		return -EINVAL;
	/* the tables keep their sizes; the new bounds apply at the next start */
	k.max_peers = c->conf.max_peers;
	k.pool_bufs = c->conf.pool_bufs;
	k.queue_bytes = c->conf.queue_bytes;
	requalify = k.server != c->conf.server || k.server2 != c->conf.server2 ||
		    k.cone_phase != c->conf.cone_phase ||
		    k.no_symmetric_test != c->conf.no_symmetric_test ||
		    !same(k.key, k.key_len, c->conf.key, c->conf.key_len) ||
		    !same(k.id, k.id_len, c->conf.id, c->conf.id_len);
	c->conf = k;
	if (requalify && c->state != SW_CLIENT_INITIAL && c->state != SW_CLIENT_DISABLED)
		sw_qualify_offline(c, now, true, out);
	return 0;
}

const char *sw_client_state_name(unsigned state)
{
	static const char *const n[] = {"initial", "probe", "qualified", "offline", "disabled"};

	return state < sizeof n / sizeof n[0] ? n[state] : "?";
}

const char *sw_client_nat_name(unsigned nat)
{
	static const char *const n[] = {"unknown", "none", "cone", "restricted", "symmetric"};

	return nat < sizeof n / sizeof n[0] ? n[nat] : "?";
}

bool sw_client_addr(const struct sw_client *c, uint8_t addr[16])
{
	if (!c->have_addr)
		return false;
	memcpy(addr, c->addr, 16);
	return true;
}

unsigned sw_client_nat(const struct sw_client *c)
{
	return c->nat;
}

bool sw_client_first_mapping(const struct sw_client *c, struct sw_endpoint *map)
{
	if (!c->first_map.ip)
		return false;
	*map = c->first_map;
	return true;
}

size_t sw_client_stats(const struct sw_client *c, struct sw_stat *out, size_t cap)
{
	size_t n = 0;

#define SW_X(name, h)                                                                       \
	if (n < cap)                                                                        \
		out[n++] = (struct sw_stat){"client_" #name, h, c->stats.name};
	SW_CLIENT_STATS(SW_X)
#undef SW_X
	return n;
}
