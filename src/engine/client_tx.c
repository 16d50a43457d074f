/* client_tx: transmission cases, bubbles, echo tests, queues and ICMPv6 errors. */
#include <string.h>

#include "engine/client_tx.h"
#include "engine/qualify.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"

#define BUBBLE_HLIM 255
#define ECHO_HLIM 64
#define ECHO_NONCE 8

static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};

static unsigned global_opts(const struct sw_client *c)
{
	return c->conf.rfc6890 ? SW_GLOBAL_RFC6890 : 0;
}

static bool send_copy(struct sw_client *c, struct sw_endpoint ep, const uint8_t *pkt,
		      size_t len, struct sw_out *out)
{
	uint8_t *p = sw_out_begin(out, len);

	if (p == NULL) {
		c->stats.out_full++;
		return false;
	}
	memcpy(p, pkt, len);
	sw_out_udp(out, 0, ep, len);
	c->stats.tx_packets++;
	return true;
}

bool sw_ctx_bubble_to(struct sw_client *c, struct sw_endpoint ep, const uint8_t dst6[16],
		      uint8_t hlim, struct sw_out *out)
{
	uint8_t *p = sw_out_begin(out, SW_IP6_HLEN);

	if (p == NULL) {
		c->stats.out_full++;
		return false;
	}
	if (sw_bubble_put(p, p + SW_IP6_HLEN, c->addr, dst6, hlim) == NULL)
		return false;
	sw_out_udp(out, 0, ep, SW_IP6_HLEN);
	return true;
}

static void send_discovery(struct sw_client *c, sw_time now, struct sw_out *out)
{
	struct sw_endpoint ep = {SW_CLIENT_DISCOVERY_IP, SW_TEREDO_PORT};

	c->last_discovery = now;
	if (sw_ctx_bubble_to(c, ep, all_nodes, 1, out)) {
		sw_out_set_ttl(out, 1);
		c->stats.local_tx++;
	}
}

/* ICMPv6 Destination Unreachable about the invoking packet, to the tunnel; from our
 * Teredo address, or from our link-local RS address while we have none. */
static void unreach(struct sw_client *c, const uint8_t *pkt, size_t len, uint8_t code,
		    sw_time now, struct sw_out *out)
{
	struct sw_ip6 ip;
	uint8_t *p, *q, src[16];

	if (sw_ip6_parse(pkt, len, &ip) != 0 || !sw_icmp6_may_error(&ip, false))
		return;
	if (!sw_bucket_take(&c->icmp_bucket, now)) {
		c->stats.icmp_limited++;
		return;
	}
	p = sw_out_begin(out, SW_ICMP6_ERR_MAX);
	if (p == NULL) {
		c->stats.out_full++;
		return;
	}
	if (c->have_addr)
		memcpy(src, c->addr, 16);
	else
		sw_addr_rs_source(src, false);
	q = sw_icmp6_error_put(p, p + SW_ICMP6_ERR_MAX, src, SW_ICMP6_DST_UNREACH, code, 0, pkt,
			       len);
	if (q == NULL)
		return;
	sw_out_tun(out, (size_t)(q - p));
	c->stats.icmp_sent++;
}

void sw_ctx_pending_clear(struct sw_client *c, struct sw_peer *p)
{
	struct sw_client_peer *cp = sw_cpeer(p);

	(void)c;
	cp->pending = 0;
	cp->tries = 0;
	memset(cp->nonce, 0, sizeof cp->nonce);
}

void sw_ctx_flush(struct sw_client *c, struct sw_peer *p, sw_time now, struct sw_out *out)
{
	const uint8_t *d;
	size_t len;

	sw_ctx_pending_clear(c, p);
	while ((d = sw_pktq_peek(&c->pool, &p->q, &len)) != NULL) {
		if (!send_copy(c, p->mapping, d, len, out))
			break;
		sw_pktq_pop(&c->pool, &p->q);
		p->last_tx = sw_stamp_of(now);
	}
}

