/* net: the world's nodes and realms, IPv4 routing through NATs, the IPv6 internet and
 * the event loop. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sim.h"
#include "traffic.h"

static void *grow(void *p, uint32_t *cap, uint32_t need, size_t size)
{
	uint32_t c = *cap ? *cap : 8;
	void *q;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	q = realloc(p, (size_t)c * size);
	if (!q) {
		fprintf(stderr, "swsim: out of memory\n");
		abort();
	}
	*cap = c;
	return q;
}

int sim_init(struct sim *s, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->seed = seed;
	s->base_seed = seed;
	sim_rng_seed(&s->rng, seed);
	sim_pool_init(&s->pool);
	if (sim_evq_init(&s->q, 1024) < 0 || sim_hmap_init(&s->addr4, 64) < 0 ||
	    sim_hmap_init(&s->addr6, 64) < 0 || sim_hmap_init(&s->blackhole, 16) < 0)
		return -ENOMEM;
	sw_out_init(&s->out, s->out_pkt, SIM_OUT_CAP, s->arena, sizeof(s->arena), s->out_ev,
		    sizeof(s->out_ev) / sizeof(s->out_ev[0]));
	s->default_relay = SIM_NONE;
	s->trace_node = SIM_NONE;
	s->check_every = SW_SEC(10);
	s->max_report = 10;
	sim_realm_new(s, SIM_NONE);
	return 0;
}

void sim_free(struct sim *s)
{
	for (uint32_t i = 0; i < s->n_nodes; i++) {
		struct sim_node *n = &s->nodes[i];

		if (n->ops && n->ops->free)
			n->ops->free(n);
		if (n->nat) {
			sim_nat_free(n->nat);
			free(n->nat);
		}
	}
	free(s->nodes);
	free(s->realms);
	free(s->flows);
	free(s->acts);
	sim_hmap_free(&s->addr4);
	sim_hmap_free(&s->addr6);
	sim_hmap_free(&s->blackhole);
	sim_evq_free(&s->q);
	sim_pool_free(&s->pool);
}

uint32_t sim_realm_new(struct sim *s, uint32_t nat_node)
{
	s->realms = grow(s->realms, &s->cap_realms, s->n_realms + 1, sizeof(*s->realms));
	s->realms[s->n_realms].nat = nat_node;
	return s->n_realms++;
}

static struct sim_key key4(uint32_t realm, uint32_t ip)
{
	struct sim_key k = {realm, ip};
	return k;
}

static struct sim_key key6(const uint8_t a[16])
{
	struct sim_key k;

	memcpy(&k.a, a, 8);
	memcpy(&k.b, a + 8, 8);
	return k;
}

uint32_t sim_node_new(struct sim *s, uint8_t role, const char *name, uint32_t realm,
		      uint32_t ip, const struct sim_link *link)
{
	struct sim_node *n;
	uint32_t i = s->n_nodes;

	s->nodes = grow(s->nodes, &s->cap_nodes, i + 1, sizeof(*s->nodes));
	n = &s->nodes[s->n_nodes++];
	memset(n, 0, sizeof(*n));
	n->role = role;
	n->realm = realm;
	n->inside = SIM_NONE;
	n->relay = SIM_NONE;
	n->timer_at = SW_TIME_NEVER;
	if (link)
		n->link = *link;
	snprintf(n->name, sizeof(n->name), "%s", name);
	sim_node_add_ip(s, i, ip);
	return i;
}

void sim_seed_node(const struct sim *s, uint32_t node, struct sim_rng *r)
{
	sim_rng_seed(r, s->seed ^ (0x9e3779b97f4a7c15u * (node + 1)));
}

int sim_node_add_ip(struct sim *s, uint32_t node, uint32_t ip)
{
	struct sim_node *n = &s->nodes[node];

	if (n->n_ip >= 2)
		return -ENOSPC;
	n->ip[n->n_ip++] = ip;
	if (ip == 0)
		return 0; /* no IPv4 (an IPv6-only host) */
	return sim_hmap_put(&s->addr4, key4(n->realm, ip), node + 1);
}

int sim_node_add_sock(struct sim *s, uint32_t node, uint8_t ip_idx, uint16_t port)
{
	struct sim_node *n = &s->nodes[node];

	if (n->n_sock >= SIM_MAX_SOCK || ip_idx >= n->n_ip)
		return -ENOSPC;
	n->sock[n->n_sock].ip = ip_idx;
	n->sock[n->n_sock].port = port;
	return n->n_sock++;
}

