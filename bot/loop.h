/*
 * loop.h: the daemon's event loop (STYLE.md, "The loop and durability";
 * mbsync's util.c is the model): one thread, one poll() over registered
 * fd notifiers, a sorted list of timers, and signals through a self-pipe.
 *
 * Notifiers and timers are embedded in their owners' structs: the loop
 * allocates nothing for them and keeps only borrowed pointers, so an
 * owner must unwatch its notifier and stop its timer before it frees
 * them. Callbacks may watch, unwatch, arm and stop anything, their own
 * notifier or timer included, and may call loop_stop().
 *
 * Time is CLOCK_MONOTONIC in milliseconds: a change of the wall clock
 * moves no timer.
 *
 * Signals (loop_catch_signals()): SIGTERM and SIGINT stop the loop once
 * the callback in flight has returned (a batch being stored is committed
 * first), SIGHUP calls the reload callback, SIGPIPE is ignored (a peer
 * that closed its socket is an error return, not a death). The three
 * handled signals stay blocked except while the loop waits in ppoll():
 * libetpan and SQLite treat an interrupted system call as a failure, so
 * a signal must never land in the middle of their work. The handler only
 * writes the signal number into the self-pipe; the loop reads it.
 */
#ifndef PATCHLETTER_LOOP_H
#define PATCHLETTER_LOOP_H

#include <poll.h> /* POLLIN, POLLOUT for the events */
#include <stdbool.h>
#include <stdint.h>

#include "compat.h"

struct loop;
struct loop_fd;
struct loop_timer;

/* revents: POLLIN, POLLOUT, POLLERR, POLLHUP, ... as poll() reports. */
typedef void loop_fd_cb(struct loop_fd *n, short revents, void *arg);
typedef void loop_timer_cb(struct loop_timer *t, void *arg);

struct loop_fd {
	/* Set by loop_fd_init(); the rest is the loop's. */
	int fd;
	loop_fd_cb *cb;
	void *arg; /* borrowed: the callback's payload */

	struct loop *loop;    /* borrowed; NULL while not watched */
	struct loop_fd *next; /* in loop->fds */
	short events;
	int slot; /* index in the poll array being dispatched, or -1 */
};

struct loop_timer {
	/* Set by loop_timer_init(); the rest is the loop's. */
	loop_timer_cb *cb;
	void *arg; /* borrowed */

	struct loop *loop;	 /* borrowed; NULL while not armed */
	struct loop_timer *next; /* in loop->timers, sorted by due */
	int64_t due;		 /* loop_now() value when it fires */
	uint64_t seq;		 /* arming order: ties fire first-armed first */
};

/*
 * A new loop in *out (owned: loop_free() it), with its self-pipe open.
 * 0, or ERR_FAIL (reported) when the pipe cannot be made.
 */
int loop_new(struct loop **out) WARN_UNUSED;
/*
 * Free lp (may be NULL), giving the signal handlers and mask back when it
 * caught them. Notifiers and timers still registered are forgotten.
 */
void loop_free(struct loop *lp);

/*
 * Catch SIGTERM, SIGINT and SIGHUP for lp, ignore SIGPIPE (see above).
 * One loop of the process at a time (a second is a BUG()). reload is
 * called on SIGHUP (may be NULL). 0 or ERR_FAIL (reported).
 */
int loop_catch_signals(struct loop *lp, void (*reload)(void *arg),
		       void *arg) WARN_UNUSED;

/*
 * Run until loop_stop() or a stopping signal: 0, or ERR_FAIL (reported)
 * when poll() fails. The timers due fire first, in order, then the
 * notifiers whose fds are ready; a timer armed by a callback fires at
 * the earliest in the next round, so a 0 ms timer cannot starve the fds.
 */
int loop_run(struct loop *lp) WARN_UNUSED;
/* Make loop_run() return once the callback in flight has returned. */
void loop_stop(struct loop *lp);
/* The signal that stopped the loop, or 0. */
int loop_stop_signal(const struct loop *lp);

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t loop_now(void);

/* Prepare n for fd (borrowed: the caller closes it); watches nothing. */
void loop_fd_init(struct loop_fd *n, int fd, loop_fd_cb *cb, void *arg);
/* Watch n for events (POLLIN, POLLOUT) on lp, or change what it watches. */
void loop_fd_watch(struct loop *lp, struct loop_fd *n, short events);
/* Stop watching; a notifier not watched is left alone. */
void loop_fd_unwatch(struct loop_fd *n);

void loop_timer_init(struct loop_timer *t, loop_timer_cb *cb, void *arg);
/* (Re)arm t to fire once, delay_ms from now (<= 0: in the next round). */
void loop_timer_arm(struct loop *lp, struct loop_timer *t, int64_t delay_ms);
/* Disarm; a timer not armed is left alone. */
void loop_timer_stop(struct loop_timer *t);
static inline bool loop_timer_armed(const struct loop_timer *t)
{
	return t->loop != NULL;
}

#endif
