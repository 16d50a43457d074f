/*
 * relay: the Teredo relay and host-specific relay engine (RFC 4380 §5.4, §3.4, §5.5;
 * RFC 5991 §3.2). IPv6 packets from the IPv6 side go to Teredo clients directly once the
 * peer is trusted, else are queued behind an indirect bubble through the client's server
 * (2 s retries, 1 + 3 bubbles, then an ICMPv6 error); datagrams from clients are forwarded
 * to the IPv6 side only when their Teredo source matches the UDP source and their
 * destination is served here. Peer entries are made only by our own transmissions (a
 * datagram makes a known peer trusted, never a new entry). Sans-I/O: no syscalls, no
 * clock, no globals, no allocation after sw_relay_init; every drop is counted by reason.
 */
#ifndef SW_ENGINE_RELAY_H
#define SW_ENGINE_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/bucket.h"
#include "engine/io.h"
#include "engine/peers.h"
#include "engine/pktq.h"
#include "engine/ratelimit.h"

#define SW_RELAY_BUBBLE_MS 2000u  /* bubble retransmission timeout (§5.4.1 case 3) */
#define SW_RELAY_BUBBLES 4u       /* first bubble + 3 repeats (requirements §11 item 8) */
#define SW_RELAY_WINDOW_MS 300000u /* bubble window of §5.2.6 */
#define SW_RELAY_MAX_SERVED 8
#define SW_RELAY_MAX_HOST_ADDRS 16
#define SW_RELAY_ICMP_RATE 10  /* ICMPv6 errors per second (RFC 4443 §2.4 f) */
#define SW_RELAY_ICMP_BURST 10
/* Bubbles to one server IPv4 (a forged packet per fake destination must not turn the relay
 * into a flood towards a third party's port 3544). */
#define SW_RELAY_BUBBLE_RATE 1000
#define SW_RELAY_BUBBLE_BURST 2000
#define SW_RELAY_BUBBLE_RL_ENTRIES 4096

#define SW_RELAY_HEARD 0x01u /* sw_peer.aux: something was received from this peer */

struct sw_prefix6 {
	uint8_t addr[16];
	uint8_t len;
};

struct sw_relay_config {
	uint8_t prefix[16];   /* Teredo prefix (first 4 bytes used); zero = 2001:0::/32 */
	bool direct_bubbles;  /* also a direct bubble to the mapping (RelayType restricted) */
	bool honor_cone;      /* RFC 4380 case 2 for C=1 (default off: RFC 5991 §3.2) */
	bool host;            /* host-specific relay: serve only the host's own addresses */
	bool accept_symmetric; /* trust a bubble with a foreign mapping that answers our
			       * hashed bubble source (Miredo's stateless check) */
	bool zero_copy;       /* outputs may point into input buffers until the flush */
	unsigned global_opts; /* sw_ipv4_is_global options */
	uint8_t sock;         /* socket index of outputs */
	uint16_t mtu;         /* larger packets get Packet Too Big; 0 = 1280 (InterfaceMTU) */
	size_t max_peers;     /* 0 = 65536 */
	uint32_t queue_bytes; /* per peer awaiting trust; 0 = 1280 */
	uint32_t queue_bufs;  /* 1280-byte buffers shared by all queues; 0 = 4096 */
	uint32_t icmp_rate, icmp_burst; /* 0 = defaults */
	uint32_t bubble_rate, bubble_burst; /* per server IPv4; 0 = defaults, UINT32_MAX = off */
	uint8_t icmp_src[16]; /* source of ICMPv6 errors; zero = the invoking destination */
	/* Combined server+relay (RFC 4380 §5.4.3): the co-located server's primary IPv4
	 * (host order; 0 = none). A bubble for one of its clients is not sent to ourselves
	 * but, as that server would forward it, straight to the client's mapping with an
	 * origin indication of local_server:3544 (and no extra direct bubble). Destinations
	 * mapped onto either server address, or "served" by its secondary (no client is),
	 * are dropped: we would only be sending to ourselves. */
	uint32_t local_server;
	uint32_t local_server2; /* the co-located server's secondary IPv4; 0 = none */
	/* Relay: destinations it forwards to (none = every global non-Teredo address).
	 * Host relay: the host's addresses (more are learned from tun sources). */
	struct sw_prefix6 served[SW_RELAY_MAX_SERVED];
	size_t n_served;
	const struct sw_rand *rand; /* keys the table and the bubble source hash; required */
};

