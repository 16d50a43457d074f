/*
 * traffic: what happens over time in a scenario — echo flows between nodes (with the
 * delivery each flow is expected to achieve), the host stack that answers echo requests
 * and counts replies, and faults (NAT reboots, links going down, spoofing probes).
 */
#ifndef SIM_TRAFFIC_H
#define SIM_TRAFFIC_H

#include <stdint.h>

#include "engine/io.h"

struct sim;
struct sim_node;

enum sim_expect {
	SIM_EXPECT_ANY = 0,     /* nothing required */
	SIM_EXPECT_DELIVER = 1, /* the RFCs make it deliverable: most pings must be answered */
	SIM_EXPECT_NEVER = 2,   /* must never be answered (bogus destination) */
};

struct sim_flow {
	uint32_t src, dst;   /* nodes; dst SIM_NONE: fixed address dst_addr */
	uint8_t dst_addr[16];
	sw_time start, every, warm; /* replies to pings sent after warm count for the verdict */
	uint32_t count;      /* pings to send */
	uint8_t expect;
	uint32_t sent, answered, skipped, sent_warm, answered_warm, dup;
	uint32_t warm_seq, hi; /* first warm sequence number; highest answered + 1 */
};

enum sim_act_kind {
	SIM_ACT_NAT_REBOOT = 1, /* node: NAT */
	SIM_ACT_LINK_DOWN,      /* node */
	SIM_ACT_LINK_UP,        /* node */
	SIM_ACT_LINK_LOSS,      /* node, arg = loss ppm */
	SIM_ACT_SPOOF_NATIVE,   /* node: probe; arg: client — a datagram claiming a native
				   IPv6 source (the first IPv6 host) from the probe's address */
	SIM_ACT_SPOOF_TEREDO,   /* node: probe; arg: client — a Teredo source that does not
				   embed the probe's address */
	SIM_ACT_BLACKHOLE_ON,   /* arg: an Internet IPv4 address whose datagrams vanish */
	SIM_ACT_BLACKHOLE_OFF,
	SIM_ACT_NAT_RENUMBER,   /* node: NAT; arg: its new public IPv4 */
	SIM_ACT_RESTART,        /* node: its engine restarts from scratch */
	SIM_ACT_GARBAGE,        /* node: probe; arg: target node — a malformed or mutated
				   datagram to the target's first socket (a client: its mapping) */
	SIM_ACT_RS_FLOOD,       /* node: probe; arg: target server — arg2 RSs at once */
};

struct sim_action {
	sw_time at;
	uint8_t kind;
	uint32_t node, arg, arg2;
};

uint32_t sim_flow_add(struct sim *s, const struct sim_flow *f);
void sim_flow_fire(struct sim *s, uint32_t idx);
void sim_action_add(struct sim *s, const struct sim_action *a);
void sim_action_fire(struct sim *s, uint32_t idx);

/* The host stack of n received pkt (from its engine's tunnel or the IPv6 internet):
 * answers echo requests for its address, counts flow replies. */
void sim_stack_rx(struct sim *s, struct sim_node *n, const uint8_t *pkt, size_t len);
/* Checks each flow's delivery against its expectation (end of run). */
void sim_flows_verdict(struct sim *s);

#endif
