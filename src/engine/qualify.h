/*
 * qualify: the client's qualification and maintenance state machine (RFC 4380 §5.2.1,
 * §5.2.2, §5.2.5 with RFC 5991): RS with a fresh auth nonce, RA validation, NAT type
 * detection, address construction with random flags, off-line back-off and failover.
 * Part of the client engine; never does I/O.
 */
#ifndef SW_ENGINE_QUALIFY_H
#define SW_ENGINE_QUALIFY_H

#include "engine/client.h"

struct sw_pkt;
struct sw_ip6;

/* Start a qualification round (status Starting, first RS). */
void sw_qualify_begin(struct sw_client *c, sw_time now, struct sw_out *out);
/* An RA (ICMPv6 134) received from a server address, port 3544. */
void sw_qualify_ra(struct sw_client *c, const struct sw_pkt *pkt, const struct sw_ip6 *ip,
		   sw_time now, struct sw_out *out);
void sw_qualify_timer(struct sw_client *c, sw_time now, struct sw_out *out);
/* Go off-line: remove the address, retry after the back-off (or now when immediate). */
void sw_qualify_offline(struct sw_client *c, sw_time now, bool immediate, struct sw_out *out);
/* Stop: remove the address, state Disabled, no timer (native IPv6, RFC 4380 §5.5). */
void sw_qualify_disable(struct sw_client *c, struct sw_out *out);
/* The server address RSs of the current phase go to. */
uint32_t sw_qualify_rs_target(const struct sw_client *c);
/* The server IPv4 of the qualified address (where echo tests go). */
uint32_t sw_qualify_server(const struct sw_client *c);

#endif