static void schedule(struct sw_client *c, struct sw_peer *p, uint8_t kind, sw_time now)
{
	struct sw_client_peer *cp = sw_cpeer(p);

	cp->pending = kind;
	cp->tries = 0;
	/* at least 2 s after the last transmission to this peer (§5.2.6, SEC-20) */
	cp->next_try = sw_stamp_due(now, p->last_tx, SW_CLIENT_RETX_MS);
	c->pending_peers++;
	if (cp->next_try < c->peer_deadline)
		c->peer_deadline = cp->next_try;
}

static void send_echo(struct sw_client *c, struct sw_peer *p, sw_time now, struct sw_out *out)
{
	struct sw_client_peer *cp = sw_cpeer(p);
	struct sw_echo e = {.type = SW_ICMP6_ECHO_REQUEST, .id = cp->echo_id, .seq = cp->tries,
			    .data = cp->nonce, .data_len = ECHO_NONCE};
	struct sw_endpoint ep = {sw_qualify_server(c), SW_TEREDO_PORT};
	size_t len = SW_IP6_HLEN + 8 + ECHO_NONCE;
	uint8_t *b;

	cp->tries++;
	cp->next_try = now + SW_CLIENT_RETX_MS;
	if (!sw_bucket_take(&c->echo_bucket, now)) {
		c->stats.echo_limited++;
		return;
	}
	b = sw_out_begin(out, len);
	if (b == NULL) {
		c->stats.out_full++;
		return;
	}
	if (sw_echo_put(b, b + len, c->addr, p->addr, ECHO_HLIM, &e) == NULL)
		return;
	sw_out_udp(out, 0, ep, len);
	p->last_tx = sw_stamp_of(now);
	c->stats.echo_sent++;
}

/* Bubbles of one transmission: direct + indirect (case 5) or unicast + discovery (case 3).
 * The pair counts as one bubble transmission for the §5.2.6 limits. */
static void send_bubbles(struct sw_client *c, struct sw_peer *p, sw_time now, struct sw_out *out)
{
	struct sw_client_peer *cp = sw_cpeer(p);
	struct sw_teredo t;

	cp->tries++;
	cp->next_try = now + SW_CLIENT_RETX_MS;
	if (sw_stamp_age(now, p->bubble_window) >= SW_CLIENT_BUBBLE_WINDOW_MS) {
		p->bubble_window = sw_stamp_of(now);
		p->bubbles = 0;
	}
	if (p->bubbles >= SW_CLIENT_BUBBLE_MAX ||
	    sw_stamp_age(now, p->last_tx) < SW_CLIENT_RETX_MS ||
	    sw_addr_decode(p->addr, &t) != 0) {
		c->stats.bubbles_limited++;
		return;
	}
	if (cp->pending == SW_PEND_LOCAL) {
		if (sw_ctx_bubble_to(c, cp->local, p->addr, BUBBLE_HLIM, out))
			c->stats.bubbles_direct++;
		send_discovery(c, now, out);
	} else {
		struct sw_endpoint srv = {t.server, SW_TEREDO_PORT};

		if (c->nat != SW_NAT_CONE && sw_ctx_bubble_to(c, t.mapped, p->addr, BUBBLE_HLIM, out))
			c->stats.bubbles_direct++;
		if (sw_ctx_bubble_to(c, srv, p->addr, BUBBLE_HLIM, out))
			c->stats.bubbles_indirect++;
	}
	p->bubbles++;
	p->last_tx = sw_stamp_of(now);
}

static void try_now(struct sw_client *c, struct sw_peer *p, sw_time now, struct sw_out *out)
{
	struct sw_client_peer *cp = sw_cpeer(p);

	if (cp->next_try > now)
		return;
	if (cp->pending == SW_PEND_ECHO)
		send_echo(c, p, now, out);
	else
		send_bubbles(c, p, now, out);
	if (cp->next_try < c->peer_deadline)
		c->peer_deadline = cp->next_try;
}

