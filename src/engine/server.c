/* server: stateless Teredo server engine (see server.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/server.h"
#include "wire/hex.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/teredo.h"

/* Largest RA datagram: auth (13 + 255 id + 20 MAC) + origin + RA with PIO and MTU. */
#define RA_MAX (SW_AUTH_MIN + 255 + SW_HMAC_LEN + SW_ORIGIN_LEN + 40 + 16 + 32 + 8)
#define UDP_MAX 65507

static const uint8_t all_routers[16] = {0xff, 0x02, [15] = 0x02};

enum kind { K_BUBBLE, K_ECHO, K_RS, K_ICMP_OTHER, K_OTHER };

static enum kind classify(const struct sw_ip6 *ip)
{
	int t;

	if (sw_ip6_is_bubble(ip))
		return K_BUBBLE;
	t = sw_icmp6_type(ip);
	if (t == SW_ICMP6_ECHO_REQUEST || t == SW_ICMP6_ECHO_REPLY)
		return K_ECHO;
	if (t == SW_ICMP6_RS)
		return K_RS;
	return t >= 0 ? K_ICMP_OTHER : K_OTHER;
}

static bool is_own_ip(const struct sw_server *s, uint32_t ip)
{
	return ip == s->ip[0] || ip == s->ip[1];
}

static uint32_t rl_value(uint32_t v, uint32_t dflt)
{
	if (v == UINT32_MAX)
		return 0; /* no limit */
	return v ? v : dflt;
}

static int limits_init(struct sw_server *s, const struct sw_server_config *cfg)
{
	uint8_t key[32];
	size_t entries = cfg->rl_entries ? cfg->rl_entries : SW_SERVER_RL_ENTRIES;
	int r;

	cfg->rand->fill(cfg->rand->ctx, key, sizeof(key));
	r = sw_ratelimit_init(&s->rl, entries, rl_value(cfg->rl_rate, SW_SERVER_RL_RATE),
			      cfg->rl_burst ? cfg->rl_burst : SW_SERVER_RL_BURST, key);
	if (r == 0)
		r = sw_ratelimit_init(&s->rl_dst, entries,
				      rl_value(cfg->fwd_rate, SW_SERVER_FWD_RATE),
				      cfg->fwd_burst ? cfg->fwd_burst : SW_SERVER_FWD_BURST, key + 16);
	return r;
}

int sw_server_init(struct sw_server *s, const struct sw_server_config *cfg)
{
	int r;

	memset(s, 0, sizeof(*s));
	if (!cfg->rand || cfg->primary == cfg->secondary ||
	    !sw_ipv4_is_global(cfg->primary, cfg->global_opts) ||
	    !sw_ipv4_is_global(cfg->secondary, cfg->global_opts) ||
	    (cfg->n_secrets && !cfg->secrets))
		return -EINVAL;
	s->ip[0] = cfg->primary;
	s->ip[1] = cfg->secondary;
	sw_addr_server_linklocal(s->ll, cfg->primary);
	sw_addr_server_linklocal(s->ll2, cfg->secondary);
	s->secure = cfg->secure;
	s->relay = cfg->relay;
	s->global_opts = cfg->global_opts;
	s->relay_max = cfg->relay_max ? cfg->relay_max : SW_SERVER_RELAY_MAX;
	if (cfg->n_secrets) {
		s->secrets = calloc(cfg->n_secrets, sizeof(*s->secrets));
		if (!s->secrets)
			return -ENOMEM;
		memcpy(s->secrets, cfg->secrets, cfg->n_secrets * sizeof(*s->secrets));
		s->n_secrets = cfg->n_secrets;
	}
	r = limits_init(s, cfg);
	if (r < 0)
		sw_server_free(s);
	return r;
}

void sw_server_free(struct sw_server *s)
{
	free(s->secrets);
	s->secrets = NULL;
	s->n_secrets = 0;
	sw_ratelimit_free(&s->rl);
	sw_ratelimit_free(&s->rl_dst);
}

sw_time sw_server_next_timeout(const struct sw_server *s)
{
	(void)s;
	return SW_TIME_NEVER;
}

