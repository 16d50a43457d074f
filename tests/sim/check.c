/* check: invariant checks over engine outputs and engine state. */
#include <arpa/inet.h>
#include <string.h>

#include "check.h"
#include "engine/peers.h"
#include "sim.h"
#include "wire/addr.h"

static const char *ep_str(struct sw_endpoint ep, char *buf, size_t len)
{
	return sw_endpoint_str(ep, buf, len);
}

void sim_check_udp_out(struct sim *s, struct sim_node *n, const struct sw_out_pkt *p)
{
	char b[32];

	s->st.checks++;
	if (p->dst.ip == SIM_DISCOVERY_IP && p->ttl == 1 && p->dst.port == SW_TEREDO_PORT)
		return; /* local discovery (RFC 4380 §5.2.8), link scope */
	if (n->link_peers && n->realm != SIM_INTERNET &&
	    sim_hmap_get(&s->addr4, sim_key4(n->realm, p->dst.ip)))
		return; /* a local peer on the sender's own link (transmission case 1 after local
			 * discovery may use a private address) */
	if (!sw_ipv4_is_global(p->dst.ip, 0))
		sim_fail(s, "%s sent a datagram to non-global %s", n->name,
			 ep_str(p->dst, b, sizeof(b)));
	if (p->dst.port == 0)
		sim_fail(s, "%s sent a datagram to port 0", n->name);
}

void sim_check_all(struct sim *s)
{
	s->sweeps++;
	for (uint32_t i = 0; i < s->n_nodes; i++) {
		struct sim_node *n = &s->nodes[i];

		if (n->ops && n->ops->check)
			n->ops->check(s, n);
	}
}

/* A relay behind a NAT (endpoint-independent mapping): its public endpoint. */
static bool is_natted_relay_ep(struct sim *s, struct sw_endpoint ep)
{
	struct sw_endpoint any = {0xc0000201, SW_TEREDO_PORT}, pub;

	for (uint32_t i = 0; i < s->n_nodes; i++) {
		const struct sim_node *n = &s->nodes[i];

		if (n->role == SIM_ROLE_RELAY && n->realm != SIM_INTERNET &&
		    sim_public_ep(s, n, 0, any, &pub) && sw_endpoint_eq(pub, ep))
			return true;
	}
	return false;
}

/* Is ep the public endpoint of a node that carries native IPv6 for Teredo peers (a relay,
 * or a server acting as one)? */
static bool is_relay_ep(struct sim *s, struct sw_endpoint ep)
{
	struct sim_key k = {SIM_INTERNET, ep.ip};
	uint32_t v = sim_hmap_get(&s->addr4, k);
	const struct sim_node *n;

	if (!v)
		return false;
	n = &s->nodes[v - 1];
	if (n->role == SIM_ROLE_NAT)
		return is_natted_relay_ep(s, ep);
	if (n->role != SIM_ROLE_RELAY && n->role != SIM_ROLE_SERVER)
		return false;
	for (int i = 0; i < n->n_sock; i++)
		if (n->ip[n->sock[i].ip] == ep.ip && n->sock[i].port == ep.port)
			return true;
	return false;
}

static void check_trust(struct sim *s, struct sim_node *n, const struct sw_peer *p)
{
	char a[INET6_ADDRSTRLEN], b[32];

	s->st.checks++;
	if (sw_addr_is_teredo(p->addr)) {
		if (sw_addr_mapping_eq(p->addr, p->mapping) || (p->flags & SW_PEER_LOCAL))
			return;
		sim_fail(s, "%s trusts Teredo peer %s at %s, which its address does not embed",
			 n->name, inet_ntop(AF_INET6, p->addr, a, sizeof(a)),
			 ep_str(p->mapping, b, sizeof(b)));
	} else if (!is_relay_ep(s, p->mapping)) {
		sim_fail(s, "%s trusts native peer %s at %s, which is no relay", n->name,
			 inet_ntop(AF_INET6, p->addr, a, sizeof(a)),
			 ep_str(p->mapping, b, sizeof(b)));
	}
}

