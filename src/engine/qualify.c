/* qualify: qualification, NAT type detection and maintenance of the Teredo client. */
#include <errno.h>
#include <string.h>

#include "engine/qualify.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/teredo.h"

#define RS_LEN 48
#define ADDR_PLEN 32 /* 2001::/32 on-link through the tunnel, as Miredo configures it */
#define LL_PLEN 64

static uint32_t server_of(const struct sw_client *c, unsigned idx)
{
	return idx == 0 ? c->conf.server : c->conf.server2;
}

uint32_t sw_qualify_rs_target(const struct sw_client *c)
{
	if (c->phase == SW_PH_SECONDARY)
		return server_of(c, !c->target);
	/* fell over: each maintenance round first asks the primary again (this also keeps a
	 * restricted NAT open to it, where indirect bubbles for our address arrive) */
	if (c->phase == SW_PH_MAINT && c->target == 1 && c->attempts == 0)
		return server_of(c, 0);
	return server_of(c, c->target);
}

uint32_t sw_qualify_server(const struct sw_client *c)
{
	return server_of(c, c->target);
}

static bool phase_cone(const struct sw_client *c)
{
	return c->phase == SW_PH_CONE || (c->phase == SW_PH_MAINT && c->cone);
}

static void set_state(struct sw_client *c, uint8_t state, struct sw_out *out)
{
	struct sw_event ev = {.kind = SW_EV_STATE};

	if (c->state == state)
		return;
	c->state = state;
	ev.state = state;
	if (!sw_out_event(out, &ev))
		c->stats.out_full++;
}

static void addr_event(struct sw_client *c, uint8_t kind, const uint8_t a[16], uint8_t plen,
		       struct sw_out *out)
{
	struct sw_event ev = {.kind = kind, .prefix_len = plen};

	memcpy(ev.addr, a, 16);
	if (!sw_out_event(out, &ev))
		c->stats.out_full++;
}

static void addr_remove(struct sw_client *c, struct sw_out *out)
{
	if (!c->have_addr)
		return;
	addr_event(c, SW_EV_ADDR_DEL, c->addr, ADDR_PLEN, out);
	addr_event(c, SW_EV_ADDR_DEL, c->ll, LL_PLEN, out);
	c->have_addr = false;
}

/* Writes an RS with an auth header (fresh nonce, HMAC when a key is configured). */
static void send_rs(struct sw_client *c, sw_time now, struct sw_out *out)
{
	struct sw_auth a = {.id = c->conf.id, .id_len = c->conf.id_len};
	struct sw_endpoint dst = {sw_qualify_rs_target(c), SW_TEREDO_PORT};
	size_t hlen = SW_AUTH_MIN + c->conf.id_len + (c->conf.key ? SW_HMAC_LEN : 0);
	uint8_t mac[SW_HMAC_LEN], src[16], *p, *ip6;
	uint8_t *nonce = c->rs_nonce[c->attempts % SW_CLIENT_N];

	c->attempts++;
	c->deadline = now + SW_CLIENT_T_MS;
	p = sw_out_begin(out, hlen + RS_LEN);
	if (p == NULL) {
		c->stats.out_full++;
		return;
	}
	ip6 = p + hlen;
	sw_addr_rs_source(src, phase_cone(c));
	c->rand->fill(c->rand->ctx, nonce, SW_NONCE_LEN);
	memcpy(a.nonce, nonce, SW_NONCE_LEN);
	if (sw_rs_put(ip6, ip6 + RS_LEN, src) == NULL)
		return;
	if (c->conf.key) {
		sw_auth_hmac(c->conf.key, c->conf.key_len, nonce, 0, NULL, ip6, RS_LEN, mac);
		a.au = mac;
		a.au_len = SW_HMAC_LEN;
	}
	if (sw_auth_put(p, ip6, &a) != ip6)
		return;
	sw_out_udp(out, 0, dst, hlen + RS_LEN);
	c->stats.rs_sent++;
}

