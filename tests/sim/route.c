/* route: carrying packets — links, IPv4 routing through NATs (hairpinning included), the
 * IPv6 internet, delivery to sockets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
static void schedule_pkt(struct sim *s, sw_time at, const struct sim_node *to, uint32_t idx,
			 uint8_t side)
{
	struct sim_ev ev = {.at = at, .node = (uint32_t)(to - s->nodes), .arg = idx,
			    .kind = SIM_EV_PKT, .side = side};

	if (sim_evq_push(&s->q, ev) < 0) {
		fprintf(stderr, "swsim: out of memory\n");
		abort();
	}
}

static uint32_t pkt_clone(struct sim *s, uint32_t idx)
{
	uint32_t c = sim_pool_get(&s->pool);
	const struct sim_pkt *p;
	struct sim_pkt *q;

	if (c == UINT32_MAX)
		return c;
	p = sim_pool_at(&s->pool, idx);
	q = sim_pool_at(&s->pool, c);
	q->len = p->len;
	q->v6 = p->v6;
	q->ttl = p->ttl;
	q->src = p->src;
	q->dst = p->dst;
	memcpy(q->data, p->data, p->len);
	return c;
}

/* Carries packet idx from `from` (through its link when from_link) to `to` (through its
 * link unless entering a NAT from the inside, where the NAT has no link of its own). */
static void deliver(struct sim *s, struct sim_node *from, bool from_link, struct sim_node *to,
		    uint8_t side, uint32_t idx)
{
	sw_time d1[2] = {0, 0}, d2[2] = {0, 0};
	int n1 = 1, sent = 0;

	if (from_link)
		n1 = sim_link_pass(&from->link, &s->rng, &from->lst, d1);
	for (int i = 0; i < n1; i++) {
		int n2 = 1;

		if (side == SIM_SIDE_OUT)
			n2 = sim_link_pass(&to->link, &s->rng, &to->lst, d2);
		for (int j = 0; j < n2; j++) {
			uint32_t c = sent++ ? pkt_clone(s, idx) : idx;

			if (c == UINT32_MAX)
				continue;
			schedule_pkt(s, sim_now(s) + d1[i] + d2[j], to, c, side);
		}
		if (n2 == 0)
			s->st.lost++;
	}
	if (n1 == 0)
		s->st.lost++;
	if (sent == 0)
		sim_pool_put(&s->pool, idx);
}

/* --trace: one line per datagram sent or received by the traced node. */
static void trace(struct sim *s, const struct sim_node *n, const char *what,
		  const struct sim_pkt *p)
{
	char a[32], b[32];
	const uint8_t *d = p->data;
	size_t off = 0;

	if (s->trace_node != (uint32_t)(n - s->nodes))
		return;
	if (!p->v6 && p->len >= 8 && d[0] == 0 && d[1] == 0) /* origin indication */
		off = 8;
	printf("%10.3f %-10s %s %-21s -> %-21s %4u bytes", (double)sim_now(s) / 1000, n->name,
	       what, sw_endpoint_str(p->src, a, sizeof(a)), sw_endpoint_str(p->dst, b, sizeof(b)),
	       p->len);
	if (p->len >= off + 40 && (d[off] >> 4) == 6)
		printf(" nh %u icmp %d%s", d[off + 6], d[off + 6] == 58 && p->len > off + 40
						? d[off + 40] : -1, off ? " +origin" : "");
	printf("\n");
}

static void drop(struct sim *s, uint32_t idx, uint64_t *counter)
{
	(*counter)++;
	sim_pool_put(&s->pool, idx);
}

static void route4(struct sim *s, struct sim_node *from, uint32_t realm, uint32_t idx,
		   bool from_link)
{
	const struct sim_pkt *p = sim_pool_at(&s->pool, idx);
	uint32_t v = sim_hmap_get(&s->addr4, sim_key4(realm, p->dst.ip));
	struct sim_node *to;
	uint8_t side = SIM_SIDE_OUT;

	if (s->blackhole.n && sim_hmap_get(&s->blackhole, sim_key4(realm, p->dst.ip)))
		return drop(s, idx, &s->st.blackholed);
	if (v) {
		to = &s->nodes[v - 1];
		if (to->role == SIM_ROLE_NAT && to->inside == realm)
			return drop(s, idx, &s->st.unroutable); /* the NAT's own inside address */
	} else if (s->realms[realm].nat != SIM_NONE) {
		to = &s->nodes[s->realms[realm].nat];
		side = SIM_SIDE_IN;
	} else {
		return drop(s, idx, &s->st.unroutable);
	}
	deliver(s, from, from_link, to, side, idx);
}

/* 224.0.0.253 with TTL 1: a copy to every other host on the sender's link (never past a
 * NAT, never on the Internet). */
static void multicast(struct sim *s, struct sim_node *n, uint32_t idx)
{
	const struct sim_realm *r = &s->realms[n->realm];

	for (uint32_t i = 0; i < r->n_hosts; i++) {
		struct sim_node *to = &s->nodes[r->hosts[i]];
		uint32_t c;

		if (to == n || to->role != SIM_ROLE_CLIENT || (c = pkt_clone(s, idx)) == UINT32_MAX)
			continue;
		s->st.multicast++;
		deliver(s, n, true, to, SIM_SIDE_OUT, c);
	}
	sim_pool_put(&s->pool, idx);
}

void sim_send4_raw(struct sim *s, struct sim_node *n, struct sw_endpoint src,
		   struct sw_endpoint dst, const uint8_t *data, size_t len)
{
	uint32_t idx;
	struct sim_pkt *p;

