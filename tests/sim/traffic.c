/* traffic: echo flows, the host stack, and scheduled faults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "traffic.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/teredo.h"

#define ECHO_ID 0x5357
static const uint8_t magic[8] = {'s', 'w', 's', 'i', 'm', 'f', 'l', 'w'};

static void *grow(void *p, uint32_t *cap, uint32_t need, size_t size)
{
	uint32_t c = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	q = realloc(p, (size_t)c * size);
	if (!q)
		abort();
	*cap = c;
	return q;
}

uint32_t sim_flow_add(struct sim *s, const struct sim_flow *f)
{
	uint32_t i = s->n_flows++;

	s->flows = grow(s->flows, &s->cap_flows, s->n_flows, sizeof(*s->flows));
	s->flows[i] = *f;
	sim_schedule(s, f->start, SIM_EV_FLOW, SIM_NONE, i);
	return i;
}

static bool node_addr(struct sim *s, uint32_t node, uint8_t out[16])
{
	struct sim_node *n = sim_node(s, node);

	if (n->ops && n->ops->addr6)
		return n->ops->addr6(s, n, out);
	if (!n->has_v6)
		return false;
	memcpy(out, n->v6, 16);
	return true;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void flow_send(struct sim *s, uint32_t idx, struct sim_flow *f)
{
	uint8_t src[16], dst[16], data[16], pkt[128], *end;
	struct sim_node *n = sim_node(s, f->src);
	struct sw_echo e = {SW_ICMP6_ECHO_REQUEST, ECHO_ID, (uint16_t)f->sent, data, sizeof(data)};

	if (f->dst != SIM_NONE ? !node_addr(s, f->dst, dst) : (memcpy(dst, f->dst_addr, 16), 0)) {
		f->skipped++;
		return;
	}
	if (!node_addr(s, f->src, src)) {
		f->skipped++;
		return;
	}
	put_u32(data, idx);
	put_u32(data + 4, f->sent);
	memcpy(data + 8, magic, sizeof(magic));
	end = sw_echo_put(pkt, pkt + sizeof(pkt), src, dst, 64, &e);
	if (!end || !n->ops->stack_send)
		return;
	f->sent++;
	if (sim_now(s) >= f->warm && f->sent_warm++ == 0)
		f->warm_seq = f->sent - 1;
	s->st.pings_sent++;
	n->ops->stack_send(s, n, pkt, (size_t)(end - pkt));
}

void sim_flow_fire(struct sim *s, uint32_t idx)
{
	struct sim_flow *f = &s->flows[idx];

	flow_send(s, idx, f);
	if (f->sent + f->skipped < f->count)
		sim_schedule(s, sim_now(s) + f->every, SIM_EV_FLOW, SIM_NONE, idx);
}

static void echo_reply_in(struct sim *s, struct sim_node *n, const struct sw_echo *e)
{
	struct sim_flow *f;
	uint32_t idx, seq;

	if (e->id != ECHO_ID || e->data_len < 16 || memcmp(e->data + 8, magic, 8) != 0)
		return;
	idx = get_u32(e->data);
	seq = get_u32(e->data + 4);
	if (idx >= s->n_flows)
		return;
	f = &s->flows[idx];
	if (f->src != (uint32_t)(n - s->nodes) || seq >= f->sent) {
		sim_fail(s, "%s: echo reply for flow %u seq %u it did not send", n->name, idx, seq);
		return;
	}
	if (f->expect == SIM_EXPECT_NEVER)
		sim_fail(s, "%s: flow %u to a bogus destination was answered", n->name, idx);
	/* replies are counted once per sequence number; late duplicates are ignored */
	if (seq < f->hi) {
		f->dup++;
		return;
	}
	f->hi = seq + 1;
	f->answered++;
	if (f->sent_warm > 0 && seq >= f->warm_seq)
		f->answered_warm++;
	s->st.pings_answered++;
}

void sim_stack_rx(struct sim *s, struct sim_node *n, const uint8_t *pkt, size_t len)
{
	uint8_t me[16], out[128], *end;
	struct sw_ip6 ip;
	struct sw_echo e;

	if (sw_ip6_parse(pkt, len, &ip) < 0 || sw_echo_parse(&ip, &e) < 0)
		return;
	if (e.type == SW_ICMP6_ECHO_REPLY)
		return echo_reply_in(s, n, &e);
	if (!n->ops->addr6 ? !n->has_v6 : !n->ops->addr6(s, n, me))
		return;
	if (!n->ops->addr6)
		memcpy(me, n->v6, 16);
	if (memcmp(ip.dst, me, 16) != 0 || e.data_len > 64)
		return;
	e.type = SW_ICMP6_ECHO_REPLY;
	end = sw_echo_put(out, out + sizeof(out), me, ip.src, 64, &e);
	if (end && n->ops->stack_send)
		n->ops->stack_send(s, n, out, (size_t)(end - out));
}