int sim_node_set_v6(struct sim *s, uint32_t node, const uint8_t v6[16])
{
	struct sim_node *n = &s->nodes[node];

	memcpy(n->v6, v6, 16);
	n->has_v6 = 1;
	return sim_hmap_put(&s->addr6, key6(v6), node + 1);
}

uint32_t sim_nat_new(struct sim *s, const char *name, uint32_t realm, uint32_t ip,
		     uint32_t inside_ip, const struct sim_nat_cfg *cfg, const struct sim_link *link)
{
	uint32_t node = sim_node_new(s, SIM_ROLE_NAT, name, realm, ip, link);
	uint32_t in = sim_realm_new(s, node);
	struct sim_node *n = &s->nodes[node];

	n->inside = in;
	n->nat = calloc(1, sizeof(*n->nat));
	if (!n->nat || sim_nat_init(n->nat, cfg, ip, &s->rng) < 0) {
		fprintf(stderr, "swsim: out of memory\n");
		abort();
	}
	sim_hmap_put(&s->addr4, key4(in, inside_ip), node + 1);
	sim_schedule(s, sim_now(s) + cfg->timeout_ms, SIM_EV_SWEEP, node, 0);
	return node;
}

void sim_blackhole(struct sim *s, uint32_t realm, uint32_t ip, bool on)
{
	if (on)
		sim_hmap_put(&s->blackhole, key4(realm, ip), 1);
	else
		sim_hmap_del(&s->blackhole, key4(realm, ip));
}

void sim_nat_renumber(struct sim *s, uint32_t node, uint32_t ip)
{
	struct sim_node *n = &s->nodes[node];

	sim_hmap_del(&s->addr4, key4(n->realm, n->ip[0]));
	n->ip[0] = ip;
	sim_hmap_put(&s->addr4, key4(n->realm, ip), node + 1);
	sim_nat_reboot(n->nat, &s->rng);
	n->nat->ext_ip = ip;
}

void sim_schedule(struct sim *s, sw_time at, uint8_t kind, uint32_t node, uint32_t arg)
{
	struct sim_ev ev = {.at = at, .node = node, .arg = arg, .kind = kind};

	if (sim_evq_push(&s->q, ev) < 0) {
		fprintf(stderr, "swsim: out of memory\n");
		abort();
	}
}

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

void sim_fail(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->failures++ >= s->max_report)
		return;
	fprintf(stderr, "FAIL [swsim --seed %llu --scenario %s] t=%llu.%03llus: ",
		(unsigned long long)s->base_seed, s->scenario ? s->scenario : "-",
		(unsigned long long)(sim_now(s) / 1000), (unsigned long long)(sim_now(s) % 1000));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
	uint32_t v = sim_hmap_get(&s->addr4, key4(realm, p->dst.ip));
	struct sim_node *to;
	uint8_t side = SIM_SIDE_OUT;

	if (s->blackhole.n && sim_hmap_get(&s->blackhole, key4(realm, p->dst.ip)))
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

void sim_send4_raw(struct sim *s, struct sim_node *n, struct sw_endpoint src,
		   struct sw_endpoint dst, const uint8_t *data, size_t len)
{
	uint32_t idx;
	struct sim_pkt *p;

