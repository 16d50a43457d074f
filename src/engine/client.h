/*
 * client: the Teredo client engine (RFC 4380 §5.2 with RFC 5991): qualification and NAT
 * type detection, maintenance, packet reception and transmission, bubbles, the direct IPv6
 * connectivity test and local discovery. Sans-I/O: no syscalls, no clock, no globals;
 * outputs and events go into a struct sw_out, randomness comes from a struct sw_rand.
 */
#ifndef SW_ENGINE_CLIENT_H
#define SW_ENGINE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/bucket.h"
#include "engine/io.h"
#include "engine/peers.h"
#include "engine/pktq.h"
#include "wire/addr.h"

/* Qualification timing (RFC 4380 §5.2.1 T and N). N is read as "3 RS per phase in total"
 * (requirements §11 item 8, as Miredo): the RS is sent, then resent twice 4 s apart, and
 * the phase fails 4 s after the third. Bubbles and echo tests are read as 1 + 3 = 4
 * transmissions, 2 s apart, which matches the cap of 4 bubbles per 300 s. */
#define SW_CLIENT_T_MS 4000u
#define SW_CLIENT_N 3u
#define SW_CLIENT_RETX_MS 2000u
#define SW_CLIENT_RETX_MAX 4u /* 1 + 3 repeats */
#define SW_CLIENT_BUBBLE_WINDOW_MS 300000u
#define SW_CLIENT_BUBBLE_MAX 4u
#define SW_CLIENT_LOCAL_MS 600000u
#define SW_CLIENT_DISCOVERY_IP 0xE00000FDu /* 224.0.0.253 */
#define SW_CLIENT_ANNOUNCE_MS 1000u /* answering a newcomer's discovery: at most 1/s */
#define SW_CLIENT_BACKOFF_MIN_MS 10000u
#define SW_CLIENT_BACKOFF_MAX_MS 300000u

enum sw_client_state {
	SW_CLIENT_INITIAL = 0,
	SW_CLIENT_PROBE = 1, /* "Starting": qualification in progress */
	SW_CLIENT_QUALIFIED = 2,
	SW_CLIENT_OFFLINE = 3,
	SW_CLIENT_DISABLED = 4, /* the host has native IPv6 (RFC 4380 §5.5): not a client */
};

enum sw_client_nat {
	SW_NAT_UNKNOWN = 0,
	SW_NAT_NONE = 1,       /* mapping equals the local address and port */
	SW_NAT_CONE = 2,       /* answered from the other server address (cone phase) */
	SW_NAT_RESTRICTED = 3, /* same mapping seen by both server addresses */
	SW_NAT_SYMMETRIC = 4,  /* different mappings: Teredo unusable */
};

/* Qualification phases (internal, shown in status). */
enum sw_client_phase {
	SW_PH_IDLE = 0,
	SW_PH_CONE = 1,      /* RS with C=1 to the target server (RFC 4380 mode only) */
	SW_PH_PRIMARY = 2,   /* RS with C=0 to the target server */
	SW_PH_SECONDARY = 3, /* RS with C=0 to the other address: symmetric NAT test */
	SW_PH_MAINT = 4,     /* qualified; maintenance RS outstanding */
};

struct sw_client_conf {
	uint32_t server;  /* primary server IPv4, host order; 0 = not known yet (off-line
			   * until sw_client_reconf gives one) */
	uint32_t server2; /* secondary address of the same server; 0 = server + 1 */
	uint16_t local_port;   /* bound service port (for the "no NAT" test) */
	uint32_t local_ip;     /* local IPv4 if known (0: learnt from received packets) */
	uint8_t local_plen;    /* prefix length of the local subnet (local discovery) */
	uint32_t refresh_ms;   /* Teredo refresh interval R; 0 = 30 s */
	bool cone_phase;       /* run the RFC 4380 cone phase first (RFC 5991: off) */
	bool honour_cone;      /* transmission case 4 for C=1 peers (RFC 5991: off) */
	bool no_symmetric_test; /* skip the secondary-address test (Miredo's behaviour) */
	bool local_discovery;  /* RFC 4380 §5.2.8 (off by default, SEC-7) */
	bool rfc6890;          /* also treat RFC 6890 special ranges as non-global */
	const uint8_t *id;     /* secure qualification: client identifier (may be NULL) */
	uint8_t id_len;
	const uint8_t *key; /* shared secret for HMAC-SHA1 (NULL: nonce-only auth) */
	size_t key_len;
	uint32_t max_peers;   /* 0 = 1024 */
	uint32_t queue_bytes; /* per-peer queue bound; 0 = 1280 */
	uint32_t pool_bufs;   /* queued-packet buffers overall; 0 = 256 */
};

