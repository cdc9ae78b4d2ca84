/*
 * test_loop.c: the event loop: timers fire in order, fd readiness
 * dispatches, signals arrive through the self-pipe.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"

/* What the callbacks saw, in order. */
struct trace {
	struct loop *lp;
	char seen[64];
	size_t nr;
	int stop_after; /* stop the loop once this many events were seen */
};

static void record(struct trace *tr, char c)
{
	assert_true(tr->nr + 1 < sizeof(tr->seen));
	tr->seen[tr->nr++] = c;
	tr->seen[tr->nr] = '\0';
	if (tr->stop_after && (int)tr->nr >= tr->stop_after)
		loop_stop(tr->lp);
}

struct named_timer {
	struct loop_timer t;
	struct trace *tr;
	char name;
};

static void on_named_timer(struct loop_timer *t, void *arg)
{
	struct named_timer *nt = arg;

	(void)t;
	record(nt->tr, nt->name);
}

static void test_timers_fire_in_order(void **state)
{
	/* Armed out of order; b and B have the same delay: b armed first. */
	static const struct {
		char name;
		int64_t delay;
	} arm[] = {{'d', 40}, {'a', 5},	 {'b', 20},
		   {'x', 10}, {'B', 20}, {'c', 30}};
	struct named_timer nt[ARRAY_SIZE(arm)];
	struct trace tr = {0};
	struct loop *lp;
	int64_t start;
	size_t i;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	tr.lp = lp;
	tr.stop_after = 5;
	for (i = 0; i < ARRAY_SIZE(arm); i++) {
		nt[i].tr = &tr;
		nt[i].name = arm[i].name;
		loop_timer_init(&nt[i].t, on_named_timer, &nt[i]);
	}
	start = loop_now();
	for (i = 0; i < ARRAY_SIZE(arm); i++)
		loop_timer_arm(lp, &nt[i].t, arm[i].delay);
	loop_timer_stop(&nt[3].t); /* x never fires */
	assert_false(loop_timer_armed(&nt[3].t));
	assert_int_equal(loop_run(lp), 0);
	assert_string_equal(tr.seen, "abBcd");
	assert_true(loop_now() - start >= 40);
	loop_free(lp);
}

/* A timer that re-arms itself with 0 ms must not starve a ready fd. */
struct spinner {
	struct loop_timer t;
	struct loop_fd n;
	struct trace *tr;
	unsigned spins;
};

static void on_spin(struct loop_timer *t, void *arg)
{
	struct spinner *s = arg;

	s->spins++;
	if (s->spins > 1000)
		fail_msg("the 0 ms timer starved the fd");
	loop_timer_arm(s->tr->lp, t, 0);
}

static void on_spin_fd(struct loop_fd *n, short revents, void *arg)
{
	struct spinner *s = arg;

	(void)n;
	assert_true(revents & POLLIN);
	record(s->tr, 'f');
	loop_timer_stop(&s->t);
	loop_stop(s->tr->lp);
}

static void test_zero_timer_does_not_starve_fds(void **state)
{
	struct trace tr = {0};
	struct spinner s = {0};
	struct loop *lp;
	int fds[2];

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	tr.lp = lp;
	s.tr = &tr;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "x", 1), 1);
	loop_timer_init(&s.t, on_spin, &s);
	loop_fd_init(&s.n, fds[0], on_spin_fd, &s);
	loop_fd_watch(lp, &s.n, POLLIN);
	loop_timer_arm(lp, &s.t, 0);
	assert_int_equal(loop_run(lp), 0);
	assert_string_equal(tr.seen, "f");
	assert_true(s.spins >= 1);
	loop_fd_unwatch(&s.n);
	close(fds[0]);
	close(fds[1]);
	loop_free(lp);
}

/* Two pipes; a timer makes them readable; the first reader unwatches
 * the second, which must then not be called. */
struct reader {
	struct loop_fd n;
	struct trace *tr;
	struct reader *other;
	char name;
};

static void on_read(struct loop_fd *n, short revents, void *arg)
{
	struct reader *r = arg;
	char c;

	assert_true(revents & POLLIN);
	assert_int_equal(read(n->fd, &c, 1), 1);
	record(r->tr, r->name);
	record(r->tr, c);
	loop_fd_unwatch(&r->other->n);
	loop_fd_unwatch(n);
}

struct writer {
	struct loop_timer t;
	int fd[2];
	struct trace *tr;
};

