/*
 * sim: the simulated world — nodes (hosts running real engines, NAT boxes, IPv6-only
 * hosts) in IPv4 address realms (the Internet, the inside of each NAT), an IPv6
 * internet, the event loop and the invariant failure log. Deterministic for a seed;
 * never touches a real network, clock or entropy source.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "engine/io.h"
#include "evq.h"
#include "hmap.h"
#include "link.h"
#include "nat.h"
#include "pool.h"
#include "rng.h"

#define SIM_NONE UINT32_MAX
#define SIM_INTERNET 0 /* realm 0: the public IPv4 Internet */
#define SIM_MAX_SOCK 4
#define SIM_OUT_CAP 256

enum sim_role {
	SIM_ROLE_NAT = 1,
	SIM_ROLE_SERVER,
	SIM_ROLE_CLIENT,
	SIM_ROLE_RELAY,
	SIM_ROLE_V6HOST,
	SIM_ROLE_PROBE, /* sends crafted datagrams (spoofing, bogus destinations) */
};

enum sim_side { SIM_SIDE_OUT = 0, SIM_SIDE_IN = 1, SIM_SIDE_SELF = 2 };

struct sim;
struct sim_node;
struct sim_pkt;

/* What a role does with the simulator's inputs; any hook may be NULL. */
struct sim_role_ops {
	const char *name;
	/* A UDP datagram for local socket sock. */
	void (*udp_in)(struct sim *s, struct sim_node *n, uint8_t sock, const struct sim_pkt *p);
	/* An IPv6 packet: side SIM_SIDE_OUT from the IPv6 internet, SIM_SIDE_SELF from the
	 * host's own stack (sim_loop6) towards its engine's tunnel. */
	void (*v6_in)(struct sim *s, struct sim_node *n, uint8_t side, const struct sim_pkt *p);
	/* Restart the engine (a host or daemon restart: all state lost). */
	void (*restart)(struct sim *s, struct sim_node *n);
	void (*timer)(struct sim *s, struct sim_node *n);
	/* An SW_OUT_TUN output of the node's engine. */
	void (*tun_out)(struct sim *s, struct sim_node *n, const uint8_t *pkt, size_t len);
	void (*event)(struct sim *s, struct sim_node *n, const struct sw_event *ev);
	/* The host's own IPv6 stack sends pkt (traffic, echo replies); it may not call the
	 * engine synchronously from inside tun_out (use sim_loop6 to defer). */
	void (*stack_send)(struct sim *s, struct sim_node *n, const uint8_t *pkt, size_t len);
	/* The node's current IPv6 address (a client's Teredo address); false if none. */
	bool (*addr6)(struct sim *s, struct sim_node *n, uint8_t out[16]);
	/* Invariant sweep over the node's engine state. */
	void (*check)(struct sim *s, struct sim_node *n);
	void (*free)(struct sim_node *n);
	/* The engine held back bubbles under RFC 4380 §5.2.6 (4 unanswered in 300 s). */
	bool (*bubbles_held)(struct sim_node *n);
	/* Nonzero engine counters, for -v reports. */
	size_t (*stats)(struct sim_node *n, struct sw_stat *out, size_t cap);
};

struct sim_sock {
	uint8_t ip; /* index into node ip[] */
	uint16_t port;
};

struct sim_node {
	uint8_t role, n_ip, n_sock, has_v6;
	uint8_t link_peers; /* may send to hosts on its own link (local discovery is on) */
	uint32_t realm; /* where ip[] live (a NAT's outside) */
	uint32_t ip[2];
	struct sim_sock sock[SIM_MAX_SOCK];
	struct sim_link link;
	struct sim_link_stats lst;
	uint32_t inside; /* NAT: its inside realm */
	struct sim_nat *nat;
	uint32_t relay;  /* node carrying this node's 2001::/32 traffic (IPv6 side) */
	uint8_t v6[16];  /* address on the IPv6 internet */
	sw_time timer_at, spin_at;
	uint32_t spin; /* timers run at the same instant in a row */
	const struct sim_role_ops *ops;
	void *st;        /* role state (engines keep pointers into it: heap, never moved) */
	char name[24];
};