static void phase_start(struct sw_client *c, uint8_t phase, sw_time now, struct sw_out *out)
{
	c->phase = phase;
	c->attempts = 0;
	memset(c->rs_nonce, 0, sizeof c->rs_nonce);
	send_rs(c, now, out);
}

void sw_qualify_begin(struct sw_client *c, sw_time now, struct sw_out *out)
{
	if (c->conf.server == 0) { /* no server yet (a name not resolved): wait for reconf */
		set_state(c, SW_CLIENT_OFFLINE, out);
		c->phase = SW_PH_IDLE;
		c->deadline = SW_TIME_NEVER;
		return;
	}
	set_state(c, SW_CLIENT_PROBE, out); /* c->nat keeps the last result until a new one */
	c->target = 0;
	phase_start(c, c->conf.cone_phase ? SW_PH_CONE : SW_PH_PRIMARY, now, out);
}

void sw_qualify_offline(struct sw_client *c, sw_time now, bool immediate, struct sw_out *out)
{
	sw_time d = sw_rand_range(c->rand, c->backoff * 3 / 4, c->backoff);

	addr_remove(c, out);
	c->phase = SW_PH_IDLE;
	c->attempts = 0;
	memset(c->rs_nonce, 0, sizeof c->rs_nonce);
	c->stats.offline++;
	set_state(c, SW_CLIENT_OFFLINE, out);
	c->deadline = immediate ? now : now + d;
	if (!immediate && c->backoff < SW_CLIENT_BACKOFF_MAX_MS)
		c->backoff = c->backoff * 2 > SW_CLIENT_BACKOFF_MAX_MS ? SW_CLIENT_BACKOFF_MAX_MS
								       : c->backoff * 2;
}

void sw_qualify_disable(struct sw_client *c, struct sw_out *out)
{
	addr_remove(c, out);
	c->phase = SW_PH_IDLE;
	c->attempts = 0;
	memset(c->rs_nonce, 0, sizeof c->rs_nonce);
	c->target = 0;
	c->backoff = SW_CLIENT_BACKOFF_MIN_MS;
	c->deadline = SW_TIME_NEVER;
	c->stats.disabled++;
	set_state(c, SW_CLIENT_DISABLED, out);
}

static void draw_refresh(struct sw_client *c)
{
	uint32_t r = c->conf.refresh_ms;

	c->rand_refresh = (uint32_t)sw_rand_range(c->rand, (uint64_t)r * 3 / 4, r);
}

static bool is_local(const struct sw_client *c, struct sw_endpoint m)
{
	uint32_t ip = c->conf.local_ip ? c->conf.local_ip : c->local_ip;

	return ip != 0 && m.ip == ip && m.port == c->conf.local_port;
}

/* Builds the address for mapping m under prefix server ps; new random flags unless the
 * mapping and prefix are the ones the current flags were drawn for (RFC 5991 §3.1). */
static void make_addr(struct sw_client *c, struct sw_endpoint m, uint32_t ps)
{
	struct sw_teredo t = {.server = ps, .mapped = m};
	uint16_t r;

	if (!c->flags_valid || !sw_endpoint_eq(m, c->mapping) || ps != c->prefix_server ||
	    c->cone != !!(c->flags & SW_FLAG_CONE)) {
		c->rand->fill(c->rand->ctx, &r, sizeof r);
		c->flags = sw_flags_make(c->cone, r);
		c->flags_valid = true;
	}
	c->mapping = m;
	c->prefix_server = ps;
	t.flags = c->flags;
	sw_addr_encode(c->addr, &t);
	sw_addr_linklocal(c->ll, c->flags, m);
}

static void addr_install(struct sw_client *c, struct sw_endpoint m, uint32_t ps,
			 struct sw_out *out)
{
	struct sw_event ev = {.kind = SW_EV_MTU, .mtu = c->mtu};

	addr_remove(c, out);
	make_addr(c, m, ps);
	c->have_addr = true;
	addr_event(c, SW_EV_ADDR_ADD, c->addr, ADDR_PLEN, out);
	addr_event(c, SW_EV_ADDR_ADD, c->ll, LL_PLEN, out);
	if (!sw_out_event(out, &ev))
		c->stats.out_full++;
}

