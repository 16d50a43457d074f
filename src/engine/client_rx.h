/*
 * client_rx: the client's reception side (RFC 4380 §5.2.3, §5.2.8): packets from the
 * server (last interaction, RA, origin-indication bubbles), the six peer cases, local
 * discovery bubbles with the SEC-7 filters. Part of the client engine; never does I/O.
 */
#ifndef SW_ENGINE_CLIENT_RX_H
#define SW_ENGINE_CLIENT_RX_H

#include "engine/client.h"

struct sw_pkt;
struct sw_ip6;

/* A valid Teredo packet from one of the server addresses, port 3544. */
void sw_crx_server(struct sw_client *c, struct sw_endpoint from, const struct sw_pkt *pkt,
		   const struct sw_ip6 *ip, sw_time now, struct sw_out *out);
/* A valid Teredo packet from anyone else; dst_ip is the IPv4 destination. */
void sw_crx_peer(struct sw_client *c, struct sw_endpoint from, uint32_t dst_ip,
		 const struct sw_ip6 *ip, sw_time now, struct sw_out *out);

#endif