struct sim_realm {
	uint32_t nat; /* NAT node whose inside this is; SIM_NONE for the Internet */
	uint32_t *hosts; /* nodes living here (multicast on the link: local discovery) */
	uint32_t n_hosts, cap_hosts;
};

#define SIM_DISCOVERY_IP 0xE00000FDu /* 224.0.0.253, RFC 4380 §2.17 */

#define SIM_COUNTERS(X)                                                          \
	X(udp_sent, "UDP datagrams sent by engines and probes")                  \
	X(v6_sent, "IPv6 packets sent on the IPv6 internet")                     \
	X(delivered_udp, "UDP datagrams delivered to a socket")                  \
	X(delivered_v6, "IPv6 packets delivered to a node")                      \
	X(lost, "copies lost on links")                                          \
	X(unroutable, "datagrams to an address nobody has")                      \
	X(blackholed, "datagrams to a blackholed address")                       \
	X(multicast, "local discovery bubbles copied to the hosts of a link")   \
	X(no_socket, "datagrams to a port nobody listens on")                    \
	X(nat_dropped, "datagrams a NAT dropped (no mapping, filtered, no port)") \
	X(hairpin_off, "datagrams to the NAT's own address with hairpinning off") \
	X(too_big, "outputs larger than a simulator packet")                     \
	X(no_relay, "IPv6 packets for 2001::/32 with no relay to carry them")    \
	X(out_full, "engine outputs dropped because the batch was full")         \
	X(engine_calls, "engine calls")                                          \
	X(timers, "engine timers run")                                           \
	X(checks, "invariant checks made")                                       \
	X(qualified, "qualifications (address configured)")                      \
	X(addr_changes, "qualified addresses replaced")                          \
	X(pings_sent, "echo requests sent by traffic flows")                     \
	X(pings_answered, "echo replies received by traffic flows")              \
	X(tun_delivered, "IPv6 packets the client engines delivered to their host")

struct sim_stats {
#define SIM_X(n, h) uint64_t n;
	SIM_COUNTERS(SIM_X)
#undef SIM_X
};

struct sim_flow;
struct sim_action;

struct sim {
	uint64_t seed;      /* this run's seed (derived from base_seed and the scenario) */
	uint64_t base_seed; /* what --seed takes to replay it */
	struct sim_rng rng; /* the network's draws (links, NAT ports); engines have their own */
	struct sim_evq q;
	struct sim_pool pool;
	struct sim_node *nodes;
	uint32_t n_nodes, cap_nodes;
	struct sim_realm *realms;
	uint32_t n_realms, cap_realms;
	struct sim_hmap addr4; /* (realm, ip) → node + 1 */
	struct sim_hmap addr6; /* IPv6 address → node + 1 */
	struct sim_hmap blackhole; /* (realm, ip) → 1: datagrams to it vanish (a fault) */
	uint32_t default_relay;
	struct sim_flow *flows;
	uint32_t n_flows, cap_flows;
	struct sim_action *acts;
	uint32_t n_acts, cap_acts;
	struct sw_out out;
	struct sw_out_pkt out_pkt[SIM_OUT_CAP];
	struct sw_event out_ev[32];
	uint8_t arena[SIM_OUT_CAP * 1536];
	struct sim_stats st;
	sw_time check_every;
	uint64_t sweeps;        /* invariant sweeps so far; table walks run every few */
	bool final_sweep;       /* the last sweep of a run walks everything */
	sw_time addr_lag_max;   /* longest time a qualified address lagged its NAT mapping */
	sw_time addr_lag_limit; /* allowed lag: one refresh interval plus RS retries */
	uint32_t worst_permille; /* lowest share of answered pings of a deliverable flow */
	uint32_t min_permille;   /* what a deliverable flow must reach after warm-up */
	uint32_t loss_ppm;       /* the scenario's loss on client links (for verdicts) */
	uint32_t notes;          /* failures excused as the RFC's own behaviour under loss */
	sw_time end;
	uint32_t failures;
	uint32_t max_report; /* failures printed in full */
	int verbose;
	const char *scenario;
	const char *trace;   /* node name whose datagrams are printed (--trace) */
	uint32_t trace_node;
};