static void maint_idle(struct sw_client *c, sw_time now)
{
	c->phase = SW_PH_MAINT;
	c->attempts = 0;
	memset(c->rs_nonce, 0, sizeof c->rs_nonce);
	draw_refresh(c);
	c->deadline = now + c->rand_refresh;
}

static void qualified(struct sw_client *c, struct sw_endpoint m, uint32_t ps, sw_time now,
		      struct sw_out *out)
{
	if (is_local(c, m))
		c->nat = SW_NAT_NONE;
	addr_install(c, m, ps, out);
	c->stats.qualified++;
	c->qualified_at = now;
	c->backoff = SW_CLIENT_BACKOFF_MIN_MS;
	set_state(c, SW_CLIENT_QUALIFIED, out);
	maint_idle(c, now);
	if (c->conf.local_discovery)
		c->next_discovery = now; /* announce at once, then every 200-300 s */
}

/* Which RS of this phase the nonce answers (0-based), or -1. */
static int nonce_idx(const struct sw_client *c, const uint8_t nonce[SW_NONCE_LEN])
{
	static const uint8_t zero[SW_NONCE_LEN];
	unsigned i;

	for (i = 0; i < SW_CLIENT_N && i < c->attempts; i++)
		if (memcmp(c->rs_nonce[i], zero, SW_NONCE_LEN) != 0 &&
		    memcmp(c->rs_nonce[i], nonce, SW_NONCE_LEN) == 0)
			return (int)i;
	return -1;
}

