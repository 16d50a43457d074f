/* client_rx: reception cases of the Teredo client. */
#include <string.h>

#include "engine/client_rx.h"
#include "engine/client_tx.h"
#include "engine/qualify.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/teredo.h"

static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};

static unsigned global_opts(const struct sw_client *c)
{
	return c->conf.rfc6890 ? SW_GLOBAL_RFC6890 : 0;
}

/* Deliver an accepted packet to the tunnel, or consume it if it is a bubble. */
static void rx_accept(struct sw_client *c, const struct sw_ip6 *ip, struct sw_out *out)
{
	uint8_t *p;

	if (sw_ip6_is_bubble(ip)) {
		c->stats.rx_bubbles++;
		return;
	}
	p = sw_out_begin(out, ip->len);
	if (p == NULL) {
		c->stats.out_full++;
		return;
	}
	memcpy(p, ip->pkt, ip->len);
	sw_out_tun(out, ip->len);
	c->stats.rx_delivered++;
}

/* The peer answered directly from `from`: trust it, reset its bubble count, flush. */
static void trust(struct sw_client *c, struct sw_peer *p, struct sw_endpoint from, sw_time now,
		  struct sw_out *out)
{
	p->mapping = from;
	p->last_rx = sw_stamp_of(now);
	p->bubbles = 0;
	sw_peers_set_trusted(&c->peers, p, true);
	sw_ctx_flush(c, p, now, out);
}

static bool echo_match(struct sw_client *c, struct sw_peer *p, const struct sw_ip6 *ip)
{
	struct sw_client_peer *cp = sw_cpeer(p);
	struct sw_echo e;

	if (cp->pending != SW_PEND_ECHO || sw_echo_parse(ip, &e) != 0 ||
	    e.type != SW_ICMP6_ECHO_REPLY)
		return false;
	if (e.data_len == sizeof cp->nonce && e.id == cp->echo_id &&
	    memcmp(e.data, cp->nonce, sizeof cp->nonce) == 0)
		return true;
	c->stats.rx_echo_bad_nonce++;
	return false;
}

/* An ICMPv6 error through a relay quoting our echo request with the right nonce shows
 * the relay carries traffic for that peer as well as a reply would (Miredo accepts it
 * too): the peer whose test it answers, or NULL. */
static struct sw_peer *echo_error_peer(struct sw_client *c, const struct sw_ip6 *ip, sw_time now)
{
	struct sw_ip6 q;
	struct sw_echo e;
	struct sw_peer *p;

	if (ip->proto != SW_NH_ICMP6 || ip->fragment || ip->l4_len < 8 + SW_IP6_HLEN + 16 ||
	    ip->l4[0] >= 128 || !sw_icmp6_csum_ok(ip) ||
	    sw_ip6_parse(ip->l4 + 8, ip->l4_len - 8, &q) != 0 || memcmp(q.src, c->addr, 16) != 0)
		return NULL;
	p = sw_peers_lookup(&c->peers, q.dst, now, &c->pool);
	if (p == NULL || sw_cpeer(p)->pending != SW_PEND_ECHO || sw_echo_parse(&q, &e) != 0 ||
	    e.type != SW_ICMP6_ECHO_REQUEST || e.id != sw_cpeer(p)->echo_id ||
	    e.data_len != sizeof sw_cpeer(p)->nonce ||
	    memcmp(e.data, sw_cpeer(p)->nonce, sizeof sw_cpeer(p)->nonce) != 0)
		return NULL;
	return p;
}

/* Case 3: a Teredo source whose embedded mapping is the packet's source. */
static void case3(struct sw_client *c, struct sw_peer *p, struct sw_endpoint from,
		  const struct sw_ip6 *ip, sw_time now, struct sw_out *out)
{
	if (p == NULL)
		p = sw_peers_add(&c->peers, ip->src, now, &c->pool);
	if (p == NULL) {
		c->stats.tx_peer_full++;
		rx_accept(c, ip, out);
		return;
	}
	trust(c, p, from, now, out);
	rx_accept(c, ip, out);
}

/* Case 6: not trusted. Nothing is sent to `from`; a native source gets a direct IPv6
 * connectivity test through our server (rate-limited per peer and overall, SEC-20). */
static void case6(struct sw_client *c, struct sw_peer *p, const struct sw_ip6 *ip, sw_time now,
		  struct sw_out *out)
{
	c->stats.rx_untrusted++;
	if (sw_addr_is_teredo(ip->src))
		return;
	if (p == NULL)
		p = sw_peers_add(&c->peers, ip->src, now, &c->pool);
	if (p == NULL) {
		c->stats.tx_peer_full++;
		return;
	}
	if (sw_cpeer(p)->pending == 0)
		sw_ctx_echo_start(c, p, now, out);
}

static bool in_subnet(const struct sw_client *c, uint32_t ip)
{
	uint32_t local = c->conf.local_ip ? c->conf.local_ip : c->local_ip;
	uint8_t plen = c->conf.local_plen;
	uint32_t mask = plen == 0 ? 0 : plen >= 32 ? UINT32_MAX : ~(UINT32_MAX >> plen);

	return local != 0 && plen != 0 && (ip & mask) == (local & mask);
}

/* Bring our next discovery bubble forward (rate-limited: an attacker on the link making
 * up newcomers gets at most one multicast bubble per second out of us). */
static void announce(struct sw_client *c, sw_time now)
{
	sw_time at = c->last_discovery + SW_CLIENT_ANNOUNCE_MS;

	if (at < now)
		at = now;
	if (at < c->next_discovery)
		c->next_discovery = at;
}

