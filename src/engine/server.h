/*
 * server: the stateless Teredo server engine (RFC 4380 §5.3, RFC 5991 §3.2): the
 * acceptance checks of §5.3.1 in order, Router Solicitation → Router Advertisement,
 * forwarding of bubbles and small ICMPv6 to Teredo clients, client echo tests to the IPv6
 * side, secure qualification, and abuse limits. Sans-I/O: no syscalls, no clock, no
 * globals, no allocation after sw_server_init; every drop is counted by reason.
 */
#ifndef SW_ENGINE_SERVER_H
#define SW_ENGINE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/io.h"
#include "engine/ratelimit.h"

#define SW_SERVER_SOCK_PRIMARY 0
#define SW_SERVER_SOCK_SECONDARY 1

/* Open-relay bound of a pure server: what it forwards at all (see README "Running a
 * server"): bubbles with at most SW_SERVER_TRAILER_MAX bytes of RFC 6081 trailers, and
 * ICMPv6 Echo Request/Reply whose IPv6 payload is at most relay_max bytes. */
#define SW_SERVER_RELAY_MAX 88
#define SW_SERVER_TRAILER_MAX 64

/* Per-source defaults: packets per second and burst per source IPv4 address. */
#define SW_SERVER_RL_RATE 50
#define SW_SERVER_RL_BURST 100
#define SW_SERVER_RL_ENTRIES 16384
/* Per destination IPv4 of forwarded packets (bubbles and echoes to clients), so spoofed
 * sources cannot use the server to flood one client. */
#define SW_SERVER_FWD_RATE 500
#define SW_SERVER_FWD_BURST 1000

#define SW_SECRET_ID_MAX 64
#define SW_SECRET_KEY_MAX 64

/* One client identifier of secure qualification (RFC 4380 §5.2.2). */
struct sw_server_secret {
	uint8_t id[SW_SECRET_ID_MAX];
	uint8_t key[SW_SECRET_KEY_MAX];
	uint8_t id_len, key_len;
	bool expired; /* still verified, but the RA's confirmation byte asks for a new key */
};

struct sw_server_config {
	uint32_t primary, secondary; /* global IPv4s, host order; sockets 0 and 1 */
	bool secure;                 /* every RS must carry a known identifier and a valid MAC */
	const struct sw_server_secret *secrets; /* copied at init */
	size_t n_secrets;
	bool relay;         /* RFC 4380 §5.4.3 combined server+relay: see README */
	unsigned global_opts; /* sw_ipv4_is_global options (SW_GLOBAL_RFC6890) */
	uint16_t relay_max;   /* 0 = SW_SERVER_RELAY_MAX */
	uint32_t rl_rate;     /* per-source packets/s; 0 = default; UINT32_MAX = no limit */
	uint32_t rl_burst;    /* 0 = default */
	size_t rl_entries;    /* 0 = default (also the size of the destination table) */
	uint32_t fwd_rate;    /* per-destination packets/s forwarded; 0 = default; UINT32_MAX = none */
	uint32_t fwd_burst;   /* 0 = default */
	const struct sw_rand *rand; /* keys the rate-limit hash; required */
};

/* X-macro: field, external name, help. Drops are named drop_<reason>. */
#define SW_SERVER_STATS(X)                                                                 \
	X(rx, "server_rx", "datagrams received on either server address")                  \
	X(rs_answered, "server_rs_answered", "router solicitations answered")              \
	X(ra_primary, "server_ra_sent_primary", "router advertisements sent from the primary address") \
	X(ra_secondary, "server_ra_sent_secondary", "router advertisements sent from the secondary address") \
	X(ra_auth, "server_ra_authenticated", "router advertisements carrying a MAC")      \
	X(ra_conf_renew, "server_ra_key_expired", "RAs whose confirmation asks for a new key") \
	X(fwd_teredo, "server_forwarded_teredo", "packets forwarded to Teredo clients")     \
	X(fwd_ipv6, "server_forwarded_ipv6", "packets forwarded to the IPv6 side")         \
	X(echo_local, "server_echo_answered", "echo requests to the server answered")      \
	X(tun_rx, "server_tun_rx", "packets received from the IPv6 side")                  \
	X(tun_fwd, "server_tun_forwarded", "IPv6-side packets forwarded to served clients") \
	X(to_relay, "server_passed_to_relay", "datagrams left to the co-located relay (RFC 4380 5.4.3)") \
	X(drop_malformed, "server_drop_malformed", "not a well-formed Teredo packet (5.3.1 rule 1)") \
	X(drop_not_icmp, "server_drop_not_icmp", "neither bubble nor ICMPv6 (rule 2)")      \
	X(drop_src_nonglobal, "server_drop_src_nonglobal", "IPv4 source not global unicast (rule 3)") \
	X(drop_own_source, "server_drop_own_source", "from one of the server's own addresses, any port (loop)") \
	X(drop_rate_limited, "server_drop_rate_limited", "per-source rate limit")          \
	X(drop_dst_rate_limited, "server_drop_dst_rate_limited", "per-destination rate limit of forwarded packets") \
	X(drop_rs_invalid, "server_drop_rs_invalid", "router solicitation failing ND validity") \
	X(drop_auth_missing, "server_drop_auth_missing", "secure mode: RS without a known client identifier") \
	X(drop_auth_bad, "server_drop_auth_bad", "RS with a wrong MAC")                    \
	X(drop_mapping, "server_drop_mapping_mismatch", "Teredo source not matching the IPv4 source/port (rules 5, 7)") \
	X(drop_not_served, "server_drop_not_served", "not served here: non-Teredo source to another server's client (rules 6, 7), or another server's client to the IPv6 side") \
	X(drop_src6_scope, "server_drop_src6_scope", "unspecified, loopback or multicast IPv6 source (rule 7)") \
	X(drop_local_other, "server_drop_local_other", "other packet for the server itself") \
	X(drop_dst_nonglobal, "server_drop_dst_nonglobal", "IPv6 destination not global scope") \
	X(drop_dst_mapped_nonglobal, "server_drop_dst_mapped_nonglobal", "Teredo destination embedding a non-global IPv4") \
	X(drop_dst_self, "server_drop_dst_self", "Teredo destination mapped onto the server itself (loop)") \
	X(drop_relay_bound, "server_drop_relay_bound", "beyond the open-relay bound (type or size)") \
	X(drop_out_full, "server_drop_out_full", "output batch full")                      \
	X(drop_tun_malformed, "server_drop_tun_malformed", "malformed packet from the IPv6 side") \
	X(drop_tun_not_served, "server_drop_tun_not_served", "IPv6-side packet not for a client of this server") \
	X(rl_evicted, "server_ratelimit_evicted", "rate-limit table entries replaced (table bound hit)") \
	X(rl_dst_evicted, "server_ratelimit_dst_evicted", "destination rate-limit entries replaced (table bound hit)")