static bool auth_ok(struct sw_client *c, const struct sw_pkt *pkt)
{
	uint8_t origin8[SW_ORIGIN_LEN];

	if (!pkt->has_auth || (c->rs_idx = nonce_idx(c, pkt->auth.nonce)) < 0)
		return false;
	if (c->conf.key) {
		sw_origin_put(origin8, origin8 + sizeof origin8, pkt->origin);
		if (!sw_auth_verify(pkt, origin8, c->conf.key, c->conf.key_len))
			return false;
	}
	if (pkt->auth.conf != 0)
		c->stats.ra_new_key++;
	return true;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Teredo RA checks beyond ND (requirements §3.8); 0 or -EINVAL. */
static int ra_valid(struct sw_client *c, const struct sw_ip6 *ip, uint32_t *ps)
{
	uint8_t src[16];
	struct sw_ra ra;

	if (sw_ra_parse(ip, &ra) != 0)
		return -EINVAL;
	sw_addr_rs_source(src, phase_cone(c));
	if (memcmp(ip->dst, src, 16) != 0)
		return -EINVAL;
	*ps = get32(ra.prefix + 4);
	if (ra.prefix_len != 64 || (*ps != c->conf.server && *ps != c->conf.server2))
		return -EINVAL;
	if (ra.mtu != 0 && (ra.mtu < SW_TEREDO_MTU || ra.mtu > 65535))
		return -EINVAL;
	c->mtu = ra.mtu ? ra.mtu : SW_TEREDO_MTU;
	return 0;
}

static void ra_maint(struct sw_client *c, struct sw_endpoint m, uint32_t ps, sw_time now,
		     struct sw_out *out)
{
	if (c->target == 1 && c->rs_idx == 0) { /* the primary answers again: go back */
		c->target = 0;
		c->stats.failback++;
	}
	if (!sw_endpoint_eq(m, c->mapping) || ps != c->prefix_server) {
		c->stats.mapping_changed++;
		c->nat = is_local(c, m) ? SW_NAT_NONE
					: (c->nat == SW_NAT_NONE ? SW_NAT_UNKNOWN : c->nat);
		addr_install(c, m, ps, out);
		c->next_discovery = now; /* announce the new address on the link */
	}
	maint_idle(c, now);
}

static void ra_secondary(struct sw_client *c, struct sw_endpoint m, uint32_t ps, sw_time now,
			 struct sw_out *out)
{
	if (!sw_endpoint_eq(m, c->first_map)) {
		c->nat = SW_NAT_SYMMETRIC;
		sw_qualify_offline(c, now, false, out);
		return;
	}
	c->nat = SW_NAT_RESTRICTED;
	qualified(c, m, ps, now, out);
}

static void ra_phase(struct sw_client *c, struct sw_endpoint m, uint32_t ps, sw_time now,
		     struct sw_out *out)
{
	switch (c->phase) {
	case SW_PH_CONE:
		c->cone = true;
		c->nat = SW_NAT_CONE;
		qualified(c, m, ps, now, out);
		break;
	case SW_PH_PRIMARY:
		c->cone = false;
		c->first_map = m;
		c->first_ps = ps;
		if (c->conf.no_symmetric_test) {
			c->nat = SW_NAT_UNKNOWN;
			qualified(c, m, ps, now, out);
		}
		else
			phase_start(c, SW_PH_SECONDARY, now, out);
		break;
	case SW_PH_SECONDARY:
		ra_secondary(c, m, ps, now, out);
		break;
	case SW_PH_MAINT:
		ra_maint(c, m, ps, now, out);
		break;
	}
}

void sw_qualify_ra(struct sw_client *c, const struct sw_pkt *pkt, const struct sw_ip6 *ip,
		   sw_time now, struct sw_out *out)
{
	uint32_t ps;

	if (c->phase == SW_PH_IDLE || c->attempts == 0) {
		c->stats.ra_unexpected++;
		return;
	}
	if (!pkt->has_origin) {
		c->stats.ra_no_origin++;
		return;
	}
	if (!auth_ok(c, pkt)) {
		c->stats.ra_bad_auth++;
		return;
	}
	if (ra_valid(c, ip, &ps) != 0) {
		c->stats.ra_invalid++;
		return;
	}
	if (!sw_ipv4_is_global(pkt->origin.ip, c->conf.rfc6890 ? SW_GLOBAL_RFC6890 : 0)) {
		c->stats.ra_nonglobal++;
		return;
	}
	c->stats.ra_accepted++;
	ra_phase(c, pkt->origin, ps, now, out);
}

/* N RSs of a phase went unanswered. */
static void phase_failed(struct sw_client *c, sw_time now, struct sw_out *out)
{
	switch (c->phase) {
	case SW_PH_CONE:
		phase_start(c, SW_PH_PRIMARY, now, out);
		break;
	case SW_PH_PRIMARY:
		if (c->target == 0 && c->conf.server2 != c->conf.server) {
			c->target = 1; /* primary unreachable: fall over to the secondary */
			c->stats.failover++;
			phase_start(c, c->conf.cone_phase ? SW_PH_CONE : SW_PH_PRIMARY, now, out);
		} else {
			sw_qualify_offline(c, now, false, out);
		}
		break;
	case SW_PH_SECONDARY:
		if (c->target == 1) { /* the other address is the unreachable primary */
			c->nat = SW_NAT_UNKNOWN;
			qualified(c, c->first_map, c->first_ps, now, out);
		} else
			sw_qualify_offline(c, now, false, out);
		break;
	case SW_PH_MAINT: /* server lost: off-line, then requalify at once */
		sw_qualify_offline(c, now, true, out);
		break;
	}
}

void sw_qualify_timer(struct sw_client *c, sw_time now, struct sw_out *out)
{
	if (now < c->deadline)
		return;
	if (c->phase == SW_PH_IDLE) {
		sw_qualify_begin(c, now, out);
	} else if (c->phase == SW_PH_MAINT && c->attempts == 0) {
		if (now - c->last_server >= c->rand_refresh)
			send_rs(c, now, out);
		else
			c->deadline = c->last_server + c->rand_refresh;
	} else if (c->attempts < SW_CLIENT_N) {
		send_rs(c, now, out);
	} else {
		phase_failed(c, now, out);
	}
}