/* The open-relay bound (README "Running a server"). to_ipv6: towards the IPv6 side. */
static bool within_bound(const struct sw_server *s, enum kind k, const struct sw_pkt *pkt,
			 const struct sw_ip6 *ip, bool to_ipv6)
{
	if (k == K_BUBBLE)
		return !to_ipv6 && pkt->trailers_len <= SW_SERVER_TRAILER_MAX;
	if (s->relay && to_ipv6)
		return true;
	return k == K_ECHO && ip->plen <= s->relay_max;
}

static const struct sw_server_secret *secret_find(const struct sw_server *s,
						  const struct sw_auth *a)
{
	for (size_t i = 0; i < s->n_secrets; i++)
		if (s->secrets[i].id_len == a->id_len && memcmp(s->secrets[i].id, a->id, a->id_len) == 0)
			return &s->secrets[i];
	return NULL;
}

/* Auth header of the RA (RFC 4380 §5.3.2): id and nonce echoed, MAC space zeroed. */
static uint8_t *ra_auth_put(uint8_t *p, const uint8_t *end, const struct sw_auth *in,
			    const struct sw_server_secret *sec)
{
	static const uint8_t zero[SW_HMAC_LEN];
	struct sw_auth a = *in;

	a.au = sec ? zero : NULL;
	a.au_len = sec ? SW_HMAC_LEN : 0;
	/* confirmation: 0 while the identifier is valid, non-zero when unknown or expired */
	a.conf = (in->id_len && (!sec || sec->expired)) ? 1 : 0;
	return sw_auth_put(p, end, &a);
}

static void rs_answer(struct sw_server *s, unsigned sock, struct sw_endpoint from,
		      const struct sw_pkt *pkt, const struct sw_ip6 *ip,
		      const struct sw_server_secret *sec, struct sw_out *out)
{
	struct sw_ra_params ra = {.server = s->ip[0], .dst = ip->src, .mtu = SW_TEREDO_MTU};
	unsigned osock = (ip->src[8] & 0x80) ? !sock : sock; /* C bit: RFC 4380 §5.3.2, 5991 §3.2 */
	uint8_t *b = sw_out_begin(out, RA_MAX), *end, *p = b, *o, *ra_start;

	if (!b) {
		s->st.drop_out_full++;
		return;
	}
	end = b + RA_MAX;
	if (pkt->has_auth)
		p = ra_auth_put(p, end, &pkt->auth, sec);
	o = p;
	p = sw_origin_put(p, end, from);
	ra_start = p;
	p = sw_ra_put(p, end, &ra);
	if (!p) { /* cannot happen with RA_MAX; keep the batch consistent anyway */
		s->st.drop_out_full++;
		return;
	}
	if (sec) {
		sw_auth_hmac(sec->key, sec->key_len, pkt->auth.nonce, sec->expired ? 1 : 0, o,
			     ra_start, (size_t)(p - ra_start), b + 4 + pkt->auth.id_len);
		s->st.ra_auth++;
		s->st.ra_conf_renew += sec->expired;
	}
	sw_out_udp(out, (uint8_t)osock, from, (size_t)(p - b));
	s->st.rs_answered++;
	if (osock == SW_SERVER_SOCK_PRIMARY)
		s->st.ra_primary++;
	else
		s->st.ra_secondary++;
}

static void rs_handle(struct sw_server *s, unsigned sock, struct sw_endpoint from,
		      const struct sw_pkt *pkt, const struct sw_ip6 *ip, struct sw_out *out)
{
	const struct sw_server_secret *sec = NULL;

	if (sw_rs_check(ip) < 0) {
		s->st.drop_rs_invalid++;
		return;
	}
	if (pkt->has_auth && pkt->auth.id_len)
		sec = secret_find(s, &pkt->auth);
	if (s->secure && !sec) {
		s->st.drop_auth_missing++;
		return;
	}
	if (sec && !sw_auth_verify(pkt, NULL, sec->key, sec->key_len)) {
		s->st.drop_auth_bad++;
		return;
	}
	rs_answer(s, sock, from, pkt, ip, sec, out);
}

