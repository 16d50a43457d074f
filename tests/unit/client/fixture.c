/* fixture: scripted environment for the client engine tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "wire/icmp6.h"
#include "wire/ip6.h"
#include "wire/teredo.h"

static void fill(void *ctx, void *buf, size_t len)
{
	uint64_t *s = ctx;
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
		p[i] = (uint8_t)(z ^ (z >> 31));
	}
}

struct sw_endpoint ep(uint32_t ip, uint16_t port)
{
	struct sw_endpoint e = {ip, port};

	return e;
}

void fx_default_conf(struct sw_client_conf *k)
{
	memset(k, 0, sizeof *k);
	k->server = SRV1;
	k->server2 = SRV2;
	k->local_port = LOCAL_PORT;
	k->local_ip = LOCAL_IP;
	k->local_plen = 24;
}

void fx_init(struct fx *f, const struct sw_client_conf *k)
{
	memset(f, 0, sizeof *f);
	if (k)
		f->conf = *k;
	else
		fx_default_conf(&f->conf);
	f->seed = 42;
	f->rand.fill = fill;
	f->rand.ctx = &f->seed;
	f->now = T0;
	sw_out_init(&f->out, f->pkts, 128, f->arena, sizeof f->arena, f->ev, 64);
	assert_int_equal(sw_client_init(&f->c, &f->conf, &f->rand), 0);
}

void fx_free(struct fx *f)
{
	sw_client_free(&f->c);
}

void fx_reset(struct fx *f)
{
	sw_out_reset(&f->out);
}

void fx_timer(struct fx *f, sw_time advance)
{
	f->now += advance;
	sw_client_timer(&f->c, f->now, &f->out);
}

void fx_udp(struct fx *f, struct sw_endpoint from, uint32_t dst_ip, const uint8_t *b, size_t n)
{
	sw_client_udp(&f->c, from, dst_ip ? dst_ip : LOCAL_IP, b, n, f->now, &f->out);
}

void fx_tun(struct fx *f, const uint8_t *b, size_t n)
{
	sw_client_tun(&f->c, b, n, f->now, &f->out);
}

size_t fx_ra(uint8_t *buf, size_t cap, const struct ra_spec *s)
{
	struct sw_ra_params rp = {.server = s->prefix_server, .dst = s->dst, .mtu = 1280};
	size_t hlen = s->nonce ? SW_AUTH_MIN + (s->key ? SW_HMAC_LEN : 0) : 0;
	uint8_t *o = buf + hlen, *ip6 = o + (s->no_origin ? 0 : SW_ORIGIN_LEN), *end;
	uint8_t mac[SW_HMAC_LEN];
	struct sw_auth a = {.conf = s->conf};

	if (!s->no_origin)
		assert_non_null(sw_origin_put(o, buf + cap, s->origin));
	end = sw_ra_put(ip6, buf + cap, &rp);
	assert_non_null(end);
	if (s->nonce) {
		memcpy(a.nonce, s->nonce, 8);
		if (s->key) {
			sw_auth_hmac(s->key, s->key_len, s->nonce, s->conf,
				     s->no_origin ? NULL : o, ip6, (size_t)(end - ip6), mac);
			a.au = mac;
			a.au_len = SW_HMAC_LEN;
		}
		assert_ptr_equal(sw_auth_put(buf, o, &a), o);
	}
	return (size_t)(end - buf);
}

static bool is_rs(const struct sw_out_pkt *p, struct sw_pkt *pk, struct sw_ip6 *ip)
{
	return p->kind == SW_OUT_UDP && sw_pkt_parse(p->data, p->len, pk) == 0 &&
	       sw_ip6_parse(pk->ip6, pk->ip6_len, ip) == 0 && sw_icmp6_type(ip) == SW_ICMP6_RS;
}

bool fx_last_rs(struct fx *f, uint8_t nonce[8], uint8_t src[16], struct sw_endpoint *dst)
{
	for (size_t i = f->out.n; i-- > 0;) {
		struct sw_pkt pk;
		struct sw_ip6 ip;

		if (!is_rs(&f->out.pkt[i], &pk, &ip))
			continue;
		if (nonce)
			memcpy(nonce, pk.auth.nonce, 8);
		if (src)
			memcpy(src, ip.src, 16);
		if (dst)
			*dst = f->out.pkt[i].dst;
		return true;
	}
	return false;
}

size_t fx_count_rs(struct fx *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->out.n; i++) {
		struct sw_pkt pk;
		struct sw_ip6 ip;

		n += is_rs(&f->out.pkt[i], &pk, &ip);
	}
	return n;
}

void fx_answer(struct fx *f, uint32_t from, struct sw_endpoint m)
{
	uint8_t nonce[8], src[16], buf[256];
	struct ra_spec s = {.nonce = nonce, .origin = m, .dst = src, .prefix_server = SRV1,
			    .key = f->conf.key, .key_len = f->conf.key_len};
	size_t n;

	assert_true(fx_last_rs(f, nonce, src, NULL));
	n = fx_ra(buf, sizeof buf, &s);
	fx_reset(f);
	fx_udp(f, ep(from, 3544), 0, buf, n);
}

void fx_qualify(struct fx *f)
{
	sw_client_start(&f->c, f->now, &f->out);
	fx_answer(f, SRV1, ep(MAP_IP, MAP_PORT));
	fx_answer(f, SRV2, ep(MAP_IP, MAP_PORT));
	assert_int_equal(f->c.state, SW_CLIENT_QUALIFIED);
}

bool fx_event(struct fx *f, uint8_t kind, struct sw_event *ev)
{
	for (size_t i = 0; i < f->out.n_ev; i++)
		if (f->out.ev[i].kind == kind) {
			if (ev)
				*ev = f->out.ev[i];
			return true;
		}
	return false;
}

static bool match(const struct sw_out_pkt *p, struct sw_endpoint e)
{
	return p->kind == SW_OUT_UDP && (e.ip == 0 || sw_endpoint_eq(p->dst, e));
}

size_t fx_count_udp(struct fx *f, struct sw_endpoint e)
{
	size_t n = 0;

	for (size_t i = 0; i < f->out.n; i++)
		n += match(&f->out.pkt[i], e);
	return n;
}

const struct sw_out_pkt *fx_udp_to(struct fx *f, struct sw_endpoint e, size_t idx)
{
	for (size_t i = 0; i < f->out.n; i++)
		if (match(&f->out.pkt[i], e) && idx-- == 0)
			return &f->out.pkt[i];
	return NULL;
}

size_t fx_count_tun(struct fx *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->out.n; i++)
		n += f->out.pkt[i].kind == SW_OUT_TUN;
	return n;
}

const struct sw_out_pkt *fx_tun_pkt(struct fx *f, size_t idx)
{
	for (size_t i = 0; i < f->out.n; i++)
		if (f->out.pkt[i].kind == SW_OUT_TUN && idx-- == 0)
			return &f->out.pkt[i];
	return NULL;
}

size_t fx_data(uint8_t *b, const uint8_t src[16], const uint8_t dst[16], uint8_t tag)
{
	uint8_t *p = sw_ip6_put(b, b + 48, 8, SW_NH_UDP, 64, src, dst);

	memset(p, tag, 8);
	return 48;
}

size_t fx_bubble(uint8_t *b, const uint8_t src[16], const uint8_t dst[16])
{
	sw_bubble_put(b, b + 40, src, dst, 255);
	return 40;
}

size_t fx_echo_reply(uint8_t *b, const uint8_t src[16], const uint8_t dst[16], uint16_t id,
		     const uint8_t *data, size_t dlen)
{
	struct sw_echo e = {.type = SW_ICMP6_ECHO_REPLY, .id = id, .seq = 0, .data = data,
			    .data_len = dlen};
	uint8_t *end = sw_echo_put(b, b + 128, src, dst, 64, &e);

	assert_non_null(end);
	return (size_t)(end - b);
}

void fx_teredo(uint8_t a[16], uint32_t server, uint16_t flags, uint32_t ip, uint16_t port)
{
	struct sw_teredo t = {.server = server, .flags = flags, .mapped = {ip, port}};

	sw_addr_encode(a, &t);
}

void fx_native(uint8_t a[16], uint8_t last)
{
	static const uint8_t base[16] = {0x20, 0x01, 0x0d, 0xb8};

	memcpy(a, base, 16);
	a[15] = last;
}
