/* relay: RFC 4380 §5.4 transmission to and reception from Teredo clients. */
#include <errno.h>
#include <string.h>

#include "engine/relay.h"
#include "engine/siphash.h"
#include "wire/addr.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/teredo.h"
#include "wire/trailer.h"

#define DEF_MAX_PEERS 65536
#define DEF_QUEUE_BYTES 1280
#define DEF_QUEUE_BUFS 4096
#define BUBBLE_HLIM 0 /* like Miredo: a bubble is never routed */

static const uint8_t teredo_pfx[4] = {0x20, 0x01, 0x00, 0x00};

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Decode a Teredo address under the configured prefix. */
static bool teredo_decode(const struct sw_relay *r, const uint8_t a[16], struct sw_teredo *t)
{
	if (memcmp(a, r->cfg.prefix, 4) != 0)
		return false;
	t->server = get32(a + 4);
	t->flags = (uint16_t)(a[8] << 8 | a[9]);
	t->mapped.port = (uint16_t)~(a[10] << 8 | a[11]);
	t->mapped.ip = ~get32(a + 12);
	return true;
}

static bool is_zero16(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

static void config_defaults(struct sw_relay_config *c)
{
	if (is_zero16(c->prefix))
		memcpy(c->prefix, teredo_pfx, 4);
	if (!c->max_peers)
		c->max_peers = DEF_MAX_PEERS;
	if (!c->queue_bytes)
		c->queue_bytes = DEF_QUEUE_BYTES;
	if (!c->queue_bufs)
		c->queue_bufs = DEF_QUEUE_BUFS;
	if (c->mtu < SW_TEREDO_MTU)
		c->mtu = SW_TEREDO_MTU;
	if (!c->icmp_rate)
		c->icmp_rate = SW_RELAY_ICMP_RATE;
	if (!c->icmp_burst || c->icmp_burst > UINT32_MAX / 1000u)
		c->icmp_burst = SW_RELAY_ICMP_BURST;
	if (!c->bubble_rate)
		c->bubble_rate = SW_RELAY_BUBBLE_RATE;
	if (!c->bubble_burst)
		c->bubble_burst = SW_RELAY_BUBBLE_BURST;
}

int sw_relay_init(struct sw_relay *r, const struct sw_relay_config *cfg)
{
	uint8_t key[16];
	int err;

	memset(r, 0, sizeof(*r));
	if (!cfg->rand || cfg->n_served > SW_RELAY_MAX_SERVED)
		return -EINVAL;
	r->cfg = *cfg;
	config_defaults(&r->cfg);
	r->icmp = (struct sw_bucket){.tokens = r->cfg.icmp_burst, .burst = r->cfg.icmp_burst,
				     .per_sec = r->cfg.icmp_rate};
	cfg->rand->fill(cfg->rand->ctx, key, sizeof(key));
	r->ll_k0 = sw_siphash_key(key).k0;
	r->ll_k1 = sw_siphash_key(key).k1;
	cfg->rand->fill(cfg->rand->ctx, key, sizeof(key));
	err = sw_peers_init(&r->peers, r->cfg.max_peers, 0, key);
	if (!err)
		err = sw_pktq_pool_init(&r->pool, r->cfg.queue_bufs, r->cfg.queue_bytes);
	cfg->rand->fill(cfg->rand->ctx, key, sizeof(key));
	if (!err)
		err = sw_ratelimit_init(&r->bubble_rl, SW_RELAY_BUBBLE_RL_ENTRIES,
					r->cfg.bubble_rate == UINT32_MAX ? 0 : r->cfg.bubble_rate,
					r->cfg.bubble_burst, key);
	if (err)
		sw_relay_free(r);
	return err;
}

void sw_relay_free(struct sw_relay *r)
{
	if (r->peers.slots)
		sw_peers_free(&r->peers, r->pool.bufs ? &r->pool : NULL);
	sw_pktq_pool_free(&r->pool);
	sw_ratelimit_free(&r->bubble_rl);
}

void sw_relay_bubble_src(const struct sw_relay *r, const uint8_t dst[16], uint8_t src[16])
{
	struct sw_sipkey k = {r->ll_k0, r->ll_k1};
	uint64_t h = sw_siphash(k, dst, 16);

	memset(src, 0, 16);
	src[0] = 0xfe;
	src[1] = 0x80;
	for (unsigned i = 0; i < 8; i++)
		src[8 + i] = (uint8_t)(h >> (56 - 8 * i));
}

void sw_relay_host_addr_add(struct sw_relay *r, const uint8_t a[16])
{
	for (size_t i = 0; i < r->n_host; i++)
		if (memcmp(r->host_addr[i], a, 16) == 0)
			return;
	memcpy(r->host_addr[r->host_next], a, 16);
	r->host_next = (r->host_next + 1) % SW_RELAY_MAX_HOST_ADDRS;
	if (r->n_host < SW_RELAY_MAX_HOST_ADDRS)
		r->n_host++;
	else
		r->st.host_addr_replaced++;
}

static bool prefix_match(const struct sw_prefix6 *p, const uint8_t a[16])
{
	unsigned bytes = p->len / 8u, bits = p->len % 8u;

	if (p->len > 128 || memcmp(p->addr, a, bytes) != 0)
		return false;
	return bits == 0 || ((p->addr[bytes] ^ a[bytes]) & (0xffu << (8u - bits)) & 0xffu) == 0;
}

static bool in_served_list(const struct sw_relay *r, const uint8_t dst[16])
{
	for (size_t i = 0; i < r->cfg.n_served; i++)
		if (prefix_match(&r->cfg.served[i], dst))
			return true;
	return false;
}

/* Rule 4 of §5.4.2 (SEC-13): where packets from clients may go. */
static bool served(const struct sw_relay *r, const uint8_t dst[16])
{
	if (!sw_ip6_is_global(dst) || memcmp(dst, r->cfg.prefix, 4) == 0)
		return false;
	if (r->cfg.host) {
		for (size_t i = 0; i < r->n_host; i++)
			if (memcmp(r->host_addr[i], dst, 16) == 0)
				return true;
		return in_served_list(r, dst);
	}
	return r->cfg.n_served == 0 || in_served_list(r, dst);
}

/* --- ICMPv6 errors (RFC 4443 §2.4) --- */

static bool icmp_error(struct sw_relay *r, const struct sw_ip6 *ip, uint8_t type, uint8_t code,
		       uint32_t param, sw_time now, struct sw_out *out)
{
	const uint8_t *src = is_zero16(r->cfg.icmp_src) ? ip->dst : r->cfg.icmp_src;
	uint8_t *b, *end;

	if (!sw_icmp6_may_error(ip, type == SW_ICMP6_PKT_TOO_BIG))
		return false;
	if (!sw_bucket_take(&r->icmp, now)) {
		r->st.icmp_limited++;
		return false;
	}
	b = sw_out_begin(out, SW_ICMP6_ERR_MAX);
	if (!b) {
		r->st.drop_out_full++;
		return false;
	}
	end = sw_icmp6_error_put(b, b + SW_ICMP6_ERR_MAX, src, type, code, param, ip->pkt, ip->len);
	if (!end)
		return false;
	sw_out_tun(out, (size_t)(end - b));
	return true;
}

/* --- output helpers --- */

static bool out_copy(struct sw_out *o, uint8_t kind, uint8_t sock, struct sw_endpoint dst,
		     const uint8_t *data, size_t len)
{
	uint8_t *b = sw_out_begin(o, len);

	if (!b)
		return false;
	memcpy(b, data, len);
	if (kind == SW_OUT_UDP)
		sw_out_udp(o, sock, dst, len);
	else
		sw_out_tun(o, len);
	return true;
}

/* Zero-copy when the driver keeps input buffers alive until the flush. */
static bool out_pkt(struct sw_relay *r, struct sw_out *o, uint8_t kind, struct sw_endpoint dst,
		    const uint8_t *data, size_t len)
{
	bool ok = r->cfg.zero_copy ? sw_out_ref(o, kind, r->cfg.sock, dst, data, len)
				   : out_copy(o, kind, r->cfg.sock, dst, data, len);

	if (!ok)
		r->st.drop_out_full++;
	return ok;
}

static bool put_bubble(struct sw_relay *r, struct sw_out *out, const uint8_t src[16],
		       const uint8_t dst[16], struct sw_endpoint to)
{
	uint8_t *b = sw_out_begin(out, SW_IP6_HLEN);

	if (!b || !sw_bubble_put(b, b + SW_IP6_HLEN, src, dst, BUBBLE_HLIM)) {
		r->st.drop_out_full++;
		return false;
	}
	sw_out_udp(out, r->cfg.sock, to, SW_IP6_HLEN);
	return true;
}

/* Combined server+relay: the bubble our own server would have forwarded, origin
 * indication included (RFC 4380 §5.3.1), straight to its client's mapping. */
static bool put_local_bubble(struct sw_relay *r, struct sw_out *out, const uint8_t src[16],
			     const uint8_t dst[16], struct sw_endpoint to)
{
	struct sw_endpoint self = {r->cfg.local_server, SW_TEREDO_PORT};
	size_t max = SW_ORIGIN_LEN + SW_IP6_HLEN;
	uint8_t *b = sw_out_begin(out, max), *p;

	p = b ? sw_origin_put(b, b + max, self) : NULL;
	if (!p || !sw_bubble_put(p, b + max, src, dst, BUBBLE_HLIM)) {
		r->st.drop_out_full++;
		return false;
	}
	sw_out_udp(out, r->cfg.sock, to, max);
	r->st.bubbles_local++;
	return true;
}

/* Indirect bubble through the client's server, plus a direct one when configured. */
static bool send_bubbles(struct sw_relay *r, struct sw_peer *p, sw_time now, struct sw_out *out)
{
	struct sw_teredo t;
	struct sw_endpoint srv;
	uint8_t src[16];

	if (!teredo_decode(r, p->addr, &t))
		return false;
	srv.ip = t.server;
	srv.port = SW_TEREDO_PORT;
	sw_relay_bubble_src(r, p->addr, src);
	if (!sw_ratelimit_allow(&r->bubble_rl, t.server, now)) {
		r->st.bubbles_limited++; /* the cycle goes on as if sent: no busy timer */
	} else if (r->cfg.local_server && t.server == r->cfg.local_server) {
		if (!put_local_bubble(r, out, src, p->addr, t.mapped))
			return false;
	} else {
		if (!put_bubble(r, out, src, p->addr, srv))
			return false;
		r->st.bubbles_indirect++;
		if (r->cfg.direct_bubbles && put_bubble(r, out, src, p->addr, t.mapped))
			r->st.bubbles_direct++;
	}
	if (sw_stamp_age(now, p->bubble_window) >= SW_RELAY_WINDOW_MS) {
		p->bubble_window = sw_stamp_of(now);
		p->bubbles = 0;
	}
	p->last_tx = sw_stamp_of(now);
	p->bubbles++;
	sw_peers_touch(&r->peers, p);
	return true;
}

/* Queued packets go out in order; what does not fit in the batch stays queued. */
static void flush(struct sw_relay *r, struct sw_peer *p, struct sw_out *out)
{
	const uint8_t *pkt;
	size_t len;

	while ((pkt = sw_pktq_peek(&r->pool, &p->q, &len)) != NULL) {
		if (!out_copy(out, SW_OUT_UDP, r->cfg.sock, p->mapping, pkt, len)) {
			r->st.drop_out_full++;
			return;
		}
		sw_pktq_pop(&r->pool, &p->q);
		r->st.flushed++;
		r->st.fwd_teredo++;
	}
}

/* --- transmission to Teredo clients (§5.4.1) --- */

static void tx_trusted(struct sw_relay *r, struct sw_peer *p, const struct sw_ip6 *ip,
		       sw_time now, struct sw_out *out)
{
	if (!sw_pktq_empty(&p->q))
		flush(r, p, out);
	if (!sw_pktq_empty(&p->q)) { /* batch full: keep the order */
		if (sw_pktq_push(&r->pool, &p->q, ip->pkt, ip->len))
			r->st.queued++;
		else
			r->st.drop_queue_full++;
		return;
	}
	if (!out_pkt(r, out, SW_OUT_UDP, p->mapping, ip->pkt, ip->len))
		return;
	r->st.fwd_teredo++;
	p->last_tx = sw_stamp_of(now);
	sw_peers_touch(&r->peers, p);
}

/* Case 2 (C = 1, 4380 mode): straight to the mapping, entry trusted. */
static void tx_cone(struct sw_relay *r, struct sw_peer *p, const struct sw_ip6 *ip,
		    sw_time now, struct sw_out *out)
{
	sw_peers_set_trusted(&r->peers, p, true);
	tx_trusted(r, p, ip, now, out);
}

static void tx_untrusted(struct sw_relay *r, struct sw_peer *p, const struct sw_ip6 *ip,
			 const struct sw_teredo *t, sw_time now, struct sw_out *out)
{
	if (!p) {
		p = sw_peers_add(&r->peers, ip->dst, now, &r->pool);
		if (!p) {
			r->st.table_full++;
			r->st.drop_no_entry++;
			return;
		}
	} else if (sw_peer_trusted(p)) { /* trusted but silent for 30 s: not valid */
		sw_peers_set_trusted(&r->peers, p, false);
		p->bubbles = 0;
		p->bubble_window = sw_stamp_of(now);
	}
	p->mapping = t->mapped;
	if (r->cfg.honor_cone && (t->flags & SW_FLAG_CONE)) {
		tx_cone(r, p, ip, now, out);
		return;
	}
	if (sw_pktq_push(&r->pool, &p->q, ip->pkt, ip->len))
		r->st.queued++;
	else
		r->st.drop_queue_full++;
	if ((p->bubbles == 0 || sw_stamp_age(now, p->last_tx) >= SW_RELAY_BUBBLE_MS) &&
	    p->bubbles < SW_RELAY_BUBBLES)
		send_bubbles(r, p, now, out);
}

/* Combined server+relay: a destination that would make us send to ourselves. */
static bool dst_is_self(const struct sw_relay *r, const struct sw_teredo *t)
{
	uint32_t a = r->cfg.local_server, b = r->cfg.local_server2;

	if (!a && !b)
		return false;
	return (b && t->server == b) || (a && t->mapped.ip == a) || (b && t->mapped.ip == b);
}

void sw_relay_tun_input(struct sw_relay *r, const uint8_t *buf, size_t len, sw_time now,
			struct sw_out *out)
{
	struct sw_ip6 ip;
	struct sw_teredo t;
	struct sw_peer *p;

	r->st.tun_rx++;
	if (sw_ip6_parse(buf, len, &ip) != 0) {
		r->st.drop_tun_malformed++;
		return;
	}
	if (!teredo_decode(r, ip.dst, &t)) {
		r->st.drop_dst_not_teredo++;
		return;
	}
	if (!sw_ipv4_is_global(t.mapped.ip, r->cfg.global_opts) ||
	    !sw_ipv4_is_global(t.server, r->cfg.global_opts)) {
		r->st.drop_dst_nonglobal++;
		return;
	}
	if (dst_is_self(r, &t)) {
		r->st.drop_dst_self++;
		return;
	}
	if (!sw_ip6_is_global(ip.src)) {
		r->st.drop_src_scope++;
		return;
	}
	if (r->cfg.host)
		sw_relay_host_addr_add(r, ip.src);
	if (ip.len > r->cfg.mtu) {
		r->st.drop_too_big++;
		if (icmp_error(r, &ip, SW_ICMP6_PKT_TOO_BIG, 0, r->cfg.mtu, now, out))
			r->st.icmp_ptb++;
		return;
	}
	p = sw_peers_lookup(&r->peers, ip.dst, now, &r->pool);
	if (p && sw_peer_trusted(p) && sw_peer_valid(p, now))
		tx_trusted(r, p, &ip, now, out);
	else
		tx_untrusted(r, p, &ip, &t, now, out);
}

/* --- timers: bubble repeats and give-ups --- */

static void give_up(struct sw_relay *r, struct sw_peer *p, sw_time now, struct sw_out *out)
{
	const uint8_t *pkt;
	size_t len;
	struct sw_ip6 ip;

	while ((pkt = sw_pktq_peek(&r->pool, &p->q, &len)) != NULL) {
		if (sw_ip6_parse(pkt, len, &ip) == 0 &&
		    icmp_error(r, &ip, SW_ICMP6_DST_UNREACH, SW_UNREACH_ADDR, 0, now, out))
			r->st.icmp_unreach++;
		r->st.drop_unreachable++;
		sw_pktq_pop(&r->pool, &p->q);
	}
	r->st.peer_failed++;
	sw_peers_del(&r->peers, p, &r->pool);
}

void sw_relay_timer(struct sw_relay *r, sw_time now, struct sw_out *out)
{
	sw_peers_expire(&r->peers, now, &r->pool); /* the wraparound guarantee (peers.h) */
	for (size_t guard = r->peers.n + 1; guard > 0; guard--) {
		struct sw_peer *p = sw_peers_oldest(&r->peers, false);

		if (!p || (p->bubbles > 0 && sw_stamp_age(now, p->last_tx) < SW_RELAY_BUBBLE_MS))
			return;
		if (p->bubbles >= SW_RELAY_BUBBLES)
			give_up(r, p, now, out);
		else if (!send_bubbles(r, p, now, out))
			return;
	}
}

sw_time sw_relay_next_deadline(struct sw_relay *r)
{
	struct sw_peer *p = sw_peers_oldest(&r->peers, false);
	sw_time sweep = sw_peers_next_expiry(&r->peers), d;

	if (!p)
		return sweep;
	d = p->bubbles == 0 ? 0 : sw_peers_stamp_time(&r->peers, p->last_tx) + SW_RELAY_BUBBLE_MS;
	return d < sweep ? d : sweep;
}

/* --- reception from Teredo clients (§5.4.2) --- */

/* A mapping mismatch is accepted only for a bubble answering our hashed bubble source,
 * or from the mapping such a bubble made trusted (clients behind symmetric NATs). */
static bool foreign_ok(const struct sw_relay *r, const struct sw_peer *p,
		       const struct sw_ip6 *ip, struct sw_endpoint from)
{
	uint8_t ll[16];

	if (!r->cfg.accept_symmetric)
		return false;
	if (p && sw_peer_trusted(p) && sw_endpoint_eq(p->mapping, from))
		return true;
	if (!sw_ip6_is_bubble(ip))
		return false;
	sw_relay_bubble_src(r, ip->src, ll);
	return memcmp(ll, ip->dst, 16) == 0;
}

/* Rule 3: the entry becomes trusted, its queue goes out in order. A client we never sent
 * to gets no entry (its packet is still forwarded): entries are made only by our own
 * transmissions, so spoofed sources cannot fill the table with trusted peers (SEC-6). */
static void rx_peer(struct sw_relay *r, struct sw_peer *p, struct sw_endpoint from, sw_time now,
		    struct sw_out *out)
{
	if (!p) {
		r->st.rx_no_entry++;
		return;
	}
	if (!sw_peer_trusted(p)) {
		sw_peers_set_trusted(&r->peers, p, true);
		r->st.trusted++;
	}
	p->mapping = from;
	p->last_rx = sw_stamp_of(now);
	p->aux |= SW_RELAY_HEARD;
	p->bubbles = 0;
	sw_peers_touch(&r->peers, p);
	if (!sw_pktq_empty(&p->q))
		flush(r, p, out);
}

static bool rx_parse(struct sw_relay *r, const uint8_t *buf, size_t len, struct sw_ip6 *ip)
{
	struct sw_pkt pkt;
	struct sw_trailers tr;

	if (sw_pkt_parse(buf, len, &pkt) != 0 || sw_ip6_parse(pkt.ip6, pkt.ip6_len, ip) != 0) {
		r->st.drop_malformed++;
		return false;
	}
	if (pkt.has_auth) {
		r->st.drop_encap++;
		return false;
	}
	if (pkt.trailers_len && sw_trailers_parse(pkt.trailers, pkt.trailers_len, &tr) != 0) {
		r->st.drop_trailer++;
		return false;
	}
	return true;
}

void sw_relay_udp_input(struct sw_relay *r, struct sw_endpoint from, const uint8_t *buf,
			size_t len, sw_time now, struct sw_out *out)
{
	struct sw_ip6 ip;
	struct sw_teredo t;
	struct sw_peer *p;
	struct sw_endpoint none = {0, 0};

	r->st.udp_rx++;
	if (!rx_parse(r, buf, len, &ip))
		return;
	if (!teredo_decode(r, ip.src, &t)) {
		r->st.drop_src_not_teredo++;
		return;
	}
	if (!sw_ipv4_is_global(t.mapped.ip, r->cfg.global_opts) ||
	    !sw_ipv4_is_global(from.ip, r->cfg.global_opts)) { /* we never send there */
		r->st.drop_src_nonglobal++;
		return;
	}
	p = sw_peers_lookup(&r->peers, ip.src, now, &r->pool);
	if (!sw_endpoint_eq(t.mapped, from) && !foreign_ok(r, p, &ip, from)) {
		r->st.drop_mapping++;
		return;
	}
	rx_peer(r, p, from, now, out);
	if (sw_ip6_is_bubble(&ip)) {
		r->st.bubbles_rx++;
		return;
	}
	if (!served(r, ip.dst)) {
		r->st.drop_not_served++;
		return;
	}
	if (out_pkt(r, out, SW_OUT_TUN, none, ip.pkt, ip.len))
		r->st.fwd_ipv6++;
}

/* --- counters --- */

size_t sw_relay_stats(const struct sw_relay *r, struct sw_stat *out, size_t cap)
{
	size_t n = 0;

#define SW_RELAY_STAT(f, nm, hp)                                                           \
	if (n < cap)                                                                       \
		out[n++] = (struct sw_stat){nm, hp, r->st.f, false};
	SW_RELAY_STATS(SW_RELAY_STAT)
#undef SW_RELAY_STAT
#define PEER_STAT(v, nm, hp, g)                                                            \
	if (n < cap)                                                                       \
		out[n++] = (struct sw_stat){nm, hp, (v), g};
	PEER_STAT(r->peers.n, "relay_peers", "entries in the peer table", true)
	PEER_STAT(r->peers.max, "relay_peers_max", "bound of the peer table (MaxPeers)", true)
	PEER_STAT(r->peers.stats.added, "relay_peers_added", "peer entries created", false)
	PEER_STAT(r->peers.stats.evicted, "relay_peers_evicted", "entries evicted to make room", false)
	PEER_STAT(r->peers.stats.expired, "relay_peers_expired", "entries reclaimed past their lifetime", false)
	PEER_STAT(r->peers.stats.full, "relay_peers_full", "adds refused: every entry trusted and active", false)
	PEER_STAT(r->peers.stats.stalled, "relay_peers_stalled", "tables emptied: timer not run for 12 days", false)
	PEER_STAT(r->pool.nbufs - r->pool.nfree, "relay_queue_buffers_used", "queue buffers in use", true)
	PEER_STAT(r->pool.dropped_full, "relay_queue_pool_exhausted", "packets not queued: no free buffer", false)
	PEER_STAT(r->pool.dropped_big, "relay_queue_bound_hit", "packets not queued: per-peer bound", false)
#undef PEER_STAT
	return n;
}