static void on_write(struct loop_timer *t, void *arg)
{
	struct writer *w = arg;

	(void)t;
	record(w->tr, 'w');
	assert_int_equal(write(w->fd[0], "1", 1), 1);
	assert_int_equal(write(w->fd[1], "2", 1), 1);
}

static void on_stop(struct loop_timer *t, void *arg)
{
	struct trace *tr = arg;

	(void)t;
	record(tr, 's');
	loop_stop(tr->lp);
}

static void test_fd_readiness_dispatches(void **state)
{
	struct trace tr = {0};
	struct reader r1 = {0}, r2 = {0}, idle = {0};
	struct writer w = {0};
	struct loop_timer stop;
	struct loop *lp;
	int p1[2], p2[2], p3[2];

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	tr.lp = lp;
	assert_int_equal(pipe(p1), 0);
	assert_int_equal(pipe(p2), 0);
	assert_int_equal(pipe(p3), 0);
	r1 = (struct reader){.tr = &tr, .other = &r2, .name = 'r'};
	r2 = (struct reader){.tr = &tr, .other = &r1, .name = 'r'};
	idle = (struct reader){.tr = &tr, .other = &idle, .name = 'i'};
	loop_fd_init(&r1.n, p1[0], on_read, &r1);
	loop_fd_init(&r2.n, p2[0], on_read, &r2);
	loop_fd_init(&idle.n, p3[0], on_read, &idle); /* never written */
	loop_fd_watch(lp, &r1.n, POLLIN);
	loop_fd_watch(lp, &r2.n, POLLIN);
	loop_fd_watch(lp, &idle.n, POLLIN);
	w.fd[0] = p1[1];
	w.fd[1] = p2[1];
	w.tr = &tr;
	loop_timer_init(&w.t, on_write, &w);
	loop_timer_arm(lp, &w.t, 10);
	loop_timer_init(&stop, on_stop, &tr);
	loop_timer_arm(lp, &stop, 60);
	assert_int_equal(loop_run(lp), 0);
	/* One reader ran (whichever poll listed first), read its own byte
	 * and unwatched the other before it could run. */
	assert_int_equal(tr.nr, 4);
	assert_int_equal(tr.seen[0], 'w');
	assert_int_equal(tr.seen[1], 'r');
	assert_true(tr.seen[2] == '1' || tr.seen[2] == '2');
	assert_int_equal(tr.seen[3], 's');
	assert_null(r1.n.loop);
	assert_null(r2.n.loop);
	loop_fd_unwatch(&idle.n);
	close(p1[0]), close(p1[1]), close(p2[0]), close(p2[1]);
	close(p3[0]), close(p3[1]);
	loop_free(lp);
}

static void on_reload(void *arg)
{
	record(arg, 'h');
}

static void on_raise(struct loop_timer *t, void *arg)
{
	struct trace *tr = arg;

	(void)t;
	record(tr, 'k');
	/* Blocked outside ppoll(): delivered once the loop waits again. */
	assert_int_equal(kill(getpid(), SIGHUP), 0);
	assert_int_equal(kill(getpid(), SIGTERM), 0);
	record(tr, 'K');
}

static void on_never(struct loop_timer *t, void *arg)
{
	(void)t;
	record(arg, 'n');
}

static void test_signal_stops_loop(void **state)
{
	struct loop_timer raise_t, later;
	struct trace tr = {0};
	struct sigaction sa;
	struct loop *lp;

	(void)state;
	assert_int_equal(loop_new(&lp), 0);
	tr.lp = lp;
	assert_int_equal(loop_catch_signals(lp, on_reload, &tr), 0);
	loop_timer_init(&raise_t, on_raise, &tr);
	loop_timer_arm(lp, &raise_t, 5);
	loop_timer_init(&later, on_never, &tr);
	loop_timer_arm(lp, &later, 5000);
	assert_int_equal(loop_run(lp), 0);
	/* The callback ran to its end, then SIGHUP reloaded and SIGTERM
	 * stopped the loop long before the 5 s timer. */
	assert_string_equal(tr.seen, "kKh");
	assert_int_equal(loop_stop_signal(lp), SIGTERM);
	loop_timer_stop(&later);
	loop_free(lp);
	/* The default disposition is back. */
	assert_int_equal(sigaction(SIGTERM, NULL, &sa), 0);
	assert_true(sa.sa_handler == SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_order),
		cmocka_unit_test(test_zero_timer_does_not_starve_fds),
		cmocka_unit_test(test_fd_readiness_dispatches),
		cmocka_unit_test(test_signal_stops_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
