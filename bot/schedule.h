/*
 * schedule.h: when a subscriber's digests are due, in the subscriber's
 * time zone, daylight-saving changes included.
 *
 * A schedule names slots: every hour (at a minute), every day at HH:MM,
 * every week on a day at HH:MM, or "immediate" (as soon as something
 * matched, no more often than SCHEDULE_IMMEDIATE_SPACING). A digest is
 * due when the first slot after the previous digest has passed; it then
 * covers everything since the previous digest, so after downtime there is
 * one catch-up digest for the whole gap, never one per missed slot.
 *
 * Local times follow the tz database through the C library. A slot that
 * a spring-forward change skips (02:30 on the night clocks jump from 02:00
 * to 03:00) moves on by the skipped hour (to 03:30, as mktime() does); a
 * slot that a fall-back change repeats (02:30 twice) is taken once.
 */
#ifndef PATCHLETTER_SCHEDULE_H
#define PATCHLETTER_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "compat.h"

/* Matches for an "immediate" subscriber are gathered this long. */
#define SCHEDULE_IMMEDIATE_SPACING 300
#define SCHEDULE_TZ_MAX 64

enum schedule_freq {
	SCHEDULE_IMMEDIATE = 0,
	SCHEDULE_HOURLY,
	SCHEDULE_DAILY,
	SCHEDULE_WEEKLY,
};

struct schedule {
	enum schedule_freq freq;
	int hour, minute;		/* local time of day (hourly: minute) */
	int weekday;			/* weekly: 0 Sunday .. 6 Saturday */
	char tz[SCHEDULE_TZ_MAX];	/* "Europe/Berlin"; "" or "UTC": UTC */
};

/* "hourly", "daily", ... and back; -1 when name is none of them. */
const char *schedule_freq_name(enum schedule_freq f);
int schedule_freq_from_name(const char *name);

/*
 * Is tz a zone this machine knows (a file under the tz database, named
 * without "..", not absolute)? The rule-file checker asks before a
 * schedule is accepted.
 */
bool schedule_tz_valid(const char *tz);

/*
 * The first slot of s strictly after `after` (seconds since the epoch,
 * UTC) into *out. Returns 0, or ERR_PERM when s is invalid (a bad hour,
 * an unknown zone).
 */
int schedule_next(int64_t *out, const struct schedule *s, int64_t after)
	WARN_UNUSED;

/*
 * Is a digest due at now, the previous one having been made at last
 * (0: never; a first digest is due at the first slot after created)?
 */
bool schedule_due(const struct schedule *s, int64_t last, int64_t created,
		  int64_t now);

#endif