#define SW_CLIENT_STATS(X)                                                          \
	X(rx_packets, "UDP datagrams received")                                     \
	X(rx_malformed, "dropped: not a valid Teredo/IPv6 packet")                  \
	X(rx_not_qualified, "dropped: received before qualification")               \
	X(rx_wrong_dst, "dropped: IPv6 destination is not our address")            \
	X(rx_linklocal, "dropped: link-local source from a peer (SEC-1)")           \
	X(rx_trailer_discard, "dropped: unknown trailer asks to discard")           \
	X(rx_delivered, "IPv6 packets delivered to the tunnel")                     \
	X(rx_bubbles, "bubbles consumed")                                           \
	X(rx_untrusted, "dropped: source not trusted (case 6)")                     \
	X(rx_echo_bad_nonce, "echo replies with a wrong nonce")                     \
	X(rx_server, "datagrams from our server")                                   \
	X(ra_accepted, "valid router advertisements")                               \
	X(ra_invalid, "dropped RAs: ND or Teredo validity")                         \
	X(ra_bad_auth, "dropped RAs: missing auth, wrong nonce or MAC")             \
	X(ra_no_origin, "dropped RAs: no origin indication")                        \
	X(ra_unexpected, "dropped RAs: no RS outstanding")                          \
	X(ra_nonglobal, "dropped RAs: mapped IPv4 not global")                      \
	X(ra_new_key, "RAs asking for a new key (confirmation != 0)")               \
	X(rs_sent, "router solicitations sent")                                     \
	X(qualified, "qualifications completed")                                    \
	X(offline, "transitions to off-line")                                       \
	X(disabled, "stepped aside for native IPv6 (RFC 4380 5.5)")                  \
	X(failover, "switches to the other server address")                         \
	X(failback, "returns to the primary server address")                        \
	X(mapping_changed, "mapping changes seen in maintenance")                   \
	X(tx_packets, "IPv6 packets sent to peers")                                 \
	X(tx_not_qualified, "dropped from tunnel: not qualified")                   \
	X(tx_bad_src, "dropped from tunnel: source is not our address")             \
	X(tx_bad_dst, "dropped from tunnel: destination not routable")              \
	X(tx_nonglobal, "dropped from tunnel: Teredo peer IPv4 not global")         \
	X(tx_queued, "packets queued waiting for a peer")                           \
	X(tx_queue_full, "dropped: peer queue or pool bound hit")                   \
	X(tx_peer_full, "dropped: peer table full of protected peers")              \
	X(tx_unreachable, "queued packets dropped after a failed test")             \
	X(bubbles_direct, "direct bubbles sent")                                    \
	X(bubbles_indirect, "indirect bubbles sent")                                \
	X(bubbles_origin, "direct bubbles answering an origin indication")          \
	X(bubbles_limited, "bubbles suppressed by the rate limits")                 \
	X(echo_sent, "direct IPv6 connectivity tests (echo requests) sent")         \
	X(echo_limited, "echo requests suppressed by the rate limits")              \
	X(echo_ok, "successful direct IPv6 connectivity tests")                     \
	X(icmp_sent, "ICMPv6 errors sent to the tunnel")                            \
	X(icmp_limited, "ICMPv6 errors suppressed by the rate limit")               \
	X(local_rx, "local discovery bubbles accepted")                             \
	X(local_filtered, "local discovery bubbles dropped by the SEC-7 filters")   \
	X(local_tx, "local discovery bubbles sent")                                 \
	X(out_full, "outputs dropped: batch full")

struct sw_client_stats {
#define SW_X(n, h) uint64_t n;
	SW_CLIENT_STATS(SW_X)
#undef SW_X
};

/* The per-peer fields only the client uses (sw_peer_ext). */
struct sw_client_peer {
	uint8_t nonce[8];   /* echo test nonce of the running test */
	uint8_t tries;      /* transmissions in the running test / bubble cycle */
	uint8_t pending;    /* 0, SW_PEND_ECHO or SW_PEND_BUBBLE */
	uint16_t echo_id;
	sw_time next_try;   /* when to retransmit */
	struct sw_endpoint local; /* local discovery: local IPv4/port */
	sw_time local_seen;       /* last discovery bubble from it */
	/* RFC 6081 (later): per-peer nonces and predicted port. */
	uint32_t nonce_sent, nonce_recv;
	uint16_t random_port;
	uint8_t ext6081;
};
#define SW_PEND_ECHO 1
#define SW_PEND_BUBBLE 2
#define SW_PEND_LOCAL 3

