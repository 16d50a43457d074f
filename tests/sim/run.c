/* run: per-run seeds, tracing, totals and the wall clock for reports. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "run.h"

uint64_t scen_seed(uint64_t base, const char *name)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3u;
	h ^= base;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9u;
	return h ^ (h >> 31);
}

void scen_trace(struct sim *s, const char *name)
{
	for (uint32_t i = 0; name && i < s->n_nodes; i++)
		if (strcmp(s->nodes[i].name, name) == 0)
			s->trace_node = i;
}

void scen_totals_add(struct scen_totals *t, const struct sim *s)
{
	const uint64_t *src = (const uint64_t *)&s->st;
	uint64_t *dst = (uint64_t *)&t->st;

	for (size_t i = 0; i < sizeof(s->st) / sizeof(uint64_t); i++)
		dst[i] += src[i];
	t->events += s->q.popped;
	if (s->addr_lag_max > t->lag_max)
		t->lag_max = s->addr_lag_max;
	t->runs++;
	if (s->failures)
		t->failed++;
}

void scen_totals_print(const struct scen_totals *t, double wall)
{
	printf("swsim: %u runs, %u failed; %llu events, %llu datagrams, %llu IPv6 packets, "
	       "%llu addresses configured, %llu/%llu pings answered, %llu invariant checks, "
	       "longest address lag %llu ms; %.2f s wall\n",
	       t->runs, t->failed, (unsigned long long)t->events,
	       (unsigned long long)t->st.udp_sent, (unsigned long long)t->st.v6_sent,
	       (unsigned long long)t->st.qualified, (unsigned long long)t->st.pings_answered,
	       (unsigned long long)t->st.pings_sent, (unsigned long long)t->st.checks,
	       (unsigned long long)t->lag_max, wall);
}

uint64_t scen_nat_created(const struct sim *s)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].nat)
			n += s->nodes[i].nat->st.created;
	return n;
}

double scen_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