int sim_init(struct sim *s, uint64_t seed);
void sim_free(struct sim *s);
static inline sw_time sim_now(const struct sim *s)
{
	return s->q.now;
}

/* World building. Addresses in host byte order. */
uint32_t sim_realm_new(struct sim *s, uint32_t nat_node);
uint32_t sim_node_new(struct sim *s, uint8_t role, const char *name, uint32_t realm,
		      uint32_t ip, const struct sim_link *link);
/* A generator for node's engine, derived from the seed and the node's index only. */
void sim_seed_node(const struct sim *s, uint32_t node, struct sim_rng *r);
int sim_node_add_ip(struct sim *s, uint32_t node, uint32_t ip);
int sim_node_add_sock(struct sim *s, uint32_t node, uint8_t ip_idx, uint16_t port);
int sim_node_set_v6(struct sim *s, uint32_t node, const uint8_t v6[16]);
/* A NAT whose outside is ip in realm; returns the node. Its inside realm is node->inside
 * and its inside address inside_ip. */
uint32_t sim_nat_new(struct sim *s, const char *name, uint32_t realm, uint32_t ip,
		     uint32_t inside_ip, const struct sim_nat_cfg *cfg,
		     const struct sim_link *link);
static inline struct sim_node *sim_node(struct sim *s, uint32_t i)
{
	return &s->nodes[i];
}

/* Keys of the address maps. */
static inline struct sim_key sim_key4(uint32_t realm, uint32_t ip)
{
	struct sim_key k = {realm, ip};
	return k;
}

static inline struct sim_key sim_key6(const uint8_t a[16])
{
	struct sim_key k;

	memcpy(&k.a, a, 8);
	memcpy(&k.b, a + 8, 8);
	return k;
}

/* Faults. */
void sim_blackhole(struct sim *s, uint32_t realm, uint32_t ip, bool on);
/* The NAT gets another public address (and, like a reboot, loses every mapping). */
void sim_nat_renumber(struct sim *s, uint32_t node, uint32_t ip);

/* Sending. */
void sim_send4(struct sim *s, struct sim_node *n, uint8_t sock, struct sw_endpoint dst,
	       const uint8_t *data, size_t len);
/* A datagram with a forged source (probes). */
void sim_send4_raw(struct sim *s, struct sim_node *n, struct sw_endpoint src,
		   struct sw_endpoint dst, const uint8_t *data, size_t len);
void sim_send6(struct sim *s, struct sim_node *n, const uint8_t *pkt, size_t len);
/* Hand an IPv6 packet to the node itself after `delay` (a host stack's answer). */
void sim_loop6(struct sim *s, struct sim_node *n, const uint8_t *pkt, size_t len, sw_time delay);

/* Engine plumbing: call before an engine call, then flush its outputs. */
struct sw_out *sim_out(struct sim *s);
void sim_flush(struct sim *s, struct sim_node *n);
void sim_arm(struct sim *s, struct sim_node *n, sw_time at);
void sim_schedule(struct sim *s, sw_time at, uint8_t kind, uint32_t node, uint32_t arg);

/* The external endpoint a datagram from (node, sock) to dst would leave the last NAT with
 * right now, without creating mappings; false if some NAT on the way has no mapping. */
bool sim_public_ep(struct sim *s, const struct sim_node *n, uint8_t sock,
		   struct sw_endpoint dst, struct sw_endpoint *out);

/* Invariant failures: printed with the seed and scenario; counted. */
void sim_fail(struct sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints every node's nonzero engine counters and NAT counters (verbose reports). */
void sim_report(struct sim *s);
/* A packet event arrived at node n (the event loop's hand-off to routing). */
void sim_pkt_arrive(struct sim *s, struct sim_node *n, uint8_t side, uint32_t idx);
/* Runs events until `until` (virtual ms). */
void sim_run(struct sim *s, sw_time until);

#endif