/* X-macro: field, external name, help. Drops are named drop_<reason>. */
#define SW_RELAY_STATS(X)                                                                  \
	X(tun_rx, "relay_tun_rx", "IPv6 packets from the IPv6 side")                       \
	X(udp_rx, "relay_udp_rx", "datagrams from Teredo clients")                         \
	X(fwd_teredo, "relay_forwarded_to_teredo", "IPv6 packets sent to Teredo clients")  \
	X(fwd_ipv6, "relay_forwarded_to_ipv6", "packets from Teredo clients forwarded to IPv6") \
	X(bubbles_indirect, "relay_bubbles_indirect", "bubbles sent through a client's server") \
	X(bubbles_direct, "relay_bubbles_direct", "bubbles sent to a client's mapping")    \
	X(bubbles_local, "relay_bubbles_local_server", "bubbles to clients of the co-located server (origin indication)") \
	X(bubbles_rx, "relay_bubbles_received", "bubbles received from clients")           \
	X(bubbles_limited, "relay_bubbles_rate_limited", "bubbles not sent: per-server rate limit") \
	X(queued, "relay_queued", "packets queued for a peer not yet trusted")             \
	X(flushed, "relay_flushed", "queued packets sent when the peer became trusted")    \
	X(trusted, "relay_peers_trusted", "peers that became trusted")                     \
	X(rx_no_entry, "relay_rx_unknown_peer", "packets from clients never sent to (no entry made)") \
	X(peer_failed, "relay_peers_unreachable", "peers given up after the last bubble")  \
	X(icmp_unreach, "relay_icmp_unreachable", "ICMPv6 address-unreachable errors sent") \
	X(icmp_ptb, "relay_icmp_too_big", "ICMPv6 packet-too-big errors sent")             \
	X(icmp_limited, "relay_icmp_rate_limited", "ICMPv6 errors not sent (rate limit)")  \
	X(table_full, "relay_table_full", "new peers refused: every entry trusted and active") \
	X(host_addr_replaced, "relay_host_addr_replaced", "host relay: own addresses forgotten (table of 16 full)") \
	X(drop_tun_malformed, "relay_drop_tun_malformed", "invalid IPv6 packet from the IPv6 side") \
	X(drop_dst_not_teredo, "relay_drop_dst_not_teredo", "destination not a Teredo address") \
	X(drop_dst_nonglobal, "relay_drop_dst_ipv4_nonglobal", "embedded IPv4 not global unicast") \
	X(drop_dst_self, "relay_drop_dst_self", "destination mapped onto (or served by the secondary of) the co-located server") \
	X(drop_src_scope, "relay_drop_src_scope", "IPv6-side source not a global address") \
	X(drop_too_big, "relay_drop_too_big", "larger than the Teredo MTU (InterfaceMTU)")  \
	X(drop_no_entry, "relay_drop_table_full", "no peer entry could be made")          \
	X(drop_queue_full, "relay_drop_queue_full", "queue bound or buffer pool exhausted") \
	X(drop_unreachable, "relay_drop_unreachable", "queued packets of a peer given up") \
	X(drop_malformed, "relay_drop_malformed", "not a well-formed Teredo packet")       \
	X(drop_encap, "relay_drop_encap", "authentication header (only servers use it)")  \
	X(drop_trailer, "relay_drop_trailer", "RFC 6081 trailer that says discard")        \
	X(drop_src_not_teredo, "relay_drop_src_not_teredo", "IPv6 source not a Teredo address (SEC-12)") \
	X(drop_src_nonglobal, "relay_drop_src_ipv4_nonglobal", "non-global IPv4 source or embedded mapping") \
	X(drop_mapping, "relay_drop_mapping_mismatch", "Teredo source not matching the IPv4 source/port (SEC-12)") \
	X(drop_not_served, "relay_drop_dst_not_served", "destination outside the served range (SEC-13)") \
	X(drop_out_full, "relay_drop_out_full", "output batch full")

struct sw_relay_stats {
#define SW_RELAY_FIELD(f, name, help) uint64_t f;
	SW_RELAY_STATS(SW_RELAY_FIELD)
#undef SW_RELAY_FIELD
};

struct sw_relay {
	struct sw_relay_config cfg;
	struct sw_peers peers;
	struct sw_pktq_pool pool;
	struct sw_ratelimit bubble_rl; /* per server IPv4 */
	uint64_t ll_k0, ll_k1; /* key of the bubble source hash */
	struct sw_bucket icmp; /* ICMPv6 errors (RFC 4443 §2.4 f) */
	uint8_t host_addr[SW_RELAY_MAX_HOST_ADDRS][16]; /* learned host addresses (ring) */
	size_t n_host, host_next;
	struct sw_relay_stats st;
};

/* 0, -EINVAL or -ENOMEM. */
int sw_relay_init(struct sw_relay *r, const struct sw_relay_config *cfg);
void sw_relay_free(struct sw_relay *r);

/* An IPv6 packet from the IPv6 side (the tunnel device). */
void sw_relay_tun_input(struct sw_relay *r, const uint8_t *buf, size_t len, sw_time now,
			struct sw_out *out);
/* A datagram received on the service port from `from`. */
void sw_relay_udp_input(struct sw_relay *r, struct sw_endpoint from, const uint8_t *buf,
			size_t len, sw_time now, struct sw_out *out);
/* Bubble retransmissions and give-ups; call when now >= sw_relay_next_deadline(). */
void sw_relay_timer(struct sw_relay *r, sw_time now, struct sw_out *out);
sw_time sw_relay_next_deadline(struct sw_relay *r);

/* The link-local source of our bubbles to dst: fe80:: + a keyed hash of dst. */
void sw_relay_bubble_src(const struct sw_relay *r, const uint8_t dst[16], uint8_t src[16]);
/* Host relay: one more own address (configured or learned by the adapter). */
void sw_relay_host_addr_add(struct sw_relay *r, const uint8_t a[16]);
/* Counters (relay and peer table) into out; returns the number written. */
size_t sw_relay_stats(const struct sw_relay *r, struct sw_stat *out, size_t cap);

#endif
