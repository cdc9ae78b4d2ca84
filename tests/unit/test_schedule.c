/*
 * test_schedule.c: digest slots in local time across DST changes.
 *
 * Expected instants are written as UTC dates from the zones' rules (EU:
 * summer time from the last Sunday of March 01:00 UTC to the last Sunday
 * of October 01:00 UTC; US: second Sunday of March 02:00 local to the
 * first Sunday of November 02:00 local; India: UTC+05:30, no DST) and
 * turned into epoch seconds with calendar.timegm() (Python), not by the
 * code under test:
 *   2026-11-23 05:00 1795410000    2026-11-23 06:00 1795413600
 *   2026-03-28 12:00 1774699200    2026-03-29 01:30 1774747800
 *   2026-10-24 12:00 1792843200    2026-10-25 00:30 1792888200
 *   2026-10-25 01:30 1792891800    2026-10-26 01:30 1792978200
 *   2026-03-07 13:00 1772888400    2026-03-08 11:00 1772967600
 *   2026-11-23 02:00 1795399200    2026-11-30 01:30 1796002200
 *   2026-11-23 10:20 1795429200    2026-11-23 11:15 1795432500
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "err.h"
#include "schedule.h"

static struct schedule sched(enum schedule_freq f, int h, int m, int wday,
			     const char *tz)
{
	struct schedule s;

	memset(&s, 0, sizeof(s));
	s.freq = f;
	s.hour = h;
	s.minute = m;
	s.weekday = wday;
	strcpy(s.tz, tz);
	return s;
}

static int64_t next(const struct schedule *s, int64_t after)
{
	int64_t t = 0;

	assert_int_equal(schedule_next(&t, s, after), 0);
	return t;
}

static void test_daily_local(void **state)
{
	struct schedule s = sched(SCHEDULE_DAILY, 7, 0, 0, "Europe/Berlin");

	(void)state;
	/* 06:00 CET is before 07:00 CET (06:00 UTC) the same day. */
	assert_int_equal(next(&s, 1795410000), 1795413600);
	/* At the slot itself: the next day's. */
	assert_int_equal(next(&s, 1795413600), 1795413600 + 86400);
}

static void test_spring_forward_gap(void **state)
{
	/* 02:30 does not exist in Berlin on 2026-03-29: 03:30 CEST. */
	struct schedule s = sched(SCHEDULE_DAILY, 2, 30, 0, "Europe/Berlin");

	(void)state;
	assert_int_equal(next(&s, 1774699200), 1774747800);
}

static void test_fall_back_once(void **state)
{
	/* 02:30 happens twice in Berlin on 2026-10-25: one digest. */
	struct schedule s = sched(SCHEDULE_DAILY, 2, 30, 0, "Europe/Berlin");
	int64_t first = next(&s, 1792843200);

	(void)state;
	assert_true(first == 1792888200 || first == 1792891800);
	assert_int_equal(next(&s, first), 1792978200);
}

static void test_us_dst(void **state)
{
	/* 07:00 EST on Saturday, 07:00 EDT on Sunday 2026-03-08. */
	struct schedule s = sched(SCHEDULE_DAILY, 7, 0, 0, "America/New_York");

	(void)state;
	assert_int_equal(next(&s, 1772888400), 1772967600);
}

static void test_weekly_half_hour_zone(void **state)
{
	/* Mondays 07:00 in India; 2026-11-23 is a Monday, 07:30 IST. */
	struct schedule s = sched(SCHEDULE_WEEKLY, 7, 0, 1, "Asia/Kolkata");

	(void)state;
	assert_int_equal(next(&s, 1795399200), 1796002200);
}

static void test_hourly_and_immediate(void **state)
{
	struct schedule h = sched(SCHEDULE_HOURLY, 0, 15, 0, "UTC");
	struct schedule i = sched(SCHEDULE_IMMEDIATE, 0, 0, 0, "");

	(void)state;
	assert_int_equal(next(&h, 1795429200), 1795432500);
	assert_int_equal(next(&i, 1000), 1000 + SCHEDULE_IMMEDIATE_SPACING);
}

static void test_catch_up_is_one_digest(void **state)
{
	/* Daily at 06:00 UTC: 1795413600 is 2026-11-23 06:00 UTC. */
	struct schedule s = sched(SCHEDULE_DAILY, 6, 0, 0, "UTC");
	int64_t last = 1795413600 - 3 * 86400; /* three slots missed */
	int64_t now = 1795413600 + 3600;

	(void)state;
	assert_true(schedule_due(&s, last, 0, now));
	/* The catch-up digest made now covers the gap; nothing more is
	 * due until the next slot. */
	assert_false(schedule_due(&s, now, 0, now + 60));
	assert_true(schedule_due(&s, now, 0, 1795413600 + 86400));
}

static void test_zones_and_invalid(void **state)
{
	struct schedule s = sched(SCHEDULE_DAILY, 24, 0, 0, "UTC");
	int64_t t;

	(void)state;
	assert_true(schedule_tz_valid("Europe/Berlin"));
	assert_true(schedule_tz_valid("UTC"));
	assert_false(schedule_tz_valid("../../etc/passwd"));
	assert_false(schedule_tz_valid("/etc/localtime"));
	assert_false(schedule_tz_valid("Mars/Olympus_Mons"));
	assert_false(schedule_tz_valid("Europe/Berlin;rm"));
	assert_int_equal(schedule_next(&t, &s, 0), ERR_PERM);
	assert_int_equal(schedule_freq_from_name("weekly"), SCHEDULE_WEEKLY);
	assert_int_equal(schedule_freq_from_name("fortnightly"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daily_local),
		cmocka_unit_test(test_spring_forward_gap),
		cmocka_unit_test(test_fall_back_once),
		cmocka_unit_test(test_us_dst),
		cmocka_unit_test(test_weekly_half_hour_zone),
		cmocka_unit_test(test_hourly_and_immediate),
		cmocka_unit_test(test_catch_up_is_one_digest),
		cmocka_unit_test(test_zones_and_invalid),
	};

	return cmocka_run_group_tests_name("schedule", tests, NULL, NULL);
}
