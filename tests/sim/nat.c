/* nat: mapping table with two indexes (internal side, external side) and lazy expiry. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nat.h"
#include "rng.h"

#define PORT_LO 1024u
#define PORT_SPAN (65536u - PORT_LO)

static struct sw_endpoint dep_key(uint8_t dep, struct sw_endpoint ep)
{
	struct sw_endpoint k = {0, 0};

	if (dep >= SIM_DEP_AD)
		k.ip = ep.ip;
	if (dep == SIM_DEP_APD)
		k.port = ep.port;
	return k;
}

static struct sim_key out_key(struct sw_endpoint in, struct sw_endpoint dkey)
{
	struct sim_key k = {((uint64_t)in.ip << 16) | in.port,
			    ((uint64_t)dkey.ip << 16) | dkey.port};
	return k;
}

static struct sim_key in_key(uint16_t port, struct sw_endpoint dkey)
{
	struct sim_key k = {port, ((uint64_t)dkey.ip << 16) | dkey.port};
	return k;
}

/* In the same map: how many mappings use an external port (a dkey never reaches this). */
static struct sim_key use_key(uint16_t port)
{
	struct sim_key k = {port, UINT64_MAX};
	return k;
}

static void port_use(struct sim_nat *n, uint16_t port, int delta)
{
	uint32_t v = sim_hmap_get(&n->in, use_key(port)) + (uint32_t)delta;

	if (v)
		sim_hmap_put(&n->in, use_key(port), v);
	else
		sim_hmap_del(&n->in, use_key(port));
}

int sim_nat_init(struct sim_nat *n, const struct sim_nat_cfg *cfg, uint32_t ext_ip,
		 struct sim_rng *r)
{
	memset(n, 0, sizeof(*n));
	n->cfg = *cfg;
	/* A mapping only receives from what it maps to (as conntrack does): filtering is never
	 * looser than the mapping behaviour. */
	if (n->cfg.filtering < n->cfg.mapping)
		n->cfg.filtering = n->cfg.mapping;
	n->ext_ip = ext_ip;
	n->next_port = (uint16_t)(PORT_LO + sim_rng_below(r, PORT_SPAN));
	if (sim_hmap_init(&n->out, 16) < 0 || sim_hmap_init(&n->in, 16) < 0) {
		sim_nat_free(n);
		return -ENOMEM;
	}
	return 0;
}

void sim_nat_free(struct sim_nat *n)
{
	sim_hmap_free(&n->out);
	sim_hmap_free(&n->in);
	free(n->maps);
	n->maps = NULL;
}

static void map_del(struct sim_nat *n, uint32_t idx)
{
	struct sim_nat_map *m = &n->maps[idx];

	sim_hmap_del(&n->out, out_key(m->in, m->dkey));
	sim_hmap_del(&n->in, in_key(m->ext_port, m->dkey));
	port_use(n, m->ext_port, -1);
	m->next_free = n->free_head;
	n->free_head = idx + 1;
	n->live--;
}

static bool expired(const struct sim_nat *n, sw_time last, sw_time now)
{
	return now - last >= n->cfg.timeout_ms;
}

/* A live mapping index + 1 for the key in map h, expiring it lazily; 0 if none. */
static uint32_t live_get(struct sim_nat *n, struct sim_hmap *h, struct sim_key k, sw_time now)
{
	uint32_t v = sim_hmap_get(h, k);

	if (v && expired(n, n->maps[v - 1].last, now)) {
		map_del(n, v - 1);
		n->st.expired++;
		return 0;
	}
	return v;
}

static bool port_free(struct sim_nat *n, uint16_t port, struct sw_endpoint dkey, sw_time now)
{
	return live_get(n, &n->in, in_key(port, dkey), now) == 0;
}

static int pick_port(struct sim_nat *n, struct sim_rng *r, struct sw_endpoint src,
		     struct sw_endpoint dkey, sw_time now)
{
	/* preserving the port reuses it towards other destinations (RFC 6081's PP NAT); a
	 * picked port is one no live mapping uses */
	if (n->cfg.port_preserve && src.port >= PORT_LO && port_free(n, src.port, dkey, now))
		return src.port;
	for (uint32_t i = 0; i < PORT_SPAN; i++) {
		uint16_t p;

		if (n->cfg.alloc == SIM_ALLOC_RANDOM && i < 64) {
			p = (uint16_t)(PORT_LO + sim_rng_below(r, PORT_SPAN));
		} else {
			p = n->next_port;
			n->next_port = (uint16_t)(p == 65535 ? PORT_LO : p + 1u);
		}
		if (port_free(n, p, dkey, now) && !sim_hmap_get(&n->in, use_key(p)))
			return p;
	}
	return -EAGAIN;
}

static int map_new(struct sim_nat *n, struct sw_endpoint src, struct sw_endpoint dkey,
		   uint16_t port, sw_time now)
{
	struct sim_nat_map *m;
	uint32_t idx;

	if (n->free_head) {
		idx = n->free_head - 1;
		n->free_head = n->maps[idx].next_free;
	} else {
		if (n->n_maps == n->cap_maps) {
			uint32_t cap = n->cap_maps ? n->cap_maps * 2 : 4;
			struct sim_nat_map *mm = realloc(n->maps, cap * sizeof(*mm));

			if (!mm)
				return -ENOMEM;
			n->maps = mm;
			n->cap_maps = cap;
		}
		idx = n->n_maps++;
	}
	m = &n->maps[idx];
	memset(m, 0, sizeof(*m));
	m->in = src;
	m->dkey = dkey;
	m->ext_port = port;
	m->last = now;
	if (sim_hmap_put(&n->out, out_key(src, dkey), idx + 1) < 0 ||
	    sim_hmap_put(&n->in, in_key(port, dkey), idx + 1) < 0)
		return -ENOMEM;
	port_use(n, port, +1);
	n->live++;
	n->st.created++;
	return (int)idx;
}

