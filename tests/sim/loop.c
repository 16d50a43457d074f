/* loop: the event loop, engine output flushing and timers, failures and reports. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sim.h"
#include "traffic.h"
void sim_schedule(struct sim *s, sw_time at, uint8_t kind, uint32_t node, uint32_t arg)
{
	struct sim_ev ev = {.at = at, .node = node, .arg = arg, .kind = kind};

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

static void dispatch(struct sim *s, const struct sim_ev *ev)
{
	struct sim_node *n = ev->node != SIM_NONE ? &s->nodes[ev->node] : NULL;

	switch (ev->kind) {
	case SIM_EV_PKT:
		sim_pkt_arrive(s, n, ev->side, ev->arg);
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
