/*
 * schedule.c: digest slots in local time.
 *
 * The C library knows the tz database; it is asked through TZ. Setting TZ
 * is process-wide, so every conversion here sets it, converts and puts
 * the old value back before returning: the program is one thread, and no
 * other module reads local time (logs and mail dates are UTC).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "schedule.h"
#include "tzdb.h"
#include "xalloc.h"

static const char *const freq_names[] = {
	[SCHEDULE_IMMEDIATE] = "immediate",
	[SCHEDULE_HOURLY] = "hourly",
	[SCHEDULE_DAILY] = "daily",
	[SCHEDULE_WEEKLY] = "weekly",
};

const char *schedule_freq_name(enum schedule_freq f)
{
	return (unsigned)f < ARRAY_SIZE(freq_names) ? freq_names[f] : "?";
}

int schedule_freq_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(freq_names); i++)
		if (!strcmp(freq_names[i], name))
			return (int)i;
	return -1;
}

static bool is_utc(const char *tz)
{
	return !tz[0] || !strcmp(tz, "UTC") || !strcmp(tz, "Etc/UTC");
}

bool schedule_tz_valid(const char *tz)
{
	/* The same check as a rule file's timezone gets (rules/tzdb.c). */
	return is_utc(tz) ||
	       (strlen(tz) < SCHEDULE_TZ_MAX && tzdb_has(tz, NULL));
}

/* The process's TZ while a conversion runs, and how to put it back. */
struct tz_saved {
	char *old; /* owned, or NULL: TZ was unset */
};

static void tz_enter(struct tz_saved *saved, const char *tz)
{
	const char *old = getenv("TZ");
	char spec[SCHEDULE_TZ_MAX + 2];

	saved->old = old ? xstrdup(old) : NULL;
	/* ":Zone/Name": read the named file, never a POSIX rule string. */
	snprintf(spec, sizeof(spec), ":%s", is_utc(tz) ? "UTC" : tz);
	setenv("TZ", spec, 1);
	tzset();
}

static void tz_leave(struct tz_saved *saved)
{
	if (saved->old)
		setenv("TZ", saved->old, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved->old);
	saved->old = NULL;
}

/* Local broken-down time (in the zone entered) to UTC seconds. */
static int64_t local_to_utc(int year, int mon, int mday, int hour, int min)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year;
	tm.tm_mon = mon;
	tm.tm_mday = mday;
	tm.tm_hour = hour;
	tm.tm_min = min;
	/*
	 * The library decides whether DST is in force. In a skipped hour
	 * mktime() moves the time forward by the change; in a repeated
	 * hour it picks one of the two, and schedule_next() never takes a
	 * slot on the same local day (or hour) as `after` twice.
	 */
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

int schedule_next(int64_t *out, const struct schedule *s, int64_t after)
{
	struct tz_saved saved;
	struct tm now;
	time_t t = (time_t)after;
	int64_t cand = 0;
	int i;

	if (s->hour < 0 || s->hour > 23 || s->minute < 0 || s->minute > 59 ||
	    s->weekday < 0 || s->weekday > 6 || !schedule_tz_valid(s->tz))
		return errorf(ERR_PERM, "schedule: invalid schedule (%s %02d:%02d "
					"day %d zone \"%s\")",
			      schedule_freq_name(s->freq), s->hour, s->minute,
			      s->weekday, s->tz);
	if (s->freq == SCHEDULE_IMMEDIATE) {
		*out = after + SCHEDULE_IMMEDIATE_SPACING;
		return 0;
	}
	tz_enter(&saved, s->tz);
	localtime_r(&t, &now);
	switch (s->freq) {
	case SCHEDULE_HOURLY:
		/* This hour's slot, else the next hour's: by UTC arithmetic,
		 * since an hour is an hour whatever the zone's offset. */
		cand = local_to_utc(now.tm_year, now.tm_mon, now.tm_mday,
				    now.tm_hour, s->minute);
		while (cand <= after)
			cand += 3600;
		break;
	case SCHEDULE_DAILY:
	case SCHEDULE_WEEKLY:
		for (i = 0; i <= 7; i++) {
			struct tm day = now;

			/* The local day i days on, normalised by mktime. */
			day.tm_mday += i;
			day.tm_hour = 12;
			day.tm_isdst = -1;
			mktime(&day);
			if (s->freq == SCHEDULE_WEEKLY &&
			    day.tm_wday != s->weekday)
				continue;
			/* Never twice on one local day (a repeated hour). */
			if (i == 0 && (now.tm_hour > s->hour ||
				       (now.tm_hour == s->hour &&
					now.tm_min >= s->minute)))
				continue;
			cand = local_to_utc(day.tm_year, day.tm_mon,
					    day.tm_mday, s->hour, s->minute);
			if (cand > after)
				break;
		}
		break;
	case SCHEDULE_IMMEDIATE:
		break;
	}
	tz_leave(&saved);
	*out = cand;
	return 0;
}

bool schedule_due(const struct schedule *s, int64_t last, int64_t created,
		  int64_t now)
{
	int64_t next;

	/* "immediate": the first digest at once, then spaced. */
	if (s->freq == SCHEDULE_IMMEDIATE && !last)
		return true;
	if (schedule_next(&next, s, last ? last : created))
		return false;
	return next <= now;
}
