/*
 * loop.c: one poll() loop with fd notifiers, sorted timers and a
 * self-pipe for signals (loop.h has the contract).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "loop.h"
#include "xalloc.h"

static const int caught[] = {SIGTERM, SIGINT, SIGHUP, SIGPIPE};

struct loop {
	struct loop_fd *fds;	   /* watched notifiers */
	struct loop_timer *timers; /* armed, sorted by (due, seq) */
	uint64_t seq;		   /* next timer arming number */
	struct pollfd *pfds;	   /* the poll array of the round */
	struct loop_fd **owners;   /* its notifiers; NULL once unwatched */
	size_t alloc;
	int pipe[2];
	bool stop;
	int stop_signal;
	bool signals; /* caught: restore at loop_free() */
	sigset_t wait_mask;
	sigset_t old_mask;
	struct sigaction old_act[ARRAY_SIZE(caught)];
	void (*reload)(void *arg);
	void *reload_arg;
};

/* The only way from a signal handler back to the loop that caught it. */
static volatile int signal_pipe = -1;

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	/* A full pipe already holds enough to wake the loop. */
	if (write(signal_pipe, &c, 1) < 0)
		(void)0;
	errno = saved;
}

int64_t loop_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		BUG("clock_gettime(CLOCK_MONOTONIC): %s", strerror(errno));
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int loop_new(struct loop **out)
{
	struct loop *lp;

	*out = NULL;
	lp = xcalloc(1, sizeof(*lp));
	if (pipe2(lp->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_warn("loop: pipe");
		free(lp);
		return ERR_FAIL;
	}
	*out = lp;
	return 0;
}

void loop_free(struct loop *lp)
{
	size_t i;

	if (!lp)
		return;
	if (lp->signals) {
		/* Unblock first: a signal still pending (a second SIGTERM)
		 * lands in our handler, not in the default action. */
		sigprocmask(SIG_SETMASK, &lp->old_mask, NULL);
		for (i = 0; i < ARRAY_SIZE(caught); i++)
			sigaction(caught[i], &lp->old_act[i], NULL);
		signal_pipe = -1;
	}
	close(lp->pipe[0]);
	close(lp->pipe[1]);
	free(lp->pfds);
	free(lp->owners);
	free(lp);
}

int loop_catch_signals(struct loop *lp, void (*reload)(void *arg), void *arg)
{
	struct sigaction sa;
	sigset_t block;
	size_t i;

	if (signal_pipe != -1 || lp->signals)
		BUG("loop: signals caught twice");
	sigemptyset(&block);
	for (i = 0; i < 3; i++)
		sigaddset(&block, caught[i]);
	if (sigprocmask(SIG_BLOCK, &block, &lp->old_mask) < 0)
		return errorf(ERR_FAIL, "loop: sigprocmask: %s",
			      strerror(errno));
	lp->wait_mask = lp->old_mask;
	for (i = 0; i < 3; i++)
		sigdelset(&lp->wait_mask, caught[i]);
	signal_pipe = lp->pipe[1];
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < ARRAY_SIZE(caught); i++) {
		sa.sa_handler = caught[i] == SIGPIPE ? SIG_IGN : on_signal;
		sigaction(caught[i], &sa, &lp->old_act[i]);
	}
	lp->signals = true;
	lp->reload = reload;
	lp->reload_arg = arg;
	return 0;
}

void loop_stop(struct loop *lp)
{
	lp->stop = true;
}

int loop_stop_signal(const struct loop *lp)
{
	return lp->stop_signal;
}

void loop_fd_init(struct loop_fd *n, int fd, loop_fd_cb *cb, void *arg)
{
	memset(n, 0, sizeof(*n));
	n->fd = fd;
	n->cb = cb;
	n->arg = arg;
	n->slot = -1;
}

void loop_fd_watch(struct loop *lp, struct loop_fd *n, short events)
{
	if (n->loop && n->loop != lp)
		BUG("loop: notifier for fd %d watched by two loops", n->fd);
	if (!n->loop) {
		n->loop = lp;
		n->next = lp->fds;
		lp->fds = n;
		n->slot = -1; /* not in the round being dispatched */
	}
	n->events = events;
}

