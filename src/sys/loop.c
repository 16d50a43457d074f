/* loop: epoll + timerfd + signalfd (see loop.h). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "sys/loop.h"

#define TAG_TIMER SW_LOOP_MAX
#define TAG_SIGNAL (SW_LOOP_MAX + 1)

static int watch(struct sw_loop *l, int fd, uint32_t events, uint32_t tag)
{
	struct epoll_event ev = {.events = events, .data.u32 = tag};

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int sw_loop_init(struct sw_loop *l, sw_loop_fn on_timer, void *ctx)
{
	int err;

	memset(l, 0, sizeof(*l));
	l->sigfd = -1;
	l->armed = SW_TIME_NEVER;
	l->on_timer = on_timer;
	l->timer_ctx = ctx;
	for (size_t i = 0; i < SW_LOOP_MAX; i++)
		l->slot[i].fd = -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return -errno;
	l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->timerfd < 0) {
		err = -errno;
		close(l->epfd);
		return err;
	}
	err = watch(l, l->timerfd, EPOLLIN, TAG_TIMER);
	if (err < 0)
		sw_loop_close(l);
	return err;
}

int sw_loop_add(struct sw_loop *l, int fd, uint32_t events, sw_loop_fn fn, void *ctx)
{
	for (uint32_t i = 0; i < SW_LOOP_MAX; i++) {
		if (l->slot[i].fd >= 0)
			continue;
		int err = watch(l, fd, events, i);

		if (err < 0)
			return err;
		l->slot[i] = (struct sw_loop_slot){fd, fn, ctx};
		return 0;
	}
	return -ENOSPC;
}

int sw_loop_del(struct sw_loop *l, int fd)
{
	for (size_t i = 0; i < SW_LOOP_MAX; i++) {
		if (l->slot[i].fd != fd)
			continue;
		l->slot[i].fd = -1;
		return epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
	}
	return -ENOENT;
}

int sw_loop_signals(struct sw_loop *l, const int *sigs, size_t n, sw_loop_signal_fn fn,
		    void *ctx)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sigfd < 0)
		return -errno;
	l->on_signal = fn;
	l->signal_ctx = ctx;
	return watch(l, l->sigfd, EPOLLIN, TAG_SIGNAL);
}

int sw_loop_timer(struct sw_loop *l, sw_time at)
{
	struct itimerspec its = {0};

	if (at == l->armed)
		return 0;
	if (at != SW_TIME_NEVER) {
		its.it_value.tv_sec = (time_t)(at / 1000u);
		its.it_value.tv_nsec = (long)(at % 1000u) * 1000000L;
		if (at == 0)
			its.it_value.tv_nsec = 1; /* zero would disarm */
	}
	if (timerfd_settime(l->timerfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return -errno;
	l->armed = at;
	return 0;
}

static void timer_ready(struct sw_loop *l)
{
	uint64_t ticks;

	if (read(l->timerfd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return; /* spurious (re-armed since) */
	l->armed = SW_TIME_NEVER;
	if (l->on_timer)
		l->on_timer(l->timer_ctx, EPOLLIN);
}

static void signals_ready(struct sw_loop *l)
{
	struct signalfd_siginfo si;

	/* bounded: the kernel queues at most one of each standard signal */
	for (int i = 0; i < 64; i++) {
		if (read(l->sigfd, &si, sizeof(si)) != sizeof(si))
			return;
		if (l->on_signal)
			l->on_signal(l->signal_ctx, (int)si.ssi_signo);
	}
}

int sw_loop_run_once(struct sw_loop *l, int timeout_ms)
{
	struct epoll_event ev[SW_LOOP_MAX + 2];
	int n = epoll_wait(l->epfd, ev, SW_LOOP_MAX + 2, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (l->guard)
		pthread_mutex_lock(l->guard);
	for (int i = 0; i < n; i++) {
		uint32_t tag = ev[i].data.u32;

		if (tag == TAG_TIMER)
			timer_ready(l);
		else if (tag == TAG_SIGNAL)
			signals_ready(l);
		else if (tag < SW_LOOP_MAX && l->slot[tag].fd >= 0)
			l->slot[tag].fn(l->slot[tag].ctx, ev[i].events);
	}
	if (l->guard)
		pthread_mutex_unlock(l->guard);
	return n;
}

void sw_loop_guard(struct sw_loop *l, pthread_mutex_t *mu)
{
	l->guard = mu;
}

void sw_loop_close(struct sw_loop *l)
{
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->timerfd >= 0)
		close(l->timerfd);
	if (l->epfd >= 0)
		close(l->epfd);
	l->sigfd = l->timerfd = l->epfd = -1;
}