	if (len > SIM_PKT_MAX) {
		s->st.too_big++;
		return;
	}
	if ((dst.ip >> 28) == 0xe || dst.ip == 0xffffffffu) {
		s->st.unroutable++; /* multicast (local discovery) is not modelled */
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
		uint32_t v = sim_hmap_get(&s->addr6, key6(pkt + 24));

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

static void on_pkt(struct sim *s, struct sim_node *n, uint8_t side, uint32_t idx)
{
	const struct sim_pkt *p = sim_pool_at(&s->pool, idx);
	int sock;

	if (n->role == SIM_ROLE_NAT)
		return nat_forward(s, n, side, idx);
	if (p->v6) {
		s->st.delivered_v6++;
		if (n->ops && n->ops->v6_in)
			n->ops->v6_in(s, n, side, p);
	} else if ((sock = find_sock(n, p->dst)) < 0) {
		s->st.no_socket++;
	} else {
		s->st.delivered_udp++;
		trace(s, n, "recv", p);
		if (n->ops && n->ops->udp_in)
			n->ops->udp_in(s, n, (uint8_t)sock, p);
	}
	sim_pool_put(&s->pool, idx);
}

struct sw_out *sim_out(struct sim *s)
{
	sw_out_reset(&s->out);
	s->st.engine_calls++;
	return &s->out;
}

void sim_flush(struct sim *s, struct sim_node *n)
{
	struct sw_out *o = &s->out;

	for (size_t i = 0; i < o->n; i++) {
		const struct sw_out_pkt *p = &o->pkt[i];

		if (p->kind == SW_OUT_UDP) {
			sim_check_udp_out(s, n, p);
			s->st.udp_sent++;
			sim_send4(s, n, p->sock, p->dst, p->data, p->len);
		} else if (p->kind == SW_OUT_TUN && n->ops->tun_out) {
			n->ops->tun_out(s, n, p->data, p->len);
		}
	}
	for (size_t i = 0; i < o->n_ev; i++)
		if (n->ops->event)
			n->ops->event(s, n, &o->ev[i]);
	s->st.out_full += o->full;
	o->full = 0;
	sw_out_reset(o);
}

void sim_arm(struct sim *s, struct sim_node *n, sw_time at)
{
	if (at != SW_TIME_NEVER && at < sim_now(s))
		at = sim_now(s);
	if (at == n->timer_at)
		return;
	n->timer_at = at;
	if (at != SW_TIME_NEVER)
		sim_schedule(s, at, SIM_EV_TIMER, (uint32_t)(n - s->nodes), 0);
}

static void on_timer(struct sim *s, struct sim_node *n, sw_time at)
{
	if (at != n->timer_at || !n->ops || !n->ops->timer)
		return; /* superseded */
	n->timer_at = SW_TIME_NEVER;
	if (n->spin_at == at && ++n->spin == 1000) {
		sim_fail(s, "%s: engine timer fires 1000 times at the same instant", n->name);
		return;
	}
	if (n->spin_at != at) {
		n->spin_at = at;
		n->spin = 0;
	}
	s->st.timers++;
	n->ops->timer(s, n);
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

static void dispatch(struct sim *s, const struct sim_ev *ev)
{
	struct sim_node *n = ev->node != SIM_NONE ? &s->nodes[ev->node] : NULL;

	switch (ev->kind) {
	case SIM_EV_PKT:
		on_pkt(s, n, ev->side, ev->arg);
		break;
	case SIM_EV_TIMER:
		on_timer(s, n, ev->at);
		break;
	case SIM_EV_ACTION:
		sim_action_fire(s, ev->arg);
		break;
	case SIM_EV_FLOW:
		sim_flow_fire(s, ev->arg);
		break;
	case SIM_EV_CHECK:
		sim_check_all(s);
		sim_schedule(s, sim_now(s) + s->check_every, SIM_EV_CHECK, SIM_NONE, 0);
		break;
	case SIM_EV_SWEEP:
		sim_nat_sweep(n->nat, sim_now(s));
		sim_schedule(s, sim_now(s) + n->nat->cfg.timeout_ms, SIM_EV_SWEEP, ev->node, 0);
		break;
	}
}

void sim_run(struct sim *s, sw_time until)
{
	struct sim_ev ev;

	while (sim_evq_peek(&s->q) <= until && sim_evq_pop(&s->q, &ev))
		dispatch(s, &ev);
	if (s->q.now < until)
		s->q.now = until;
}

static void report_nat(const struct sim_node *n)
{
#define SIM_X(f, h) if (n->nat->st.f) printf(" %s=%llu", #f, (unsigned long long)n->nat->st.f);
	SIM_NAT_COUNTERS(SIM_X)
#undef SIM_X
}

void sim_report(struct sim *s)
{
	struct sw_stat st[128];

	for (uint32_t i = 0; i < s->n_nodes; i++) {
		struct sim_node *n = &s->nodes[i];
		size_t k = n->ops && n->ops->stats ? n->ops->stats(n, st, 128) : 0;

		printf("  %-14s", n->name);
		if (n->nat)
			report_nat(n);
		for (size_t j = 0; j < k; j++)
			if (st[j].value)
				printf(" %s=%llu", st[j].name, (unsigned long long)st[j].value);
		printf(" link_lost=%llu\n", (unsigned long long)n->lst.lost);
	}
#define SIM_X(f, h) if (s->st.f) printf("  sim.%s=%llu\n", #f, (unsigned long long)s->st.f);
	SIM_COUNTERS(SIM_X)
#undef SIM_X
}