void loop_fd_unwatch(struct loop_fd *n)
{
	struct loop_fd **p;

	if (!n->loop)
		return;
	for (p = &n->loop->fds; *p != n; p = &(*p)->next)
		;
	*p = n->next;
	if (n->slot >= 0)
		n->loop->owners[n->slot] = NULL;
	n->loop = NULL;
	n->next = NULL;
	n->slot = -1;
}

void loop_timer_init(struct loop_timer *t, loop_timer_cb *cb, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
	t->arg = arg;
}

void loop_timer_stop(struct loop_timer *t)
{
	struct loop_timer **p;

	if (!t->loop)
		return;
	for (p = &t->loop->timers; *p != t; p = &(*p)->next)
		;
	*p = t->next;
	t->loop = NULL;
	t->next = NULL;
}

void loop_timer_arm(struct loop *lp, struct loop_timer *t, int64_t delay_ms)
{
	struct loop_timer **p;

	loop_timer_stop(t);
	t->due = loop_now() + (delay_ms > 0 ? delay_ms : 0);
	t->seq = lp->seq++;
	t->loop = lp;
	/* After every timer due at the same time: ties fire in order. */
	for (p = &lp->timers; *p && (*p)->due <= t->due; p = &(*p)->next)
		;
	t->next = *p;
	*p = t;
}

static void read_signals(struct loop *lp)
{
	unsigned char sig[16];
	ssize_t n, i;

	while ((n = read(lp->pipe[0], sig, sizeof(sig))) > 0) {
		for (i = 0; i < n; i++) {
			if (sig[i] == SIGHUP) {
				log_info("loop: SIGHUP: reloading");
				if (lp->reload)
					lp->reload(lp->reload_arg);
			} else if (!lp->stop_signal) {
				log_info("loop: %s: stopping",
					 strsignal(sig[i]));
				lp->stop_signal = sig[i];
				lp->stop = true;
			}
		}
	}
}

/* Fire the timers due now that were armed before this round began. */
static void fire_timers(struct loop *lp)
{
	uint64_t round = lp->seq;
	int64_t now = loop_now();
	struct loop_timer *t;

	while (!lp->stop && (t = lp->timers) && t->due <= now &&
	       t->seq < round) {
		loop_timer_stop(t);
		t->cb(t, t->arg);
	}
}

static int wait_for_fds(struct loop *lp, size_t *nr_out)
{
	struct timespec ts, *tsp = NULL;
	struct loop_fd *n;
	size_t nr = 1;
	int r;

	for (n = lp->fds; n; n = n->next)
		nr++;
	if (nr > lp->alloc) {
		lp->alloc = nr * 2;
		free(lp->pfds);
		free(lp->owners);
		lp->pfds = xcalloc(lp->alloc, sizeof(*lp->pfds));
		lp->owners = xcalloc(lp->alloc, sizeof(*lp->owners));
	}
	lp->pfds[0] = (struct pollfd){lp->pipe[0], POLLIN, 0};
	lp->owners[0] = NULL;
	for (nr = 1, n = lp->fds; n; n = n->next, nr++) {
		lp->pfds[nr] = (struct pollfd){n->fd, n->events, 0};
		lp->owners[nr] = n;
		n->slot = (int)nr;
	}
	if (lp->timers) {
		int64_t ms = lp->timers->due - loop_now();

		if (ms < 0)
			ms = 0;
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (ms % 1000) * 1000000;
		tsp = &ts;
	}
	r = ppoll(lp->pfds, nr, tsp, lp->signals ? &lp->wait_mask : NULL);
	if (r < 0 && errno != EINTR)
		return errorf(ERR_FAIL, "loop: poll: %s", strerror(errno));
	*nr_out = r < 0 ? 0 : nr;
	return 0;
}

int loop_run(struct loop *lp)
{
	struct loop_fd *n;
	size_t nr = 0, i;
	int r = 0;

	lp->stop = false;
	while (!lp->stop) {
		fire_timers(lp);
		if (lp->stop)
			break;
		r = wait_for_fds(lp, &nr);
		if (r < 0)
			break;
		read_signals(lp);
		for (i = 1; i < nr && !lp->stop; i++) {
			n = lp->owners[i];
			if (n && lp->pfds[i].revents)
				n->cb(n, lp->pfds[i].revents, n->arg);
		}
		for (n = lp->fds; n; n = n->next)
			n->slot = -1;
	}
	return r;
}