static void perm_add(struct sim_nat *n, struct sim_nat_map *m, struct sw_endpoint dst,
		     sw_time now)
{
	size_t oldest = 0;

	for (size_t i = 0; i < m->n_perm; i++) {
		if (m->perm[i].ip == dst.ip && m->perm[i].port == dst.port) {
			m->perm[i].last = now;
			return;
		}
		if (m->perm[i].last < m->perm[oldest].last)
			oldest = i;
	}
	if (m->n_perm < SIM_NAT_PERMS) {
		oldest = m->n_perm++;
	} else if (!expired(n, m->perm[oldest].last, now)) {
		n->st.perm_evicted++;
	}
	m->perm[oldest] = (struct sim_nat_perm){dst.ip, dst.port, now};
}

static bool perm_ok(const struct sim_nat *n, const struct sim_nat_map *m,
		    struct sw_endpoint from, sw_time now)
{
	if (n->cfg.filtering == SIM_DEP_EI)
		return true;
	for (size_t i = 0; i < m->n_perm; i++) {
		const struct sim_nat_perm *p = &m->perm[i];

		/* address-dependent: several ports of one address may be listed, any live one
		 * admits */
		if (p->ip == from.ip && (n->cfg.filtering == SIM_DEP_AD || p->port == from.port) &&
		    !expired(n, p->last, now))
			return true;
	}
	return false;
}

int sim_nat_out(struct sim_nat *n, struct sim_rng *r, sw_time now, struct sw_endpoint src,
		struct sw_endpoint dst, struct sw_endpoint *ext)
{
	struct sw_endpoint dkey = dep_key(n->cfg.mapping, dst);
	uint32_t v = live_get(n, &n->out, out_key(src, dkey), now);
	int idx;

	if (v) {
		idx = (int)v - 1;
	} else {
		int port = pick_port(n, r, src, dkey, now);

		if (port < 0) {
			n->st.port_exhausted++;
			return -EAGAIN;
		}
		idx = map_new(n, src, dkey, (uint16_t)port, now);
		if (idx < 0)
			return idx;
	}
	n->maps[idx].last = now;
	perm_add(n, &n->maps[idx], dst, now);
	ext->ip = n->ext_ip;
	ext->port = n->maps[idx].ext_port;
	n->st.translated_out++;
	return 0;
}

int sim_nat_in(struct sim_nat *n, sw_time now, uint16_t ext_port, struct sw_endpoint from,
	       struct sw_endpoint *in)
{
	struct sw_endpoint dkey = dep_key(n->cfg.mapping, from);
	uint32_t v = live_get(n, &n->in, in_key(ext_port, dkey), now);
	struct sim_nat_map *m;

	if (!v) {
		n->st.no_mapping++;
		return -ENOENT;
	}
	m = &n->maps[v - 1];
	if (!perm_ok(n, m, from, now)) {
		n->st.filtered++;
		return -EPERM;
	}
	if (n->cfg.inbound_refresh)
		m->last = now;
	*in = m->in;
	n->st.translated_in++;
	return 0;
}

bool sim_nat_peek(struct sim_nat *n, sw_time now, struct sw_endpoint src,
		  struct sw_endpoint dst, struct sw_endpoint *ext)
{
	struct sw_endpoint dkey = dep_key(n->cfg.mapping, dst);
	uint32_t v = sim_hmap_get(&n->out, out_key(src, dkey));

	if (!v || expired(n, n->maps[v - 1].last, now))
		return false;
	ext->ip = n->ext_ip;
	ext->port = n->maps[v - 1].ext_port;
	return true;
}

void sim_nat_reboot(struct sim_nat *n, struct sim_rng *r)
{
	sim_hmap_clear(&n->out);
	sim_hmap_clear(&n->in);
	n->n_maps = 0;
	n->free_head = 0;
	n->live = 0;
	n->next_port = (uint16_t)(PORT_LO + sim_rng_below(r, PORT_SPAN));
	n->st.reboots++;
}

void sim_nat_sweep(struct sim_nat *n, sw_time now)
{
	for (uint32_t i = 0; i < n->n_maps; i++) {
		struct sim_nat_map *m = &n->maps[i];

		if (sim_hmap_get(&n->out, out_key(m->in, m->dkey)) != i + 1)
			continue; /* a free slot */
		if (expired(n, m->last, now)) {
			map_del(n, i);
			n->st.expired++;
		}
	}
}

const char *sim_nat_kind(const struct sim_nat_cfg *c)
{
	static const char *const cone[3] = {"full-cone", "restricted", "port-restricted"};

	if (c->mapping == SIM_DEP_EI)
		return cone[c->filtering];
	if (c->port_preserve)
		return "symmetric-pp";
	return c->alloc == SIM_ALLOC_SEQ ? "symmetric-seq" : "symmetric-random";
}