/* Case 4: a local discovery bubble (§5.2.8 with the SEC-7 filters). */
static void local_discovery(struct sw_client *c, struct sw_endpoint from, const struct sw_ip6 *ip,
			    sw_time now, struct sw_out *out)
{
	struct sw_client_peer *cp;
	struct sw_teredo t;
	struct sw_peer *p;

	if (!sw_ip6_is_bubble(ip) || memcmp(ip->dst, all_nodes, 16) != 0 ||
	    sw_addr_decode(ip->src, &t) != 0 || !in_subnet(c, from.ip) ||
	    memcmp(ip->src, c->addr, 16) == 0) {
		c->stats.local_filtered++;
		return;
	}
	c->stats.local_rx++;
	p = sw_peers_lookup(&c->peers, ip->src, now, &c->pool);
	if (p == NULL) {
		p = sw_peers_add(&c->peers, ip->src, now, &c->pool);
		if (p == NULL) {
			c->stats.tx_peer_full++;
			return;
		}
		p->last_rx = sw_stamp_of(now);
		announce(c, now); /* so that a newcomer learns about us at once too */
	}
	cp = sw_cpeer(p);
	cp->local = from;
	cp->local_seen = now;
	p->flags |= SW_PEER_LOCAL;
	sw_ctx_bubble_to(c, from, ip->src, 255, out);
}

static bool from_local(struct sw_peer *p, struct sw_endpoint from)
{
	return p != NULL && (p->flags & SW_PEER_LOCAL) &&
	       sw_endpoint_eq(sw_cpeer(p)->local, from);
}

void sw_crx_peer(struct sw_client *c, struct sw_endpoint from, uint32_t dst_ip,
		 const struct sw_ip6 *ip, sw_time now, struct sw_out *out)
{
	struct sw_peer *p, *q;
	bool teredo = sw_addr_is_teredo(ip->src);

	if (dst_ip == SW_CLIENT_DISCOVERY_IP) {
		if (c->conf.local_discovery)
			local_discovery(c, from, ip, now, out);
		else
			c->stats.local_filtered++;
		return;
	}
	if (memcmp(ip->dst, c->addr, 16) != 0) {
		c->stats.rx_wrong_dst++;
		return;
	}
	if (!sw_ip6_is_global(ip->src)) {
		c->stats.rx_linklocal++;
		return;
	}
	p = sw_peers_lookup(&c->peers, ip->src, now, &c->pool);
	if (p && sw_peer_trusted(p) && sw_endpoint_eq(p->mapping, from)) { /* case 1 */
		p->last_rx = sw_stamp_of(now);
		sw_peers_touch(&c->peers, p);
		if (sw_cpeer(p)->pending || p->q.n)
			trust(c, p, from, now, out);
		rx_accept(c, ip, out);
	} else if (p && echo_match(c, p, ip)) { /* case 2 */
		c->stats.echo_ok++;
		trust(c, p, from, now, out);
	} else if (teredo && sw_addr_mapping_eq(ip->src, from)) { /* case 3 */
		case3(c, p, from, ip, now, out);
	} else if (teredo && c->conf.local_discovery && from_local(p, from)) { /* case 5 */
		trust(c, p, from, now, out);
		rx_accept(c, ip, out);
	} else if (!teredo && (q = echo_error_peer(c, ip, now)) != NULL) { /* case 2, error */
		c->stats.echo_ok++;
		trust(c, q, from, now, out);
	} else {
		case6(c, p, ip, now, out);
	}
}

/* Statement 36: answer a packet relayed by our server with a direct bubble to the origin,
 * so that the relay or peer behind it can reach us through our NAT. A relay's bubble may
 * come from a link-local address (Miredo checks a keyed hash in it): answer it too. */
static void origin_bubble(struct sw_client *c, const struct sw_pkt *pkt, const struct sw_ip6 *ip,
			  sw_time now, struct sw_out *out)
{
	if (!sw_ipv4_is_global(pkt->origin.ip, global_opts(c)) || pkt->origin.port == 0 ||
	    sw_ip6_is_multicast(ip->src) || sw_ip6_is_unspecified(ip->src) ||
	    sw_ip6_is_loopback(ip->src))
		return;
	if (!sw_bucket_take(&c->origin_bucket, now)) {
		c->stats.bubbles_limited++;
		return;
	}
	if (sw_ctx_bubble_to(c, pkt->origin, ip->src, 255, out))
		c->stats.bubbles_origin++;
}

void sw_crx_server(struct sw_client *c, struct sw_endpoint from, const struct sw_pkt *pkt,
		   const struct sw_ip6 *ip, sw_time now, struct sw_out *out)
{
	c->stats.rx_server++;
	c->last_server = now;
	if (sw_icmp6_type(ip) == SW_ICMP6_RA) {
		sw_qualify_ra(c, pkt, ip, now, out);
		return;
	}
	if (c->state != SW_CLIENT_QUALIFIED) {
		c->stats.rx_not_qualified++;
		return;
	}
	if (memcmp(ip->dst, c->addr, 16) != 0) {
		c->stats.rx_wrong_dst++;
		return;
	}
	if (pkt->has_origin)
		origin_bubble(c, pkt, ip, now, out);
	if (sw_ip6_is_bubble(ip)) {
		c->stats.rx_bubbles++;
		return;
	}
	sw_crx_peer(c, from, 0, ip, now, out);
}
