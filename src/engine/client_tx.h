/*
 * client_tx: the client's transmission side (RFC 4380 §5.2.4, §5.2.6, §5.2.8, §5.2.9):
 * the five transmission cases, bubbles with their rate limits, the direct IPv6
 * connectivity test, per-peer queues and their flush, ICMPv6 errors, retransmission
 * timers. Part of the client engine; never does I/O.
 */
#ifndef SW_ENGINE_CLIENT_TX_H
#define SW_ENGINE_CLIENT_TX_H

#include "engine/client.h"

/* A packet from the tunnel. */
void sw_ctx_tun(struct sw_client *c, const uint8_t *buf, size_t len, sw_time now,
		struct sw_out *out);
/* The peer became trusted: send its queue, in order, to its mapping; stop its test. */
void sw_ctx_flush(struct sw_client *c, struct sw_peer *p, sw_time now, struct sw_out *out);
/* A bubble from our address to dst6 sent to ep (hop limit hlim); false if not sent. */
bool sw_ctx_bubble_to(struct sw_client *c, struct sw_endpoint ep, const uint8_t dst6[16],
		      uint8_t hlim, struct sw_out *out);
/* Start a direct IPv6 connectivity test for a native peer (rate-limited, SEC-20). */
void sw_ctx_echo_start(struct sw_client *c, struct sw_peer *p, sw_time now, struct sw_out *out);
/* Stop a running test/bubble cycle. */
void sw_ctx_pending_clear(struct sw_client *c, struct sw_peer *p);
/* Retransmissions, failures and local discovery bubbles. */
void sw_ctx_timer(struct sw_client *c, sw_time now, struct sw_out *out);
sw_time sw_ctx_deadline(const struct sw_client *c);

static inline struct sw_client_peer *sw_cpeer(struct sw_peer *p)
{
	return (struct sw_client_peer *)sw_peer_ext(p);
}

#endif
