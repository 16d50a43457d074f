/* fixture: a client engine on a fake clock with seeded randomness, a scripted server
 * (RAs built with wire/), and helpers to inspect the output batch. Tests only. */
#ifndef SW_TEST_CLIENT_FIXTURE_H
#define SW_TEST_CLIENT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/client.h"

#define SRV1 0xCB007101u /* 203.0.113.1 */
#define SRV2 0xCB007102u /* 203.0.113.2 */
#define MAP_IP 0xC6336419u /* 198.51.100.25 */
#define MAP_PORT 40000
#define LOCAL_IP 0xC0A80102u /* 192.168.1.2 */
#define LOCAL_PORT 5000
#define T0 ((sw_time)5 << 32) /* above 2^32 ms: peer stamps are the low 32 bits */

struct fx {
	struct sw_client c;
	struct sw_client_conf conf;
	struct sw_rand rand;
	uint64_t seed;
	sw_time now;
	struct sw_out out;
	struct sw_out_pkt pkts[128];
	uint8_t arena[128 * 1536];
	struct sw_event ev[64];
};

struct ra_spec {
	const uint8_t *nonce; /* NULL: no auth header */
	bool no_origin;
	struct sw_endpoint origin;
	const uint8_t *dst;     /* RA destination (RS source) */
	uint32_t prefix_server; /* PIO server field and RA source */
	const uint8_t *key;     /* HMAC key, NULL: none */
	size_t key_len;
	uint8_t conf;
};

void fx_default_conf(struct sw_client_conf *k);
void fx_init(struct fx *f, const struct sw_client_conf *k);
void fx_free(struct fx *f);
void fx_reset(struct fx *f);
void fx_timer(struct fx *f, sw_time advance);
void fx_udp(struct fx *f, struct sw_endpoint from, uint32_t dst_ip, const uint8_t *b, size_t n);
void fx_tun(struct fx *f, const uint8_t *b, size_t n);

size_t fx_ra(uint8_t *buf, size_t cap, const struct ra_spec *s);
/* The last RS in the batch: nonce, IPv6 source and UDP destination. false if none. */
bool fx_last_rs(struct fx *f, uint8_t nonce[8], uint8_t src[16], struct sw_endpoint *dst);
size_t fx_count_rs(struct fx *f);
/* Answer the last RS with an RA from server ip `from` carrying origin m. */
void fx_answer(struct fx *f, uint32_t from, struct sw_endpoint m);
/* Full RFC 5991 qualification behind a restricted NAT with mapping MAP. */
void fx_qualify(struct fx *f);
bool fx_event(struct fx *f, uint8_t kind, struct sw_event *ev);
/* Outputs: UDP datagrams to ep (or to anyone with ep.ip == 0), and tunnel packets. */
size_t fx_count_udp(struct fx *f, struct sw_endpoint ep);
const struct sw_out_pkt *fx_udp_to(struct fx *f, struct sw_endpoint ep, size_t idx);
size_t fx_count_tun(struct fx *f);
const struct sw_out_pkt *fx_tun_pkt(struct fx *f, size_t idx);

/* Packets. */
size_t fx_data(uint8_t *b, const uint8_t src[16], const uint8_t dst[16], uint8_t tag);
size_t fx_bubble(uint8_t *b, const uint8_t src[16], const uint8_t dst[16]);
size_t fx_echo_reply(uint8_t *b, const uint8_t src[16], const uint8_t dst[16], uint16_t id,
		     const uint8_t *data, size_t dlen);
/* Teredo address for server/flags/mapping. */
void fx_teredo(uint8_t a[16], uint32_t server, uint16_t flags, uint32_t ip, uint16_t port);
void fx_native(uint8_t a[16], uint8_t last);
struct sw_endpoint ep(uint32_t ip, uint16_t port);

#endif