void sw_ctx_echo_start(struct sw_client *c, struct sw_peer *p, sw_time now, struct sw_out *out)
{
	struct sw_client_peer *cp = sw_cpeer(p);

	if (cp->pending == SW_PEND_ECHO)
		return;
	schedule(c, p, SW_PEND_ECHO, now);
	c->rand->fill(c->rand->ctx, cp->nonce, sizeof cp->nonce);
	c->rand->fill(c->rand->ctx, &cp->echo_id, sizeof cp->echo_id);
	try_now(c, p, now, out);
}

static void bubble_start(struct sw_client *c, struct sw_peer *p, uint8_t kind, sw_time now,
			 struct sw_out *out)
{
	if (sw_cpeer(p)->pending == kind)
		return;
	schedule(c, p, kind, now);
	try_now(c, p, now, out);
}

static struct sw_peer *get_peer(struct sw_client *c, struct sw_peer *p, const uint8_t a[16],
				sw_time now)
{
	if (p == NULL)
		p = sw_peers_add(&c->peers, a, now, &c->pool);
	if (p == NULL)
		c->stats.tx_peer_full++;
	else
		sw_peers_touch(&c->peers, p);
	return p;
}

static void enqueue(struct sw_client *c, struct sw_peer *p, const uint8_t *pkt, size_t len)
{
	if (sw_pktq_push(&c->pool, &p->q, pkt, len))
		c->stats.tx_queued++;
	else
		c->stats.tx_queue_full++;
}

static bool is_local_peer(struct sw_peer *p, sw_time now)
{
	return (p->flags & SW_PEER_LOCAL) && now - sw_cpeer(p)->local_seen < SW_CLIENT_LOCAL_MS;
}

static void tx_native(struct sw_client *c, struct sw_peer *p, const uint8_t *pkt, size_t len,
		      sw_time now, struct sw_out *out)
{
	p = get_peer(c, p, pkt + 24, now);
	if (p == NULL)
		return;
	enqueue(c, p, pkt, len);
	sw_ctx_echo_start(c, p, now, out);
}

static void tx_teredo(struct sw_client *c, struct sw_peer *p, const uint8_t *pkt, size_t len,
		      sw_time now, struct sw_out *out)
{
	struct sw_teredo t;

	sw_addr_decode(pkt + 24, &t);
	if (t.mapped.port == 0 || !sw_ipv4_is_global(t.mapped.ip, global_opts(c)) ||
	    !sw_ipv4_is_global(t.server, global_opts(c))) {
		c->stats.tx_nonglobal++;
		return;
	}
	if (c->conf.honour_cone && (t.flags & SW_FLAG_CONE)) { /* case 4 (RFC 4380 mode) */
		send_copy(c, t.mapped, pkt, len, out);
		return;
	}
	p = get_peer(c, p, pkt + 24, now);
	if (p == NULL)
		return;
	enqueue(c, p, pkt, len);
	bubble_start(c, p, SW_PEND_BUBBLE, now, out);
}

static void tx_bad_src(struct sw_client *c, const uint8_t *pkt, size_t len, sw_time now,
		       struct sw_out *out)
{
	c->stats.tx_bad_src++;
	if (sw_ip6_is_global(pkt + 8))
		unreach(c, pkt, len, SW_UNREACH_ADMIN, now, out);
}

void sw_ctx_tun(struct sw_client *c, const uint8_t *buf, size_t len, sw_time now,
		struct sw_out *out)
{
	struct sw_ip6 ip;
	struct sw_peer *p;