/* The engine. Fields are private to engine/client*.c; read them through the accessors. */
struct sw_client {
	struct sw_client_conf conf;
	const struct sw_rand *rand;
	uint8_t state;  /* enum sw_client_state */
	uint8_t nat;    /* enum sw_client_nat */
	uint8_t phase;  /* enum sw_client_phase */
	uint8_t target; /* 0: RS to server, 1: RS to server2 (failover) */
	uint8_t attempts;
	bool cone;      /* C bit of the qualified address */
	bool have_addr;
	bool flags_valid;  /* flags were drawn for (mapping, prefix_server) */
	bool native;       /* the host has native IPv6: disabled (sw_client_native) */
	sw_time deadline;  /* next qualification/maintenance action */
	uint8_t rs_nonce[SW_CLIENT_N][8]; /* nonces of this phase's RSs */
	int rs_idx;                   /* which of them the RA being handled answers */
	struct sw_endpoint first_map; /* mapping learnt in the primary phase */
	uint32_t first_ps;            /* prefix server field of that RA */
	struct sw_endpoint mapping;   /* current mapping */
	uint32_t prefix_server;       /* server field of the RA prefix */
	uint16_t flags;               /* flags of the current address */
	uint32_t local_ip;            /* local IPv4 seen on received packets */
	uint8_t addr[16];             /* current Teredo address */
	uint8_t ll[16];               /* its link-local form */
	uint32_t mtu;
	sw_time last_server;          /* last interaction with the server */
	uint32_t rand_refresh;        /* randomized refresh interval (ms) */
	sw_time backoff;              /* current off-line retry delay */
	sw_time qualified_at;
	sw_time next_discovery;       /* local discovery bubble timer */
	sw_time last_discovery;       /* last discovery bubble sent */
	uint32_t pending_peers;       /* peers with a test/bubble cycle running (upper bound) */
	sw_time peer_deadline;        /* earliest next_try among them */
	struct sw_bucket echo_bucket, icmp_bucket, origin_bucket;
	struct sw_peers peers;
	struct sw_pktq_pool pool;
	struct sw_client_stats stats;
};

/* Validates conf and allocates the peer table and the queue pool once. conf->id and
 * conf->key are copied by reference: they must outlive the engine. 0, -EINVAL, -ENOMEM. */
int sw_client_init(struct sw_client *c, const struct sw_client_conf *conf,
		   const struct sw_rand *rand);
void sw_client_free(struct sw_client *c);
/* Begin qualification (first RS). */
void sw_client_start(struct sw_client *c, sw_time now, struct sw_out *out);
/* A UDP datagram from `from`, to local IPv4 `dst_ip` (224.0.0.253 for local discovery). */
void sw_client_udp(struct sw_client *c, struct sw_endpoint from, uint32_t dst_ip,
		   const uint8_t *buf, size_t len, sw_time now, struct sw_out *out);
/* An IPv6 packet from the tunnel to send. */
void sw_client_tun(struct sw_client *c, const uint8_t *buf, size_t len, sw_time now,
		   struct sw_out *out);
void sw_client_timer(struct sw_client *c, sw_time now, struct sw_out *out);
/* Input: whether the host has IPv6 connectivity other than ours (native, 6to4, a tunnel).
 * While it does the client is disabled (RFC 4380 §5.5, statement 52): no address, nothing
 * sent, tunnel packets get ICMPv6 no-route; when it no longer does, it qualifies again.
 * Given before sw_client_start, the client starts disabled. */
void sw_client_native(struct sw_client *c, bool native, sw_time now, struct sw_out *out);
sw_time sw_client_next_deadline(const struct sw_client *c);
/* Changes applied without losing peers: refresh interval, options. Server changes
 * requalify. 0 or -EINVAL. */
int sw_client_reconf(struct sw_client *c, const struct sw_client_conf *conf, sw_time now,
		     struct sw_out *out);

const char *sw_client_state_name(unsigned state);
const char *sw_client_nat_name(unsigned nat);
/* Current address (false when none). */
bool sw_client_addr(const struct sw_client *c, uint8_t addr[16]);
/* The NAT type found by the last qualification round (enum sw_client_nat). */
unsigned sw_client_nat(const struct sw_client *c);
/* The mapping the primary phase of the last round learnt, also when the round ended
 * without an address (symmetric NAT): false when none was learnt. */
bool sw_client_first_mapping(const struct sw_client *c, struct sw_endpoint *map);
size_t sw_client_stats(const struct sw_client *c, struct sw_stat *out, size_t cap);

#endif
