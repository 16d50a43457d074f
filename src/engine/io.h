/*
 * io: the sans-I/O contract between the role engines and whatever drives them (the
 * daemon, the simulator, benchmarks). Engines take (input, now) and append outputs and
 * events to a caller-owned batch. Nothing here makes a system call or reads a clock.
 */
#ifndef SW_ENGINE_IO_H
#define SW_ENGINE_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/addr.h"

/* Milliseconds on a monotonic clock chosen by the driver. */
typedef uint64_t sw_time;
#define SW_TIME_NEVER UINT64_MAX
#define SW_SEC(s) ((sw_time)(s) * 1000u)

/* Randomness is given, never fetched: the daemon fills from getrandom(), the simulator
 * from a seeded PRNG. */
struct sw_rand {
	void (*fill)(void *ctx, void *buf, size_t len);
	void *ctx;
};
uint32_t sw_rand_u32(const struct sw_rand *r);
/* Uniform in [lo, hi] (inclusive), without modulo bias. */
uint64_t sw_rand_range(const struct sw_rand *r, uint64_t lo, uint64_t hi);

enum sw_out_kind {
	SW_OUT_UDP = 1, /* a datagram to dst from local socket `sock` */
	SW_OUT_TUN = 2, /* an IPv6 packet for the tunnel device / IPv6 side */
};

struct sw_out_pkt {
	uint8_t kind;
	uint8_t sock; /* engine-defined local socket index (0 = primary/service socket) */
	uint8_t ttl;  /* IPv4 TTL for UDP; 0 = system default (1 for local discovery) */
	struct sw_endpoint dst;
	uint32_t len;
	const uint8_t *data; /* in the batch arena, or caller memory (sw_out_ref) */
};

enum sw_event_kind {
	SW_EV_STATE = 1,    /* engine state changed: state field */
	SW_EV_ADDR_ADD = 2, /* configure addr/prefix_len on the interface */
	SW_EV_ADDR_DEL = 3, /* remove it */
	SW_EV_MTU = 4,      /* interface MTU: mtu field */
};

struct sw_event {
	uint8_t kind;
	uint8_t state;
	uint8_t prefix_len;
	uint8_t addr[16];
	uint32_t mtu;
};

/* An output batch. The caller provides the arrays and the arena, calls the engine any
 * number of times, sends everything, then sw_out_reset(). When the batch is full further
 * outputs are dropped and counted in `full` (the caller should flush earlier). */
struct sw_out {
	struct sw_out_pkt *pkt;
	size_t n, cap;
	uint8_t *arena;
	size_t used, arena_cap;
	struct sw_event *ev;
	size_t n_ev, ev_cap;
	uint64_t full;
};

void sw_out_init(struct sw_out *o, struct sw_out_pkt *pkt, size_t cap, uint8_t *arena,
		 size_t arena_cap, struct sw_event *ev, size_t ev_cap);
void sw_out_reset(struct sw_out *o);
/* Room for one more output of up to max bytes: returns where to write it, or NULL. */
uint8_t *sw_out_begin(struct sw_out *o, size_t max);
/* Commit what was written at the last sw_out_begin() pointer, len bytes. */
void sw_out_udp(struct sw_out *o, uint8_t sock, struct sw_endpoint dst, size_t len);
void sw_out_tun(struct sw_out *o, size_t len);
/* Zero-copy output referring to caller memory that lives until the batch is flushed. */
bool sw_out_ref(struct sw_out *o, uint8_t kind, uint8_t sock, struct sw_endpoint dst,
		const uint8_t *data, size_t len);
/* Set the TTL of the last committed output. */
void sw_out_set_ttl(struct sw_out *o, uint8_t ttl);
bool sw_out_event(struct sw_out *o, const struct sw_event *ev);

/* One named counter, for status, JSON and Prometheus output. Engines fill arrays of these
 * from their X-macro counter lists. */
struct sw_stat {
	const char *name;
	const char *help;
	uint64_t value;
	bool gauge; /* a level that goes up and down (peers, buffers in use), not a total */
};

#endif
