/*
 * loop: the daemon's event loop: epoll over a bounded set of fds, one timerfd for the
 * earliest deadline (absolute, CLOCK_MONOTONIC ms), and a signalfd for the signals the
 * daemon handles. Callbacks run in the loop's thread; nothing here allocates after init.
 */
#ifndef SW_SYS_LOOP_H
#define SW_SYS_LOOP_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/io.h"

#define SW_LOOP_MAX 16 /* fds watched besides the timer and the signals */

typedef void (*sw_loop_fn)(void *ctx, uint32_t events);
typedef void (*sw_loop_signal_fn)(void *ctx, int sig);

struct sw_loop_slot {
	int fd;
	sw_loop_fn fn;
	void *ctx;
};

struct sw_loop {
	int epfd, timerfd, sigfd;
	sw_time armed; /* deadline the timer is set to, SW_TIME_NEVER when disarmed */
	struct sw_loop_slot slot[SW_LOOP_MAX];
	sw_loop_fn on_timer;
	void *timer_ctx;
	sw_loop_signal_fn on_signal;
	void *signal_ctx;
	pthread_mutex_t *guard; /* held while callbacks run (not while waiting), or NULL */
};

/* 0 or -errno. on_timer runs when the armed deadline passes (events = EPOLLIN). */
int sw_loop_init(struct sw_loop *l, sw_loop_fn on_timer, void *ctx);
/* Watch fd for events (EPOLLIN...). 0, -ENOSPC (SW_LOOP_MAX reached) or -errno. */
int sw_loop_add(struct sw_loop *l, int fd, uint32_t events, sw_loop_fn fn, void *ctx);
int sw_loop_del(struct sw_loop *l, int fd);
/* Block sigs (n of them) and deliver them through fn from the loop. 0 or -errno. */
int sw_loop_signals(struct sw_loop *l, const int *sigs, size_t n, sw_loop_signal_fn fn,
		    void *ctx);
/* Arm the timer for the absolute time `at` (SW_TIME_NEVER disarms). 0 or -errno. */
int sw_loop_timer(struct sw_loop *l, sw_time at);
/* Hold mu while the callbacks of one wakeup run, so that another thread can take it to
 * look at what they touch between wakeups (a lock per batch, never per packet). */
void sw_loop_guard(struct sw_loop *l, pthread_mutex_t *mu);
/* Wait up to timeout_ms (-1 = forever) and run the callbacks of what is ready.
 * Returns the number of events, 0 on timeout or EINTR, or -errno. */
int sw_loop_run_once(struct sw_loop *l, int timeout_ms);
void sw_loop_close(struct sw_loop *l);

#endif