	if (len > SIM_PKT_MAX) {
		s->st.too_big++;
		return;
	}
	if (((dst.ip >> 28) == 0xe && dst.ip != SIM_DISCOVERY_IP) || dst.ip == 0xffffffffu) {
		s->st.unroutable++;
		return;
	}
	idx = sim_pool_get(&s->pool);
	if (idx == UINT32_MAX)
		return;
	p = sim_pool_at(&s->pool, idx);
	p->len = (uint16_t)len;
	p->v6 = 0;
	p->ttl = 64;
	p->src = src;
	p->dst = dst;
	memcpy(p->data, data, len);
	trace(s, n, "send", p);
	if (dst.ip == SIM_DISCOVERY_IP)
		return multicast(s, n, idx);
	route4(s, n, n->realm, idx, true);
}

void sim_send4(struct sim *s, struct sim_node *n, uint8_t sock, struct sw_endpoint dst,
	       const uint8_t *data, size_t len)
{
	struct sw_endpoint src;

	if (sock >= n->n_sock) {
		sim_fail(s, "%s: output on socket %u it does not have", n->name, sock);
		return;
	}
	src.ip = n->ip[n->sock[sock].ip];
	src.port = n->sock[sock].port;
	sim_send4_raw(s, n, src, dst, data, len);
}

static uint32_t pkt6_new(struct sim *s, const uint8_t *pkt, size_t len)
{
	uint32_t idx;
	struct sim_pkt *p;

	if (len > SIM_PKT_MAX) {
		s->st.too_big++;
		return UINT32_MAX;
	}
	idx = sim_pool_get(&s->pool);
	if (idx == UINT32_MAX)
		return idx;
	p = sim_pool_at(&s->pool, idx);
	memset(p, 0, offsetof(struct sim_pkt, data));
	p->len = (uint16_t)len;
	p->v6 = 1;
	memcpy(p->data, pkt, len);
	return idx;
}

void sim_send6(struct sim *s, struct sim_node *n, const uint8_t *pkt, size_t len)
{
	static const uint8_t teredo[4] = {0x20, 0x01, 0x00, 0x00};
	uint32_t to, idx, self = (uint32_t)(n - s->nodes);

	if (len < 40)
		return;
	if (memcmp(pkt + 24, teredo, 4) == 0) {
		to = n->relay != SIM_NONE ? n->relay : s->default_relay;
		if (to == SIM_NONE || to == self) {
			s->st.no_relay++;
			return;
		}
	} else {
		uint32_t v = sim_hmap_get(&s->addr6, sim_key6(pkt + 24));

		if (!v) {
			s->st.unroutable++;
			return;
		}
		to = v - 1;
	}
	idx = pkt6_new(s, pkt, len);
	if (idx == UINT32_MAX)
		return;
	s->st.v6_sent++;
	deliver(s, n, true, &s->nodes[to], SIM_SIDE_OUT, idx);
}

void sim_loop6(struct sim *s, struct sim_node *n, const uint8_t *pkt, size_t len, sw_time delay)
{
	uint32_t idx = pkt6_new(s, pkt, len);

	if (idx == UINT32_MAX)
		return;
	schedule_pkt(s, sim_now(s) + delay, n, idx, SIM_SIDE_SELF);
}

static void nat_forward(struct sim *s, struct sim_node *n, uint8_t side, uint32_t idx)
{
	struct sim_pkt *p = sim_pool_at(&s->pool, idx);
	struct sim_nat *nat = n->nat;
	struct sw_endpoint ep;

	if (side == SIM_SIDE_IN) {
		if (sim_nat_out(nat, &s->rng, sim_now(s), p->src, p->dst, &ep) < 0)
			return drop(s, idx, &s->st.nat_dropped);
		p->src = ep;
		if (p->dst.ip != nat->ext_ip)
			return route4(s, n, n->realm, idx, true);
		if (!nat->cfg.hairpin)
			return drop(s, idx, &s->st.hairpin_off);
	}
	if (sim_nat_in(nat, sim_now(s), p->dst.port, p->src, &ep) < 0)
		return drop(s, idx, &s->st.nat_dropped);
	p->dst = ep;
	route4(s, n, n->inside, idx, false);
}

static int find_sock(const struct sim_node *n, struct sw_endpoint dst)
{
	for (int i = 0; i < n->n_sock; i++)
		if (n->ip[n->sock[i].ip] == dst.ip && n->sock[i].port == dst.port)
			return i;
	return -1;
}

void sim_pkt_arrive(struct sim *s, struct sim_node *n, uint8_t side, uint32_t idx)
{
	const struct sim_pkt *p = sim_pool_at(&s->pool, idx);
	int sock;

	if (n->role == SIM_ROLE_NAT)
		return nat_forward(s, n, side, idx);
	if (p->v6) {
		s->st.delivered_v6++;
		if (n->ops && n->ops->v6_in)
			n->ops->v6_in(s, n, side, p);
	} else if ((sock = p->dst.ip == SIM_DISCOVERY_IP ? 0 : find_sock(n, p->dst)) < 0) {
		s->st.no_socket++;
	} else {
		s->st.delivered_udp++;
		trace(s, n, "recv", p);
		if (n->ops && n->ops->udp_in)
			n->ops->udp_in(s, n, (uint8_t)sock, p);
	}
	sim_pool_put(&s->pool, idx);
}

bool sim_public_ep(struct sim *s, const struct sim_node *n, uint8_t sock,
		   struct sw_endpoint dst, struct sw_endpoint *out)
{
	struct sw_endpoint ep = {n->ip[n->sock[sock].ip], n->sock[sock].port};
	uint32_t realm = n->realm;

	while (s->realms[realm].nat != SIM_NONE) {
		const struct sim_node *g = &s->nodes[s->realms[realm].nat];

		if (!sim_nat_peek(g->nat, sim_now(s), ep, dst, &ep))
			return false;
		realm = g->realm;
	}
	*out = ep;
	return true;
}