struct sw_server_stats {
#define SW_SERVER_FIELD(f, name, help) uint64_t f;
	SW_SERVER_STATS(SW_SERVER_FIELD)
#undef SW_SERVER_FIELD
};

struct sw_server {
	uint32_t ip[2]; /* primary, secondary */
	uint8_t ll[16]; /* server link-local (from the primary) */
	uint8_t ll2[16]; /* link-local form of the secondary, also "the server itself" */
	bool secure, relay;
	unsigned global_opts;
	uint16_t relay_max;
	struct sw_server_secret *secrets;
	size_t n_secrets;
	struct sw_ratelimit rl;     /* per source IPv4 */
	struct sw_ratelimit rl_dst; /* per destination IPv4 of forwarded packets */
	struct sw_server_stats st;
};

/* 0, -EINVAL (addresses missing, equal or not global; no rand) or -ENOMEM. */
int sw_server_init(struct sw_server *s, const struct sw_server_config *cfg);
void sw_server_free(struct sw_server *s);

/* A datagram that arrived on server socket `sock` (SW_SERVER_SOCK_*) from `from`. Outputs:
 * SW_OUT_UDP with sock 0/1 (always from port 3544), SW_OUT_TUN for the IPv6 side. */
void sw_server_input(struct sw_server *s, unsigned sock, struct sw_endpoint from,
		     const uint8_t *buf, size_t len, sw_time now, struct sw_out *out);
/* Combined server+relay (RFC 4380 §5.4.3), for a caller that also runs a relay engine on
 * the same sockets. Like sw_server_input, except that a datagram passing rules 1 and 3
 * whose IPv6 source is a Teredo address and whose destination is the IPv6 side (not
 * Teredo) or a non-global address that is not the server's (the link-local source of the
 * relay's bubbles) is left untouched for the relay rule set (§5.4.2): the caller hands it
 * to sw_relay_udp_input. Such datagrams skip the per-source limit (the relay bounds them)
 * and are counted as to_relay. Everything else gets the server rules, rule 2 relaxed. */
enum sw_server_verdict {
	SW_SERVER_DONE = 0,     /* processed or dropped (counted) by the server rules */
	SW_SERVER_TO_RELAY = 1, /* for the relay: nothing was output */
};
enum sw_server_verdict sw_server_input_combined(struct sw_server *s, unsigned sock,
						struct sw_endpoint from, const uint8_t *buf,
						size_t len, sw_time now, struct sw_out *out);
/* An IPv6 packet from the IPv6 side (the tunnel device). Forwarded to a client of this
 * server (destination 2001:0:<primary>::/64) from the primary address, within the bound. */
void sw_server_tun_input(struct sw_server *s, const uint8_t *buf, size_t len, sw_time now,
			 struct sw_out *out);
/* The engine is stateless: SW_TIME_NEVER. */
sw_time sw_server_next_timeout(const struct sw_server *s);
/* Counters into out[0..cap); returns how many were written. */
size_t sw_server_stats(const struct sw_server *s, struct sw_stat *out, size_t cap);

/* One line of a client secrets file: "<client-id> <hex-secret> [expired]", '#' comments.
 * Returns 1 (entry filled), 0 (blank or comment) or -EINVAL. No I/O. */
int sw_server_secret_parse(const char *line, struct sw_server_secret *out);

#endif