/* An Echo Request to the server itself is answered from its link-local. */
static void local_handle(struct sw_server *s, unsigned sock, struct sw_endpoint from,
			 enum kind k, const struct sw_ip6 *ip, struct sw_out *out)
{
	struct sw_echo e;
	uint8_t *b, *p;
	size_t max = SW_IP6_HLEN + 8 + s->relay_max;

	if (k != K_ECHO || ip->plen > s->relay_max || sw_echo_parse(ip, &e) < 0 ||
	    e.type != SW_ICMP6_ECHO_REQUEST || sw_ip6_is_multicast(ip->dst)) {
		s->st.drop_local_other++;
		return;
	}
	b = sw_out_begin(out, max);
	if (!b) {
		s->st.drop_out_full++;
		return;
	}
	e.type = SW_ICMP6_ECHO_REPLY;
	p = sw_echo_put(b, b + max, ip->dst, ip->src, 255, &e);
	if (!p) {
		s->st.drop_local_other++;
		return;
	}
	sw_out_udp(out, (uint8_t)sock, from, (size_t)(p - b));
	s->st.echo_local++;
}

static void to_ipv6(struct sw_server *s, enum kind k, const struct sw_pkt *pkt,
		    const struct sw_ip6 *ip, struct sw_out *out)
{
	struct sw_teredo t;
	uint8_t *b;

	/* Only this server's own clients use it for echo tests: everything it emits on the
	 * IPv6 side then has a source in 2001:0:<primary>::/64 (ingress filtering, SEC-14). */
	if (sw_addr_decode(ip->src, &t) < 0 || t.server != s->ip[0]) {
		s->st.drop_not_served++;
		return;
	}
	if (!within_bound(s, k, pkt, ip, true)) {
		s->st.drop_relay_bound++;
		return;
	}
	b = sw_out_begin(out, ip->len);
	if (!b) {
		s->st.drop_out_full++;
		return;
	}
	memcpy(b, ip->pkt, ip->len); /* trailers stay on the Teredo side */
	sw_out_tun(out, ip->len);
	s->st.fwd_ipv6++;
}

/* Checks on a Teredo destination (RFC 4380 §5.3.1): global mapping, not ourselves. */
static bool teredo_dst_ok(struct sw_server *s, const uint8_t dst[16], struct sw_teredo *t)
{
	if (sw_addr_decode(dst, t) < 0 || !sw_ipv4_is_global(t->mapped.ip, s->global_opts)) {
		s->st.drop_dst_mapped_nonglobal++;
		return false;
	}
	if (is_own_ip(s, t->mapped.ip)) {
		s->st.drop_dst_self++;
		return false;
	}
	return true;
}

static void to_teredo(struct sw_server *s, struct sw_endpoint from, enum kind k,
		      const struct sw_pkt *pkt, const struct sw_ip6 *ip, sw_time now,
		      struct sw_out *out)
{
	struct sw_teredo t;
	size_t n = pkt->ip6_len + pkt->trailers_len, max = SW_ORIGIN_LEN + n;
	uint8_t *b, *p;

	if (!teredo_dst_ok(s, ip->dst, &t))
		return;
	if (!within_bound(s, k, pkt, ip, false)) {
		s->st.drop_relay_bound++;
		return;
	}
	if (!sw_ratelimit_allow(&s->rl_dst, t.mapped.ip, now)) {
		s->st.drop_dst_rate_limited++;
		return;
	}
	if (max > UDP_MAX || !(b = sw_out_begin(out, max))) {
		s->st.drop_out_full++;
		return;
	}
	p = b;
	if (t.server == s->ip[0]) /* served here: origin indication (RFC 4380 §5.3.1) */
		p = sw_origin_put(p, b + max, from);
	memcpy(p, pkt->ip6, n); /* IPv6 packet and RFC 6081 trailers, unchanged */
	sw_out_udp(out, SW_SERVER_SOCK_PRIMARY, t.mapped, (size_t)(p - b) + n);
	s->st.fwd_teredo++;
}

static bool is_local_dst(const struct sw_server *s, const uint8_t dst[16])
{
	return memcmp(dst, all_routers, 16) == 0 || memcmp(dst, s->ll, 16) == 0 ||
	       memcmp(dst, s->ll2, 16) == 0;
}