void sim_check_peers(struct sim *s, struct sim_node *n, struct sw_peers *t,
		     const struct sw_pktq_pool *pool)
{
	struct sw_peer *p;
	size_t it = 0, count = 0;

	s->st.checks++;
	if (t->n > t->max)
		sim_fail(s, "%s: %zu peers in a table of %zu", n->name, t->n, t->max);
	if (pool && pool->nfree > pool->nbufs)
		sim_fail(s, "%s: queue pool has %u free of %u", n->name, pool->nfree, pool->nbufs);
	while ((p = sw_peers_next(t, &it)) != NULL) {
		count++;
		if (pool && p->q.bytes > pool->per_queue_bytes)
			sim_fail(s, "%s: a peer queue holds %u bytes, bound %u", n->name,
				 p->q.bytes, pool->per_queue_bytes);
		if (sw_peer_trusted(p))
			check_trust(s, n, p);
	}
	if (count != t->n)
		sim_fail(s, "%s: peer table says %zu entries, iteration finds %zu", n->name, t->n,
			 count);
}

void sim_watch_init(struct sim_addr_watch *w)
{
	memset(w, 0, sizeof(*w));
	w->mismatch_since = SW_TIME_NEVER;
}

static struct sw_endpoint server_ep(uint32_t server)
{
	struct sw_endpoint ep = {server, SW_TEREDO_PORT};
	return ep;
}

/* The address matches the mapping again: record how long it lagged. */
static void lag_end(struct sim *s, struct sim_addr_watch *w)
{
	if (w->mismatch_since != SW_TIME_NEVER && sim_now(s) - w->mismatch_since > s->addr_lag_max)
		s->addr_lag_max = sim_now(s) - w->mismatch_since;
	w->mismatch_since = SW_TIME_NEVER;
}

void sim_watch_add(struct sim *s, struct sim_node *n, struct sim_addr_watch *w, uint8_t sock,
		   uint32_t server, const uint8_t addr[16])
{
	char a[INET6_ADDRSTRLEN], b[32];
	struct sw_endpoint pub;
	struct sw_teredo t;

	s->st.checks++;
	if (w->had && memcmp(w->last, addr, 16) != 0)
		s->st.addr_changes++;
	s->st.qualified++;
	w->had = true;
	memcpy(w->last, addr, 16);
	memcpy(w->addr, addr, 16);
	w->valid = true;
	w->reported = false;
	if (sw_addr_decode(addr, &t) < 0) {
		sim_fail(s, "%s configured %s, not a Teredo address", n->name,
			 inet_ntop(AF_INET6, addr, a, sizeof(a)));
		return;
	}
	if (t.server != server)
		sim_fail(s, "%s configured %s with a prefix not of its server", n->name,
			 inet_ntop(AF_INET6, addr, a, sizeof(a)));
	if (!sim_public_ep(s, n, sock, server_ep(server), &pub))
		return; /* the mapping vanished already (reboot): the sweep will watch */
	if (!sw_endpoint_eq(pub, t.mapped))
		sim_fail(s, "%s configured %s but its NAT maps it to %s", n->name,
			 inet_ntop(AF_INET6, addr, a, sizeof(a)), ep_str(pub, b, sizeof(b)));
	lag_end(s, w);
}

void sim_watch_del(struct sim_addr_watch *w, const uint8_t addr[16])
{
	if (w->valid && memcmp(w->addr, addr, 16) == 0) {
		w->valid = false;
		w->mismatch_since = SW_TIME_NEVER;
	}
}

void sim_watch_sweep(struct sim *s, struct sim_node *n, struct sim_addr_watch *w, uint8_t sock,
		     uint32_t server)
{
	char a[INET6_ADDRSTRLEN];
	struct sw_endpoint pub;
	sw_time lag;

	if (!w->valid)
		return;
	s->st.checks++;
	if (sim_public_ep(s, n, sock, server_ep(server), &pub) &&
	    sw_addr_mapping_eq(w->addr, pub)) {
		lag_end(s, w);
		return;
	}
	if (w->mismatch_since == SW_TIME_NEVER) {
		w->mismatch_since = sim_now(s);
		return;
	}
	lag = sim_now(s) - w->mismatch_since;
	if (lag > s->addr_lag_max)
		s->addr_lag_max = lag;
	if (lag > s->addr_lag_limit && !w->reported) {
		w->reported = true;
		sim_fail(s, "%s still uses %s %llu ms after its NAT mapping changed or vanished",
			 n->name, inet_ntop(AF_INET6, w->addr, a, sizeof(a)),
			 (unsigned long long)lag);
	}
}
