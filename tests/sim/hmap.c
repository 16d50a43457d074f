/* hmap: linear probing, power-of-two capacity, backward-shift deletion. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"

static uint64_t key_hash(struct sim_key k)
{
	uint64_t h = k.a * 0x9e3779b97f4a7c15u ^ (k.b + 0x632be59bd9b4e019u) * 0xc2b2ae3d27d4eb4fu;

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9u;
	return h ^ (h >> 29);
}

static bool key_eq(struct sim_key x, struct sim_key y)
{
	return x.a == y.a && x.b == y.b;
}

int sim_hmap_init(struct sim_hmap *m, size_t cap)
{
	size_t c = 16;

	while (c < cap)
		c *= 2;
	m->keys = calloc(c, sizeof(*m->keys));
	m->vals = calloc(c, sizeof(*m->vals));
	m->cap = c;
	m->n = 0;
	if (!m->keys || !m->vals) {
		sim_hmap_free(m);
		return -ENOMEM;
	}
	return 0;
}

void sim_hmap_free(struct sim_hmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}

void sim_hmap_clear(struct sim_hmap *m)
{
	memset(m->vals, 0, m->cap * sizeof(*m->vals));
	m->n = 0;
}

static size_t find_slot(const struct sim_hmap *m, struct sim_key k)
{
	size_t mask = m->cap - 1, i = key_hash(k) & mask;

	while (m->vals[i] && !key_eq(m->keys[i], k))
		i = (i + 1) & mask;
	return i;
}

uint32_t sim_hmap_get(const struct sim_hmap *m, struct sim_key k)
{
	return m->vals[find_slot(m, k)];
}

static int grow(struct sim_hmap *m)
{
	struct sim_hmap g;

	if (sim_hmap_init(&g, m->cap * 2) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->vals[i]) {
			size_t j = find_slot(&g, m->keys[i]);

			g.keys[j] = m->keys[i];
			g.vals[j] = m->vals[i];
			g.n++;
		}
	}
	sim_hmap_free(m);
	*m = g;
	return 0;
}

int sim_hmap_put(struct sim_hmap *m, struct sim_key k, uint32_t v)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return -ENOMEM;
	i = find_slot(m, k);
	if (!m->vals[i]) {
		m->keys[i] = k;
		m->n++;
	}
	m->vals[i] = v;
	return 0;
}

bool sim_hmap_del(struct sim_hmap *m, struct sim_key k)
{
	size_t mask = m->cap - 1, i = find_slot(m, k), j = i;

	if (!m->vals[i])
		return false;
	m->vals[i] = 0;
	m->n--;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!m->vals[j])
			return true;
		home = key_hash(m->keys[j]) & mask;
		/* move j back to i unless its home lies cyclically in (i, j] */
		if ((i <= j) ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->keys[i] = m->keys[j];
		m->vals[i] = m->vals[j];
		m->vals[j] = 0;
		i = j;
	}
}