/* Rules 4-7 of RFC 4380 §5.3.1 for a packet that passed rules 1-3. True when accepted. */
static bool accept_src(struct sw_server *s, struct sw_endpoint from, const struct sw_ip6 *ip)
{
	struct sw_teredo t;

	if (sw_addr_is_teredo(ip->src)) { /* rule 5 */
		if (sw_addr_mapping_eq(ip->src, from))
			return true;
		s->st.drop_mapping++;
		return false;
	}
	/* rule 6 admits any other source, link-local included (Miredo relays send their
	 * bubbles from fe80::<hash>), but never an unspecified, loopback or multicast one */
	if (sw_ip6_is_unspecified(ip->src) || sw_ip6_is_loopback(ip->src) ||
	    sw_ip6_is_multicast(ip->src)) {
		s->st.drop_src6_scope++;
		return false;
	}
	if (sw_addr_decode(ip->dst, &t) == 0 && t.server == s->ip[0]) /* rule 6 */
		return true;
	s->st.drop_not_served++;
	return false;
}

static void dispatch(struct sw_server *s, unsigned sock, struct sw_endpoint from, enum kind k,
		     const struct sw_pkt *pkt, const struct sw_ip6 *ip, sw_time now,
		     struct sw_out *out)
{
	if (is_local_dst(s, ip->dst)) {
		local_handle(s, sock, from, k, ip, out);
		return;
	}
	if (!sw_ip6_is_global(ip->dst)) {
		s->st.drop_dst_nonglobal++;
		return;
	}
	if (!sw_addr_is_teredo(ip->dst)) {
		to_ipv6(s, k, pkt, ip, out);
		return;
	}
	if (k == K_OTHER) { /* relay mode passes these only towards the IPv6 side */
		s->st.drop_not_icmp++;
		return;
	}
	to_teredo(s, from, k, pkt, ip, now, out);
}

/* Combined mode (RFC 4380 §5.4.3): a Teredo source, to the IPv6 side or to a non-global
 * destination other than the server's own (e.g. the fe80::<hash> of the relay's bubbles),
 * is for the relay rule set of §5.4.2, not for the server's. */
static bool for_relay(const struct sw_server *s, const struct sw_ip6 *ip)
{
	if (!sw_addr_is_teredo(ip->src) || is_local_dst(s, ip->dst))
		return false;
	return !sw_ip6_is_global(ip->dst) || !sw_addr_is_teredo(ip->dst);
}

static enum sw_server_verdict input(struct sw_server *s, unsigned sock, struct sw_endpoint from,
				    const uint8_t *buf, size_t len, sw_time now,
				    struct sw_out *out, bool combined)
{
	struct sw_pkt pkt;
	struct sw_ip6 ip;
	enum kind k;

	s->st.rx++;
	if (is_own_ip(s, from.ip)) { /* 2006 server loop; any port: never answer ourselves */
		s->st.drop_own_source++;
		return SW_SERVER_DONE;
	}
	if (sock > SW_SERVER_SOCK_SECONDARY || sw_pkt_parse(buf, len, &pkt) < 0 ||
	    sw_ip6_parse(pkt.ip6, pkt.ip6_len, &ip) < 0) { /* rule 1 */
		s->st.drop_malformed++;
		return SW_SERVER_DONE;
	}
	k = classify(&ip);
	if (k == K_OTHER && !s->relay && !combined) { /* rule 2 */
		s->st.drop_not_icmp++;
		return SW_SERVER_DONE;
	}
	if (!sw_ipv4_is_global(from.ip, s->global_opts)) { /* rule 3 */
		s->st.drop_src_nonglobal++;
		return SW_SERVER_DONE;
	}
	if (combined && for_relay(s, &ip)) { /* not rate-limited here: the relay bounds it */
		s->st.to_relay++;
		return SW_SERVER_TO_RELAY;
	}
	if (!sw_ratelimit_allow(&s->rl, from.ip, now)) {
		s->st.drop_rate_limited++;
		return SW_SERVER_DONE;
	}
	if (sw_ip6_is_linklocal(ip.src) && k == K_RS && memcmp(ip.dst, all_routers, 16) == 0) {
		rs_handle(s, sock, from, &pkt, &ip, out); /* rule 4 */
		return SW_SERVER_DONE;
	}
	if (accept_src(s, from, &ip))
		dispatch(s, sock, from, k, &pkt, &ip, now, out);
	return SW_SERVER_DONE;
}

