/*
 * progress.h: a progress line for long jobs on a terminal (messages, rate,
 * ETA), redrawn at most ten times a second on stderr; silent when stderr
 * is not a terminal, so logs and pipes stay clean.
 */
#ifndef PATCHLETTER_PROGRESS_H
#define PATCHLETTER_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool enabled;	    /* stderr is a terminal */
	uint64_t total;	    /* bytes expected; 0 when unknown (no ETA) */
	double start;	    /* monotonic seconds */
	double last_draw;
	bool drawn;
};

/* Start measuring; total is the byte size of the input, 0 if unknown. */
void progress_init(struct progress *p, uint64_t total);
/* Redraw if due: messages done so far, bytes read so far. */
void progress_update(struct progress *p, uint64_t messages, uint64_t bytes);
/* Clear the line (before the summary is printed). */
void progress_done(struct progress *p);
/* Seconds since progress_init(). */
double progress_elapsed(const struct progress *p);

#endif