/* At 5 % loss and more, three lost bubbles in a row are not rare, and the RFC then forbids
 * bubbles to that peer for 300 s (RFC 4380 §5.2.6): a flow starved that way is noted, not
 * failed. */
static bool excused(struct sim *s, const struct sim_flow *f)
{
	struct sim_node *n = sim_node(s, f->src);

	if (s->loss_ppm < 50000 || !n->ops->bubbles_held || !n->ops->bubbles_held(n))
		return false;
	fprintf(stderr, "note [swsim --seed %llu --scenario %s]: flow %u %s: %u of %u answered, "
		"its bubbles held back by the RFC 4380 5.2.6 limit after losses\n",
		(unsigned long long)s->base_seed, s->scenario ? s->scenario : "-",
		(unsigned)(f - s->flows), n->name, f->answered_warm, f->sent_warm);
	return true;
}

void sim_flows_verdict(struct sim *s)
{
	s->worst_permille = 1000;
	for (uint32_t i = 0; i < s->n_flows; i++) {
		const struct sim_flow *f = &s->flows[i];

		if (f->expect != SIM_EXPECT_DELIVER)
			continue;
		if (f->sent_warm && f->answered_warm * 1000 / f->sent_warm < s->worst_permille)
			s->worst_permille = f->answered_warm * 1000 / f->sent_warm;
		if (f->sent_warm != 0 && f->answered_warm * 1000 >= s->min_permille * f->sent_warm)
			continue;
		if (excused(s, f)) {
			s->notes++;
			continue;
		}
		sim_fail(s, "flow %u %s -> %s: deliverable but %u of %u pings answered "
			 "after warm-up, below %u.%u %% (%u sent in all, %u skipped: no "
			 "address)",
			 i, sim_node(s, f->src)->name,
			 f->dst != SIM_NONE ? sim_node(s, f->dst)->name : "fixed",
			 f->answered_warm, f->sent_warm, s->min_permille / 10,
			 s->min_permille % 10, f->sent, f->skipped);
	}
}

void sim_action_add(struct sim *s, const struct sim_action *a)
{
	uint32_t i = s->n_acts++;

	s->acts = grow(s->acts, &s->cap_acts, s->n_acts, sizeof(*s->acts));
	s->acts[i] = *a;
	sim_schedule(s, a->at, SIM_EV_ACTION, SIM_NONE, i);
}

static uint32_t first_v6host(struct sim *s)
{
	for (uint32_t i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].role == SIM_ROLE_V6HOST)
			return i;
	return SIM_NONE;
}

/* A datagram from probe p to client c's advertised mapping carrying an echo request
 * from src6 (a source the probe has no right to). */
static void spoof(struct sim *s, struct sim_node *p, uint32_t c, const uint8_t src6[16])
{
	uint8_t dst6[16], data[8] = {0}, pkt[128], *end;
	struct sw_echo e = {SW_ICMP6_ECHO_REQUEST, 0x5350, 1, data, sizeof(data)};
	struct sw_teredo t;

	if (!node_addr(s, c, dst6) || sw_addr_decode(dst6, &t) < 0)
		return;
	end = sw_echo_put(pkt, pkt + sizeof(pkt), src6, dst6, 64, &e);
	if (end)
		sim_send4(s, p, 0, t.mapped, pkt, (size_t)(end - pkt));
}

static void spoof_teredo(struct sim *s, struct sim_node *p, uint32_t c)
{
	uint8_t me[16], src6[16];
	struct sw_teredo t;

	if (!node_addr(s, c, me) || sw_addr_decode(me, &t) < 0)
		return;
	/* a Teredo address of the same server that embeds somebody else's mapping */
	t.mapped.ip = 0xcb0071fa; /* 203.0.113.250 */
	t.mapped.port = 4242;
	t.flags = 0;
	sw_addr_encode(src6, &t);
	spoof(s, p, c, src6);
}