void sw_server_input(struct sw_server *s, unsigned sock, struct sw_endpoint from,
		     const uint8_t *buf, size_t len, sw_time now, struct sw_out *out)
{
	(void)input(s, sock, from, buf, len, now, out, false);
}

enum sw_server_verdict sw_server_input_combined(struct sw_server *s, unsigned sock,
						struct sw_endpoint from, const uint8_t *buf,
						size_t len, sw_time now, struct sw_out *out)
{
	return input(s, sock, from, buf, len, now, out, true);
}

void sw_server_tun_input(struct sw_server *s, const uint8_t *buf, size_t len, sw_time now,
			 struct sw_out *out)
{
	struct sw_ip6 ip;
	struct sw_teredo t;
	struct sw_pkt none = {0};
	enum kind k;
	uint8_t *b;

	s->st.tun_rx++;
	if (sw_ip6_parse(buf, len, &ip) < 0) {
		s->st.drop_tun_malformed++;
		return;
	}
	if (sw_addr_decode(ip.dst, &t) < 0 || t.server != s->ip[0]) {
		s->st.drop_tun_not_served++;
		return;
	}
	if (!sw_ip6_is_global(ip.src)) {
		s->st.drop_src6_scope++;
		return;
	}
	if (!teredo_dst_ok(s, ip.dst, &t))
		return;
	k = classify(&ip);
	if (!(s->relay || within_bound(s, k, &none, &ip, false))) {
		s->st.drop_relay_bound++;
		return;
	}
	if (!sw_ratelimit_allow(&s->rl_dst, t.mapped.ip, now)) {
		s->st.drop_dst_rate_limited++;
		return;
	}
	if (ip.len > UDP_MAX || !(b = sw_out_begin(out, ip.len))) {
		s->st.drop_out_full++;
		return;
	}
	memcpy(b, ip.pkt, ip.len);
	sw_out_udp(out, SW_SERVER_SOCK_PRIMARY, t.mapped, ip.len);
	s->st.tun_fwd++;
}

size_t sw_server_stats(const struct sw_server *s, struct sw_stat *out, size_t cap)
{
	struct sw_server_stats st = s->st;
	size_t n = 0;

	st.rl_evicted = s->rl.stats.evicted;
	st.rl_dst_evicted = s->rl_dst.stats.evicted;
#define SW_SERVER_STAT(f, nm, hl)                                                           \
	if (n < cap)                                                                       \
		out[n++] = (struct sw_stat){.name = nm, .help = hl, .value = st.f};
	SW_SERVER_STATS(SW_SERVER_STAT)
#undef SW_SERVER_STAT
	return n;
}

/* --- client secrets file lines --- */

/* Next whitespace-separated token of *s: start and length; 0 when none. */
static size_t token(const char **s, const char **start)
{
	const char *p = *s;
	size_t n = 0;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	*start = p;
	while (p[n] && p[n] != ' ' && p[n] != '\t' && p[n] != '\r' && p[n] != '\n' && p[n] != '#')
		n++;
	*s = p + n;
	return n;
}

int sw_server_secret_parse(const char *line, struct sw_server_secret *out)
{
	const char *s = line, *t;
	size_t n;
	int r;

	memset(out, 0, sizeof(*out));
	n = token(&s, &t);
	if (n == 0)
		return 0; /* blank line or comment */
	if (n > SW_SECRET_ID_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x21 || (unsigned char)t[i] > 0x7e)
			return -EINVAL;
	memcpy(out->id, t, n);
	out->id_len = (uint8_t)n;
	n = token(&s, &t);
	r = sw_hex_decode(t, n, out->key, sizeof(out->key));
	if (r < 0)
		return r;
	out->key_len = (uint8_t)r;
	n = token(&s, &t);
	if (n == 7 && memcmp(t, "expired", 7) == 0) {
		out->expired = true;
		n = token(&s, &t);
	}
	if (n != 0 || (*s && *s != '#'))
		return -EINVAL;
	return 1;
}
