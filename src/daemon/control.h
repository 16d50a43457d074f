/*
 * control: the daemon side of the control socket (a Unix stream socket per instance, JSON
 * lines). It owns the listening socket and its clients behind ONE pollable fd; it never
 * blocks, never lets a slow client stall the loop, and never reads engine state itself:
 * everything it reports comes through the provider callbacks.
 *
 * Protocol (doc/shipworm.1, "CONTROL PROTOCOL"): on connect the daemon sends a greeting line
 *   {"shipworm":1,"version":"0.1.0"}
 * then answers each request line ("status", "peers", "metrics", "help", "monitor") with
 * exactly one JSON object on one line, whose last member is the final status: "ok":true, or
 * "ok":false followed by "error":"text". After "monitor" the client also receives event
 * lines, {"event":NAME,...} without "ok", as the daemon reports them (sw_ctl_event).
 *
 * JSON fields (the contract with the CLI; a missing field is simply not shown):
 *   status : role, instance, version, pid, uptime_ms, interface, mtu, state, nat_type,
 *            server{primary,secondary}, local, mapped, address, refresh_interval_ms,
 *            last_refresh_ms (age), peers (count), workers, worker_peers[] (relay with
 *            Workers > 1), counters{name:value,...}
 *            — "counters" is written by control.c from provider->stats plus its own ctl_*.
 *   peers  : peers[{address, mapping, trusted, last_rx_ms, last_tx_ms, queued_bytes,
 *            queued_packets, worker?}]  — ages in ms; the provider writes the array elements.
 *   metrics: instance, metrics[{name, help, value, type?}] — type "gauge" for sw_stat.gauge.
 *   events : {"event":"state","state":S} {"event":"address","op":"add"|"del","address":A,
 *            "prefix_len":N} {"event":"mtu","mtu":N} {"event":"reload","ok":B}; others may
 *            follow, clients ignore what they do not know.
 * Addresses are text (RFC 5952 IPv6, "a.b.c.d:port" endpoints); *_ms members are integer
 * milliseconds (write them with sw_json_u64; sw_json_ms writes seconds), last_* ones ages.
 */
#ifndef SW_DAEMON_CONTROL_H
#define SW_DAEMON_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine/io.h"

struct sw_json;
struct sw_ctl;

struct sw_ctl_provider {
	void *ctx;
	const char *instance; /* label for metrics; may be NULL */
	/* Write the members of the status object (the object is already open; do not close
	 * it). May be NULL. */
	void (*status)(void *ctx, struct sw_json *j, sw_time now);
	/* Write one object per peer into the open "peers" array. May be NULL (empty array). */
	void (*peers)(void *ctx, struct sw_json *j, sw_time now);
	/* Counters (daemon + role) into out[0..cap); returns how many. May be NULL. */
	size_t (*stats)(void *ctx, struct sw_stat *out, size_t cap);
};

/* Bounds (each has a ctl_* counter when hit). */
#define SW_CTL_MAX_CLIENTS 16
#define SW_CTL_REQ_MAX 256           /* bytes per request line */
#define SW_CTL_REPLY_MAX (1u << 20)  /* bytes per reply */
#define SW_CTL_WRITE_TIMEOUT SW_SEC(5) /* a reply not drained by then: client closed */
#define SW_CTL_IDLE_TIMEOUT SW_SEC(60) /* no request for that long: client closed */
#define SW_CTL_MAX_STATS 256
#define SW_CTL_EVENT_BACKLOG (64u << 10) /* bytes of events pending per monitor client */

/* Create the socket at path: mkdir its directory (0755) when missing; refuse with -EADDRINUSE
 * when a live daemon answers on path, -EEXIST when path is not a socket; otherwise remove the
 * stale socket. Bound with mode 0660, chowned to group unless group == (gid_t)-1, listening,
 * nonblocking. p is copied. Call while still privileged. Returns 0 or -errno. */
int sw_ctl_open(struct sw_ctl **c, const char *path, gid_t group,
		const struct sw_ctl_provider *p);
/* One fd for the caller's epoll (EPOLLIN): readable whenever the listener or any client
 * needs service (it is an epoll fd over them). */
int sw_ctl_fd(const struct sw_ctl *c);
/* Serve everything ready, without blocking. Call when sw_ctl_fd() is readable and when now
 * reaches sw_ctl_next_deadline(). now is the daemon's monotonic ms clock. */
void sw_ctl_run(struct sw_ctl *c, sw_time now);
/* Earliest write/idle timeout among clients, or SW_TIME_NEVER. */
sw_time sw_ctl_next_deadline(const struct sw_ctl *c);
/* Send one event line (a JSON object without newline, e.g. from sw_json_finish; NULL is
 * ignored) to every monitor client; dropped and counted for a client whose backlog is full.
 * These event calls accept c == NULL (no control socket) and do nothing. */
void sw_ctl_event(struct sw_ctl *c, const char *line, sw_time now);
/* The same for an engine event (state, address add/del, MTU), in the JSON of "events"
 * above; state_name names ev->state (NULL: the number is sent). */
void sw_ctl_engine_event(struct sw_ctl *c, const struct sw_event *ev, const char *state_name,
			 sw_time now);
/* {"event":"reload","ok":B} after a SIGHUP. */
void sw_ctl_reload_event(struct sw_ctl *c, bool ok, sw_time now);
/* The control socket's own counters (ctl_*), also appended to status/metrics replies. */
size_t sw_ctl_stats(const struct sw_ctl *c, struct sw_stat *out, size_t cap);
/* Close every client and the listener, unlink the socket path, free c (NULL is fine). */
void sw_ctl_close(struct sw_ctl *c);

#endif