	if (c->state != SW_CLIENT_QUALIFIED || !c->have_addr) {
		/* nothing goes out before qualification (RFC 4380 5.2); say so at once, so that
		 * applications fall back to IPv4 instead of waiting */
		c->stats.tx_not_qualified++;
		unreach(c, buf, len, SW_UNREACH_NOROUTE, now, out);
		return;
	}
	if (sw_ip6_parse(buf, len, &ip) != 0 || !sw_ip6_is_global(ip.dst)) {
		c->stats.tx_bad_dst++;
		return;
	}
	len = ip.len;
	if (memcmp(ip.src, c->addr, 16) != 0) {
		tx_bad_src(c, buf, len, now, out);
		return;
	}
	p = sw_peers_lookup(&c->peers, ip.dst, now, &c->pool);
	if (p && sw_peer_trusted(p) && sw_peer_valid(p, now)) { /* case 1 */
		sw_peers_touch(&c->peers, p);
		if (send_copy(c, p->mapping, buf, len, out))
			p->last_tx = sw_stamp_of(now);
	} else if (!sw_addr_is_teredo(ip.dst)) { /* case 2 */
		tx_native(c, p, buf, len, now, out);
	} else if (p && c->conf.local_discovery && is_local_peer(p, now)) { /* case 3 */
		enqueue(c, p, buf, len);
		bubble_start(c, p, SW_PEND_LOCAL, now, out);
	} else { /* cases 4 and 5 */
		tx_teredo(c, p, buf, len, now, out);
	}
}

/* A test or bubble cycle ended without an answer: drop the queue, tell the sender. */
static void peer_failed(struct sw_client *c, struct sw_peer *p, sw_time now, struct sw_out *out)
{
	const uint8_t *d;
	size_t len;

	while ((d = sw_pktq_peek(&c->pool, &p->q, &len)) != NULL) {
		unreach(c, d, len, SW_UNREACH_ADDR, now, out);
		sw_pktq_pop(&c->pool, &p->q);
		c->stats.tx_unreachable++;
	}
	sw_ctx_pending_clear(c, p);
}

static void peer_tick(struct sw_client *c, struct sw_peer *p, sw_time now, struct sw_out *out)
{
	struct sw_client_peer *cp = sw_cpeer(p);

	if (now < cp->next_try)
		return;
	if (cp->tries >= SW_CLIENT_RETX_MAX || c->state != SW_CLIENT_QUALIFIED)
		peer_failed(c, p, now, out);
	else
		try_now(c, p, now, out);
}

static void peers_timer(struct sw_client *c, sw_time now, struct sw_out *out)
{
	struct sw_peer *p;
	size_t it = 0;
	uint32_t n = 0;

	if (c->pending_peers == 0 || now < c->peer_deadline)
		return;
	c->peer_deadline = SW_TIME_NEVER;
	while ((p = sw_peers_next(&c->peers, &it)) != NULL) {
		if (sw_cpeer(p)->pending == 0)
			continue;
		peer_tick(c, p, now, out);
		if (sw_cpeer(p)->pending == 0)
			continue;
		n++;
		if (sw_cpeer(p)->next_try < c->peer_deadline)
			c->peer_deadline = sw_cpeer(p)->next_try;
	}
	c->pending_peers = n;
}

void sw_ctx_timer(struct sw_client *c, sw_time now, struct sw_out *out)
{
	if (c->conf.local_discovery && c->state == SW_CLIENT_QUALIFIED && c->have_addr &&
	    now >= c->next_discovery) {
		send_discovery(c, now, out);
		c->next_discovery = now + sw_rand_range(c->rand, 200000, 300000);
	}
	sw_peers_expire(&c->peers, now, &c->pool); /* the wraparound guarantee (peers.h) */
	peers_timer(c, now, out);
}

sw_time sw_ctx_deadline(const struct sw_client *c)
{
	sw_time d = c->pending_peers ? c->peer_deadline : SW_TIME_NEVER;

	if (c->conf.local_discovery && c->state == SW_CLIENT_QUALIFIED && c->next_discovery < d)
		d = c->next_discovery;
	if (sw_peers_next_expiry(&c->peers) < d)
		d = sw_peers_next_expiry(&c->peers);
	return d;
}