/* Where datagrams for node t go: a client's advertised mapping, else its first socket. */
static bool target_ep(struct sim *s, uint32_t t, struct sw_endpoint *ep)
{
	struct sim_node *n = sim_node(s, t);
	uint8_t a[16];
	struct sw_teredo td;

	if (n->role == SIM_ROLE_CLIENT) {
		if (!node_addr(s, t, a) || sw_addr_decode(a, &td) < 0)
			return false;
		*ep = td.mapped;
		return true;
	}
	if (n->n_sock == 0)
		return false;
	ep->ip = n->ip[n->sock[0].ip];
	ep->port = n->sock[0].port;
	return true;
}

/* A valid-looking Teredo packet (origin? + bubble or echo) with random damage. */
static size_t garbage(struct sim *s, uint8_t *buf, size_t cap)
{
	struct sim_rng *r = &s->rng;
	uint8_t src[16], dst[16], *p = buf, *end = buf + cap;
	size_t len, flips;

	sim_rng_fill(r, src, 16);
	sim_rng_fill(r, dst, 16);
	if (sim_rng_below(r, 4) == 0) { /* plain noise */
		len = (size_t)sim_rng_below(r, 200);
		sim_rng_fill(r, buf, len);
		return len;
	}
	if (sim_rng_below(r, 2)) {
		struct sw_endpoint o = {(uint32_t)sim_rng_next(r), (uint16_t)sim_rng_next(r)};

		p = sw_origin_put(p, end, o);
	}
	if (sim_rng_below(r, 3) == 0) {
		struct sw_auth au = {0};

		sim_rng_fill(r, au.nonce, sizeof(au.nonce));
		p = sw_auth_put(p, end, &au);
	}
	if (sim_rng_below(r, 2)) {
		static const uint8_t pre[4] = {0x20, 0x01, 0, 0};

		memcpy(sim_rng_below(r, 2) ? src : dst, pre, 4); /* Teredo-looking */
	}
	p = p ? sw_bubble_put(p, end, src, dst, 64) : NULL;
	if (!p)
		return 0;
	len = (size_t)(p - buf);
	flips = (size_t)sim_rng_below(r, 4);
	for (size_t i = 0; i < flips; i++)
		buf[sim_rng_below(r, len)] ^= (uint8_t)(1u << sim_rng_below(r, 8));
	return len;
}

static void rs_flood(struct sim *s, struct sim_node *p, uint32_t server, uint32_t n)
{
	uint8_t buf[64], src[16], *end;
	struct sw_endpoint ep;

	if (!target_ep(s, server, &ep))
		return;
	sw_addr_rs_source(src, false);
	end = sw_rs_put(buf, buf + sizeof(buf), src);
	for (uint32_t i = 0; end && i < n; i++)
		sim_send4(s, p, 0, ep, buf, (size_t)(end - buf));
}

void sim_action_fire(struct sim *s, uint32_t idx)
{
	const struct sim_action *a = &s->acts[idx];
	struct sim_node *n = sim_node(s, a->node);
	uint32_t h;

	switch (a->kind) {
	case SIM_ACT_NAT_REBOOT:
		sim_nat_reboot(n->nat, &s->rng);
		break;
	case SIM_ACT_LINK_DOWN:
		n->link.down = 1;
		break;
	case SIM_ACT_LINK_UP:
		n->link.down = 0;
		break;
	case SIM_ACT_LINK_LOSS:
		n->link.loss_ppm = a->arg;
		break;
	case SIM_ACT_SPOOF_NATIVE:
		if ((h = first_v6host(s)) != SIM_NONE)
			spoof(s, n, a->arg, sim_node(s, h)->v6);
		break;
	case SIM_ACT_SPOOF_TEREDO:
		spoof_teredo(s, n, a->arg);
		break;
	case SIM_ACT_BLACKHOLE_ON:
	case SIM_ACT_BLACKHOLE_OFF:
		sim_blackhole(s, SIM_INTERNET, a->arg, a->kind == SIM_ACT_BLACKHOLE_ON);
		break;
	case SIM_ACT_NAT_RENUMBER:
		sim_nat_renumber(s, a->node, a->arg);
		break;
	case SIM_ACT_RESTART:
		if (n->ops && n->ops->restart)
			n->ops->restart(s, n);
		break;
	case SIM_ACT_GARBAGE: {
		uint8_t buf[256];
		struct sw_endpoint ep;
		size_t len = garbage(s, buf, sizeof(buf));

		if (target_ep(s, a->arg, &ep))
			sim_send4(s, n, 0, ep, buf, len);
		break;
	}
	case SIM_ACT_RS_FLOOD:
		rs_flood(s, n, a->arg, a->arg2);
		break;
	}
}
