/* evq: binary heap of events keyed by (at, seq). */
#include <errno.h>
#include <stdlib.h>

#include "evq.h"

int sim_evq_init(struct sim_evq *q, size_t cap)
{
	*q = (struct sim_evq){0};
	q->h = malloc(cap * sizeof(*q->h));
	if (!q->h)
		return -ENOMEM;
	q->cap = cap;
	return 0;
}

void sim_evq_free(struct sim_evq *q)
{
	free(q->h);
	q->h = NULL;
}

static bool ev_less(const struct sim_ev *a, const struct sim_ev *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void sift_up(struct sim_ev *h, size_t i)
{
	struct sim_ev e = h[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!ev_less(&e, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = e;
}

static void sift_down(struct sim_ev *h, size_t n, size_t i)
{
	struct sim_ev e = h[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && ev_less(&h[c + 1], &h[c]))
			c++;
		if (!ev_less(&h[c], &e))
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = e;
}

int sim_evq_push(struct sim_evq *q, struct sim_ev ev)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 1024;
		struct sim_ev *h = realloc(q->h, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		q->h = h;
		q->cap = cap;
	}
	if (ev.at < q->now)
		ev.at = q->now;
	ev.seq = q->seq++;
	q->h[q->n] = ev;
	sift_up(q->h, q->n++);
	q->pushed++;
	if (q->n > q->max_depth)
		q->max_depth = q->n;
	return 0;
}

bool sim_evq_pop(struct sim_evq *q, struct sim_ev *ev)
{
	if (q->n == 0)
		return false;
	*ev = q->h[0];
	q->h[0] = q->h[--q->n];
	if (q->n > 0)
		sift_down(q->h, q->n, 0);
	q->now = ev->at;
	q->popped++;
	return true;
}

sw_time sim_evq_peek(const struct sim_evq *q)
{
	return q->n ? q->h[0].at : SW_TIME_NEVER;
}
